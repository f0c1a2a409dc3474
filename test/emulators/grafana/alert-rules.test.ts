import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatModelDuration, normaliseModelDuration, parseModelDuration } from "./durations.js";
import { type Harness, NO_PROVENANCE, readFixture, startHarness } from "./harness.js";
import type { AlertQuery, AlertRuleGroup, ProvisionedAlertRule } from "./types.js";

/** fixtures/post-rulegroup-101.json: a group in the ruler API's format (grafana_alert). */
interface RulerGroupFixture {
  name: string;
  interval: string;
  rules: Array<{ for?: string; grafana_alert: { title: string; condition: string; data: AlertQuery[]; no_data_state: string; exec_err_state: string } }>;
}
/** fixtures/post-rulegroup-101-export.json: the same group as Grafana exports it. */
interface ExportFixture {
  groups: Array<{ name: string; interval: string; rules: Array<{ title: string; condition: string; for?: string; noDataState: string; execErrState: string; isPaused: boolean; data: Array<Omit<AlertQuery, "queryType">> }> }>;
}

const posted = readFixture<RulerGroupFixture>("post-rulegroup-101.json");
const exported = readFixture<ExportFixture>("post-rulegroup-101-export.json");

/** The fixture's rules in the provisioning API's format, as pipemon sends them. */
function provisioningRules(): Array<Record<string, unknown>> {
  return posted.rules.map((rule) => ({
    title: rule.grafana_alert.title,
    condition: rule.grafana_alert.condition,
    data: rule.grafana_alert.data,
    noDataState: rule.grafana_alert.no_data_state,
    execErrState: rule.grafana_alert.exec_err_state,
    ...(rule.for !== undefined ? { for: rule.for } : {}),
  }));
}

function rule(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "orders late",
    condition: "B",
    data: [
      { refId: "A", datasourceUid: "prometheus", relativeTimeRange: { from: 600, to: 0 }, model: { expr: "up", refId: "A" } },
      { refId: "B", datasourceUid: "__expr__", relativeTimeRange: { from: 0, to: 0 }, model: { type: "threshold", expression: "A", refId: "B" } },
    ],
    noDataState: "NoData",
    execErrState: "Error",
    for: "5m",
    ...fields,
  };
}

const GROUP = "/api/v1/provisioning/folder/pipemon-data/rule-groups/orders";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ clock: () => new Date("2024-05-01T10:00:00Z") });
  h.emulator.seedFolder({ uid: "pipemon-data", title: "Data" });
});
afterEach(async () => {
  await h.emulator.close();
});

describe("model.Duration formatting of `for`", () => {
  it("prints Prometheus's canonical form", () => {
    expect(["300s", "24h", "0", "0s", "90m", "2m", "168h", "8d", "14d", "1h0m0s", "1500ms", "365d"].map((t) => normaliseModelDuration(t))).toEqual(["5m", "1d", "0s", "0s", "1h30m", "2m", "1w", "8d", "2w", "1h", "1s500ms", "1y"]);
    expect(formatModelDuration(0)).toBe("0s");
    expect(parseModelDuration("")).toBeInstanceOf(Error);
    expect(parseModelDuration("5 m")).toBeInstanceOf(Error);
    expect(parseModelDuration("1.5h")).toBeInstanceOf(Error);
  });
});

describe("rule groups vs fixtures/post-rulegroup-101*.json", () => {
  it("stores the fixture group and answers it with the exported rule fields and untouched data", async () => {
    const put = await h.call("PUT", "/api/v1/provisioning/folder/pipemon-data/rule-groups/group101", { body: { interval: 10, rules: provisioningRules() } });
    expect(put.status).toBe(200);
    const group = await h.ok<AlertRuleGroup>("GET", "/api/v1/provisioning/folder/pipemon-data/rule-groups/group101");
    const exportedGroup = exported.groups[0]!;
    expect(group.title).toBe(exportedGroup.name);
    expect(formatModelDuration(group.interval * 1000)).toBe(exportedGroup.interval);
    expect(group.rules).toHaveLength(2);
    group.rules.forEach((stored, i) => {
      const expected = exportedGroup.rules[i]!;
      expect({ title: stored.title, condition: stored.condition, noDataState: stored.noDataState, execErrState: stored.execErrState, isPaused: stored.isPaused }).toEqual({
        title: expected.title,
        condition: expected.condition,
        noDataState: expected.noDataState,
        execErrState: expected.execErrState,
        isPaused: expected.isPaused,
      });
      // The export omits a zero `for`; the provisioning API prints it as "0s".
      expect(stored.for).toBe(expected.for ?? "0s");
      // Models already carry intervalMs/maxDataPoints: stored exactly as sent (queryType is omitempty in exports only).
      expect(stored.data).toEqual(posted.rules[i]!.grafana_alert.data);
      expect(stored.data.map(({ queryType: _q, ...rest }) => rest)).toEqual(expected.data);
    });
  });

  it("answers each rule with the server fields in Grafana's struct order", async () => {
    await h.ok("PUT", "/api/v1/provisioning/folder/pipemon-data/rule-groups/group101", { body: { interval: 10, rules: provisioningRules() } });
    const [first] = (await h.ok<AlertRuleGroup>("GET", "/api/v1/provisioning/folder/pipemon-data/rule-groups/group101")).rules;
    expect(Object.keys(first!)).toEqual(["id", "uid", "orgID", "folderUID", "ruleGroup", "title", "condition", "data", "updated", "noDataState", "execErrState", "for", "provenance", "isPaused"]);
    expect(first).toMatchObject({ id: 1, orgID: 1, folderUID: "pipemon-data", ruleGroup: "group101", updated: "2024-05-01T10:00:00Z", provenance: "api", for: "2m" });
    expect(first!.uid).toMatch(/^[a-z][a-z0-9]{13}$/);
  });
});

describe("rule-group PUT", () => {
  it("echoes the request body re-encoded: zero server fields, normalised for, title and folder from the path", async () => {
    const answer = await h.call("PUT", GROUP, { body: { title: "ignored", folderUid: "ignored", interval: 60, rules: [rule({ for: "300s" })] } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      title: "orders",
      folderUid: "pipemon-data",
      interval: 60,
      rules: [
        {
          id: 0,
          uid: "",
          orgID: 0,
          folderUID: "",
          ruleGroup: "",
          title: "orders late",
          condition: "B",
          data: [
            { refId: "A", queryType: "", relativeTimeRange: { from: 600, to: 0 }, datasourceUid: "prometheus", model: { expr: "up", refId: "A" } },
            { refId: "B", queryType: "", relativeTimeRange: { from: 0, to: 0 }, datasourceUid: "__expr__", model: { type: "threshold", expression: "A", refId: "B" } },
          ],
          updated: "0001-01-01T00:00:00Z",
          noDataState: "NoData",
          execErrState: "Error",
          for: "5m",
          isPaused: false,
        },
      ],
    });
  });

  it("adds intervalMs 1000 and maxDataPoints 43200 to models that lack them, keeps the ones sent", async () => {
    const data = [
      { refId: "A", datasourceUid: "prometheus", model: { expr: "up" } },
      { refId: "B", datasourceUid: "prometheus", model: { expr: "up", maxDataPoints: 100 } },
    ];
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ data })] } });
    const group = await h.ok<AlertRuleGroup>("GET", GROUP);
    expect(group.rules[0]!.data).toEqual([
      { refId: "A", queryType: "", relativeTimeRange: { from: 0, to: 0 }, datasourceUid: "prometheus", model: { expr: "up", intervalMs: 1000, maxDataPoints: 43200 } },
      { refId: "B", queryType: "", relativeTimeRange: { from: 0, to: 0 }, datasourceUid: "prometheus", model: { expr: "up", maxDataPoints: 100, intervalMs: 1000 } },
    ]);
  });

  it("normalises for: 300s → 5m, 24h → 1d, 0 → 0s, absent → 0s", async () => {
    const rules = [rule({ uid: "r1", for: "300s" }), rule({ uid: "r2", for: "24h" }), rule({ uid: "r3", for: "0" }), rule({ uid: "r4", for: undefined })];
    await h.ok("PUT", GROUP, { body: { interval: 60, rules } });
    const group = await h.ok<AlertRuleGroup>("GET", GROUP);
    expect(group.rules.map((r) => [r.uid, r.for])).toEqual([["r1", "5m"], ["r2", "1d"], ["r3", "0s"], ["r4", "0s"]]);
  });

  it("takes folderUID and ruleGroup from the path, whatever the rules say", async () => {
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "r1", folderUID: "elsewhere", ruleGroup: "other" })] } });
    const stored = await h.ok<ProvisionedAlertRule>("GET", "/api/v1/provisioning/alert-rules/r1");
    expect([stored.folderUID, stored.ruleGroup]).toEqual(["pipemon-data", "orders"]);
  });

  it("deletes rules missing from the payload, creates rules without uid, updates only changed rules", async () => {
    let minute = 0;
    const clock = () => new Date(Date.UTC(2024, 4, 1, 10, minute));
    await h.emulator.close();
    h = await startHarness({ clock });
    h.emulator.seedFolder({ uid: "pipemon-data", title: "Data" });
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "keep", title: "keep" }), rule({ uid: "change", title: "change" }), rule({ uid: "drop", title: "drop" })] } });
    minute = 5;
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "keep", title: "keep" }), rule({ uid: "change", title: "changed" }), rule({ title: "new" })] } });
    const group = await h.ok<AlertRuleGroup>("GET", GROUP);
    expect(group.rules.map((r) => [r.title, r.updated])).toEqual([
      ["keep", "2024-05-01T10:00:00Z"],
      ["changed", "2024-05-01T10:05:00Z"],
      ["new", "2024-05-01T10:05:00Z"],
    ]);
    expect((await h.call("GET", "/api/v1/provisioning/alert-rules/drop")).status).toBe(404);
    expect(group.rules[2]!.uid).toMatch(/^[a-z][a-z0-9]{13}$/);
    // An interval change rewrites every rule of the group.
    minute = 9;
    await h.ok("PUT", GROUP, { body: { interval: 120, rules: group.rules } });
    const regrouped = await h.ok<AlertRuleGroup>("GET", GROUP);
    expect([regrouped.interval, ...regrouped.rules.map((r) => r.updated)]).toEqual([120, "2024-05-01T10:09:00Z", "2024-05-01T10:09:00Z", "2024-05-01T10:09:00Z"]);
  });

  it("answers 400 unless the interval is a positive multiple of 10 seconds", async () => {
    for (const interval of [0, -10, 15, 61]) {
      const answer = await h.call("PUT", GROUP, { body: { interval, rules: [rule()] } });
      expect(answer.status, String(interval)).toBe(400);
    }
    const fifteen = await h.call("PUT", GROUP, { body: { interval: 15, rules: [rule()] } });
    expect(fifteen.body).toEqual({ message: "invalid rule group: interval (15s) should be non-zero and divided exactly by scheduler interval: 10s" });
    expect((await h.call("PUT", GROUP, { body: { interval: 10, rules: [rule()] } })).status).toBe(200);
  });

  it("answers 400 with a message for a missing folder and for invalid rules", async () => {
    const noFolder = await h.call("PUT", "/api/v1/provisioning/folder/missing/rule-groups/g", { body: { interval: 60, rules: [rule()] } });
    expect([noFolder.status, noFolder.body]).toEqual([400, { message: "folder does not exist" }]);
    const cases: Array<[Record<string, unknown>, string]> = [
      [rule({ title: "" }), "invalid alert rule: title is empty"],
      [rule({ data: [] }), "invalid alert rule: no queries or expressions are found"],
      [rule({ condition: "Z" }), "invalid alert rule: condition Z does not exist, must be one of [A B]"],
      [rule({ noDataState: "Bogus" }), "invalid alert rule: unknown no data state option Bogus"],
      [rule({ execErrState: undefined }), "invalid alert rule: unknown exec error state option "],
      [rule({ uid: "x".repeat(41) }), "invalid alert rule: uid is too long, max 40 characters"],
      [rule({ title: "t".repeat(191) }), "invalid alert rule: title is longer than 190 characters"],
    ];
    for (const [body, message] of cases) {
      const answer = await h.call("PUT", GROUP, { body: { interval: 60, rules: [body] } });
      expect([answer.status, answer.body], message).toEqual([400, { message }]);
    }
    // `for: ""` (the foundation SDK's default) does not decode.
    const emptyFor = await h.call("PUT", GROUP, { body: { interval: 60, rules: [rule({ for: "" })] } });
    expect(emptyFor.status).toBe(400);
    expect(h.emulator.state.alertRules.size).toBe(0);
  });

  it("GET and DELETE of an absent group are 404; DELETE answers 204 with no body", async () => {
    expect((await h.call("GET", GROUP)).status).toBe(404);
    expect((await h.call("DELETE", GROUP)).status).toBe(404);
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule()] } });
    const deleted = await h.call("DELETE", GROUP);
    expect([deleted.status, deleted.text]).toEqual([204, ""]);
    expect(h.emulator.state.alertRules.size).toBe(0);
  });
});

describe("single alert rules", () => {
  it("POST answers 201 with the stored rule and provenance api; GET lists it", async () => {
    const answer = await h.call("POST", "/api/v1/provisioning/alert-rules", { body: rule({ uid: "r1", folderUID: "pipemon-data", ruleGroup: "orders", labels: { managed_by: "pipemon" }, annotations: {} }) });
    expect(answer.status).toBe(201);
    const created = answer.body as ProvisionedAlertRule;
    expect(Object.keys(created)).toEqual(["id", "uid", "orgID", "folderUID", "ruleGroup", "title", "condition", "data", "updated", "noDataState", "execErrState", "for", "labels", "provenance", "isPaused"]);
    expect(created).toMatchObject({ id: 1, uid: "r1", provenance: "api", labels: { managed_by: "pipemon" } });
    const list = await h.ok<ProvisionedAlertRule[]>("GET", "/api/v1/provisioning/alert-rules");
    expect(list).toEqual([created]);
    const group = await h.ok<AlertRuleGroup>("GET", GROUP);
    expect(group.interval).toBe(60);
  });

  it("POST answers 400 for an existing uid (unique constraint) and for a missing folder", async () => {
    await h.ok("POST", "/api/v1/provisioning/alert-rules", { body: rule({ uid: "r1", folderUID: "pipemon-data", ruleGroup: "orders" }) });
    expect((await h.call("POST", "/api/v1/provisioning/alert-rules", { body: rule({ uid: "r1", folderUID: "pipemon-data", ruleGroup: "orders" }) })).status).toBe(400);
    const noFolder = await h.call("POST", "/api/v1/provisioning/alert-rules", { body: rule({ folderUID: "nope", ruleGroup: "orders" }) });
    expect([noFolder.status, noFolder.body]).toEqual([400, { message: "folder does not exist" }]);
  });

  it("GET and PUT of an unknown rule are 404 with an EMPTY body; DELETE is 204 even when absent", async () => {
    const get = await h.call("GET", "/api/v1/provisioning/alert-rules/nope");
    expect([get.status, get.text]).toEqual([404, ""]);
    const put = await h.call("PUT", "/api/v1/provisioning/alert-rules/nope", { body: rule({ folderUID: "pipemon-data", ruleGroup: "orders" }) });
    expect([put.status, put.text]).toEqual([404, ""]);
    const del = await h.call("DELETE", "/api/v1/provisioning/alert-rules/nope");
    expect([del.status, del.text]).toEqual([204, ""]);
  });

  it("PUT updates the rule and answers 200 with it", async () => {
    await h.ok("POST", "/api/v1/provisioning/alert-rules", { body: rule({ uid: "r1", folderUID: "pipemon-data", ruleGroup: "orders" }) });
    const answer = await h.call("PUT", "/api/v1/provisioning/alert-rules/r1", { body: rule({ title: "renamed", for: "3600s", folderUID: "pipemon-data", ruleGroup: "orders" }) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ uid: "r1", id: 1, title: "renamed", for: "1h", provenance: "api" });
  });

  it("validates notification_settings against receivers", async () => {
    const settings = { receiver: "nobody", group_by: ["alertname", "grafana_folder", "pipeline"] };
    const missing = await h.call("POST", "/api/v1/provisioning/alert-rules", { body: rule({ folderUID: "pipemon-data", ruleGroup: "g", notification_settings: settings }) });
    expect([missing.status, missing.body]).toEqual([400, { message: "invalid alert rule: notification settings: receiver 'nobody' does not exist" }]);
    const ok = await h.call("POST", "/api/v1/provisioning/alert-rules", { body: rule({ folderUID: "pipemon-data", ruleGroup: "g", notification_settings: { ...settings, receiver: "grafana-default-email" } }) });
    expect(ok.status).toBe(201);
    expect((ok.body as ProvisionedAlertRule).notification_settings).toEqual({ ...settings, receiver: "grafana-default-email" });
  });
});

describe("provenance", () => {
  it("X-Disable-Provenance (any value) stores no provenance: the field is omitted", async () => {
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "r1" })] }, headers: { "X-Disable-Provenance": "" } });
    const stored = await h.ok<ProvisionedAlertRule>("GET", "/api/v1/provisioning/alert-rules/r1");
    expect("provenance" in stored).toBe(false);
    // No provenance → a writer with provenance may take it over.
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "r1", title: "taken" })] } });
    expect((await h.ok<ProvisionedAlertRule>("GET", "/api/v1/provisioning/alert-rules/r1")).provenance).toBe("api");
  });

  it("a PUT that would drop provenance api fails with 500, rule and group alike, and changes nothing", async () => {
    await h.ok("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "r1" })] } });
    const single = await h.call("PUT", "/api/v1/provisioning/alert-rules/r1", { body: rule({ title: "x", folderUID: "pipemon-data", ruleGroup: "orders" }), headers: NO_PROVENANCE });
    expect([single.status, single.body]).toEqual([500, { message: "cannot update with provided provenance '', needs 'api'" }]);
    const group = await h.call("PUT", GROUP, { body: { interval: 60, rules: [rule({ uid: "r1", title: "x" })] }, headers: NO_PROVENANCE });
    expect(group.status).toBe(500);
    expect((await h.ok<ProvisionedAlertRule>("GET", "/api/v1/provisioning/alert-rules/r1")).title).toBe("orders late");
  });

  it("a delete with the wrong provenance is 409 alerting.provenanceMismatch", async () => {
    h.emulator.seedAlertRule(rule({ uid: "from-file", folderUID: "pipemon-data", ruleGroup: "files" }), { provenance: "file" });
    const answer = await h.call("DELETE", "/api/v1/provisioning/alert-rules/from-file");
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ messageId: "alerting.provenanceMismatch", statusCode: 409 });
    const group = await h.call("DELETE", "/api/v1/provisioning/folder/pipemon-data/rule-groups/files");
    expect(group.status).toBe(409);
    expect(h.emulator.state.alertRules.has("from-file")).toBe(true);
  });
});

describe("exports vs fixtures/post-rulegroup-101-export.json", () => {
  /** The fixture's first two rules (the ones without a uid and with a plain alert condition), sent through the provisioning API. */
  const exportedRules = () => exported.groups[0]!.rules.slice(0, 2) as Array<Record<string, unknown>>;
  const seedGroup101 = async () => {
    h.emulator.seedFolder({ uid: "foo-bar", title: "foo bar" });
    h.emulator.seedContactPoint({ name: "Test-Receiver", type: "email", settings: { addresses: "test@example.com" } });
    h.emulator.seedMuteTiming("test-mute");
    await h.ok("PUT", "/api/v1/provisioning/folder/foo-bar/rule-groups/group101", { body: { interval: 10, rules: exportedRules() } });
  };

  it("exports the group exactly as the fixture (rule uids aside)", async () => {
    await seedGroup101();
    const answer = await h.call("GET", "/api/v1/provisioning/alert-rules/export?format=json&folderUid=foo-bar");
    expect(answer.status).toBe(200);
    const document = answer.body as ExportFixture & { apiVersion: number };
    const rules = document.groups[0]!.rules as Array<Record<string, unknown>>;
    expect(rules.every((r) => typeof r.uid === "string" && r.uid !== "")).toBe(true);
    const withoutUids = { ...document, groups: document.groups.map((g) => ({ ...g, rules: g.rules.map(({ uid: _uid, ...rest }: Record<string, unknown>) => rest) })) };
    expect(withoutUids).toEqual({ apiVersion: 1, groups: [{ ...exported.groups[0], rules: exportedRules() }] });
  });

  it("answers YAML unless JSON is asked for, filters by group and rule, and 404s when there is nothing", async () => {
    expect(await h.call("GET", "/api/v1/provisioning/alert-rules/export?format=json")).toMatchObject({ status: 404, text: "" });
    await seedGroup101();
    const yaml = await fetch(`${h.emulator.url}/api/v1/provisioning/alert-rules/export?folderUid=foo-bar`, { headers: { authorization: `Bearer ${h.emulator.token}` } });
    expect(yaml.headers.get("content-type")).toBe("text/yaml");
    const text = await yaml.text();
    expect(text).toMatch(/^apiVersion: 1\ngroups:\n {2}- orgId: 1\n {4}name: group101\n {4}folder: foo bar\n {4}interval: 10s\n/);
    const viaAccept = await h.call("GET", "/api/v1/provisioning/alert-rules/export?folderUid=foo-bar", { headers: { accept: "application/json" } });
    expect((viaAccept.body as ExportFixture).groups[0]!.interval).toBe("10s");
    const group = await h.ok<ExportFixture>("GET", "/api/v1/provisioning/folder/foo-bar/rule-groups/group101/export?format=json");
    expect(group.groups[0]!.rules).toHaveLength(2);
    const ruleUid = (await h.ok<AlertRuleGroup>("GET", "/api/v1/provisioning/folder/foo-bar/rule-groups/group101")).rules[1]!.uid;
    const single = await h.ok<ExportFixture>("GET", `/api/v1/provisioning/alert-rules/export?format=json&ruleUid=${ruleUid}`);
    expect(single.groups[0]!.rules.map((r) => r.title)).toEqual(["reduced testdata query - 2"]);
    expect((await h.call("GET", "/api/v1/provisioning/alert-rules/export?format=json&group=group101")).status).toBe(400);
    expect((await h.call("GET", "/api/v1/provisioning/alert-rules/export?format=json&folderUid=foo-bar&group=nope")).status).toBe(404);
    // The export route is not mistaken for a rule uid.
    expect((await h.call("GET", "/api/v1/provisioning/alert-rules/export?format=json&folderUid=other")).status).toBe(404);
  });
});
