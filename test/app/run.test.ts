/**
 * What `pipemon run` reports, as pure tables: which series each sink gets (names and labels
 * from the pipeline's resolved signals, spec overrides included), how a phase is bounded, and
 * how a failed sink is reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSpecs } from "../../src/spec/index.js";
import {
  prepareRun,
  datadogSeries,
  endPoints,
  pushgatewayGroups,
  reportPhase,
  resolveSinks,
  sinkWarnings,
  startPoints,
  type RunEnd,
  type Sink,
} from "../../src/app/run.js";
import { SIGNALS } from "../../src/model/signals.js";
import type { Pipeline, ResolvedSignal, SignalKey } from "../../src/model/types.js";
import { SIGNAL_KEYS } from "../../src/model/types.js";
import { batchPipeline, project } from "../fixtures/model.js";

const END: RunEnd = {
  startedAt: 1_800_000_000,
  endedAt: 1_800_000_042.5,
  durationSeconds: 42.5,
  outcome: "failed",
  counts: { recordsProcessed: 1200, recordsFailed: 3, bytesProcessed: 4096, errors: { timeout: 2 } },
  usage: { cpu: 0.5, memory: 0.25 },
};

/** A pipeline whose metrics already exist under the team's own names and labels. */
function legacyPipeline(): Pipeline {
  const base = batchPipeline({ name: "legacy-orders" });
  const signals = {} as Record<SignalKey, ResolvedSignal>;
  for (const key of SIGNAL_KEYS) signals[key] = { ...base.signals[key], matchers: { job: "orders-loader", env: "prod" } };
  signals.runs = { prometheus: "orders_loader_runs_total", datadog: "orders.loader.runs", matchers: { job: "orders-loader", env: "prod" } };
  signals.recordsProcessed = { prometheus: "orders_loader_rows_total", datadog: "orders.loader.rows", matchers: { app: "orders" } };
  return { ...base, signals };
}

describe("pushgateway groups", () => {
  it("default contract: one group job=pipemon, pipeline=<name>; counters add, gauges set", () => {
    const p = batchPipeline({ name: "orders-etl" });
    const groups = pushgatewayGroups(p, endPoints(END));
    expect(groups.map((g) => g.groupingKey)).toEqual([{ job: "pipemon", pipeline: "orders-etl" }]);
    const families = Object.fromEntries(groups[0]!.families.map((f) => [f.name, f]));
    expect(Object.keys(families).sort()).toEqual(
      (["runs", "duration", "inProgress", "lastFailure", "recordsProcessed", "recordsFailed", "bytes", "errors", "cpu", "memory"] as const).map((k) => SIGNALS[k].prometheus).sort(),
    );
    expect(families.pipeline_runs_total).toMatchObject({ type: "counter", op: "add", samples: [{ labels: { status: "success" }, value: 0 }, { labels: { status: "failed" }, value: 1 }] });
    expect(families.pipeline_errors_total).toMatchObject({ type: "counter", op: "add", samples: [{ labels: { error_type: "timeout" }, value: 2 }] });
    expect(families.pipeline_last_failure_timestamp_seconds).toMatchObject({ type: "gauge", op: "set", samples: [{ labels: {}, value: END.endedAt }] });
    expect(families.pipeline_run_in_progress).toMatchObject({ type: "gauge", op: "set", samples: [{ value: 0 }] });
    expect(families.pipeline_cpu_usage_ratio!.samples).toEqual([{ labels: {}, value: 0.5 }]);
    expect(families.pipeline_last_success_timestamp_seconds).toBeUndefined();
  });

  it("a success sets the last-success gauge instead of the last-failure one", () => {
    const families = pushgatewayGroups(batchPipeline(), endPoints({ ...END, outcome: "success" }))[0]!.families.map((f) => f.name);
    expect(families).toContain("pipeline_last_success_timestamp_seconds");
    expect(families).not.toContain("pipeline_last_failure_timestamp_seconds");
  });

  it("the start creates every counter at 0 and sets in progress with the start time", () => {
    const [group] = pushgatewayGroups(batchPipeline(), startPoints({ startedAt: 1_800_000_000 }));
    const byName = Object.fromEntries(group!.families.map((f) => [f.name, f]));
    expect(byName.pipeline_run_in_progress!.samples).toEqual([{ labels: {}, value: 1 }]);
    expect(byName.pipeline_run_start_timestamp_seconds!.samples).toEqual([{ labels: {}, value: 1_800_000_000 }]);
    for (const name of ["pipeline_runs_total", "pipeline_records_processed_total", "pipeline_records_failed_total", "pipeline_bytes_processed_total"]) {
      expect(byName[name], name).toMatchObject({ op: "add" });
      expect(byName[name]!.samples.every((s) => s.value === 0), name).toBe(true);
    }
  });

  it("spec overrides: the spec's names, its selector as grouping key (its own job), a signal's own selector its own group", () => {
    const groups = pushgatewayGroups(legacyPipeline(), endPoints(END));
    expect(groups.map((g) => g.groupingKey)).toEqual([{ job: "orders-loader", env: "prod" }, { job: "pipemon", app: "orders" }]);
    expect(groups[0]!.families.map((f) => f.name)).toContain("orders_loader_runs_total");
    expect(groups[0]!.families.map((f) => f.name)).not.toContain("pipeline_runs_total");
    expect(groups[1]!.families).toMatchObject([{ name: "orders_loader_rows_total", op: "add", samples: [{ labels: {}, value: 1200 }] }]);
  });
});

describe("datadog series", () => {
  it("counts are deltas, gauges values; tags are the selector plus status / error_type; no last-success gauge", () => {
    const series = datadogSeries(batchPipeline({ name: "orders-etl" }), endPoints({ ...END, outcome: "success" }), END.endedAt);
    const byKey = Object.fromEntries(series.map((s) => [`${s.metric}{${s.tags.join(",")}}`, s]));
    expect(byKey["pipeline.runs{pipeline:orders-etl,status:success}"]).toEqual({ metric: "pipeline.runs", type: "count", tags: ["pipeline:orders-etl", "status:success"], value: 1, timestamp: 1_800_000_042 });
    expect(byKey["pipeline.runs{pipeline:orders-etl,status:failed}"]).toMatchObject({ type: "count", value: 0 });
    expect(byKey["pipeline.errors{error_type:timeout,pipeline:orders-etl}"]).toMatchObject({ type: "count", value: 2 });
    expect(byKey["pipeline.run.duration{pipeline:orders-etl}"]).toMatchObject({ type: "gauge", value: 42.5 });
    expect(byKey["pipeline.records.processed{pipeline:orders-etl}"]).toMatchObject({ type: "count", value: 1200 });
    // The success is in the runs count; the contract's Datadog name of lastSuccess is that count.
    expect(series.filter((s) => s.metric === "pipeline.runs")).toHaveLength(2);
    expect(series.map((s) => s.metric)).not.toContain("pipeline.last_failure");
  });

  it("a failure sets pipeline.last_failure; overridden names and selectors are used", () => {
    const series = datadogSeries(legacyPipeline(), endPoints(END), END.endedAt);
    expect(series.find((s) => s.metric === "pipeline.last_failure")).toMatchObject({ type: "gauge", tags: ["env:prod", "job:orders-loader"], value: END.endedAt });
    expect(series.find((s) => s.metric === "orders.loader.runs" && s.tags.includes("status:failed"))).toMatchObject({ type: "count", value: 1 });
    expect(series.find((s) => s.metric === "orders.loader.rows")).toMatchObject({ tags: ["app:orders"], value: 1200 });
    expect(series.map((s) => s.metric)).not.toContain("pipeline.runs");
  });
});

describe("resolving sinks", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const proj = project([batchPipeline()]);

  it("the config's URL (with its reference resolved) wins over PIPEMON_PUSHGATEWAY_URL; Datadog needs DD_API_KEY", () => {
    const p = batchPipeline({ targets: ["grafana", "datadog"] });
    const withConfig = { ...proj, metrics: { pushgatewayUrl: "${PGW}" } };
    const r = resolveSinks(withConfig, p, env({ PGW: "http://user:secret@pgw:9091/", PIPEMON_PUSHGATEWAY_URL: "http://other:9091", DD_API_KEY: "k" }), 2000);
    expect(r.notes).toEqual([]);
    expect(r.sinks.map((s) => s.describe)).toEqual(["pushgateway http://pgw:9091", "datadog datadoghq.com"]);
    expect(JSON.stringify(r.sinks.map((s) => s.describe))).not.toContain("secret");
  });

  it("only the sinks of the pipeline's targets", () => {
    const vars = env({ PIPEMON_PUSHGATEWAY_URL: "http://pgw:9091", DD_API_KEY: "k" });
    expect(resolveSinks(proj, batchPipeline({ targets: ["datadog"] }), vars, 2000).sinks.map((s) => s.describe)).toEqual(["datadog datadoghq.com"]);
    expect(resolveSinks(proj, batchPipeline({ targets: ["prometheus"] }), vars, 2000).sinks.map((s) => s.describe)).toEqual(["pushgateway http://pgw:9091"]);
  });

  it("says so when nothing is configured, or when the config's reference is unset", () => {
    expect(resolveSinks(proj, batchPipeline(), env({}), 2000)).toMatchObject({ sinks: [], notes: [expect.stringMatching(/^no metrics sink for orders-etl: set metrics.pushgateway.url/)] });
    const unset = resolveSinks({ ...proj, metrics: { pushgatewayUrl: "${PGW_URL}" } }, batchPipeline({ targets: ["prometheus"] }), env({}), 2000);
    expect(unset.notes).toEqual(["pushgateway: metrics.pushgateway.url refers to ${PGW_URL}, which is not set: the run is not reported to Prometheus"]);
  });
});

describe("a phase is bounded", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a sink that never answers (and ignores the abort) is given up after the timeout; the others are not held up", async () => {
    vi.useFakeTimers();
    let aborted = false;
    const hanging: Sink = {
      describe: "pushgateway http://hang",
      report: (_points, _at, signal) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise(() => {});
      },
    };
    const fine: Sink = { describe: "datadog ok", report: () => Promise.resolve() };
    let settled = false;
    const phase = reportPhase([hanging, fine], startPoints({ startedAt: 1 }), 1, 2000).then((f) => {
      settled = true;
      return f;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const failures = await phase;
    expect(aborted).toBe(true);
    expect([...failures.entries()].map(([s, why]) => [s.describe, why])).toEqual([["pushgateway http://hang", "no answer within 2s"]]);
  });

  it("a sink that fails fast is reported with its reason, once per run", async () => {
    const down: Sink = { describe: "pushgateway http://127.0.0.1:1", report: () => Promise.reject(new Error("connection refused")) };
    const start = await reportPhase([down], startPoints({ startedAt: 1 }), 1, 2000);
    const end = await reportPhase([down], endPoints(END), 2, 2000);
    expect(sinkWarnings([down], start, end)).toEqual(["pushgateway http://127.0.0.1:1: connection refused; the run was not reported (the job itself is unaffected)"]);
    expect(sinkWarnings([down], new Map(), end)).toEqual([
      "pushgateway http://127.0.0.1:1: connection refused; the run's end was not reported, so it still shows as in progress (the job itself is unaffected)",
    ]);
  });
});

describe("the config's metrics.pushgateway.url", () => {
  function load(config: string) {
    const dir = mkdtempSync(join(tmpdir(), "pipemon-run-config-"));
    try {
      writeFileSync(join(dir, "pipemon.yaml"), `apiVersion: pipemon/v1\nkind: Config\nchannels:\n  a: { type: webhook, url: "\${A}", datadog: "@webhook-a" }\nrouting: { critical: [a] }\n${config}`);
      writeFileSync(join(dir, "p.yaml"), "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: p, team: t }\nspec: { type: batch, schedule: \"@daily\" }\n");
      return loadSpecs({ root: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("is per environment: the environment's wins over the config's", () => {
    const r = load('metrics: { pushgateway: { url: "${PGW_URL}" } }\nenvironments:\n  staging: { metrics: { pushgateway: { url: "http://pgw.staging:9091" } } }\n  production: {}\n');
    expect(r.diagnostics).toEqual([]);
    expect(Object.fromEntries(r.projects.map((p) => [p.environment, p.metrics?.pushgatewayUrl]))).toEqual({ production: "${PGW_URL}", staging: "http://pgw.staging:9091" });
  });

  it("must be an http(s) URL or a reference", () => {
    const r = load("metrics: { pushgateway: { url: pgw:9091 } }\n");
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([expect.stringMatching(/^6:\d+: .*an http\(s\) URL or an environment reference like \$\{PUSHGATEWAY_URL\}/)]);
  });
});

describe("preparing a run reads only the spec files that name the pipeline", () => {
  it("a broken spec of another pipeline does not stop the job; an unknown pipeline still gets every finding", () => {
    const dir = mkdtempSync(join(tmpdir(), "pipemon-run-prepare-"));
    try {
      writeFileSync(join(dir, "pipemon.yaml"), 'apiVersion: pipemon/v1\nkind: Config\nchannels:\n  a: { type: webhook, url: "${A}", datadog: "@webhook-a" }\nrouting: { critical: [a] }\n');
      writeFileSync(join(dir, "good.yaml"), 'apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: good-load, team: t }\nspec: { type: batch, schedule: "@daily" }\n');
      writeFileSync(join(dir, "other.yaml"), "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: other-load, team: t }\nspec: { type: batch, schedul: oops }\n");
      const request = { root: dir, command: "true", args: [], env: {}, sinkTimeoutMs: 2000 };
      const ok = prepareRun({ ...request, pipeline: "good-load" });
      expect(ok.ok && ok.run.pipeline.name).toBe("good-load");
      const unknown = prepareRun({ ...request, pipeline: "missing-load" });
      expect(unknown.ok).toBe(false);
      expect(!unknown.ok && unknown.load?.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("unknown key 'schedul'")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
