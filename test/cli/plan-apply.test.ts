/**
 * plan → apply → plan end to end: the real CLI (a separate process) against the Grafana and
 * Datadog emulators (in this process), with the official Datadog client inside pipemon.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatadogEmulator } from "../emulators/datadog/server.js";
import type { GrafanaEmulator } from "../emulators/grafana/server.js";
import { useEmulatedEstate } from "../support/emulated-estate.js";
import { runCliAsync, type CliRun } from "../support/cli.js";

const TOKEN = "glsa_e2e_token_value";
const DD_API = "dd-api-key-value";
const DD_APP = "dd-app-key-value";
/** Contact point secrets: they must reach Grafana and never appear in any output. */
const SECRETS = {
  PD_DATA_ONCALL_KEY: "pd-secret-data-oncall",
  PD_PAYMENTS_KEY: "pd-secret-payments",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.example/secret-data-alerts",
  SLACK_GROWTH_WEBHOOK: "https://hooks.slack.example/secret-growth",
  ML_PLATFORM_WEBHOOK: "https://ml.example/secret-hook",
};
const e2e = useEmulatedEstate({ prefix: "pipemon-e2e-", token: TOKEN, apiKey: DD_API, appKey: DD_APP, secrets: SECRETS });
let grafana: GrafanaEmulator;
let datadog: DatadogEmulator;
let work: string;
let specs: string;
beforeEach(() => ({ grafana, datadog, work, specs } = e2e.current));
const { environment, pipemon, neverPrinted: NEVER_PRINTED } = e2e;

const PROD = ["--env", "production"];

/** Calls an emulator's API as "someone else" would (the UI, another tool). */
async function grafanaApi(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${grafana.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function datadogApi(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${datadog.url}${path}`, { method, headers: { "DD-API-KEY": DD_API, "DD-APPLICATION-KEY": DD_APP, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

interface PlanJson {
  summary: { create: number; update: number; delete: number; noop: number; unowned: number };
  projects: Array<{ changes: Array<{ kind: string; key: string; action: string }> }>;
}

async function planJson(args: string[] = PROD): Promise<PlanJson> {
  const run = await pipemon(["plan", ...args, "--format", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PlanJson;
}

const changed = (plan: PlanJson) => plan.projects.flatMap((p) => p.changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.kind} ${c.key}`)).sort();

async function freshApply(): Promise<CliRun> {
  const run = await pipemon(["apply", ...PROD, "--yes"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run;
}

describe("plan and apply against the emulators", () => {
  it("applies a fresh estate, then plans no changes; secrets reach Grafana only", async () => {
    const first = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(/^Plan: \d+ to create, 0 to update, 0 to delete, 0 unchanged\.$/m);
    expect(first.stdout).toContain("+ grafana-dashboard pm-orders-etl");
    expect(first.stdout).toContain("+ datadog-monitor orders-etl/pipelineFailed@production");
    const creates = Number(/Plan: (\d+) to create/.exec(first.stdout)![1]);

    const applied = await freshApply();
    expect(applied.stdout).toContain(`Apply: ${creates} applied, 0 failed, 0 skipped`);

    const again = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`No changes\\. ${creates} resources are up to date\\.`));
    // Applying nothing says so once ("No changes. No changes. …" before).
    const reapplied = await pipemon(["apply", ...PROD, "--yes"]);
    expect(reapplied.stdout.match(/No changes/g)).toEqual(["No changes"]);

    // Monitor messages link to the config's grafana.publicUrl, written as generated: the
    // message reviewed in generated/ is the one sent.
    const monitors = (await datadogApi("GET", "/api/v1/monitor?monitor_tags=pipemon-id:orders-etl/stale")) as Array<{ message: string }>;
    expect(monitors[0]!.message).toContain("Dashboard: https://grafana.example.com/d/pm-orders-etl?viewPanel=");
    expect(monitors[0]!.message).not.toContain("${");
    // The contact point holds the real secret (the emulator stores what it was sent).
    expect(JSON.stringify([...grafana.state.contactPoints.values()])).toContain(SECRETS.PD_DATA_ONCALL_KEY);
  });

  it("a changed threshold updates exactly that pipeline's rule group and monitor (and its dashboard, which draws it)", async () => {
    await freshApply();
    const file = join(specs, "commerce", "orders-etl.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("errors: { critical: 10 }", "errors: { critical: 20 }"));
    const plan = await planJson();
    expect(changed(plan)).toEqual(["update datadog-monitor orders-etl/errors@production", "update grafana-dashboard pm-orders-etl", "update grafana-rule-group pipemon-commerce/orders-etl"]);

    const text = await pipemon(["plan", ...PROD]);
    expect(text.stdout).toMatch(/^\s+- .*10/m);
    expect(text.stdout).toMatch(/^\s+\+ .*20/m);

    const before = JSON.stringify(grafana.faults.requests.length);
    const applied = await pipemon(["apply", ...PROD, "--yes"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply: 3 applied, 0 failed, 0 skipped");
    // Only that one rule group was PUT: a PUT resets alert state.
    const puts = grafana.faults.requests.slice(Number(before)).filter((r) => r.method === "PUT" && r.path.includes("/rule-groups/"));
    expect(puts.map((r) => r.path)).toEqual(["/api/v1/provisioning/folder/pipemon-commerce/rule-groups/orders-etl"]);
    expect(changed(await planJson())).toEqual([]);
  });

  it("shows a UI edit as drift and reverts it", async () => {
    await freshApply();
    const live = (await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: Record<string, unknown>; meta: { folderUid: string } };
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { ...live.dashboard, title: "edited in the UI" }, folderUid: live.meta.folderUid, overwrite: true });
    const monitors = (await datadogApi("GET", "/api/v1/monitor?monitor_tags=pipemon-id:orders-etl/stale")) as Array<{ id: number }>;
    await datadogApi("PUT", `/api/v1/monitor/${monitors[0]!.id}`, { priority: 5 });

    const drift = await pipemon(["plan", ...PROD]);
    expect(drift.stdout).toContain("~ grafana-dashboard pm-orders-etl");
    expect(drift.stdout).toMatch(/- +"title": "edited in the UI"/);
    expect(drift.stdout).toContain("~ datadog-monitor orders-etl/stale@production");
    expect(changed(await planJson())).toEqual(["update datadog-monitor orders-etl/stale@production", "update grafana-dashboard pm-orders-etl"]);

    expect((await pipemon(["apply", ...PROD, "--yes"])).code).toBe(0);
    expect(changed(await planJson())).toEqual([]);
  });

  it("leaves someone else's dashboard, monitor and policy route untouched through apply and prune; prunes a removed pipeline", async () => {
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { uid: "team-sales", title: "Sales overview", tags: ["sales"], panels: [] }, overwrite: false });
    const foreignMonitor = (await datadogApi("POST", "/api/v1/monitor", { name: "someone else's CPU", type: "metric alert", query: "avg(last_5m):avg:system.cpu.user{*} > 90", message: "cpu", tags: ["team:infra"], options: { thresholds: { critical: 90 } } })) as { id: number; modified: string };
    const tree = (await grafanaApi("GET", "/api/v1/provisioning/policies")) as { routes?: unknown[] } & Record<string, unknown>;
    const foreignRoute = { receiver: tree.receiver, object_matchers: [["team", "=", "sales"]], group_wait: "45s" };
    await grafanaApi("PUT", "/api/v1/provisioning/policies", { ...tree, routes: [...(tree.routes ?? []), foreignRoute] });

    await freshApply();
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const plan = await planJson([...PROD, "--prune"]);
    const deletes = changed(plan).filter((c) => c.startsWith("delete"));
    expect(deletes).toContain("delete grafana-dashboard pm-orders-etl");
    expect(deletes).toContain("delete grafana-rule-group pipemon-commerce/orders-etl");
    expect(deletes).toContain("delete datadog-monitor orders-etl/stale@production");
    expect(deletes.every((d) => /orders-etl/.test(d))).toBe(true);

    const withoutPrune = await pipemon(["apply", ...PROD, "--yes"]);
    expect(withoutPrune.code).toBe(0);
    expect(withoutPrune.stdout).toContain("delete needs --prune");
    await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl");

    const pruned = await pipemon(["apply", ...PROD, "--yes", "--prune"]);
    expect(pruned.code).toBe(0);
    expect(changed(await planJson())).toEqual([]);
    await expect(grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")).rejects.toThrow(/404/);

    // Someone else's things, exactly as they were.
    const sales = (await grafanaApi("GET", "/api/dashboards/uid/team-sales")) as { dashboard: { version: number; title: string } };
    expect(sales.dashboard).toMatchObject({ version: 1, title: "Sales overview" });
    const monitor = (await datadogApi("GET", `/api/v1/monitor/${foreignMonitor.id}`)) as { modified: string; name: string };
    expect(monitor).toMatchObject({ modified: foreignMonitor.modified, name: "someone else's CPU" });
    const after = (await grafanaApi("GET", "/api/v1/provisioning/policies")) as { routes: unknown[] };
    expect(after.routes).toContainEqual(foreignRoute);
    expect(after.routes.filter((r) => JSON.stringify(r).includes('"managed_by"'))).toHaveLength(1);
  });

  it("refuses to act, and prunes nothing, when a live listing fails", async () => {
    await freshApply();
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const before = grafana.faults.requests.length;
    // The first listing is apply's lock check (it must pass for the monitors to be listed).
    datadog.faults.add({ method: "GET", path: "^/api/v1/monitor$", after: 1, fault: { kind: "status", status: 500, body: { errors: ["Internal Server Error"] } } });
    const run = await pipemon(["apply", ...PROD, "--yes", "--prune"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pipemon: cannot list datadog-monitor: .*500/);
    expect(run.stderr).toContain("nothing was changed");
    // Only the apply lock was taken and given back.
    expect(grafana.faults.requests.slice(before).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/dashboards/db", "DELETE /api/dashboards/uid/pipemon_apply_lock_production"]);
    await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl");
  });

  it("reports a pipemon identity without the ownership marker and leaves it alone unless --adopt", async () => {
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { uid: "pm-orders-etl", title: "hand-made orders dashboard", tags: [] }, overwrite: false });
    const plan = await pipemon(["plan", ...PROD]);
    expect(plan.stdout).toMatch(/! grafana-dashboard pm-orders-etl unowned: exists without pipemon's ownership marker/);
    const applied = await pipemon(["apply", ...PROD, "--yes"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("skipped grafana-dashboard pm-orders-etl (production): unowned");
    expect(((await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: { title: string } }).dashboard.title).toBe("hand-made orders dashboard");

    expect((await pipemon(["apply", ...PROD, "--yes", "--adopt"])).code).toBe(0);
    expect(changed(await planJson())).toEqual([]);
  });

  it("rides out a 429 storm, honouring X-RateLimit-Reset, with nothing failed", async () => {
    datadog.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 5, times: 12, fault: { kind: "status", status: 429, headers: { "x-ratelimit-reset": "1", "x-ratelimit-remaining": "0" }, body: { errors: ["Rate limit exceeded"] } } });
    const started = Date.now();
    const run = await pipemon(["apply", ...PROD, "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Apply: \d+ applied, 0 failed, 0 skipped/);
    expect(datadog.faults.requests.filter((r) => r.status === 429)).toHaveLength(12);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // it waited as told
    expect(changed(await planJson())).toEqual([]);
  });

  it("after 5xx in the middle of apply, says what was and was not applied; a re-run converges", async () => {
    grafana.faults.add({ method: "PUT", path: "/rule-groups/", after: 2, fault: { kind: "status", status: 503, body: { message: "service unavailable" } } });
    datadog.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 10, times: 3, fault: { kind: "reset" } });
    const broken = await pipemon(["apply", ...PROD, "--yes"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/failed +grafana-rule-group \S+ \(production\): create/);
    expect(broken.stderr).toContain("re-run pipemon apply to converge the rest");
    expect(broken.stdout).toMatch(/\+ grafana-rule-group \S+/); // two groups made it

    grafana.faults.clear();
    datadog.faults.clear();
    const rerun = await pipemon(["apply", ...PROD, "--yes"]);
    expect(rerun.code).toBe(0);
    expect(changed(await planJson())).toEqual([]);
  });

  it("applies a saved plan when nothing moved, and refuses a stale one with the reason", async () => {
    const saved = join(work, "plan.json");
    expect((await pipemon(["plan", ...PROD, "--out", saved])).code).toBe(0);
    const text = readFileSync(saved, "utf8");
    for (const secret of NEVER_PRINTED) expect(text).not.toContain(secret);
    expect((await pipemon(["apply", saved])).code).toBe(0);
    expect(changed(await planJson())).toEqual([]);

    const file = join(specs, "commerce", "orders-etl.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("errors: { critical: 10 }", "errors: { critical: 30 }"));
    expect((await pipemon(["plan", ...PROD, "--out", saved])).code).toBe(0);
    const live = (await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: Record<string, unknown>; meta: { folderUid: string } };
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { ...live.dashboard, title: "edited meanwhile" }, folderUid: live.meta.folderUid, overwrite: true });
    const refused = await pipemon(["apply", saved]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the saved plan is stale; nothing was changed");
    expect(refused.stderr).toMatch(/grafana-dashboard pm-orders-etl \(production\): changed since the plan/);
    expect(((await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: { title: string } }).dashboard.title).toBe("edited meanwhile");
  });

  it("bad or missing credentials: one line naming the variable, exit 1, nothing written", async () => {
    const badToken = await pipemon(["plan", ...PROD], { GRAFANA_TOKEN: "wrong-token" });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr.trim().split("\n")).toHaveLength(1);
    expect(badToken.stderr).toMatch(/^pipemon: grafana.*GRAFANA_TOKEN/);

    const badKey = await pipemon(["plan", ...PROD, "--target", "datadog"], { DD_API_KEY: "wrong" });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.trim().split("\n")).toHaveLength(1);
    expect(badKey.stderr).toMatch(/^pipemon: datadog.*DD_API_KEY/);

    const sentBefore = grafana.faults.requests.length;
    const missing = await runCliAsync(["--specs", specs, "apply", ...PROD, "--yes"], work, { ...environment(), GRAFANA_TOKEN: "" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("pipemon: 1 environment variable this run needs is not set: GRAFANA_TOKEN (the service account token of grafana (production)). Export it and run again; no request was sent\nnothing was changed\n");
    // Preflight: not even the lock or a read was sent.
    expect(grafana.faults.requests.slice(sentBefore)).toEqual([]);
  });

  it("a rotated secret is never a diff; apply --rotate-secrets re-sends it", async () => {
    await freshApply();
    const rotated = { PD_DATA_ONCALL_KEY: "pd-secret-rotated" };
    const plan = await pipemon(["plan", ...PROD, "--detailed-exitcode"], rotated);
    expect(plan.code).toBe(0);
    const run = await runCliAsync(["--specs", specs, "apply", ...PROD, "--yes", "--rotate-secrets"], work, environment(rotated));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("~ grafana-contact-point pipemon-data-oncall");
    expect(run.stdout).not.toContain("pd-secret-rotated");
    const stored = JSON.stringify([...grafana.state.contactPoints.values()]);
    expect(stored).toContain("pd-secret-rotated");
    expect(stored).not.toContain(SECRETS.PD_DATA_ONCALL_KEY);
  });

  it("markdown for a pull request and --select narrow the plan", async () => {
    const md = await pipemon(["plan", ...PROD, "--format", "markdown", "--select", "team:payments"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^### pipemon plan\n\nPlan: \d+ to create/);
    expect(md.stdout).toContain("pm-ledger-stream");
    expect(md.stdout).not.toContain("pm-orders-etl");
    expect(md.stdout).not.toContain("grafana-contact-point");

    const unwritable = await pipemon(["plan", ...PROD, "--out", join(work, "no-such-dir", "plan.json")]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toBe(`pipemon: cannot save the plan to ${join(work, "no-such-dir", "plan.json")}: its directory does not exist\n`);
  });
});

/** What the estate holds, one entry per live resource pipemon's plans name (copies repeated). */
function estate(): string[] {
  const out: string[] = [];
  for (const uid of grafana.state.dashboards.keys()) out.push(`grafana-dashboard ${uid}`);
  for (const g of grafana.state.ruleGroups.values()) out.push(`grafana-rule-group ${g.folderUID}/${g.title}`);
  for (const m of datadog.snapshot().monitors as unknown as Array<{ tags: string[] }>) {
    const id = m.tags.find((t) => t.startsWith("pipemon-id:"));
    if (id) out.push(`datadog-monitor ${id.slice("pipemon-id:".length)}@production`);
  }
  return out.sort();
}

/** `a` less one of each entry of `b`. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const rest = [...a];
  for (const x of b) rest.splice(rest.indexOf(x), 1);
  return rest;
}

interface SavedChange {
  kind: string;
  key: string;
  action: string;
  duplicateOf?: string;
}
const savedChanges = (file: string): SavedChange[] => (JSON.parse(readFileSync(file, "utf8")) as { projects: Array<{ changes: SavedChange[] }> }).projects.flatMap((p) => p.changes);
/** A delete's entry in `estate()`: an extra copy is counted under the identity it copies. */
const removed = (c: SavedChange) => `${c.kind} ${c.duplicateOf ?? c.key}`;

describe("a saved plan is the reviewed plan", () => {
  it("plan --prune --out records the deletes, and apply of that file deletes exactly them", async () => {
    await freshApply();
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const saved = join(work, "plan.json");
    const made = await pipemon(["plan", ...PROD, "--prune", "--out", saved]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^\s+- grafana-dashboard pm-orders-etl delete$/m);
    const planned = savedChanges(saved).filter((c) => c.action === "delete");
    expect(planned.length).toBeGreaterThan(5);
    // The team's dashboard and the routing lose the pipeline too: updates.
    const writes = savedChanges(saved).filter((c) => ["create", "update", "delete"].includes(c.action));
    const before = estate();

    const applied = await pipemon(["apply", saved]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`Apply: ${writes.length} applied, 0 failed, 0 skipped`);
    // Gone: exactly what the plan listed, nothing else.
    expect(without(before, estate()).sort()).toEqual(planned.map(removed).sort());
    expect(changed(await planJson([...PROD, "--prune"]))).toEqual([]);
  });

  it("a plan without --prune lists deletes as apply treats them: left in place, except pipemon's own extra copies", async () => {
    await freshApply();
    // An extra copy of a monitor (two applies at once, once): apply removes it even without --prune.
    const monitors = (await datadogApi("GET", "/api/v1/monitor")) as Array<{ id: number; name: string; type: string; query: string; message: string; tags: string[]; options: unknown }>;
    const original = monitors.find((m) => m.tags.some((t) => t.startsWith("pipemon-id:ledger-stream/")))!;
    const identity = `${original.tags.find((t) => t.startsWith("pipemon-id:"))!.slice("pipemon-id:".length)}@production`;
    await datadogApi("POST", "/api/v1/monitor", { name: original.name, type: original.type, query: original.query, message: original.message, tags: original.tags, options: original.options, priority: 5 });
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const saved = join(work, "plan.json");

    const made = await pipemon(["plan", ...PROD, "--out", saved, "--detailed-exitcode"]);
    // Live still differs from the specs: a drift check keeps seeing the leftovers.
    expect(made.code).toBe(2);
    expect(made.stdout).toMatch(/^\s+\? grafana-dashboard pm-orders-etl orphan: no longer in the specs; apply deletes it only with --prune$/m);
    expect(made.stdout).toContain(`- datadog-monitor ${identity}#`);
    expect(made.stdout).toMatch(/^Plan: 0 to create, \d+ to update, 1 to delete \(1 duplicate copy\), \d+ unchanged, \d+ no longer in the specs, left in place \(plan and apply with --prune delete them\)\.$/m);
    const changes = savedChanges(saved);
    expect(changes.filter((c) => c.action === "delete")).toEqual([expect.objectContaining({ duplicateOf: identity })]);
    expect(changes.filter((c) => c.action === "orphan").length).toBeGreaterThan(5);
    const before = estate();

    const applied = await pipemon(["apply", saved]);
    expect(applied.code).toBe(0);
    const writes = changes.filter((c) => ["create", "update", "delete"].includes(c.action)).length;
    const orphans = changes.filter((c) => c.action === "orphan").length;
    expect(applied.stdout).toContain(`Apply: ${writes} applied, 0 failed, ${orphans} skipped`);
    expect(without(before, estate())).toEqual([`datadog-monitor ${identity}`]);
    await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl");

    // A saved plan fixes what is deleted: --prune cannot be added afterwards.
    const again = join(work, "again.json");
    expect((await pipemon(["plan", ...PROD, "--out", again])).code).toBe(0);
    const pruneLater = await pipemon(["apply", again, "--prune"]);
    expect(pruneLater.code).toBe(1);
    expect(pruneLater.stderr).toMatch(/^pipemon: a saved plan already fixes what is applied: drop .*--prune.*pipemon plan --prune --adopt --out FILE records deletes and take-overs\)\n$/);
    await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl");
  });

  it("takes over a resource without the ownership marker only when the saved plan showed it (plan --adopt)", async () => {
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { uid: "pm-orders-etl", title: "hand-made orders dashboard", tags: [] }, overwrite: false });
    const title = async () => ((await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: { title: string } }).dashboard.title;
    const plain = join(work, "plain.json");
    expect((await pipemon(["plan", ...PROD, "--out", plain])).code).toBe(0);
    const adoptLater = await pipemon(["apply", plain, "--adopt"]);
    expect(adoptLater.code).toBe(1);
    expect(adoptLater.stderr).toMatch(/^pipemon: a saved plan already fixes what is applied: drop .*--adopt/);
    expect(await title()).toBe("hand-made orders dashboard");

    const adopting = join(work, "adopt.json");
    const made = await pipemon(["plan", ...PROD, "--adopt", "--out", adopting]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^\s+~ grafana-dashboard pm-orders-etl update: adopted: pipemon's ownership marker is added$/m);
    expect((await pipemon(["apply", adopting])).code).toBe(0);
    expect(await title()).not.toBe("hand-made orders dashboard");
    expect(changed(await planJson())).toEqual([]);
  });

  it("a pruning plan is refused when a resource it deletes moved since", async () => {
    await freshApply();
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const saved = join(work, "plan.json");
    expect((await pipemon(["plan", ...PROD, "--prune", "--out", saved])).code).toBe(0);
    const live = (await grafanaApi("GET", "/api/dashboards/uid/pm-orders-etl")) as { dashboard: Record<string, unknown>; meta: { folderUid: string } };
    await grafanaApi("POST", "/api/dashboards/db", { dashboard: { ...live.dashboard, title: "still in use" }, folderUid: live.meta.folderUid, overwrite: true });
    const before = estate();
    const refused = await pipemon(["apply", saved]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the saved plan is stale; nothing was changed");
    expect(refused.stderr).toMatch(/grafana-dashboard pm-orders-etl \(production\): changed since the plan/);
    expect(estate()).toEqual(before);
  });
});

describe("--select that matches nothing", () => {
  it("is an error in plan and apply, naming the selector, a close name and the known ones; nothing is written", async () => {
    const typo = await pipemon(["plan", ...PROD, "--select", "orders-etI"]);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe("");
    expect(typo.stderr).toMatch(/^pipemon: --select orders-etI \(did you mean orders-etl\?\) matches no pipeline or team in the specs or among pipemon's live resources; pipelines: .*orders-etl.*; teams: .*team:commerce.*\n$/);

    const team = await pipemon(["plan", ...PROD, "--format", "json", "--select", "team:paymnts", "--select", "orders-etl"]);
    expect(team.code).toBe(1);
    expect(team.stderr).toMatch(/^pipemon: --select team:paymnts \(did you mean team:payments\?\) matches no pipeline or team/);

    const applied = await pipemon(["apply", ...PROD, "--yes", "--select", "orders-etI"]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(/^pipemon: --select orders-etI \(did you mean orders-etl\?\) matches no pipeline/);
    expect(applied.stderr).toContain("nothing was changed");
    // Only the apply locks were taken and given back; no resource was written.
    expect(estate().filter((e) => !e.includes("lock"))).toEqual([]);
  });

  it("matches a pipeline deleted from the specs by its live resources, so it can be pruned by name", async () => {
    await freshApply();
    rmSync(join(specs, "commerce", "orders-etl.yaml"));
    const plan = await planJson([...PROD, "--prune", "--select", "orders-etl"]);
    const listed = changed(plan);
    expect(listed.length).toBeGreaterThan(5);
    expect(listed.every((c) => c.startsWith("delete ") && c.includes("orders-etl"))).toBe(true);
  });
});
