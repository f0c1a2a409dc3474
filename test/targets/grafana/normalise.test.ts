/**
 * The comparable forms, without a server: Grafana's own test data (contracts fixtures) and
 * pipemon's generated bodies, changed the way Grafana changes them on save. Equal forms mean
 * no-op, so each "equal" test has a twin proving a real change is still seen.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DASHBOARD_OWNER_TAG as COMPILER_OWNER_TAG } from "../../../src/targets/grafana/compile/dashboard.js";
import { boundedUid } from "../../../src/lib/uid.js";
import type { Json } from "../../../src/plan/resource.js";
import type { KindHandler } from "../../../src/targets/handler.js";
import { GrafanaClient } from "../../../src/targets/grafana/client.js";
import { SECRET_MARKER } from "../../../src/targets/grafana/contact-point-secrets.js";
import { ContactPointHandler } from "../../../src/targets/grafana/contact-points.js";
import { DashboardHandler } from "../../../src/targets/grafana/dashboards.js";
import { FolderHandler } from "../../../src/targets/grafana/folders.js";
import { NotificationPolicyHandler } from "../../../src/targets/grafana/notification-policy.js";
import { contactPointUidMatchesName, DASHBOARD_OWNER_TAG, isManagedRoute } from "../../../src/targets/grafana/ownership.js";
import { RuleGroupHandler } from "../../../src/targets/grafana/rule-groups.js";
import { CircuitBreaker } from "../../../src/targets/resilience.js";

const FIXTURES = new URL("../../contracts/grafana/fixtures", import.meta.url).pathname;
const GENERATED = new URL("../../../generated/production/grafana/", import.meta.url);
const fixture = (name: string): Json => JSON.parse(readFileSync(`${FIXTURES}/${name}`, "utf8")) as Json;
const generated = (path: string): Json => JSON.parse(readFileSync(new URL(path, GENERATED), "utf8")) as Json;
const clone = <T>(v: T): T => structuredClone(v);
type Obj = { [k: string]: Json };

// normalise never talks to the server: a client that cannot connect proves it.
const client = new GrafanaClient({ url: "http://127.0.0.1:9", token: "t", tokenVariable: "GRAFANA_TOKEN", allowUiEdits: false, breaker: new CircuitBreaker("grafana") });
const env: Record<string, string> = { SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.example/T000/B000/s3cr3t-slack", ML_PLATFORM_WEBHOOK: "https://ml.example/hook?token=s3cr3t-ml", PD_DATA_ONCALL_KEY: "pd-s3cr3t" };
const resolve = (name: string) => env[name];

describe("rule group normalise", () => {
  const rules : KindHandler = new RuleGroupHandler(client);
  const desired = generated("alert-rules/orders-etl.json") as Obj;

  /** What GET /alert-rules + the export give back for a group pipemon PUT. */
  function asServerReturnsIt(group: Obj): Obj {
    const live = clone(group);
    live.interval = 60; // seconds from the export's "1m"
    const liveRules = (live.rules as Obj[]).map((r, i) => {
      const rule: Obj = { id: 100 + i, orgID: 1, ...r, updated: "2025-01-01T00:00:00Z", provenance: "api" };
      // Server normalises durations: 300s → 5m.
      if (rule.for === "300s") rule.for = "5m";
      for (const q of rule.data as Obj[]) {
        const model = q.model as Obj;
        model.intervalMs = 1000;
        model.maxDataPoints = 43200;
        q.queryType = "";
      }
      return rule;
    });
    live.rules = liveRules.reverse(); // server order is not pipemon's order
    return live;
  }

  it("a group read back as Grafana stores it equals the generated one", () => {
    expect(rules.normalise(asServerReturnsIt(desired), "live")).toEqual(rules.normalise(desired, "desired"));
  });

  it("'for' written as 300s equals 5m, 0 equals 0s, and the interval may be text", () => {
    const a = clone(desired);
    const b = clone(desired);
    (a.rules as Obj[])[0]!.for = "300s";
    (b.rules as Obj[])[0]!.for = "5m";
    b.interval = "1m";
    expect(rules.normalise(b, "live")).toEqual(rules.normalise(a, "desired"));
    (a.rules as Obj[])[0]!.for = "0";
    (b.rules as Obj[])[0]!.for = "0s";
    expect(rules.normalise(b, "live")).toEqual(rules.normalise(a, "desired"));
  });

  it("sees a changed threshold, for, label, interval and a removed rule", () => {
    const base = JSON.stringify(rules.normalise(desired, "desired"));
    const mutations: ((g: Obj) => void)[] = [
      (g) => ((((((g.rules as Obj[])[0]!.data as Obj[])[2]!.model as Obj).conditions as Obj[])[0]!.evaluator as Obj).params = [0.02]),
      (g) => ((g.rules as Obj[])[0]!.for = "10m"),
      (g) => (((g.rules as Obj[])[0]!.labels as Obj).severity = "low"),
      (g) => (g.interval = 120),
      (g) => (g.rules as Obj[]).pop(),
    ];
    for (const mutate of mutations) {
      const changed = clone(desired);
      mutate(changed);
      expect(JSON.stringify(rules.normalise(changed, "live"))).not.toBe(base);
    }
  });

  it("float thresholds re-serialised by Go compare equal", () => {
    const a = clone(desired);
    const b = clone(desired);
    const evaluator = (g: Obj) => ((((g.rules as Obj[])[0]!.data as Obj[])[2]!.model as Obj).conditions as Obj[])[0]!.evaluator as Obj;
    evaluator(a).params = [0.1 + 0.2];
    evaluator(b).params = [0.3];
    expect(rules.normalise(b, "live")).toEqual(rules.normalise(a, "desired"));
  });

  it("Grafana's post-rulegroup-101 test data: intervalMs/maxDataPoints added on save are ignored", () => {
    const exported = (fixture("post-rulegroup-101-export.json") as Obj).groups as Obj[];
    const group = exported[0]!;
    const live: Obj = { title: group.name!, folderUid: "f", interval: group.interval!, rules: group.rules! };
    const stripped = clone(live);
    for (const r of stripped.rules as Obj[]) for (const q of r.data as Obj[]) {
      delete (q.model as Obj).intervalMs;
      delete (q.model as Obj).maxDataPoints;
    }
    expect(JSON.stringify(live)).toContain("intervalMs");
    expect(rules.normalise(live, "live")).toEqual(rules.normalise(stripped, "desired"));
    expect(JSON.stringify(rules.normalise(live, "live"))).not.toContain("intervalMs");
  });
});

describe("contact point normalise", () => {
  const cps : KindHandler = new ContactPointHandler(client, resolve);
  const desired = generated("contact-points.json") as Obj[];

  it("no '[REDACTED]' and no secret survives; secure fields are the marker on both sides", () => {
    for (const live of fixture("all-integrations.json") as Obj[]) {
      const text = JSON.stringify(cps.normalise(live, "live"));
      expect(text).not.toContain("[REDACTED]");
    }
    const slack = desired.find((c) => c.type === "slack")!;
    const liveSlack = { ...clone(slack), settings: { ...(slack.settings as Obj), url: "[REDACTED]" }, provenance: "api" };
    const d = cps.normalise(slack, "desired");
    expect(cps.normalise(liveSlack, "live")).toEqual(d);
    expect((d as Obj).settings).toMatchObject({ url: SECRET_MARKER });
    expect(JSON.stringify(d)).not.toContain("s3cr3t");
  });

  it("a placeholder on a field Grafana shows in clear (webhook url) compares by hash, never by value", () => {
    const hook = desired.find((c) => c.type === "webhook")!;
    const live = { ...clone(hook), settings: { url: env.ML_PLATFORM_WEBHOOK! } };
    const d = cps.normalise(hook, "desired");
    expect(cps.normalise(live, "live")).toEqual(d);
    expect(JSON.stringify(d)).not.toContain("s3cr3t");
    const rotated = { ...clone(hook), settings: { url: "https://ml.example/hook?token=other" } };
    expect(cps.normalise(rotated, "live")).not.toEqual(d);
    expect(JSON.stringify(cps.normalise(rotated, "live"))).not.toContain("other");
  });

  it("an unset variable is named in the comparable form, its value never", () => {
    const hook = desired.find((c) => c.type === "webhook")!;
    const noEnv : KindHandler = new ContactPointHandler(client, () => undefined);
    expect(JSON.stringify(noEnv.normalise(hook, "desired"))).toContain("ML_PLATFORM_WEBHOOK not set");
  });

  it("sees a changed non-secret setting", () => {
    const email = desired.find((c) => c.type === "email")!;
    const changed = { ...clone(email), settings: { ...(email.settings as Obj), addresses: "someone@example.com" } };
    expect(cps.normalise(changed, "live")).not.toEqual(cps.normalise(email, "desired"));
  });
});

describe("notification policy normalise", () => {
  const policy : KindHandler = new NotificationPolicyHandler(client);
  const desired = generated("notification-policy.json") as Obj;

  it("string matchers, re-ordered group_by, provenance and 'continue: false' compare equal", () => {
    const live = clone(desired);
    live.matchers = ['managed_by="pipemon"'];
    delete live.object_matchers;
    live.group_by = [...(live.group_by as string[])].reverse();
    live.provenance = "api";
    ((live.routes as Obj[])[0]!).continue = false;
    expect(policy.normalise(live, "live")).toEqual(policy.normalise(desired, "desired"));
    expect(isManagedRoute(live)).toBe(true);
  });

  it("route order is meaningful: swapping two child routes is a change", () => {
    const live = clone(desired);
    const routes = live.routes as Obj[];
    [routes[0], routes[1]] = [routes[1]!, routes[0]!];
    expect(policy.normalise(live, "live")).not.toEqual(policy.normalise(desired, "desired"));
  });

  it("Grafana's combined-route test data normalises idempotently, durations canonical", () => {
    const tree = fixture("combined-route.json") as Obj;
    const once = policy.normalise(tree, "live");
    expect(policy.normalise(once, "live")).toEqual(once);
    const withSeconds = clone(tree);
    ((withSeconds.routes as Obj[])[0]!).group_interval = "180s";
    expect(policy.normalise(withSeconds, "live")).toEqual(once);
  });

  it("a route with more matchers than managed_by=pipemon is not the managed subtree", () => {
    expect(isManagedRoute({ object_matchers: [["managed_by", "=", "pipemon"], ["team", "=", "x"]] })).toBe(false);
    expect(isManagedRoute({ object_matchers: [["managed_by", "=~", "pipemon"]] })).toBe(false);
  });
});

describe("dashboard and folder normalise", () => {
  const dashboards : KindHandler = new DashboardHandler(client, { pageSize: 1000 });
  const desired = generated("dashboards/orders-etl.json") as Obj;

  it("id, version and tag order from the server compare equal; a panel change does not", () => {
    const live: Obj = { ...clone(desired), id: 12, version: 7, tags: [...(desired.tags as string[])].reverse() };
    expect(dashboards.normalise(live, "live")).toEqual(dashboards.normalise(desired, "desired"));
    const changed = clone(live);
    ((changed.panels as Obj[])[0]!).title = "renamed";
    expect(dashboards.normalise(changed, "live")).not.toEqual(dashboards.normalise(desired, "desired"));
  });

  it("the owner tag is the compiler's", () => {
    expect(DASHBOARD_OWNER_TAG).toBe(COMPILER_OWNER_TAG);
    expect(desired.tags).toContain(DASHBOARD_OWNER_TAG);
  });

  it("folders compare by uid and title only", () => {
    const folders : KindHandler = new FolderHandler(client, { pageSize: 1000 });
    const f = (generated("folders.json") as Obj[])[0]!;
    expect(folders.normalise({ ...f, id: 3, version: 2, url: "/dashboards/f/x" }, "live")).toEqual(folders.normalise(f, "desired"));
  });
});

describe("ownership rules", () => {
  it("contact point uid must belong to its name, also when the uid was hashed to 40 characters", () => {
    expect(contactPointUidMatchesName("pm-cp-data-alerts", "pipemon-data-alerts")).toBe(true);
    expect(contactPointUidMatchesName("abc123", "pipemon-data-alerts")).toBe(false);
    expect(contactPointUidMatchesName("pm-cp-other", "pipemon-data-alerts")).toBe(false);
    const channel = "a-very-long-channel-name-for-the-payments-team-oncall";
    expect(contactPointUidMatchesName(boundedUid(`pm-cp-${channel}`), `pipemon-${channel}`)).toBe(true);
  });
});
