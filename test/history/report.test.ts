/**
 * The report's analysis on hand-built series: a scripted day of runs is turned into the
 * samples a range query returns, and every expected figure is computed from the script
 * itself (the list of runs), not from the code under test.
 */
import { describe, expect, it } from "vitest";
import { BATCH_INPUTS, pipelineReport, STREAM_INPUTS, type BatchInput, type HistoryInputs, type ReportSpec, type StreamInput } from "../../src/history/report.js";
import { counterIncreases, type MatrixSeries, type Period } from "../../src/history/report-series.js";

const STEP = 60;
const DAY: Period = { since: 0, until: 86400, step: STEP };
const steps = (p: Period): number[] => Array.from({ length: (p.until - p.since) / p.step + 1 }, (_, i) => p.since + i * p.step);

interface Run {
  start: number;
  end: number;
  status: "success" | "failed";
  records: number;
  failedRecords: number;
}

/** A series sampled at every step from a function of time (undefined: no sample). */
function sampled(metric: Record<string, string>, at: (t: number) => number | undefined, period = DAY): MatrixSeries {
  return { metric, values: steps(period).flatMap((t) => (at(t) === undefined ? [] : [[t, String(at(t))] as [number, string]])) };
}

const ended = (runs: readonly Run[], t: number): Run[] => runs.filter((r) => r.end <= t);

/** The samples a batch job's exporter shows for this list of runs. */
function batchSeries(runs: readonly Run[], extra: Partial<HistoryInputs<BatchInput>> = {}): HistoryInputs<BatchInput> {
  const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
  const inputs = Object.fromEntries(BATCH_INPUTS.map((k) => [k, [] as MatrixSeries[]])) as Record<BatchInput, MatrixSeries[]>;
  inputs.runs = (["success", "failed"] as const).map((status) => sampled({ status }, (t) => ended(runs, t).filter((r) => r.status === status).length));
  inputs.duration = [sampled({}, (t) => { const r = last(ended(runs, t)); return r && r.end - r.start; })];
  inputs.lastSuccess = [sampled({}, (t) => last(ended(runs, t).filter((r) => r.status === "success"))?.end)];
  inputs.recordsProcessed = [sampled({}, (t) => ended(runs, t).reduce((a, r) => a + r.records, 0))];
  inputs.recordsFailed = [sampled({}, (t) => ended(runs, t).reduce((a, r) => a + r.failedRecords, 0))];
  return { ...inputs, ...extra };
}

/** Linear interpolation between closest ranks, written out for the test. */
function expectedQuantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! * (1 - (pos - i)) + s[i + 1]! * (pos - i) : s[i]!;
}

const spec: ReportSpec = {
  pipeline: "orders-etl", team: "commerce", type: "batch", windowSeconds: 3600,
  maxDurationSeconds: 1500, freshnessSeconds: 7200, minRecords: 1000,
  failureRate: { warning: 0.01, critical: 0.05 }, cpu: { warning: 0.8, critical: 0.95 },
};

/** Hourly runs starting at hh:05; run 7 fails, runs 12-14 fail (a 4-hour gap), run 20 is slow, run 22 processes few records. */
const RUNS: Run[] = Array.from({ length: 24 }, (_, h) => {
  const start = h * 3600 + 300;
  const failed = h === 7 || (h >= 12 && h <= 14);
  const duration = h === 20 ? 2400 : 600 + h * 30;
  return { start, end: start + duration, status: failed ? ("failed" as const) : ("success" as const), records: h === 22 ? 200 : 5000, failedRecords: h === 9 ? 400 : 10 };
}).filter((r) => r.end <= DAY.until);

describe("report of a batch pipeline", () => {
  const report = pipelineReport(spec, batchSeries(RUNS, { cpu: [sampled({}, (t) => (t >= 40000 && t < 40600 ? 0.97 : 0.4))] }), DAY);
  const b = report.batch!;
  const durations = RUNS.map((r) => r.end - r.start);

  it("counts runs and the success rate from the runs counter", () => {
    const succeeded = RUNS.filter((r) => r.status === "success").length;
    expect(b.runs).toBe(RUNS.length);
    expect(b.succeeded).toBe(succeeded);
    expect(b.failed).toBe(RUNS.length - succeeded);
    expect(b.successRate).toBeCloseTo(succeeded / RUNS.length, 12);
  });

  it("reads each run's duration at its end: p50, p95, max and SLA compliance", () => {
    expect(b.timedRuns).toBe(RUNS.length);
    expect(b.duration!.p50).toBeCloseTo(expectedQuantile(durations, 0.5), 9);
    expect(b.duration!.p95).toBeCloseTo(expectedQuantile(durations, 0.95), 9);
    expect(b.duration!.max).toBe(Math.max(...durations));
    expect(b.slaCompliance).toBeCloseTo(durations.filter((d) => d <= 1500).length / durations.length, 12);
  });

  it("finds the longest gap between successes and flags it against freshness", () => {
    const ends = RUNS.filter((r) => r.status === "success").map((r) => r.end);
    const gaps = ends.slice(1).map((e, i) => ({ seconds: e - ends[i]!, from: ends[i]!, to: e }));
    gaps.push({ seconds: DAY.until - ends[ends.length - 1]!, from: ends[ends.length - 1]!, to: DAY.until });
    const longest = gaps.reduce((a, g) => (g.seconds > a.seconds ? g : a));
    expect(b.longestSuccessGap).toEqual({ seconds: longest.seconds, from: longest.from, to: longest.to });
    expect(report.flags).toContainEqual(expect.objectContaining({ threshold: "sla.freshness", level: "critical", value: longest.seconds, limit: 7200, specPath: ["spec", "sla", "freshness"] }));
  });

  it("counts the gap from the period's start when the first success comes inside the period, as the stale alert does", () => {
    const lateStart = RUNS.map((r, i) => (i < 5 ? { ...r, status: "failed" as const } : r));
    const firstSuccess = lateStart.find((r) => r.status === "success")!.end;
    const g = pipelineReport(spec, batchSeries(lateStart), DAY).batch!.longestSuccessGap!;
    expect(g).toEqual({ seconds: firstSuccess - DAY.since, from: DAY.since, to: firstSuccess });
  });

  it("sums records per schedule window and counts windows under minRecords", () => {
    // Full windows of an hour from midnight; each holds the runs that ended in it.
    const perWindow = Array.from({ length: 24 }, (_, w) => RUNS.filter((r) => r.end > w * 3600 && r.end <= (w + 1) * 3600).reduce((a, r) => a + r.records, 0));
    expect(b.recordsPerWindow!.windows).toBe(24);
    expect(b.recordsPerWindow!.min).toBe(Math.min(...perWindow));
    expect(b.recordsPerWindow!.belowMinRecords).toBe(perWindow.filter((n) => n < 1000).length);
    const failedTotal = RUNS.reduce((a, r) => a + r.failedRecords, 0);
    const processedTotal = RUNS.reduce((a, r) => a + r.records, 0);
    expect(b.failureRatio.overall).toBeCloseTo(failedTotal / processedTotal, 12);
    expect(b.failureRatio.worstWindow).toBeCloseTo(400 / 5000, 12);
  });

  it("flags each figure beyond a threshold with the level, the value, the limit and the spec path", () => {
    const byThreshold = Object.fromEntries(report.flags.map((f) => [f.threshold, f]));
    expect(byThreshold["sla.maxDuration"]).toMatchObject({ level: "critical", value: 2400, limit: 1500, comparator: ">" });
    expect(byThreshold["thresholds.minRecords"]).toMatchObject({ level: "critical", value: 200, limit: 1000, comparator: "<" });
    expect(byThreshold["thresholds.failureRate.critical"]).toMatchObject({ value: 0.08, limit: 0.05, specPath: ["spec", "thresholds", "failureRate", "critical"] });
    expect(byThreshold["thresholds.cpu.critical"]).toMatchObject({ value: 0.97, limit: 0.95 });
    expect(report.cpu!.peak).toBe(0.97);
  });

  it("flags a warning level when only the warning is crossed", () => {
    const r = pipelineReport(spec, batchSeries(RUNS, { cpu: [sampled({}, () => 0.85)] }), DAY);
    expect(r.flags.find((f) => f.threshold.startsWith("thresholds.cpu"))).toMatchObject({ threshold: "thresholds.cpu.warning", level: "warning", limit: 0.8 });
  });

  it("sees a hung run through the in-progress time and flags it against maxDuration", () => {
    const hung = pipelineReport(spec, batchSeries(RUNS, { currentRun: [sampled({}, (t) => (t >= 3600 && t <= 3600 * 4 ? t - 3600 : undefined))] }), DAY);
    expect(hung.batch!.longestInProgress).toBe(3 * 3600);
    expect(hung.flags.find((f) => f.threshold === "sla.maxDuration")!.value).toBe(3 * 3600);
  });

  it("reports a pipeline without any series as having no runs and, like the stale alert, no success for the whole period", () => {
    const none = Object.fromEntries(BATCH_INPUTS.map((k) => [k, []])) as unknown as HistoryInputs<BatchInput>;
    const empty = pipelineReport(spec, none, DAY);
    expect(empty.batch).toMatchObject({ runs: 0, successRate: null, duration: null, timedRuns: 0, recordsPerWindow: null, longestSuccessGap: { seconds: DAY.until, from: 0, to: null } });
    expect(empty.flags.map((f) => f.threshold)).toEqual(["sla.freshness"]);
  });
});

describe("counter increases", () => {
  it("reads a drop as a reset and counts a series born inside the period with its first value", () => {
    const period: Period = { since: 0, until: 600, step: 60 };
    const reset: MatrixSeries = { metric: { status: "success" }, values: [[0, "5"], [60, "6"], [120, "1"], [180, "3"]] };
    const born: MatrixSeries = { metric: { status: "failed" }, values: [[240, "1"], [300, "1"], [360, "2"]] };
    const xs = counterIncreases([reset, born], period);
    expect(xs.map((x) => [x.t, x.amount, x.metric.status])).toEqual([[60, 1, "success"], [120, 1, "success"], [180, 2, "success"], [240, 1, "failed"], [360, 1, "failed"]]);
  });
});

describe("report of a stream", () => {
  const streamSpec: ReportSpec = { pipeline: "clickstream", team: "growth", type: "streaming", throughput: { warning: 500, critical: 100 }, backlog: { warning: 10000, critical: 100000 }, latencyP95: { critical: 2 }, errorRate: { critical: 0.01 } };
  // 1,000/s, a dead hour (0/s) from 10:00 to 11:00, backlog climbing to 20,000 meanwhile.
  const rate = (t: number): number => (t >= 36000 && t < 39600 ? 0 : 1000);
  const inputs = Object.fromEntries(STREAM_INPUTS.map((k) => [k, [] as MatrixSeries[]])) as Record<StreamInput, MatrixSeries[]>;
  inputs.throughput = [sampled({}, rate)];
  inputs.backlog = [sampled({}, (t) => (rate(t) === 0 ? (t - 36000) * 5.5 : 0))];
  inputs.latencyP95 = [sampled({}, (t) => (t < 3600 ? 1.5 : 0.2))];
  inputs.streamProcessed = [sampled({}, (t) => t * 1000)];
  inputs.streamFailed = [sampled({}, (t) => t * 2)];
  const r = pipelineReport(streamSpec, inputs, DAY);

  it("gives throughput min and median, backlog max, latency p95 and the error ratio", () => {
    const values = steps(DAY).map(rate);
    expect(r.stream!.throughput).toEqual({ min: 0, median: expectedQuantile(values, 0.5) });
    expect(r.stream!.backlog!.max).toBe(3540 * 5.5);
    expect(r.stream!.latencyP95!.max).toBe(1.5);
    expect(r.stream!.errorRatio.overall).toBeCloseTo(0.002, 12);
  });

  it("flags the dead stream below the throughput threshold and the backlog above its warning", () => {
    expect(r.flags.map((f) => [f.threshold, f.level])).toEqual([["thresholds.throughput.critical", "critical"], ["thresholds.backlog.warning", "warning"]]);
  });
});
