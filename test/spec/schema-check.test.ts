/**
 * ajv errors → one sentence per problem that names the key and says what is expected, pointing
 * at the key (unknown keys) or at the value; the noise of anyOf/if branches folded away.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic, PathSegment } from "../../src/spec/diagnostics.js";
import { checkSchema } from "../../src/spec/v1/schema-check.js";

type Doc = Record<string, unknown>;

const pipeline = (spec: Doc = {}, metadata: Doc = { name: "orders-etl", team: "commerce" }, extra: Doc = {}): Doc => ({
  apiVersion: "pipemon/v1",
  kind: "Pipeline",
  metadata,
  spec: { type: "batch", schedule: "@hourly", ...spec },
  ...extra,
});

const config = (extra: Doc = {}): Doc => ({
  apiVersion: "pipemon/v1",
  kind: "Config",
  channels: { "data-alerts": { type: "slack", webhookUrl: "${SLACK_WEBHOOK}", datadog: "@slack-data-alerts" } },
  routing: { critical: ["data-alerts"] },
  ...extra,
});

interface Found {
  path: readonly PathSegment[];
  message: string;
  atKey?: true;
}

const found = (ds: Diagnostic[]): Found[] => ds.map((d) => ({ path: d.path, message: d.message, ...(d.atKey ? { atKey: true as const } : {}) }));
const checkPipeline = (doc: unknown) => found(checkSchema("Pipeline", doc, "f.yaml", 0));
const checkConfig = (doc: unknown) => found(checkSchema("Config", doc, "f.yaml", 0));

describe("checkSchema", () => {
  it("accepts valid documents", () => {
    expect(checkPipeline(pipeline())).toEqual([]);
    expect(checkConfig(config())).toEqual([]);
    expect(
      checkPipeline(
        pipeline({
          type: "streaming",
          schedule: undefined,
          thresholds: { latencyP95: { warning: "500ms", critical: "2s" }, throughput: { warning: "6000/m", critical: 10 }, errorRate: { critical: 0.01 } },
        }),
      ),
    ).toEqual([]);
    expect(checkConfig(config({ environments: { staging: null, production: {} } }))).toEqual([]);
  });

  it("carries file and document index, severity error", () => {
    const [d] = checkSchema("Pipeline", pipeline({ shedule: "x" }), "specs/a.yaml", 3);
    expect(d).toMatchObject({ severity: "error", file: "specs/a.yaml", doc: 3 });
  });

  it("reports every problem of a document at once", () => {
    const doc = pipeline({ type: "batchy", sla: "45m", owner: "x" }, { name: "Orders", team: "commerce" });
    expect(checkPipeline(doc).map((d) => d.path.join(".")).sort()).toEqual(["metadata.name", "spec.owner", "spec.sla", "spec.type"]);
    expect(checkPipeline(doc)).toHaveLength(4);
  });

  describe("unknown keys point at the key", () => {
    it("with a did-you-mean when a known key is close", () => {
      expect(checkPipeline(pipeline({ shedule: "0 * * * *" }))).toEqual([
        { path: ["spec", "shedule"], message: "unknown key 'shedule': did you mean 'schedule'?", atKey: true },
      ]);
      expect(checkPipeline(pipeline({ tresholds: {} }))).toEqual([
        { path: ["spec", "tresholds"], message: "unknown key 'tresholds': did you mean 'thresholds'?", atKey: true },
      ]);
    });

    it("listing the allowed keys otherwise", () => {
      expect(checkPipeline(pipeline({}, undefined, { status: {} }))).toEqual([
        { path: ["status"], message: "unknown key 'status': expected one of: apiVersion, kind, metadata, spec", atKey: true },
      ]);
      expect(checkPipeline(pipeline({ owner: "alice" }))).toEqual([
        {
          path: ["spec", "owner"],
          message: "unknown key 'owner': expected one of: type, schedule, sla, thresholds, alerts, routing, targets, metrics, environments",
          atKey: true,
        },
      ]);
    });
  });

  it("missing required keys, at the mapping that lacks them", () => {
    expect(checkPipeline({ apiVersion: "pipemon/v1", kind: "Pipeline" })).toEqual([
      { path: [], message: "missing required key 'metadata'" },
      { path: [], message: "missing required key 'spec'" },
    ]);
    expect(checkPipeline(pipeline({}, { team: "commerce" }))).toEqual([{ path: ["metadata"], message: "missing required key 'name' in 'metadata'" }]);
    expect(checkPipeline(pipeline({ thresholds: { cpu: { warning: "80%" } } }))).toEqual([
      { path: ["spec", "thresholds", "cpu"], message: "missing required key 'critical' in 'cpu'" },
    ]);
    const { channels: _omit, ...noChannels } = config();
    expect(checkConfig(noChannels)).toEqual([{ path: [], message: "missing required key 'channels'" }]);
  });

  it("a channel type's own key is required (the if/then branch, without its noise)", () => {
    expect(checkConfig(config({ channels: { pd: { type: "pagerduty", datadog: "@pd" } } }))).toEqual([
      { path: ["channels", "pd"], message: "missing required key 'integrationKey' in 'pd'" },
    ]);
  });

  it.each([
    ["a mapping", pipeline({ sla: "45m" }), ["spec", "sla"], "'sla' must be a mapping, not '45m'"],
    ["a string", pipeline({}, { name: "a", team: ["x", "y"] }), ["metadata", "team"], `'team' must be a string, not ["x","y"]`],
    ["a list", pipeline({ targets: "grafana" }), ["spec", "targets"], "'targets' must be a list, not 'grafana'"],
    ["a whole number", pipeline({ thresholds: { minRecords: 1.5 } }), ["spec", "thresholds", "minRecords"], "'minRecords' must be a whole number, not 1.5"],
    ["a mapping (spec)", pipeline({}, undefined, { spec: null }), ["spec"], "'spec' must be a mapping, not null"],
  ])("wrong type: %s", (_what, doc, path, message) => {
    expect(checkPipeline(doc)).toEqual([{ path, message }]);
  });

  it("wrong type in the config", () => {
    expect(checkConfig(config({ grafana: { allowUiEdits: "yes" } }))).toEqual([
      { path: ["grafana", "allowUiEdits"], message: "'allowUiEdits' must be true or false, not 'yes'" },
    ]);
    expect(checkConfig(config({ environments: { staging: [] } }))).toEqual([
      { path: ["environments", "staging"], message: "'staging' must be a mapping or empty, not []" },
    ]);
  });

  it("a document that is not a mapping", () => {
    expect(checkPipeline([])).toEqual([{ path: [], message: "document must be a mapping, not []" }]);
  });

  it("long values are cut in messages", () => {
    const [d] = checkPipeline(pipeline({ sla: "x".repeat(100) }));
    expect(d!.message).toBe(`'sla' must be a mapping, not '${"x".repeat(56)}...`);
  });

  it("enums: the allowed values, and a guess when one is close", () => {
    expect(checkPipeline(pipeline({ type: "batchy" }))).toEqual([
      { path: ["spec", "type"], message: "'type' is 'batchy': expected one of batch, streaming (did you mean 'batch'?)" },
    ]);
    expect(checkPipeline(pipeline({ type: "Streaming" }))).toEqual([
      { path: ["spec", "type"], message: "'type' is 'Streaming': expected one of batch, streaming (did you mean 'streaming'?)" },
    ]);
    expect(checkPipeline(pipeline({ alerts: { cpu: { severity: "page" } } }))).toEqual([
      { path: ["spec", "alerts", "cpu", "severity"], message: "'severity' is 'page': expected one of critical, high, medium, low" },
    ]);
    expect(checkPipeline(pipeline({ type: 5 }))).toEqual([{ path: ["spec", "type"], message: "'type' is 5: expected one of batch, streaming" }]);
  });

  it("apiVersion has its own sentence", () => {
    expect(checkPipeline({ ...pipeline(), apiVersion: "pipemon/v2" })).toEqual([
      { path: ["apiVersion"], message: "unsupported apiVersion 'pipemon/v2': this pipemon reads 'pipemon/v1'" },
    ]);
  });

  it.each([
    [pipeline({}, { name: "Orders_ETL", team: "c" }), ["metadata", "name"], "'name' is 'Orders_ETL': expected a name of lowercase letters, digits and '-', like orders-etl"],
    [pipeline({}, { name: "orders-", team: "c" }), ["metadata", "name"], "'name' is 'orders-': expected a name of lowercase letters, digits and '-', like orders-etl"],
    // Durations: the commonest mistakes get their fix (issue 11, item 9).
    [pipeline({ sla: { freshness: "2 hours" } }), ["spec", "sla", "freshness"], "'freshness' is '2 hours': write 2h"],
    [pipeline({ sla: { freshness: "1h 30m" } }), ["spec", "sla", "freshness"], "'freshness' is '1h 30m': write it without spaces: 1h30m"],
    [pipeline({ sla: { maxDuration: "1.5h" } }), ["spec", "sla", "maxDuration"], "'maxDuration' is '1.5h': durations take whole numbers: write 1h30m"],
    [pipeline({ sla: { maxDuration: "0.5s" } }), ["spec", "sla", "maxDuration"], "'maxDuration' is '0.5s': durations take whole numbers: write 500ms"],
    [pipeline({ sla: { maxDuration: "1.0005s" } }), ["spec", "sla", "maxDuration"], "'maxDuration' is '1.0005s': durations take whole numbers, like 30s, 45m or 1h30m"],
    [pipeline({ sla: { maxDuration: "10M" } }), ["spec", "sla", "maxDuration"], "'maxDuration' is '10M': expected a duration like 30s, 45m, 2h or 1d"],
    [pipeline({ sla: { maxDuration: "soon" } }), ["spec", "sla", "maxDuration"], "'maxDuration' is 'soon': expected a duration like 30s, 45m, 2h or 1d"],
    [pipeline({ alerts: { cpu: { for: 300 } } }), ["spec", "alerts", "cpu", "for"], "'for' is 300: add a unit: 300s, 300m or 300h"],
    [pipeline({ alerts: { cpu: { for: 1.5 } } }), ["spec", "alerts", "cpu", "for"], "'for' is 1.5: write a duration with a unit, in whole numbers: 30s, 45m or 1h30m"],
    [pipeline({}, { name: "a", team: "b", runbook: "wiki/orders" }), ["metadata", "runbook"], "'runbook' is 'wiki/orders': expected an http(s) URL"],
    [pipeline({ metrics: { signals: { cpu: { prometheus: "cpu-usage" } } } }), ["spec", "metrics", "signals", "cpu", "prometheus"], "'prometheus' is 'cpu-usage': expected a Prometheus metric name like my_records_total"],
  ])("patterns say what is expected (%#)", (doc, path, message) => {
    expect(checkPipeline(doc)).toEqual([{ path, message }]);
  });

  it("secrets must be environment references", () => {
    expect(checkConfig(config({ grafana: { token: "glsa_abc" } }))).toEqual([
      { path: ["grafana", "token"], message: "'token' must be an environment reference like ${MY_SECRET}, not a literal value (not shown): secrets are never written in specs" },
    ]);
    expect(checkConfig(config({ datadog: { apiKey: "${DD-API-KEY}" } }))).toEqual([
      { path: ["datadog", "apiKey"], message: "'apiKey' must be an environment reference like ${MY_SECRET}, not a literal value (not shown): secrets are never written in specs" },
    ]);
    expect(checkConfig(config({ datadog: { apiKey: "${DD_API_KEY}", appKey: "${DD_APP_KEY:-}" } }))).toEqual([]);
  });

  it("a Datadog handle starts with @", () => {
    expect(checkConfig(config({ channels: { a: { type: "slack", webhookUrl: "${X}", datadog: "slack-a" } } }))).toEqual([
      { path: ["channels", "a", "datadog"], message: "'datadog' is 'slack-a': expected a Datadog handle like @slack-data-alerts" },
    ]);
  });

  it.each([
    ["5 percent", "a ratio like 5% or 0.05"],
    [5, "a ratio like 5% or 0.05"],
    [-0.5, "a ratio like 5% or 0.05"],
    ["5", "a ratio like 5% or 0.05"],
    [true, "a ratio like 5% or 0.05"],
  ])("ratios: one message for both branches of the anyOf (%s)", (value, expected) => {
    const shown = typeof value === "string" ? `'${value}'` : String(value);
    expect(checkPipeline(pipeline({ thresholds: { failureRate: { critical: value } } }))).toEqual([
      { path: ["spec", "thresholds", "failureRate", "critical"], message: `'failureRate.critical' is ${shown}: expected ${expected}` },
    ]);
  });

  it.each(["100/d", "100 per second", "100/sec", "-5/s"])("rates: one message (%s)", (value) => {
    expect(checkPipeline(pipeline({ type: "streaming", schedule: undefined, thresholds: { throughput: { critical: value } } }))).toEqual([
      { path: ["spec", "thresholds", "throughput", "critical"], message: `'throughput.critical' is '${value}': expected a rate like 100/s or 6000/m` },
    ]);
  });

  it("counts are whole numbers from 0", () => {
    expect(checkPipeline(pipeline({ thresholds: { minRecords: -1 } }))).toEqual([
      { path: ["spec", "thresholds", "minRecords"], message: "'minRecords' is -1: expected a whole number like 1000" },
    ]);
  });

  it("keys of named maps must be names; label keys must be label names (which excludes __proto__)", () => {
    expect(checkConfig(config({ channels: { Data_Alerts: { type: "slack", webhookUrl: "${X}", datadog: "@x" } } }))).toEqual([
      { path: ["channels", "Data_Alerts"], message: "key 'Data_Alerts' is not allowed here: expected a name of lowercase letters, digits and '-', like data-alerts", atKey: true },
    ]);
    const labels = JSON.parse('{"__proto__": "x", "my-label": "2", "ok_label": "3"}') as Doc;
    expect(checkPipeline(pipeline({}, { name: "a", team: "b", labels }))).toEqual([
      { path: ["metadata", "labels", "__proto__"], message: "key '__proto__' is not allowed here: expected a label name of letters, digits and '_' that does not start with '__'", atKey: true },
      { path: ["metadata", "labels", "my-label"], message: "key 'my-label' is not allowed here: expected a label name of letters, digits and '_' that does not start with '__'", atKey: true },
    ]);
    expect(checkPipeline(pipeline({ metrics: { selector: { __name__: "x" } } }))).toEqual([
      { path: ["spec", "metrics", "selector", "__name__"], message: "key '__name__' is not allowed here: expected a label name of letters, digits and '_' that does not start with '__'", atKey: true },
    ]);
  });

  it("empty values, long names, empty lists and mappings", () => {
    expect(checkPipeline(pipeline({ schedule: "" }))).toEqual([{ path: ["spec", "schedule"], message: "'schedule' must not be empty" }]);
    expect(checkPipeline(pipeline({}, { name: "a".repeat(64), team: "b" }))).toEqual([
      { path: ["metadata", "name"], message: "'name' is too long: at most 63 characters" },
    ]);
    expect(checkPipeline(pipeline({}, { name: "a".repeat(63), team: "b" }))).toEqual([]);
    expect(checkConfig(config({ channels: { a: { type: "email", addresses: [], datadog: "@a" } } }))).toEqual([
      { path: ["channels", "a", "addresses"], message: "'addresses' must list at least 1 item(s)" },
    ]);
    expect(checkPipeline(pipeline({ metrics: { selector: {} } }))).toEqual([{ path: ["spec", "metrics", "selector"], message: "'selector' must not be empty" }]);
  });

  it("a channel listed twice", () => {
    const ds = checkConfig(config({ routing: { critical: ["data-alerts", "data-alerts"] } }));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toBe("'data-alerts' is listed twice in 'routing.critical'");
  });
});
