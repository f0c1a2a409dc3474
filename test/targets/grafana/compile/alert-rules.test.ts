import { describe, expect, it } from "vitest";
import { alertDefinitions } from "../../../../src/compile/alert-definitions.js";
import { alertRuleGroup } from "../../../../src/targets/grafana/compile/alert-rules.js";
import type { AlertRuleGroup, ProvisionedAlertRule } from "../../../../src/targets/grafana/wire.js";
import { stableJson } from "../../../../src/lib/stable-json.js";
import type { Pipeline } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { readContract, swaggerDefinition, UID, validator } from "./contract.js";

function group(p: Pipeline, ruleIntervalSeconds = 60): AlertRuleGroup {
  const pr = project([p]);
  pr.grafana.ruleIntervalSeconds = ruleIntervalSeconds;
  // Through JSON, as the API receives it.
  return JSON.parse(stableJson(alertRuleGroup(pr, p, alertDefinitions(p)))) as AlertRuleGroup;
}

function rule(g: AlertRuleGroup, title: string): ProvisionedAlertRule {
  const found = g.rules.find((r) => r.title === title);
  if (!found) throw new Error(`no rule ${title}; have ${g.rules.map((r) => r.title).join(", ")}`);
  return found;
}

type Model = Record<string, unknown> & { conditions?: { evaluator: { type: string; params: number[] } }[] };
const model = (r: ProvisionedAlertRule, refId: string): Model => r.data.find((q) => q.refId === refId)!.model as Model;

const batch = group(batchPipeline());
const streaming = group(streamingPipeline());

describe("alert rule group", () => {
  it("has the provisioning API's rule-group shape", () => {
    expect(Object.keys(batch).sort()).toEqual(["folderUid", "interval", "rules", "title"]);
    expect(batch).toMatchObject({ title: "orders-etl", folderUid: "pipemon-commerce", interval: 60 });
    expect(group(batchPipeline(), 30).interval).toBe(30);
    const allowed = Object.keys(swaggerDefinition("AlertRuleGroup").properties);
    expect(allowed).toEqual(expect.arrayContaining(Object.keys(batch)));
  });

  it("validates against the contract's RuleGroup schema", () => {
    const validate = validator("alerting", "RuleGroup");
    for (const g of [batch, streaming]) {
      const ok = validate(g);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("sets every field the swagger requires of a rule, except the server-owned orgID", () => {
    const def = swaggerDefinition("ProvisionedAlertRule");
    const required = def.required!.filter((f) => f !== "orgID");
    expect(required).toEqual(expect.arrayContaining(["folderUID", "ruleGroup", "title", "condition", "data", "noDataState", "execErrState", "for"]));
    for (const [g, folder] of [[batch, "pipemon-commerce"], [streaming, "pipemon-growth"]] as const) {
      for (const r of g.rules) {
        for (const field of required) expect(r, `${r.title}.${field}`).toHaveProperty(field);
        for (const field of Object.keys(r)) expect(Object.keys(def.properties), field).toContain(field);
        expect(r).not.toHaveProperty("provenance");
        expect(r).not.toHaveProperty("orgID");
        expect(r).not.toHaveProperty("id");
        expect(r).toMatchObject({ folderUID: folder, ruleGroup: g.title, condition: "C", isPaused: false });
      }
    }
  });

  it("has one rule per alert level, in catalog order, critical first", () => {
    expect(batch.rules.map((r) => r.title)).toEqual([
      "orders-etl pipelineFailed critical",
      "orders-etl slaBreach critical",
      "orders-etl stale critical",
      "orders-etl dataQuality critical",
      "orders-etl dataQuality warning",
      "orders-etl lowVolume critical",
      "orders-etl errors critical",
      "orders-etl cpu critical",
      "orders-etl cpu warning",
      "orders-etl memory critical",
      "orders-etl memory warning",
    ]);
    const levels = alertDefinitions(batchPipeline()).reduce((n, d) => n + d.levels.length, 0);
    expect(batch.rules).toHaveLength(levels);
    expect(streaming.rules.map((r) => r.title)).toEqual([
      "clickstream dataQuality critical",
      "clickstream dataQuality warning",
      "clickstream highLatency critical",
      "clickstream highLatency warning",
      "clickstream lowThroughput critical",
      "clickstream lowThroughput warning",
      "clickstream highBacklog critical",
      "clickstream highBacklog warning",
    ]);
  });

  it("generates no rule for a disabled alert", () => {
    const g = group(batchPipeline({ alerts: { cpu: { enabled: false } } }));
    expect(g.rules.map((r) => r.title).filter((t) => t.includes(" cpu "))).toEqual([]);
  });

  it("uses valid, unique uids of at most 40 characters, even for long names", () => {
    const long = group(batchPipeline({ name: "a-very-long-pipeline-name-that-goes-on-and-on-forever" }));
    const uids = [...batch.rules, ...streaming.rules, ...long.rules].map((r) => r.uid);
    for (const uid of uids) expect(uid).toMatch(UID);
    expect(new Set(uids).size).toBe(uids.length);
    expect(rule(batch, "orders-etl dataQuality warning").uid).toBe("pm-orders-etl-dataQuality-w");
    const swagger = swaggerDefinition("ProvisionedAlertRule").properties.uid!;
    expect(swagger.maxLength).toBe(40);
  });

  it("labels each level with its own severity, and every rule with its identity", () => {
    expect(rule(batch, "orders-etl dataQuality critical").labels).toEqual({
      managed_by: "pipemon",
      team: "commerce",
      pipeline: "orders-etl",
      severity: "medium",
      alert: "dataQuality",
      tier: "1",
    });
    expect(rule(batch, "orders-etl dataQuality warning").labels.severity).toBe("low");
    // The spec raised slaBreach to critical.
    expect(rule(batch, "orders-etl slaBreach critical").labels.severity).toBe("critical");
    expect(rule(streaming, "clickstream highLatency warning").labels.severity).toBe("medium");
  });

  it("never lets the pipeline's labels override the identity labels routing relies on", () => {
    const g = group(batchPipeline({ labels: { severity: "low", team: "other", managed_by: "someone", alert: "x", tier: "2" } }));
    expect(g.rules[0]!.labels).toEqual({
      managed_by: "pipemon",
      team: "commerce",
      pipeline: "orders-etl",
      severity: "critical",
      alert: "pipelineFailed",
      tier: "2",
    });
  });

  it("always sets `for`, as a Prometheus duration", () => {
    expect(rule(batch, "orders-etl pipelineFailed critical").for).toBe("0s");
    expect(rule(batch, "orders-etl slaBreach critical").for).toBe("5m");
    expect(rule(batch, "orders-etl cpu warning").for).toBe("10m");
    expect(rule(streaming, "clickstream highBacklog critical").for).toBe("5m");
    for (const r of [...batch.rules, ...streaming.rules]) expect(r.for).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
  });

  it("fires on a missing metric only for stale", () => {
    expect(rule(batch, "orders-etl stale critical")).toMatchObject({ noDataState: "Alerting", execErrState: "Alerting" });
    for (const r of [...batch.rules, ...streaming.rules].filter((x) => !x.title.includes(" stale "))) {
      expect(r.noDataState, r.title).toBe("OK");
    }
    expect(rule(batch, "orders-etl pipelineFailed critical").execErrState).toBe("Error");
    expect(rule(batch, "orders-etl dataQuality critical").execErrState).toBe("KeepLast");
  });

  it("annotates each rule with summary, description, runbook and the panel that shows it", () => {
    const r = rule(batch, "orders-etl dataQuality warning");
    expect(r.annotations).toMatchObject({
      __dashboardUid__: "pm-orders-etl",
      __panelId__: "5",
      runbook_url: "https://github.com/example/data-platform/blob/main/generated/runbooks/orders-etl.md",
      summary: "orders-etl: data quality: failed records (warning: > 1%)",
    });
    expect(r.annotations.description).toContain("above the warning level 1% (critical at 5%)");
    expect(r.annotations.description).toContain("{{ humanizePercentage $values.B.Value }}");
    expect(rule(batch, "orders-etl stale critical").annotations.__panelId__).toBe("2");
    expect(rule(streaming, "clickstream lowThroughput warning").annotations).toMatchObject({
      __dashboardUid__: "pm-clickstream",
      __panelId__: "11",
      summary: "clickstream: low throughput (warning: < 500/s)",
    });
    expect(rule(streaming, "clickstream lowThroughput warning").annotations.description).toContain("below the warning level 500/s");
    for (const r of [...batch.rules, ...streaming.rules]) {
      expect(Object.keys(r.annotations).sort()).toEqual(["__dashboardUid__", "__panelId__", "description", "runbook_url", "summary"]);
    }
  });

  it("uses the spec's runbook when it has one", () => {
    const g = group(batchPipeline({ runbookUrl: "https://wiki.example.com/orders-etl" }));
    expect(g.rules[0]!.annotations.runbook_url).toBe("https://wiki.example.com/orders-etl");
  });

  it("queries Prometheus for the alert's value (A), reduces it (B) and compares it with the level (C)", () => {
    const defs = alertDefinitions(batchPipeline());
    const quality = defs.find((d) => d.key === "dataQuality")!;
    const r = rule(batch, "orders-etl dataQuality critical");
    expect(r.data.map((q) => [q.refId, q.datasourceUid])).toEqual([
      ["A", "prometheus"],
      ["B", "__expr__"],
      ["C", "__expr__"],
    ]);
    expect(r.data[0]).toMatchObject({ relativeTimeRange: { from: 3600, to: 0 } });
    expect(model(r, "A")).toMatchObject({
      refId: "A",
      expr: quality.promql,
      instant: true,
      range: false,
      editorMode: "code",
      datasource: { type: "prometheus", uid: "prometheus" },
    });
    expect(model(r, "B")).toMatchObject({ type: "reduce", expression: "A", reducer: "last" });
    expect(model(r, "C")).toMatchObject({ type: "threshold", expression: "B" });
    expect(model(r, "C").conditions![0]!.evaluator).toEqual({ type: "gt", params: [0.05] });
    expect(model(rule(batch, "orders-etl dataQuality warning"), "C").conditions![0]!.evaluator).toEqual({ type: "gt", params: [0.01] });
  });

  it("compares below-alerts with lt", () => {
    expect(model(rule(batch, "orders-etl lowVolume critical"), "C").conditions![0]!.evaluator).toEqual({ type: "lt", params: [1000] });
    expect(model(rule(streaming, "clickstream lowThroughput critical"), "C").conditions![0]!.evaluator).toEqual({ type: "lt", params: [100] });
    expect(model(rule(streaming, "clickstream lowThroughput warning"), "C").conditions![0]!.evaluator).toEqual({ type: "lt", params: [500] });
  });

  it("looks back at least ten minutes, and over the alert's whole window when longer", () => {
    expect(rule(batch, "orders-etl stale critical").data[0]!.relativeTimeRange).toEqual({ from: 7200, to: 0 });
    expect(rule(batch, "orders-etl cpu critical").data[0]!.relativeTimeRange).toEqual({ from: 600, to: 0 });
    expect(rule(streaming, "clickstream highLatency critical").data[0]!.relativeTimeRange).toEqual({ from: 600, to: 0 });
  });

  it("lets the +Inf of a never-successful pipeline reach the stale threshold", () => {
    // dropNN would drop +Inf (and with it the alert); strict reduction keeps it.
    const r = rule(batch, "orders-etl stale critical");
    expect(model(r, "A").expr).toContain("* Inf");
    expect(model(r, "B")).not.toHaveProperty("settings");
  });

  it("keeps rule titles unique within a team's folder", () => {
    const a = group(batchPipeline({ name: "a" }));
    const b = group(batchPipeline({ name: "b" }));
    const titles = [...a.rules, ...b.rules].map((r) => r.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("writes only what Grafana needs in query models, not what it adds on save", () => {
    for (const q of batch.rules.flatMap((r) => r.data)) {
      expect(q.model).not.toHaveProperty("intervalMs");
      expect(q.model).not.toHaveProperty("maxDataPoints");
      if (q.datasourceUid === "__expr__") expect(q.model).not.toHaveProperty("datasource");
    }
  });

  it("uses the same query-model conventions as Grafana's own rule fixtures", () => {
    // Grafana's export fixture: every query has refId, relativeTimeRange, datasourceUid, model.
    const fixture = readContract("fixtures/post-rulegroup-101-export.json") as { groups: { rules: { data: Record<string, unknown>[] }[] }[] };
    const fixtureKeys = Object.keys(fixture.groups[0]!.rules[0]!.data[0]!).sort();
    for (const q of batch.rules[0]!.data) expect(Object.keys(q).sort()).toEqual(fixtureKeys);
  });
});
