import { describe, expect, it } from "vitest";
import {
  datadogAlerts,
  type DatadogAlert,
  datadogCondition,
  datadogMonitors,
  datadogPipelineFiles,
  datadogTimeWindow,
  datadogWindowMinutes,
  formatQueryNumber,
  cleanNumber,
  isSparseCount,
} from "../../../../src/targets/datadog/compile/index.js";
import type { DatadogMonitorBody } from "../../../../src/targets/datadog/compile/index.js";
import { PRIORITY } from "../../../../src/model/catalog.js";
import { panelUrl } from "../../../../src/model/identity.js";
import { PANEL, PANEL_TITLE } from "../../../../src/model/panels.js";
import { windowSeconds } from "../../../../src/compile/promql.js";
import { formatDuration } from "../../../../src/lib/duration.js";
import type { Pipeline, Project } from "../../../../src/model/types.js";
import {
  alertsDisabledPipeline,
  batchPipeline,
  fullProject,
  project,
  streamingPipeline,
} from "../../../fixtures/model.js";
import { clientProblems, clientRoundTrip } from "./client-check.js";
import { GrammarError, parseMetricQuery } from "../../../../src/lib/datadog-query.js";

const proj = fullProject();

interface Case {
  pipeline: Pipeline;
  def: DatadogAlert;
  body: DatadogMonitorBody;
}

function monitorsOf(p: Project, pipeline: Pipeline): DatadogMonitorBody[] {
  const files = datadogPipelineFiles(p, pipeline);
  if (files.length !== 1) throw new Error(`${pipeline.name}: expected one monitors file, got ${files.length}`);
  return JSON.parse(files[0]!.content) as DatadogMonitorBody[];
}

const cases: Case[] = proj.pipelines.flatMap((pipeline) => {
  const bodies = monitorsOf(proj, pipeline);
  const defs = datadogAlerts(pipeline);
  if (bodies.length !== defs.length) throw new Error(`${pipeline.name}: ${bodies.length} monitors for ${defs.length} alerts`);
  return defs.map((def, i) => ({ pipeline, def, body: bodies[i]! }));
});
const caseName = (c: Case): string => `${c.pipeline.name}/${c.def.key}`;

/** Datadog distributions among the fixtures' metrics: the stream latency signal (DESIGN §2). */
const DISTRIBUTIONS = new Set(proj.pipelines.map((p) => p.signals.latency.datadog));
const isDistribution = (metric: string): boolean => DISTRIBUTIONS.has(metric);

function block(message: string, name: string): string | undefined {
  const m = new RegExp(`\\{\\{#${name}\\}\\}([\\s\\S]*?)\\{\\{/${name}\\}\\}`).exec(message);
  return m?.[1];
}
/** Handles Datadog would recognise: `@...` preceded by whitespace. */
function handles(text: string | undefined): string[] {
  return [...(text ?? "").matchAll(/(?<=\s)@[\w.@-]+/g)].map((m) => m[0]);
}
function handlesOf(channels: readonly string[]): string[] {
  return [...new Set(channels.map((c) => proj.channels[c]!.datadog))];
}

describe("datadogPipelineFiles", () => {
  it("covers every fixture alert (sanity of the fixture set)", () => {
    const keys = new Set(cases.map((c) => c.def.key));
    expect([...keys].sort()).toEqual(
      ["cpu", "dataQuality", "errors", "highBacklog", "highLatency", "lowThroughput", "lowVolume", "memory", "pipelineFailed", "slaBreach", "stale"],
    );
    expect(cases.length).toBeGreaterThan(25);
  });

  it("writes datadog/monitors/<pipeline>.json for Datadog pipelines only", () => {
    const p = project();
    expect(datadogPipelineFiles(p, batchPipeline()).map((f) => f.path)).toEqual(["datadog/monitors/orders-etl.json"]);
    expect(datadogPipelineFiles(p, batchPipeline({ targets: ["grafana"] }))).toEqual([]);
  });

  it("writes [] for a Datadog pipeline whose alerts are all disabled", () => {
    const files = datadogPipelineFiles(proj, alertsDisabledPipeline());
    expect(files).toEqual([{ path: "datadog/monitors/quiet-etl.json", content: "[]\n" }]);
  });

  it("builds bodies with no undefined fields (in-memory equals the file)", () => {
    for (const p of proj.pipelines) {
      expect(JSON.parse(datadogPipelineFiles(proj, p)[0]!.content)).toStrictEqual(datadogMonitors(proj, p));
    }
  });

  it("is deterministic: same input, same bytes, whatever the order labels were written in", () => {
    const a = datadogPipelineFiles(proj, batchPipeline({ labels: { tier: "1", domain: "sales" } }));
    const b = datadogPipelineFiles(proj, batchPipeline({ labels: { domain: "sales", tier: "1" } }));
    expect(a).toEqual(b);
    expect(datadogPipelineFiles(proj, batchPipeline())).toEqual(datadogPipelineFiles(proj, batchPipeline()));
  });
});

describe("the official Datadog client accepts every monitor", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    expect(clientProblems(c.body)).toEqual([]);
    // Nothing lost or retyped: the client would send exactly this body.
    expect(clientRoundTrip(c.body)).toEqual(c.body);
  });
});

describe("the client check is real (negative cases)", () => {
  const good = cases[0]!.body;
  const mutate = (f: (b: Record<string, any>) => void): unknown => {
    const b = structuredClone(good) as Record<string, any>;
    f(b);
    return b;
  };

  it("passes the untouched body", () => {
    expect(clientProblems(good)).toEqual([]);
  });
  it("flags an unknown monitor type", () => {
    expect(clientProblems(mutate((b) => (b.type = "bogus alert")))).toEqual(
      expect.arrayContaining([expect.stringContaining('$.type: unparsed value "bogus alert"')]),
    );
  });
  it("flags an unknown on_missing_data value", () => {
    const problems = clientProblems(mutate((b) => (b.options.on_missing_data = "nonsense")));
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('$.options.onMissingData: unparsed value "nonsense"')]));
    expect(problems).toEqual(expect.arrayContaining(["$.options: marked _unparsed", "$: marked _unparsed"]));
  });
  it("flags an unknown renotify status inside an array", () => {
    expect(clientProblems(mutate((b) => (b.options.renotify_statuses = ["alert", "nonsense"])))).toEqual(
      expect.arrayContaining([expect.stringContaining("renotifyStatuses[1]: unparsed")]),
    );
  });
  it("flags a priority of the wrong type", () => {
    expect(clientProblems(mutate((b) => (b.priority = "nonsense")))).toEqual([expect.stringContaining("deserialize threw")]);
  });
  it("flags a field the API does not have (typo)", () => {
    expect(clientProblems(mutate((b) => (b.options.notify_nodata = true)))).toEqual([
      "$.options: fields unknown to the client: notify_nodata",
    ]);
  });
});

describe("every query matches the metric-monitor grammar", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    const q = parseMetricQuery(c.body.query, { isDistribution });
    expect(q.timeAggregation).toBe(c.def.datadog.timeAggregation);
    expect(q.windowSeconds).toBe(datadogWindowMinutes(c.def.windowSeconds) * 60);
    expect(q.comparator).toBe(datadogCondition(c.def).comparator);
    expect(q.terms.length).toBeGreaterThan(0);
    expect(c.body.query).toBe(c.body.query.trim());
  });

  it("renders the definition's expression verbatim", () => {
    for (const c of cases) expect(c.body.query).toContain(`):${c.def.datadog.expression} `);
  });

  it("uses division between two metric terms for failure ratios", () => {
    const c = cases.find((x) => x.pipeline.name === "orders-etl" && x.def.key === "dataQuality")!;
    const q = parseMetricQuery(c.body.query);
    expect(q.arithmetic).toEqual(["/"]);
    expect(q.terms.map((t) => [t.metric, t.modifier])).toEqual([
      ["pipeline.records.failed", "as_count"],
      ["pipeline.records.processed", "as_count"],
    ]);
  });

  it("uses the percentile only on the distribution metric", () => {
    const c = cases.find((x) => x.pipeline.name === "clickstream" && x.def.key === "highLatency")!;
    expect(c.body.query).toBe("min(last_5m):p95:stream.processing.latency{pipeline:clickstream} > 2");
    expect(() => parseMetricQuery(c.body.query)).toThrow(/not a distribution/);
  });
});

describe("the critical threshold is the query's number", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    const { threshold } = parseMetricQuery(c.body.query, { isDistribution });
    const critical = c.body.options.thresholds.critical;
    expect(Number(threshold)).toBe(critical);
    expect(threshold).toBe(formatQueryNumber(critical));
    if (!String(critical).includes("e")) expect(threshold).toBe(String(critical));
    // No binary noise: 15 significant digits reproduce the value.
    expect(critical).toBe(Number(critical.toPrecision(15)));
  });

  it("cleans float noise from parsed percentages", () => {
    const c = cases.find((x) => x.pipeline.name === "legacy-orders" && x.def.key === "dataQuality")!;
    expect(c.def.levels.map((l) => l.threshold)).toEqual([0.1 + 0.2, 1.1 / 100]); // noisy in the model
    expect(c.body.query.endsWith(" > 0.3")).toBe(true);
    expect(c.body.options.thresholds).toMatchObject({ critical: 0.3, warning: 0.011 });
  });

  it("writes tiny thresholds without exponent notation", () => {
    const c = cases.find((x) => x.pipeline.name === "payments-stream" && x.def.key === "dataQuality")!;
    expect(c.body.query.endsWith(" > 0.0000001")).toBe(true);
    expect(c.body.options.thresholds.critical).toBe(1e-7);
  });

  it("renders stale as fewer than one successful run in the freshness window", () => {
    const c = cases.find((x) => x.pipeline.name === "orders-etl" && x.def.key === "stale")!;
    expect(c.body.query).toBe("sum(last_2h):sum:pipeline.runs{pipeline:orders-etl,status:success}.as_count() < 1");
    expect(c.body.options.thresholds).toEqual({ critical: 1 });
  });
});

describe("thresholds", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s: warning and recovery on the right sides", (_name, c) => {
    const t = c.body.options.thresholds;
    const cmp = datadogCondition(c.def).comparator;
    // Direction: +1 when firing means "above" (>), -1 when it means "below" (<).
    const d = cmp === ">" ? 1 : -1;
    if (t.warning !== undefined) expect(d * t.warning).toBeLessThan(d * t.critical);
    if (t.critical_recovery !== undefined) {
      expect(d * t.critical_recovery).toBeLessThan(d * t.critical);
      if (t.warning !== undefined) expect(d * t.critical_recovery).toBeGreaterThan(d * t.warning);
    }
    if (t.warning_recovery !== undefined) {
      expect(t.warning).toBeDefined();
      expect(d * t.warning_recovery).toBeLessThan(d * t.warning!);
    }
    const warningLevel = c.def.levels.find((l) => l.level === "warning");
    if (c.def.key !== "stale") expect(t.warning).toBe(warningLevel ? cleanNumber(warningLevel.threshold) : undefined);
  });

  it("adds recovery thresholds to continuously measured alerts only", () => {
    const continuous = ["cpu", "memory", "highLatency", "lowThroughput", "highBacklog", "dataQuality"];
    for (const c of cases) {
      const t = c.body.options.thresholds;
      if (continuous.includes(c.def.key)) expect(t.critical_recovery, caseName(c)).toBeDefined();
      else expect([t.critical_recovery, t.warning_recovery], caseName(c)).toEqual([undefined, undefined]);
    }
  });

  it("puts recovery above the level for `<` alerts", () => {
    const c = cases.find((x) => x.pipeline.name === "clickstream" && x.def.key === "lowThroughput")!;
    expect(c.body.options.thresholds).toEqual({ critical: 100, critical_recovery: 110, warning: 500, warning_recovery: 550 });
  });

  it("keeps critical_recovery above the warning when the levels are close", () => {
    const p = batchPipeline({ thresholds: { cpu: { warning: 0.9, critical: 0.95 } } });
    const body = monitorsOf(proj, p).find((m) => m.tags.includes("alert:cpu"))!;
    expect(body.options.thresholds).toEqual({ critical: 0.95, critical_recovery: 0.925, warning: 0.9, warning_recovery: 0.81 });
  });

  it("refuses a warning on the wrong side of critical (the model guarantees it; Datadog rejects it)", () => {
    const wrong = batchPipeline({ thresholds: { failureRate: { warning: 0.1, critical: 0.05 } } });
    expect(() => datadogPipelineFiles(proj, wrong)).toThrow(/orders-etl\/dataQuality: warning 0.1 is not on the safe side of critical 0.05/);
    const wrongLow = streamingPipeline({ thresholds: { throughput: { warning: 50, critical: 100 } } });
    expect(() => datadogPipelineFiles(proj, wrongLow)).toThrow(/lowThroughput/);
  });
});

describe("messages", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s: handles per level", (_name, c) => {
    const m = c.body.message;
    const critical = c.def.levels.find((l) => l.level === "critical")!;
    const warning = c.def.levels.find((l) => l.level === "warning");
    expect(handles(block(m, "is_alert"))).toEqual(handlesOf(critical.channels));
    expect(handles(block(m, "is_recovery"))).toEqual(handlesOf(critical.channels));
    if (warning) expect(handles(block(m, "is_warning"))).toEqual(handlesOf(warning.channels));
    else expect(m).not.toContain("{{#is_warning}}");
    // Every handle is inside a conditional block, so nobody is notified outside its level.
    const outside = m.replace(/\{\{#(\w+)\}\}[\s\S]*?\{\{\/\1\}\}/g, "");
    expect(handles(outside)).toEqual([]);
    // Handles are recognised only after whitespace.
    expect(m).not.toMatch(/[^\s]@(pagerduty|slack)-/);
    expect(m).toContain("{{value}}");
  });

  it("links the runbook and the dashboard panel", () => {
    for (const c of cases) {
      expect(c.body.message).toContain(`Runbook: https://github.com/example/data-platform/blob/main/generated/runbooks/${c.pipeline.name}.md`);
      // grafana.url is a ${GRAFANA_URL} reference and no publicUrl is set: the panel is named, never a ${...} link.
      expect(c.body.message).toContain(`Dashboard: pm-${c.pipeline.name}, panel "${PANEL_TITLE[c.def.panel](formatDuration(windowSeconds(c.pipeline)))}"`);
      expect(c.body.message).not.toContain("${");
      // pipelineFailed says what the monitor does instead (it cannot resolve on a later success).
      if (c.def.key === "pipelineFailed") {
        expect(c.body.message).toContain(`${c.pipeline.name} (${c.pipeline.team}): at least one run failed in the last`);
        expect(c.body.message).toContain("resolves once the failed run has left the window, not at a later success");
        expect(c.body.message).not.toContain(c.def.description);
      } else expect(c.body.message).toContain(c.def.description);
    }
  });

  it("links the panel with grafana.publicUrl, a literal URL written into the message", () => {
    const linked: Project = { ...proj, grafana: { ...proj.grafana, publicUrl: "https://grafana.example.com" } };
    for (const pipeline of linked.pipelines.filter((p) => p.targets.includes("grafana"))) {
      const defs = datadogAlerts(pipeline);
      monitorsOf(linked, pipeline).forEach((body, i) => {
        expect(body.message).toContain(`Dashboard: ${panelUrl("https://grafana.example.com", pipeline.name, PANEL[defs[i]!.panel])}\n`);
        expect(body.message).not.toContain("${");
      });
    }
  });

  it("orders-etl/dataQuality: medium to Slack, the low warning to email, each recovered", () => {
    const c = cases.find((x) => x.pipeline.name === "orders-etl" && x.def.key === "dataQuality")!;
    expect(block(c.body.message, "is_alert")).toBe("\nSeverity medium (priority 3): value {{value}}, threshold > 0.05 (5%).\nNotify: @slack-data-alerts\n");
    expect(block(c.body.message, "is_warning")).toBe("\nSeverity low (priority 4): value {{value}}, threshold > 0.01 (1%).\nNotify: @data-team@example.com\n");
    expect(handles(block(c.body.message, "is_warning_recovery"))).toEqual(["@data-team@example.com"]);
  });

  it("pages on No Data for stale (never reported) and lowThroughput (a dead stream) only, saying which", () => {
    for (const c of cases) {
      const noData = block(c.body.message, "is_no_data");
      if (c.def.key === "stale" || c.def.key === "lowThroughput") expect(handles(noData)).toEqual(handlesOf(c.def.levels[0]!.channels));
      else expect(noData).toBeUndefined();
      if (c.def.key === "lowThroughput") expect(noData).toContain("a dead stream is low throughput");
      if (c.def.key === "stale") expect(noData).toContain("absence is itself the problem");
    }
  });

  it("says so when a level is routed nowhere", () => {
    const c = cases.find((x) => x.pipeline.name === "legacy-orders" && x.def.key === "slaBreach")!;
    expect(block(c.body.message, "is_alert")).toContain("No channel is routed for severity high.");
  });

  it("omits the dashboard link when the pipeline has no Grafana target", () => {
    const [body] = monitorsOf(proj, batchPipeline({ targets: ["datadog"] }));
    expect(body!.message).not.toContain("Dashboard:");
  });

  it("fails on a channel the project does not define", () => {
    const p = batchPipeline({ routing: { critical: ["nope"], high: [], medium: [], low: [] } });
    expect(() => datadogPipelineFiles(proj, p)).toThrow(/undefined channel "nope"/);
  });
});

describe("tags, name and priority", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    const { tags } = c.body;
    expect(tags).toEqual([...tags].sort());
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags).toEqual(
      expect.arrayContaining([
        "managed-by:pipemon",
        `pipemon-id:${c.pipeline.name}/${c.def.key}`,
        `team:${c.pipeline.team}`,
        `pipeline:${c.pipeline.name}`,
        `severity:${c.def.severity}`,
        `alert:${c.def.key}`,
      ]),
    );
    expect(tags.filter((t) => t.startsWith("pipemon-id:"))).toHaveLength(1);
    expect(c.body.priority).toBe(PRIORITY[c.def.severity]);
    expect(c.body.name).toBe(`[pipemon] ${c.pipeline.name}: ${c.def.title}`);
    expect(c.body.type).toBe("query alert");
  });

  it("adds labels as tags, but pipemon's own keys win", () => {
    const c = cases.find((x) => x.pipeline.name === "legacy-orders")!;
    expect(c.body.tags).toEqual(expect.arrayContaining(["tier:0", "cost-center:cc-42", "team:payments"]));
    expect(c.body.tags).not.toContain("team:not-the-team");
  });

  it("maps severities to priorities 1..4", () => {
    const by = (p: string, k: string): number => cases.find((x) => x.pipeline.name === p && x.def.key === k)!.body.priority;
    expect(by("orders-etl", "pipelineFailed")).toBe(1);
    expect(by("orders-etl", "stale")).toBe(2);
    expect(by("orders-etl", "cpu")).toBe(3);
    expect(by("legacy-orders", "stale")).toBe(1);
  });

  it("names and tags the environment of an overlay", () => {
    const staging: Project = { ...proj, environment: "staging" };
    const [body] = monitorsOf(staging, batchPipeline());
    expect(body!.name).toBe("[pipemon] orders-etl: Pipeline run failed (staging)");
    expect(body!.tags).toContain("env:staging");
    expect(body!.message).toContain("/generated/staging/runbooks/orders-etl.md");
  });
});

describe("options", () => {
  it.each(cases.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    const o = c.body.options;
    // stale pages when nothing was reported for the freshness window; lowThroughput when the
    // stream stopped reporting for the pending period (its window): DESIGN §8.
    const fire = c.def.key === "stale" || c.def.key === "lowThroughput";
    expect(o.notify_no_data).toBe(fire);
    if (fire) expect(o.no_data_timeframe).toBe(datadogWindowMinutes(c.def.key === "stale" ? c.pipeline.sla.freshnessSeconds! : Math.max(60, c.def.forSeconds)));
    else expect(o.no_data_timeframe).toBeUndefined();
    if (c.def.severity === "critical") {
      expect(o.renotify_interval).toBe(60);
      expect(o.renotify_statuses).toEqual(fire ? ["alert", "no data"] : ["alert"]);
    } else {
      expect([o.renotify_interval, o.renotify_statuses]).toEqual([undefined, undefined]);
    }
    expect(o.require_full_window).toBe(!isSparseCount(c.def));
    expect(o.evaluation_delay).toBe(isSparseCount(c.def) ? 60 : undefined);
    expect(o).toMatchObject({ include_tags: true, notify_audit: false, new_group_delay: 60 });
    expect(o).not.toHaveProperty("new_host_delay");
  });

  it("notifies on missing data only for stale and lowThroughput", () => {
    expect(cases.filter((c) => c.body.options.notify_no_data).map((c) => `${c.pipeline.name}/${c.def.key}/${c.body.options.no_data_timeframe}`)).toEqual([
      "clickstream/lowThroughput/5",
      "legacy-orders/stale/1560",
      "orders-etl/stale/120",
      "payments-stream/lowThroughput/5",
      "weekly-report/stale/10080",
    ]);
  });

  it("treats sum-of-count queries as sparse", () => {
    const sparse = cases.filter((c) => c.pipeline.name === "orders-etl" && !c.body.options.require_full_window).map((c) => c.def.key);
    expect(sparse).toEqual(["pipelineFailed", "stale", "dataQuality", "lowVolume", "errors"]);
  });
});

describe("time windows", () => {
  it.each([
    [60, "last_1m"],
    [90, "last_2m"],
    [300, "last_5m"],
    [3600, "last_1h"],
    [5400, "last_90m"],
    [86400, "last_1d"],
    [93600, "last_26h"],
    [172800, "last_48h"],
    [604800, "last_1w"],
    [604740, "last_10079m"],
  ] as const)("%ss → %s", (seconds, window) => {
    expect(datadogTimeWindow(seconds)).toBe(window);
    expect(parseMetricQuery(`sum(${window}):sum:m{*} > 1`).windowSeconds).toBe(Math.ceil(seconds / 60) * 60);
  });

  it("refuses windows beyond one week instead of changing the alert's meaning", () => {
    expect(() => datadogTimeWindow(604801)).toThrow(/at most the last week/);
    const p = batchPipeline({ sla: { freshnessSeconds: 8 * 86400 } });
    expect(() => datadogPipelineFiles(proj, p)).toThrow(/orders-etl\/stale: .*needs 8d/);
  });
});

describe("formatQueryNumber", () => {
  it.each([
    [0, "0"],
    [0.05, "0.05"],
    [100000, "100000"],
    [1e-7, "0.0000001"],
    [-2.5e-8, "-0.000000025"],
    [1.5e-10, "0.00000000015"],
    [1e21, "1000000000000000000000"],
    [1.234e22, "12340000000000000000000"],
  ] as const)("%s → %s", (n, text) => {
    expect(formatQueryNumber(n)).toBe(text);
    expect(Number(text)).toBe(n);
  });

  it("round-trips and never uses exponents", () => {
    for (let e = -20; e <= 25; e++) {
      for (const m of [1, 1.5, 3.14159, 9.999]) {
        const n = m * 10 ** e;
        const text = formatQueryNumber(n);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(n);
      }
    }
  });
});

describe("grammar negatives (the parser rejects malformed queries)", () => {
  it.each([
    ["missing threshold", "sum(last_1h):sum:pipeline.runs{pipeline:x}.as_count() >"],
    ["exponent threshold", "sum(last_1h):sum:pipeline.runs{pipeline:x}.as_count() > 1e-7"],
    ["seconds window", "sum(last_90s):sum:pipeline.runs{pipeline:x} > 1"],
    ["window over 168h", "sum(last_169h):sum:pipeline.runs{pipeline:x} > 1"],
    ["window over 10080m", "sum(last_10081m):sum:pipeline.runs{pipeline:x} > 1"],
    ["last_2d", "sum(last_2d):sum:pipeline.runs{pipeline:x} > 1"],
    ["unknown time aggregation", "median(last_5m):sum:pipeline.runs{pipeline:x} > 1"],
    ["unknown space aggregation", "sum(last_5m):count:pipeline.runs{pipeline:x} > 1"],
    ["percentile on a non-distribution", "min(last_5m):p95:pipeline.cpu.usage{pipeline:x} > 1"],
    ["unclosed scope", "sum(last_5m):sum:pipeline.runs{pipeline:x > 1"],
    ["empty scope", "sum(last_5m):sum:pipeline.runs{} > 1"],
    ["bad comparator", "sum(last_5m):sum:pipeline.runs{pipeline:x} => 1"],
    ["dangling arithmetic", "sum(last_5m):sum:pipeline.runs{pipeline:x}.as_count() / > 1"],
    ["unknown modifier", "sum(last_5m):sum:pipeline.runs{pipeline:x}.as_total() > 1"],
    ["space in metric", "sum(last_5m):sum:pipeline runs{pipeline:x} > 1"],
    ["trailing text", "sum(last_5m):sum:pipeline.runs{pipeline:x} > 1 extra"],
    ["no time aggregation", "sum:pipeline.runs{pipeline:x} > 1"],
    ["tag starting with a digit", "sum(last_5m):sum:pipeline.runs{1pipeline:x} > 1"],
    ["no metric at all", "sum(last_5m):1 > 1"],
  ])("%s", (_name, query) => {
    expect(() => parseMetricQuery(query, { isDistribution })).toThrow(GrammarError);
  });

  it("accepts the documented forms", () => {
    for (const q of [
      "avg(last_5m):sum:system.net.bytes_rcvd{host:host0} > 100",
      "avg(last_1h):avg:aws.ec2.cpu{environment:foo,host:foo} by {host} > 2",
      "sum(last_1d):sum:a.b{*} by {x,y}.as_count() / sum:c.d{!env:dev}.as_count() * 100 >= 0.5",
      "max(last_1w):max:a{t:v-*} <= -3",
      "min(last_5m):(sum:a{*} + sum:b{*}) / 2 != 7",
    ]) {
      expect(() => parseMetricQuery(q), q).not.toThrow();
    }
  });
});
