/**
 * `report` end to end against a real Prometheus (Debian package) whose history is a scripted
 * two days backfilled with promtool (test/support/history.ts): an hourly batch job with
 * failures, a failure streak, a slow run, a scrape gap, a low-volume run, bad records, an
 * error burst, CPU and memory peaks and a run that hangs to the end; a stream with latency,
 * throughput and error incidents; a stream that dies. Every expected figure is computed here
 * from the timeline (what happened), not from pipemon's code. `--suggest`'s page counts are
 * checked against `backtest` run on specs that carry the suggested thresholds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backtest } from "../../src/app/backtest.js";
import { report, type ReportResult } from "../../src/app/report.js";
import type { ReportEntry } from "../../src/history/report-render.js";
import type { Suggestion } from "../../src/history/report-suggest.js";
import { formatDuration } from "../../src/lib/duration.js";
import { bucketP95, runEnd, scrapeTimes, startHistoryPrometheus, type BatchRun, type HistoryPrometheus, type StreamTimeline, type Timeline } from "../support/history.js";

const HOUR = 3600;
const DURATION = 48 * HOUR;
const SCRAPE = 60;
const GAP: [number, number] = [28 * HOUR + 200, 28 * HOUR + 900];
/** The report's period starts an hour into the history, as a real one starts inside a store's history. */
const START = HOUR;

/** 44 hourly runs, then one that hangs to the end. */
const RUNS: BatchRun[] = Array.from({ length: 45 }, (_, h): BatchRun => ({
  start: h * HOUR,
  duration: h === 44 ? null : h === 30 ? 3000 : 600 + (h % 7) * 60,
  status: h === 5 || (h >= 20 && h <= 22) ? "failed" : "success",
  records: h === 10 ? 300 : 5000,
  failedRecords: h === 15 ? 400 : 10,
  errors: { timeout: h === 33 ? 12 : 1 },
  cpu: h === 25 ? 0.97 : 0.5,
  memory: h === 26 ? 0.85 : 0.6,
}));

const NORMAL = { throughput: 1000, latency: 0.2, backlog: 100, errorRatio: 0.001, cpu: 0.4, memory: 0.5 };
const CLICKSTREAM: StreamTimeline = {
  type: "streaming", name: "clickstream", normal: NORMAL,
  incidents: [
    { from: 10 * HOUR, to: 11 * HOUR, latency: 3 },
    { from: 20 * HOUR, to: 21 * HOUR, throughput: 50, backlog: 200_000 },
    { from: 30 * HOUR, to: 31 * HOUR, errorRatio: 0.02 },
  ],
};
const DEAD: StreamTimeline = { type: "streaming", name: "dead-stream", normal: NORMAL, deadAt: 24 * HOUR };

const TIMELINE: Timeline = {
  duration: DURATION,
  scrapeSeconds: SCRAPE,
  pipelines: [{ type: "batch", name: "orders-etl", runs: RUNS, gaps: [GAP] }, CLICKSTREAM, DEAD],
};

interface Thresholds {
  maxDuration: string; freshness: string; failureRate: [string, string]; minRecords: number; cpu: [string, string]; memory: [string, string]; errors: [string | number, string | number];
  latencyP95: [string, string]; throughput: [string, string]; backlog: [number, number]; errorRate: [string, string];
}
const CURRENT: Thresholds = {
  maxDuration: "45m", freshness: "2h", failureRate: ["1%", "5%"], minRecords: 1000, cpu: ["80%", "95%"], memory: ["80%", "95%"], errors: ["", 10],
  latencyP95: ["500ms", "2s"], throughput: ["500/s", "100/s"], backlog: [10000, 100000], errorRate: ["0.5%", "1%"],
};

const levels = ([warning, critical]: readonly [string | number, string | number]): string => `{ ${warning !== "" ? `warning: ${warning}, ` : ""}critical: ${critical} }`;

function writeSpecs(dir: string, t: Thresholds): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipemon.yaml"), [
    "apiVersion: pipemon/v1",
    "kind: Config",
    "grafana: { datasource: { type: prometheus, uid: prometheus }, ruleInterval: 1m }",
    "channels:",
    "  oncall: { type: email, addresses: [oncall@example.com], datadog: \"@oncall@example.com\" }",
    "routing: { critical: [oncall], high: [oncall], medium: [oncall], low: [oncall] }",
    "defaults: { targets: [prometheus] }",
    "",
  ].join("\n"));
  writeFileSync(join(dir, "orders-etl.yaml"), [
    "apiVersion: pipemon/v1",
    "kind: Pipeline",
    "metadata: { name: orders-etl, team: commerce }",
    "spec:",
    "  type: batch",
    '  schedule: "0 * * * *"',
    "  sla:",
    `    maxDuration: ${t.maxDuration}`,
    `    freshness: ${t.freshness}`,
    "  thresholds:",
    `    failureRate: ${levels(t.failureRate)}`,
    `    minRecords: ${t.minRecords}`,
    `    cpu: ${levels(t.cpu)}`,
    `    memory: ${levels(t.memory)}`,
    `    errors: ${levels(t.errors)}`,
    "",
  ].join("\n"));
  for (const name of ["clickstream", "dead-stream"]) {
    writeFileSync(join(dir, `${name}.yaml`), [
      "apiVersion: pipemon/v1",
      "kind: Pipeline",
      `metadata: { name: ${name}, team: growth }`,
      "spec:",
      "  type: streaming",
      "  thresholds:",
      `    latencyP95: ${levels(t.latencyP95)}`,
      `    throughput: ${levels(t.throughput)}`,
      `    backlog: ${levels(t.backlog)}`,
      `    errorRate: ${levels(t.errorRate)}`,
      "",
    ].join("\n"));
  }
}

/** Linear interpolation between closest ranks (the statistic the report states it uses). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! + (s[i + 1]! - s[i]!) * (pos - i) : s[i]!;
}

/** Where a key is written in a spec file, as `file:line:col` of its value. */
function lineOf(file: string, key: string, sub?: string): string {
  const shown = relative(process.cwd(), file);
  const lines = readFileSync(file, "utf8").split("\n");
  const i = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
  const line = lines[i]!;
  const col = sub !== undefined ? line.indexOf(`${sub}:`) + sub.length + 3 : line.indexOf(":") + 3;
  return `${shown}:${i + 1}:${col}`;
}

let prom: HistoryPrometheus;
let root: string;
let since: number;
let until: number;
let result: ReportResult;
const env = (name: string): string | undefined => (name === "PROMETHEUS_URL" ? prom.url : undefined);
const byName = (name: string): ReportEntry => result.document!.pipelines.find((p) => p.pipeline === name)!;

beforeAll(async () => {
  prom = await startHistoryPrometheus(TIMELINE);
  since = prom.origin + START;
  until = prom.origin + DURATION;
  root = mkdtempSync(join(tmpdir(), "pipemon-report-"));
  writeSpecs(join(root, "specs"), CURRENT);
  result = await report({ root: join(root, "specs"), since, until, suggest: true, charts: true, env });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("report of a batch job against a real Prometheus", () => {
  const ended = RUNS.filter((r) => runEnd(r) !== null && runEnd(r)! > START && runEnd(r)! <= DURATION);
  const durations = ended.map((r) => r.duration!);

  it("covers the period it was asked for, one entry per pipeline", () => {
    expect(result.problem).toBeUndefined();
    expect(result.document).toMatchObject({ since, until, step: 60 });
    expect(result.document!.pipelines.map((p) => p.pipeline)).toEqual(["clickstream", "dead-stream", "orders-etl"]);
  });

  it("counts the runs and the success rate", () => {
    const succeeded = ended.filter((r) => r.status === "success").length;
    expect(byName("orders-etl").batch).toMatchObject({ runs: ended.length, succeeded, failed: ended.length - succeeded });
    expect(byName("orders-etl").batch!.successRate).toBeCloseTo(succeeded / ended.length, 12);
  });

  it("reads every run's duration at its end, the one ending in the scrape gap included: p50, p95, max, SLA compliance", () => {
    const b = byName("orders-etl").batch!;
    expect(b.timedRuns).toBe(ended.length);
    expect(b.duration!.p50).toBeCloseTo(quantile(durations, 0.5), 9);
    expect(b.duration!.p95).toBeCloseTo(quantile(durations, 0.95), 9);
    expect(b.duration!.max).toBe(Math.max(...durations));
    expect(b.slaCompliance).toBeCloseTo(durations.filter((d) => d <= 45 * 60).length / durations.length, 12);
  });

  it("sees the hung run in progress until the end of the period", () => {
    const hung = RUNS.find((r) => r.duration === null)!;
    expect(byName("orders-etl").batch!.longestInProgress).toBe(DURATION - hung.start);
  });

  it("finds the longest gap between successes, the one still open at the end", () => {
    // The last success before the period opens the first gap.
    const ends = RUNS.filter((r) => r.status === "success" && runEnd(r) !== null && runEnd(r)! <= DURATION).map((r) => prom.origin + runEnd(r)!);
    const gaps = ends.map((e, i) => ({ seconds: (ends[i + 1] ?? until) - e, from: e, to: ends[i + 1] ?? null }));
    const longest = gaps.reduce((a, g) => (g.seconds > a.seconds ? g : a));
    expect(longest.to).toBeNull();
    expect(byName("orders-etl").batch!.longestSuccessGap).toEqual(longest);
  });

  it("sums records, failed records and errors per hourly window, each run counted where the counter showed it", () => {
    // A run's records show at the first scrape at or after its end that is not in the gap.
    const seen = (r: BatchRun): number => scrapeTimes(TIMELINE).find((t) => t >= runEnd(r)! && !(t >= GAP[0] && t < GAP[1]))!;
    const windows = Array.from({ length: (DURATION - START) / HOUR }, (_, w) => ended.filter((r) => seen(r) > START + w * HOUR && seen(r) <= START + (w + 1) * HOUR));
    const records = windows.map((rs) => rs.reduce((n, r) => n + r.records!, 0));
    const b = byName("orders-etl").batch!;
    expect(b.recordsPerWindow).toEqual({ windows: windows.length, min: Math.min(...records), median: quantile(records, 0.5), belowMinRecords: records.filter((n) => n < 1000).length });
    const failed = windows.map((rs) => rs.reduce((n, r) => n + r.failedRecords!, 0));
    expect(b.failureRatio.worstWindow).toBeCloseTo(Math.max(...failed.map((f, i) => (records[i]! > 0 ? f / records[i]! : 0))), 12);
    expect(b.failureRatio.overall).toBeCloseTo(ended.reduce((n, r) => n + r.failedRecords!, 0) / ended.reduce((n, r) => n + r.records!, 0), 12);
    expect(b.errorsPerWindow!.max).toBe(Math.max(...windows.map((rs) => rs.reduce((n, r) => n + r.errors!.timeout!, 0))));
  });

  it("gives CPU and memory peaks", () => {
    expect(byName("orders-etl").cpu!.peak).toBe(Math.max(...RUNS.map((r) => r.cpu!)));
    expect(byName("orders-etl").memory!.peak).toBe(Math.max(...RUNS.map((r) => r.memory!)));
  });

  it("flags each bottleneck with its threshold, level, value and the spec line to look at", () => {
    const file = join(root, "specs", "orders-etl.yaml");
    const flags = Object.fromEntries(byName("orders-etl").flags.map((f) => [f.threshold, f]));
    expect(Object.keys(flags).sort()).toEqual(["sla.freshness", "sla.maxDuration", "thresholds.cpu.critical", "thresholds.errors.critical", "thresholds.failureRate.critical", "thresholds.memory.warning", "thresholds.minRecords"]);
    expect(flags["sla.maxDuration"]).toMatchObject({ level: "critical", limit: 45 * 60, value: DURATION - RUNS[44]!.start, location: lineOf(file, "maxDuration") });
    expect(flags["thresholds.minRecords"]).toMatchObject({ value: 0, limit: 1000, location: lineOf(file, "minRecords") });
    expect(flags["thresholds.cpu.critical"]).toMatchObject({ value: 0.97, limit: 0.95, location: lineOf(file, "cpu", "critical") });
    expect(flags["thresholds.memory.warning"]).toMatchObject({ value: 0.85, limit: 0.8, location: lineOf(file, "memory", "warning") });
    expect(flags["thresholds.failureRate.critical"]).toMatchObject({ value: 400 / 5000, location: lineOf(file, "failureRate", "critical") });
  });
});

describe("report of streams against a real Prometheus", () => {
  it("gives latency p95, throughput min and median, backlog max and the error ratio of the stream", () => {
    const s = byName("clickstream").stream!;
    expect(s.latencyP95!.median).toBeCloseTo(bucketP95(NORMAL.latency), 9);
    expect(s.latencyP95!.max).toBeCloseTo(bucketP95(3), 9);
    expect(s.throughput!.min).toBeCloseTo(50, 6);
    expect(s.throughput!.median).toBeCloseTo(1000, 6);
    expect(s.backlog!.max).toBe(200_000);
    expect(s.errorRatio.worst).toBeCloseTo(0.02, 9);
    // Records and failures integrated over the timeline's scrape intervals.
    let processed = 0;
    let failed = 0;
    const ticks = scrapeTimes(TIMELINE);
    for (let i = 1; i < ticks.length; i++) {
      const t = ticks[i]!;
      if (t <= START) continue;
      const incident = CLICKSTREAM.incidents!.find((x) => t >= x.from && t < x.to);
      const rate = incident?.throughput ?? NORMAL.throughput;
      processed += rate * SCRAPE;
      failed += rate * SCRAPE * (incident?.errorRatio ?? NORMAL.errorRatio);
    }
    expect(s.errorRatio.overall).toBeCloseTo(failed / processed, 9);
  });

  it("reads the dead stream as 0/s and flags it below the critical throughput", () => {
    const dead = byName("dead-stream");
    expect(dead.stream!.throughput!.min).toBe(0);
    expect(dead.flags.map((f) => [f.threshold, f.value])).toEqual([["thresholds.throughput.critical", 0]]);
  });

  it("flags the stream's incidents", () => {
    expect(byName("clickstream").flags.map((f) => f.threshold).sort()).toEqual(["thresholds.backlog.critical", "thresholds.errorRate.critical", "thresholds.latencyP95.critical", "thresholds.throughput.critical"]);
  });
});

/** The spec text of a suggested value, in the unit the spec writes. */
function specValue(s: Suggestion, value: number): string | number {
  if (s.unit === "ratio") return `${Number((value * 100).toPrecision(6))}%`;
  if (s.unit === "seconds") return formatDuration(value);
  if (s.unit === "perSecond") return `${value}/s`;
  return value;
}

/** The thresholds with every suggestion applied (warning only where one is suggested). */
function suggestedThresholds(): Thresholds {
  const t: Record<string, unknown> = { ...CURRENT };
  const all = result.document!.pipelines.filter((p) => p.pipeline !== "dead-stream").flatMap((p) => p.suggestions ?? []);
  for (const s of all) {
    if (s.levels.length === 0) continue;
    const key = s.threshold.split(".").pop()!;
    const critical = specValue(s, s.levels.find((l) => l.level === "critical")!.suggested);
    const warning = s.levels.find((l) => l.level === "warning");
    t[key] = s.levelled ? [warning ? specValue(s, warning.suggested) : "", critical] : critical;
  }
  return t as unknown as Thresholds;
}

describe("report --suggest against backtest on the same history", () => {
  it("suggests a threshold for every alert with one, stating the statistic, margin and page counts", () => {
    const s = byName("orders-etl").suggestions!;
    expect(s.map((x) => x.threshold)).toEqual(["sla.maxDuration", "sla.freshness", "thresholds.failureRate", "thresholds.minRecords", "thresholds.errors", "thresholds.cpu", "thresholds.memory"]);
    for (const x of s.flatMap((y) => y.levels)) expect(x.statistic).toMatch(/^p(99|95|1|5) × (1\.2|0\.8)$/);
  });

  it("counts the current thresholds' pages exactly as backtest does", async () => {
    const bt = await backtest({ root: join(root, "specs"), since, until, env, selectors: ["orders-etl", "clickstream"] });
    if (!bt.ok) throw new Error(bt.message);
    const episodes = (pipeline: string, alert: string, severity: string): number => bt.result.alerts.find((a) => a.pipeline === pipeline && a.alert === alert && a.severity === severity)?.episodes.length ?? 0;
    let compared = 0;
    for (const p of ["orders-etl", "clickstream"]) {
      for (const s of byName(p).suggestions!) {
        const rule = bt.result.alerts.filter((a) => a.pipeline === p && a.alert === s.alert);
        for (const l of s.levels) {
          if (l.currentPages === undefined) continue;
          // The critical level carries the alert's severity, the warning level the next lower one.
          const severities = [...new Set(rule.map((a) => a.severity))];
          const severity = l.level === "critical" ? severities[0]! : severities[1]!;
          expect({ p, alert: s.alert, level: l.level, pages: l.currentPages }).toEqual({ p, alert: s.alert, level: l.level, pages: episodes(p, s.alert, severity) });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(8);
  });

  it("counts the suggested thresholds' pages exactly as backtest does on specs that carry them", async () => {
    const dir = join(root, "suggested");
    writeSpecs(dir, suggestedThresholds());
    const bt = await backtest({ root: dir, since, until, env, selectors: ["orders-etl", "clickstream"] });
    if (!bt.ok) throw new Error(`${bt.message}: ${JSON.stringify(bt.load?.diagnostics.map((d) => d.message))}`);
    let compared = 0;
    for (const p of ["orders-etl", "clickstream"]) {
      for (const s of byName(p).suggestions!) {
        const alerts = bt.result.alerts.filter((a) => a.pipeline === p && a.alert === s.alert);
        for (const l of s.levels) {
          const severities = [...new Set(alerts.map((a) => a.severity))];
          const severity = l.level === "critical" ? severities[0]! : severities[1]!;
          const expected = alerts.find((a) => a.severity === severity)?.episodes.length ?? 0;
          expect({ p, alert: s.alert, level: l.level, suggested: l.suggested, pages: l.pages }).toEqual({ p, alert: s.alert, level: l.level, suggested: l.suggested, pages: expected });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(8);
  }, 60_000);
});
