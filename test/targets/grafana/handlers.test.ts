/**
 * The Grafana handlers against the Grafana emulator: what apply writes, plan reads back
 * without a diff; listings page and refuse partial answers; ownership; the policy merge.
 */
import { describe, expect, it } from "vitest";
import type { LiveResource, ResourceKind } from "../../../src/plan/resource.js";
import { ListingIncompleteError, TargetError } from "../../../src/targets/handler.js";
import { createGrafanaHandlers } from "../../../src/targets/grafana/index.js";
import type { GrafanaEmulator } from "../../emulators/grafana/server.js";
import { createAll, desiredResources, SECRETS, useGrafanaEmulator, wire } from "./support.js";

let emulator: GrafanaEmulator;
useGrafanaEmulator((started) => (emulator = started));

const desired = desiredResources();
const ofKind = (kind: ResourceKind) => desired.filter((d) => d.kind === kind);
const byKey = (live: LiveResource[]) => new Map(live.map((l) => [l.key, l]));

describe("round trip: create, list, normalise", () => {
  it("every generated resource reads back owned and equal to what was written (no perpetual diff)", async () => {
    const { handlers } = wire(emulator);
    await createAll(Object.values(handlers), desired);
    for (const handler of Object.values(handlers)) {
      const live = byKey(await handler.list());
      const expected = ofKind(handler.kind);
      expect([...live.keys()].sort(), handler.kind).toEqual(expected.map((d) => d.key).sort());
      for (const d of expected) {
        const l = live.get(d.key)!;
        expect(l.owned, `${handler.kind} ${d.key}`).toBe(true);
        expect(handler.normalise(l.body, "live"), `${handler.kind} ${d.key}`).toEqual(handler.normalise(d.body, "desired"));
      }
    }
  });

  it("secrets are resolved on write, redacted on read and absent from every comparable form", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-contact-point"]], desired);
    const stored = JSON.stringify(emulator.snapshot());
    expect(stored).toContain(SECRETS.PD_DATA_ONCALL_KEY); // the write resolved the placeholder
    const h = handlers["grafana-contact-point"];
    const live = await h.list();
    const forms = JSON.stringify([...live.map((l) => h.normalise(l.body, "live")), ...ofKind(h.kind).map((d) => h.normalise(d.body, "desired")), live.map((l) => l.fingerprint)]);
    for (const secret of Object.values(SECRETS)) expect(forms).not.toContain(secret);
  });

  it("a second read after an update shows no diff, and the fingerprint moves only when content moves", async () => {
    const { handlers } = wire(emulator);
    await createAll(Object.values(handlers), desired);
    for (const handler of Object.values(handlers)) {
      const before = byKey(await handler.list());
      for (const d of ofKind(handler.kind)) await handler.update(d, before.get(d.key)!);
      const after = byKey(await handler.list());
      for (const d of ofKind(handler.kind)) {
        expect(handler.normalise(after.get(d.key)!.body, "live")).toEqual(handler.normalise(d.body, "desired"));
        if (handler.kind === "grafana-dashboard") expect(after.get(d.key)!.fingerprint).not.toBe(before.get(d.key)!.fingerprint);
        else expect(after.get(d.key)!.fingerprint, `${handler.kind} ${d.key}`).toBe(before.get(d.key)!.fingerprint);
      }
    }
  });

  it("rule groups: one GET of all rules, and the group interval from one export when Grafana has it", async () => {
    const { handlers, requests } = wire(emulator);
    await createAll(Object.values(handlers), desired);
    const groups = ofKind("grafana-rule-group");
    // The export answers with each group's interval (faked: the emulator has no export route).
    const exportBody = {
      apiVersion: 1,
      groups: groups.map((g) => {
        const body = g.body as { title: string; rules: { uid: string }[] };
        return { orgId: 1, name: body.title, folder: "x", interval: "1m", rules: body.rules.map((r) => ({ uid: r.uid })) };
      }),
    };
    emulator.faults.add({ method: "GET", path: "/alert-rules/export$", fault: { kind: "status", status: 200, body: exportBody } });
    requests.length = 0;
    const live = await handlers["grafana-rule-group"].list();
    expect(live).toHaveLength(groups.length);
    expect(requests.map((r) => `${r.method} ${r.route}`).sort()).toEqual(["GET /api/v1/provisioning/alert-rules", "GET /api/v1/provisioning/alert-rules/export"]);
    for (const l of live) expect(handlers["grafana-rule-group"].normalise(l.body, "live")).toMatchObject({ interval: 60 });
  });

  it("a changed interval is a diff (read through whichever interval source the server has)", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-folder"]], desired);
    const d = ofKind("grafana-rule-group")[0]!;
    const h = handlers["grafana-rule-group"];
    await h.create({ ...d, body: { ...(d.body as object), interval: 120 } });
    const [live] = await h.list();
    expect(h.normalise(live!.body, "live")).not.toEqual(h.normalise(d.body, "desired"));
  });
});

describe("listing", () => {
  it("pages through folders and dashboards with small pages and finds everything", async () => {
    const { handlers, requests } = wire(emulator, { pageSize: 2 });
    for (let i = 0; i < 5; i++) emulator.seedFolder({ uid: `pipemon-t${i}`, title: `pipemon: t${i}` });
    emulator.seedFolder({ uid: "someone-else", title: "theirs" });
    for (let i = 0; i < 5; i++) emulator.seedDashboard({ dashboard: { uid: `pm-p${i}`, title: `p${i}`, tags: ["managed-by-pipemon"] }, folderUid: `pipemon-t${i}` });
    const folders = await handlers["grafana-folder"].list();
    expect(folders.map((f) => f.key).sort()).toEqual(["pipemon-t0", "pipemon-t1", "pipemon-t2", "pipemon-t3", "pipemon-t4"]);
    expect(requests.filter((r) => r.route === "/api/folders")).toHaveLength(4); // 6 folders: 2 + 2 + 2, then an empty page ends it
    const dashboards = await handlers["grafana-dashboard"].list();
    expect(dashboards.map((d) => d.key).sort()).toEqual(["pm-p0", "pm-p1", "pm-p2", "pm-p3", "pm-p4"]);
  });

  it("a page that keeps failing makes the listing incomplete, never a shorter list", async () => {
    const { handlers } = wire(emulator, { pageSize: 2 });
    for (let i = 0; i < 5; i++) emulator.seedFolder({ uid: `pipemon-t${i}`, title: `t${i}` });
    emulator.faults.add({ method: "GET", path: "^/api/folders$", after: 1, fault: { kind: "status", status: 500 } });
    await expect(handlers["grafana-folder"].list()).rejects.toBeInstanceOf(ListingIncompleteError);
  });

  it("a server that ignores paging (more items than the limit) is a suspicious listing", async () => {
    const { handlers } = wire(emulator, { pageSize: 2 });
    const many = Array.from({ length: 3 }, (_, i) => ({ id: i, uid: `pipemon-${i}`, title: `${i}` }));
    emulator.faults.add({ method: "GET", path: "^/api/folders$", fault: { kind: "status", status: 200, body: many } });
    await expect(handlers["grafana-folder"].list()).rejects.toThrow(/more than the limit/);
  });

  it("an answer that is not a list (e.g. a proxy's HTML) is an incomplete listing", async () => {
    const { handlers } = wire(emulator);
    emulator.faults.add({ method: "GET", path: "contact-points$", fault: { kind: "status", status: 200, body: { html: "login" } } });
    await expect(handlers["grafana-contact-point"].list()).rejects.toBeInstanceOf(ListingIncompleteError);
  });
});

describe("ownership", () => {
  it("dashboards: pm- uid without the owner tag is unowned; a tagged copy with another uid is not pipemon's", async () => {
    const { handlers } = wire(emulator);
    emulator.seedFolder({ uid: "pipemon-commerce", title: "pipemon: commerce" });
    emulator.seedDashboard({ dashboard: { uid: "pm-untagged", title: "untagged", tags: ["pipemon"] }, folderUid: "pipemon-commerce" });
    emulator.seedDashboard({ dashboard: { uid: "pm-tagged", title: "tagged", tags: ["managed-by-pipemon"] } });
    emulator.seedDashboard({ dashboard: { uid: "abc123copy", title: "copy", tags: ["managed-by-pipemon"] } });
    const live = byKey(await handlers["grafana-dashboard"].list());
    expect([...live.keys()].sort()).toEqual(["pm-tagged", "pm-untagged"]);
    expect(live.get("pm-untagged")!.owned).toBe(false);
    expect(live.get("pm-tagged")!.owned).toBe(true);
  });

  it("contact points: a pipemon- name on a foreign uid is unowned", async () => {
    const { handlers } = wire(emulator);
    emulator.seedContactPoint({ uid: "foreign1", name: "pipemon-data-email", type: "email", settings: { addresses: "x@example.com" } });
    emulator.seedContactPoint({ uid: "pm-cp-growth-alerts", name: "pipemon-growth-alerts", type: "email", settings: { addresses: "y@example.com" } });
    const live = byKey(await handlers["grafana-contact-point"].list());
    expect(live.get("pipemon-data-email")!.owned).toBe(false);
    expect(live.get("pipemon-growth-alerts")!.owned).toBe(true);
  });

  it("rule groups: a rule someone added by hand makes the group unowned (a PUT would delete it)", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-folder"], handlers["grafana-rule-group"]], desired);
    const d = ofKind("grafana-rule-group")[0]!;
    const [folderUid, group] = d.key.split("/") as [string, string];
    const someRule = (d.body as { rules: Record<string, unknown>[] }).rules[0]!;
    emulator.seedAlertRule({ ...someRule, uid: "handmade", title: "handmade", labels: { team: "x" }, folderUID: folderUid, ruleGroup: group });
    const live = byKey(await handlers["grafana-rule-group"].list());
    expect(live.get(d.key)!.owned).toBe(false);
    expect([...live.values()].filter((l) => l.owned)).toHaveLength(ofKind("grafana-rule-group").length - 1);
  });
});

describe("dashboard writes", () => {
  it("an edit made since plan is a 412 conflict, not overwritten", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-folder"], handlers["grafana-dashboard"]], desired);
    const h = handlers["grafana-dashboard"];
    const d = ofKind("grafana-dashboard")[0]!;
    const live = byKey(await h.list()).get(d.key)!;
    const stored = emulator.state.dashboards.get(d.key)!;
    emulator.seedDashboard({ dashboard: { ...stored.document, title: "edited in the UI" }, folderUid: stored.folderUid });
    await expect(h.update(d, live)).rejects.toThrow(/changed by someone else/);
    expect(emulator.state.dashboards.get(d.key)!.title).toBe("edited in the UI");
  });

  it("creating over an untagged dashboard with the same uid fails and says why", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-folder"]], desired);
    const d = ofKind("grafana-dashboard")[0]!;
    emulator.seedDashboard({ dashboard: { uid: d.key, title: "mine" } });
    await expect(handlers["grafana-dashboard"].create(d)).rejects.toThrow(/already exists without the managed-by-pipemon tag/);
  });
});

describe("folder delete", () => {
  it("refuses a folder holding someone else's dashboard; deletes one holding only pipemon's", async () => {
    const { handlers } = wire(emulator);
    const h = handlers["grafana-folder"];
    await createAll([h, handlers["grafana-dashboard"]], desired);
    const [commerce] = (await h.list()).filter((f) => f.key === "pipemon-commerce");
    emulator.seedDashboard({ dashboard: { uid: "theirs", title: "their dashboard" }, folderUid: "pipemon-commerce" });
    await expect(h.delete(commerce!)).rejects.toThrow(/not deleted: it holds dashboard "their dashboard" \(theirs\)/);
    expect(emulator.state.folders.has("pipemon-commerce")).toBe(true);
    const [growth] = (await h.list()).filter((f) => f.key === "pipemon-growth");
    await h.delete(growth!);
    expect(emulator.state.folders.has("pipemon-growth")).toBe(false);
  });

  it("refuses a folder holding someone else's alert rule", async () => {
    const { handlers } = wire(emulator);
    await createAll([handlers["grafana-folder"]], desired);
    const rule = (ofKind("grafana-rule-group")[0]!.body as { rules: Record<string, unknown>[] }).rules[0]!;
    emulator.seedAlertRule({ ...rule, uid: "their-rule", title: "their rule", labels: {}, folderUID: "pipemon-payments", ruleGroup: "theirs" });
    const [payments] = (await handlers["grafana-folder"].list()).filter((f) => f.key === "pipemon-payments");
    await expect(handlers["grafana-folder"].delete(payments!)).rejects.toThrow(/alert rule "their rule"/);
  });
});

describe("notification policy merge", () => {
  function seedForeignTree(): string {
    emulator.seedContactPoint({ uid: "ops", name: "ops-pager", type: "email", settings: { addresses: "ops@example.com" } });
    const tree = {
      receiver: "grafana-default-email",
      group_by: ["grafana_folder", "alertname"],
      routes: [
        { receiver: "ops-pager", object_matchers: [["team", "=", "ops"]], group_wait: "45s", routes: [{ receiver: "ops-pager", matchers: ['severity=~"crit.*"'] }] },
        { receiver: "grafana-default-email", object_matchers: [["env", "!=", "prod"]], continue: true },
      ],
    };
    emulator.seedPolicyTree(tree as never);
    return JSON.stringify(currentTree().routes);
  }
  const currentTree = () => (JSON.parse(JSON.stringify(emulator.snapshot())) as { policies: { root: { routes: unknown[]; receiver: string } } }).policies.root;
  async function liveTree(): Promise<{ routes: unknown[]; receiver: string; group_by: string[] }> {
    const res = await fetch(`${emulator.url}/api/v1/provisioning/policies`, { headers: { authorization: `Bearer ${emulator.token}` } });
    return (await res.json()) as { routes: unknown[]; receiver: string; group_by: string[] };
  }

  it("inserts the managed subtree first, replaces it in place, removes it, and keeps every other route as it was", async () => {
    const { handlers } = wire(emulator);
    const foreignBefore = JSON.stringify((await (async () => (seedForeignTree(), liveTree()))()).routes);
    await createAll([handlers["grafana-contact-point"]], desired);
    const h = handlers["grafana-notification-policy"];
    const d = ofKind("grafana-notification-policy")[0]!;

    await h.create(d);
    let tree = await liveTree();
    expect(tree.routes).toHaveLength(3);
    expect(h.normalise(tree.routes[0] as never, "live")).toEqual(h.normalise(d.body, "desired"));
    expect(JSON.stringify(tree.routes.slice(1))).toBe(foreignBefore);
    expect(tree.receiver).toBe("grafana-default-email");
    expect(tree.group_by).toEqual(["grafana_folder", "alertname"]);

    // Someone moved pipemon's subtree last: an update keeps it there.
    const [managed, ...rest] = tree.routes;
    emulator.seedPolicyTree({ ...tree, routes: [...rest, managed] } as never);
    const live = (await h.list())[0]!;
    expect(live.owned).toBe(true);
    const changed = structuredClone(d.body) as { routes: unknown[] };
    changed.routes.pop();
    await h.update({ ...d, body: changed as never }, live);
    tree = await liveTree();
    expect(JSON.stringify(tree.routes.slice(0, 2))).toBe(foreignBefore);
    expect(h.normalise(tree.routes[2] as never, "live")).toEqual(h.normalise(changed as never, "desired"));

    await h.delete(live);
    tree = await liveTree();
    expect(JSON.stringify(tree.routes)).toBe(foreignBefore);
    expect(await h.list()).toEqual([]);
  });
});

describe("writes", () => {
  it("X-Disable-Provenance is sent only when UI edits are allowed", async () => {
    const { handlers } = wire(emulator, { allowUiEdits: true });
    const cps = ofKind("grafana-contact-point");
    await handlers["grafana-contact-point"].create(cps[0]!);
    await wire(emulator).handlers["grafana-contact-point"].create(cps[1]!);
    const live = byKey(await handlers["grafana-contact-point"].list());
    expect((live.get(cps[0]!.key)!.body as { provenance?: string }).provenance ?? "").toBe("");
    expect((live.get(cps[1]!.key)!.body as { provenance?: string }).provenance).toBe("api");
  });

  it("a missing secret variable is a TargetError naming it, and nothing is sent", async () => {
    const { handlers, requests } = wire(emulator, { resolveSecret: () => undefined });
    const slack = ofKind("grafana-contact-point").find((c) => (c.body as { type: string }).type === "slack")!;
    const error = await handlers["grafana-contact-point"].create(slack).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toBe("grafana: contact point pipemon-data-alerts needs SLACK_DATA_ALERTS_WEBHOOK, which is not set");
    expect(requests).toHaveLength(0);
  });

  it("a rejected write that echoes the secret does not leak it", async () => {
    const { handlers } = wire(emulator);
    const pd = ofKind("grafana-contact-point").find((c) => (c.body as { type: string }).type === "pagerduty")!;
    emulator.faults.add({ method: "POST", path: "contact-points$", fault: { kind: "status", status: 400, body: { message: `invalid integrationKey ${SECRETS.PD_DATA_ONCALL_KEY}` } } });
    const error = (await handlers["grafana-contact-point"].create(pd).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^grafana: POST \/api\/v1\/provisioning\/contact-points was rejected \(400 invalid integrationKey \*\*\*\)$/);
  });

  it("a rejected write that echoes only the variable's part of a setting does not leak it", async () => {
    const { handlers } = wire(emulator);
    const hook = { kind: "grafana-contact-point" as const, key: "pipemon-hook", body: { uid: "pm-cp-hook", name: "pipemon-hook", type: "webhook", settings: { url: "https://hooks.example/in?token=${PD_PAYMENTS_KEY}" } } };
    emulator.faults.add({ method: "POST", path: "contact-points$", fault: { kind: "status", status: 400, body: { message: `bad token ${SECRETS.PD_PAYMENTS_KEY}` } } });
    const error = (await handlers["grafana-contact-point"].create(hook).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("grafana: POST /api/v1/provisioning/contact-points was rejected (400 bad token ***)");
  });

  it("deletes converge: deleting what is already gone is not an error", async () => {
    const { handlers } = wire(emulator);
    await createAll(Object.values(handlers), desired);
    for (const handler of [...Object.values(handlers)].reverse()) {
      const live = await handler.list();
      for (const l of live) await handler.delete(l);
      for (const l of live) if (handler.kind !== "grafana-notification-policy" && handler.kind !== "grafana-folder") await handler.delete(l);
      expect(await handler.list(), handler.kind).toEqual([]);
    }
  });

  it("createGrafanaHandlers returns the kinds in apply order", () => {
    const kinds = createGrafanaHandlers({ url: emulator.url, token: "x", tokenVariable: "T", allowUiEdits: false, resolveSecret: () => undefined, breaker: wire(emulator).breaker }).map((h) => h.kind);
    expect(kinds).toEqual(["grafana-folder", "grafana-contact-point", "grafana-dashboard", "grafana-rule-group", "grafana-notification-policy"]);
  });
});
