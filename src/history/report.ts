/**
 * The performance report of one pipeline from its history (DESIGN §10), pure: range-query
 * results in, figures and bottleneck flags out. Which PromQL produced each input is the
 * app's business (src/app/report.ts reads them through the same builders as the rules).
 *
 * Method, batch:
 * - runs: the increases of the runs counter between consecutive samples, per `status` label
 *   (a drop is a counter reset; a series born inside the period counts its first value);
 * - durations: the last-run-duration gauge read at each sample where the runs counter went
 *   up, i.e. at each run's end. Two runs ending within one step show only the later one's
 *   duration (`timedRuns` < `runs` says so);
 * - longest gap between successes: the distinct values of the last-success timestamp gauge
 *   (exact end times), the gap still open at the end of the period included; without that
 *   gauge, the sample times at which the success counter went up;
 * - records, failed records and errors per schedule window: counter increases summed in
 *   consecutive windows of the schedule's length from the period's start, full windows only,
 *   from the first window in which the counter reported;
 * - CPU and memory: the values of the queries the cpu and memory alerts compare.
 * Streams: the values of the latency p95, throughput and backlog queries of the alerts (so a
 * dead stream reads as 0/s), and the error ratio overall (counter increases) and at worst
 * (the dataQuality query's highest value).
 */
import type { PipelineType } from "../model/types.js";
import {
  counterIncreases,
  finiteValues,
  maximum,
  minimum,
  quantile,
  valueAt,
  type Increase,
  type MatrixSeries,
  type Period,
} from "./report-series.js";

/** The range queries a batch report reads, by name (src/app/report.ts builds each). */
export const BATCH_INPUTS = ["runs", "duration", "lastSuccess", "currentRun", "recordsProcessed", "recordsFailed", "errors", "cpu", "memory"] as const;
/** The range queries a streaming report reads. */
export const STREAM_INPUTS = ["latencyP95", "throughput", "backlog", "errorRatio", "streamFailed", "streamProcessed", "cpu", "memory"] as const;
export type BatchInput = (typeof BATCH_INPUTS)[number];
export type StreamInput = (typeof STREAM_INPUTS)[number];
export type HistoryInputs<K extends string> = Readonly<Record<K, readonly MatrixSeries[]>>;

export type FigureUnit = "seconds" | "ratio" | "count" | "perSecond";

/** Warning and critical levels of a threshold as the model holds them (base units). */
export interface Levels {
  warning?: number;
  critical: number;
}

/** What the analysis needs of a pipeline's spec: thresholds in base units, the schedule window. */
export interface ReportSpec {
  pipeline: string;
  team: string;
  type: PipelineType;
  windowSeconds?: number;
  maxDurationSeconds?: number;
  freshnessSeconds?: number;
  failureRate?: Levels;
  minRecords?: number;
  errors?: Levels;
  cpu?: Levels;
  memory?: Levels;
  latencyP95?: Levels;
  throughput?: Levels;
  backlog?: Levels;
  errorRate?: Levels;
}

/**
 * A bottleneck: a figure of the period on the wrong side of one of the spec's thresholds.
 * `specPath` is where that threshold is written in a pipeline document; the app turns it into
 * `file:line` (`location`).
 */
export interface Flag {
  figure: string;
  /** The threshold as written in YAML, e.g. `thresholds.cpu.critical`, `sla.maxDuration`. */
  threshold: string;
  level: "critical" | "warning";
  comparator: ">" | "<";
  value: number;
  limit: number;
  unit: FigureUnit;
  specPath: readonly string[];
  location?: string;
}

export interface Distribution {
  p50: number;
  p95: number;
  max: number;
}

export interface BatchFigures {
  runs: number;
  succeeded: number;
  failed: number;
  /** succeeded / runs; null without runs. */
  successRate: number | null;
  /** Runs whose duration was read (see the method above). */
  timedRuns: number;
  duration: Distribution | null;
  /** Share of timed runs that took at most sla.maxDuration; null without maxDuration or timed runs. */
  slaCompliance: number | null;
  /** The longest a run was seen in progress (a hung run never reports a duration). */
  longestInProgress: number | null;
  longestSuccessGap: { seconds: number; from: number; to: number | null } | null;
  windowSeconds: number;
  recordsPerWindow: { windows: number; min: number; median: number; belowMinRecords: number | null } | null;
  failureRatio: { overall: number | null; worstWindow: number | null };
  errorsPerWindow: { max: number; median: number } | null;
}

export interface StreamFigures {
  latencyP95: { median: number; max: number } | null;
  throughput: { min: number; median: number } | null;
  backlog: { max: number } | null;
  errorRatio: { overall: number | null; worst: number | null };
}

export interface Peak {
  peak: number;
  p95: number;
}

export interface PipelineReport {
  pipeline: string;
  team: string;
  type: PipelineType;
  batch?: BatchFigures;
  stream?: StreamFigures;
  cpu: Peak | null;
  memory: Peak | null;
  /** No query returned any series: the metric names or the query URL are likely wrong. */
  noHistory?: true;
  flags: Flag[];
}

const peak = (series: readonly MatrixSeries[]): Peak | null => {
  const values = finiteValues(series);
  return values.length ? { peak: maximum(values)!, p95: quantile(values, 0.95)! } : null;
};

const sum = (xs: readonly Increase[]): number => xs.reduce((a, x) => a + x.amount, 0);

/** Amounts per full window of `w` seconds from the first window the counter reported in. */
function perWindow(increases: readonly Increase[], series: readonly MatrixSeries[], period: Period, w: number): number[] | undefined {
  const first = Math.min(...series.flatMap((s) => (s.values.length ? [s.values[0]![0]] : [])));
  if (!Number.isFinite(first)) return undefined;
  const full = Math.floor((period.until - period.since) / w);
  const firstWindow = Math.max(0, Math.floor((first - period.since) / w));
  if (full <= firstWindow) return undefined;
  const sums = new Array<number>(full - firstWindow).fill(0);
  for (const x of increases) {
    // A sample at a window's end belongs to it: the increase happened before that instant.
    const i = Math.ceil((x.t - period.since) / w) - 1 - firstWindow;
    if (i >= 0 && i < sums.length) sums[i]! += x.amount;
  }
  return sums;
}

function successGap(inputs: HistoryInputs<BatchInput>, successes: readonly Increase[], period: Period): BatchFigures["longestSuccessGap"] {
  // Exact end times from the gauge. When it reports from the period's start, its first value
  // is the last success before the period; when it is born inside the period (a first
  // success), the gap before it runs from the period's start, as the stale alert sees it.
  const firstSample = Math.min(...inputs.lastSuccess.flatMap((s) => (s.values.length ? [s.values[0]![0]] : [])));
  let times = [...new Set(finiteValues(inputs.lastSuccess))].sort((a, b) => a - b);
  let from = period.since;
  if (times.length === 0) times = successes.map((s) => s.t);
  else if (firstSample <= period.since) [from, times] = [times[0]!, times.slice(1)];
  let best: { seconds: number; from: number; to: number | null } | null = null;
  for (const t of [...times, null]) {
    const seconds = (t ?? period.until) - from;
    if (!best || seconds > best.seconds) best = { seconds, from, to: t };
    if (t !== null) from = t;
  }
  return best;
}

function batchFigures(inputs: HistoryInputs<BatchInput>, spec: ReportSpec, period: Period): BatchFigures {
  const runs = counterIncreases(inputs.runs, period);
  const succeeded = sum(runs.filter((r) => r.metric.status === "success"));
  const failed = sum(runs.filter((r) => r.metric.status === "failed"));
  const total = succeeded + failed;

  const durationAt = valueAt(inputs.duration);
  const ends = [...new Set(runs.map((r) => r.t))];
  const durations = ends.map((t) => durationAt.get(t)).filter((d): d is number => d !== undefined && Number.isFinite(d));
  const max = spec.maxDurationSeconds;

  const w = spec.windowSeconds ?? period.step;
  const processed = counterIncreases(inputs.recordsProcessed, period);
  const failedRecords = counterIncreases(inputs.recordsFailed, period);
  const records = perWindow(processed, inputs.recordsProcessed, period, w);
  const failedPerWindow = perWindow(failedRecords, inputs.recordsFailed, period, w);
  const errors = perWindow(counterIncreases(inputs.errors, period), inputs.errors, period, w);
  const processedTotal = sum(processed);
  let worstWindow: number | null = null;
  if (records && failedPerWindow) {
    // Align the two by their last window (both end with the period's last full window).
    const offset = records.length - failedPerWindow.length;
    failedPerWindow.forEach((f, i) => {
      const p = records[i + offset];
      if (p !== undefined && p > 0 && (worstWindow === null || f / p > worstWindow)) worstWindow = f / p;
    });
  }

  return {
    runs: total,
    succeeded,
    failed,
    successRate: total > 0 ? succeeded / total : null,
    timedRuns: durations.length,
    duration: durations.length ? { p50: quantile(durations, 0.5)!, p95: quantile(durations, 0.95)!, max: maximum(durations)! } : null,
    slaCompliance: max !== undefined && durations.length ? durations.filter((d) => d <= max).length / durations.length : null,
    longestInProgress: maximum(finiteValues(inputs.currentRun)) ?? null,
    longestSuccessGap: successGap(inputs, runs.filter((r) => r.metric.status === "success"), period),
    windowSeconds: w,
    recordsPerWindow: records
      ? { windows: records.length, min: minimum(records)!, median: quantile(records, 0.5)!, belowMinRecords: spec.minRecords !== undefined ? records.filter((r) => r < spec.minRecords!).length : null }
      : null,
    failureRatio: { overall: processedTotal > 0 ? sum(failedRecords) / processedTotal : null, worstWindow },
    errorsPerWindow: errors ? { max: maximum(errors)!, median: quantile(errors, 0.5)! } : null,
  };
}

function streamFigures(inputs: HistoryInputs<StreamInput>, period: Period): StreamFigures {
  const latency = finiteValues(inputs.latencyP95);
  const throughput = finiteValues(inputs.throughput);
  const backlog = finiteValues(inputs.backlog);
  const processed = sum(counterIncreases(inputs.streamProcessed, period));
  return {
    latencyP95: latency.length ? { median: quantile(latency, 0.5)!, max: maximum(latency)! } : null,
    throughput: throughput.length ? { min: minimum(throughput)!, median: quantile(throughput, 0.5)! } : null,
    backlog: backlog.length ? { max: maximum(backlog)! } : null,
    errorRatio: {
      overall: processed > 0 ? sum(counterIncreases(inputs.streamFailed, period)) / processed : null,
      worst: maximum(finiteValues(inputs.errorRatio)) ?? null,
    },
  };
}

/**
 * One row per threshold a figure is checked against: the figure's name, how to read it, and
 * where the threshold lives in the spec. A figure beyond the critical level is flagged
 * critical; beyond only the warning level, warning.
 */
interface Check {
  figure: string;
  specPath: readonly string[];
  comparator: ">" | "<";
  unit: FigureUnit;
  levels: (s: ReportSpec) => Levels | undefined;
  value: (r: PipelineReport) => number | null | undefined;
  /** The threshold has warning and critical levels (a mapping in YAML). */
  levelled?: true;
}

const single = (v: number | undefined): Levels | undefined => (v === undefined ? undefined : { critical: v });
const levelsCheck = (figure: string, key: "cpu" | "memory" | "failureRate" | "errors" | "latencyP95" | "throughput" | "backlog" | "errorRate", comparator: ">" | "<", unit: FigureUnit, value: Check["value"]): Check => ({
  figure, specPath: ["spec", "thresholds", key], comparator, unit, levels: (s) => s[key], value, levelled: true,
});

const CHECKS: readonly Check[] = [
  { figure: "longest run", specPath: ["spec", "sla", "maxDuration"], comparator: ">", unit: "seconds", levels: (s) => single(s.maxDurationSeconds), value: (r) => Math.max(r.batch?.duration?.max ?? -Infinity, r.batch?.longestInProgress ?? -Infinity) },
  { figure: "longest gap between successes", specPath: ["spec", "sla", "freshness"], comparator: ">", unit: "seconds", levels: (s) => single(s.freshnessSeconds), value: (r) => r.batch?.longestSuccessGap?.seconds },
  { figure: "fewest records in a window", specPath: ["spec", "thresholds", "minRecords"], comparator: "<", unit: "count", levels: (s) => single(s.minRecords), value: (r) => r.batch?.recordsPerWindow?.min },
  levelsCheck("worst window's failed-record ratio", "failureRate", ">", "ratio", (r) => r.batch?.failureRatio.worstWindow),
  levelsCheck("most errors in a window", "errors", ">", "count", (r) => r.batch?.errorsPerWindow?.max),
  levelsCheck("CPU peak", "cpu", ">", "ratio", (r) => r.cpu?.peak),
  levelsCheck("memory peak", "memory", ">", "ratio", (r) => r.memory?.peak),
  levelsCheck("worst latency p95", "latencyP95", ">", "seconds", (r) => r.stream?.latencyP95?.max),
  levelsCheck("lowest throughput", "throughput", "<", "perSecond", (r) => r.stream?.throughput?.min),
  levelsCheck("highest backlog", "backlog", ">", "count", (r) => r.stream?.backlog?.max),
  levelsCheck("worst error ratio", "errorRate", ">", "ratio", (r) => r.stream?.errorRatio.worst),
];

const beyond = (comparator: ">" | "<", value: number, limit: number): boolean => (comparator === ">" ? value > limit : value < limit);

export function bottlenecks(r: PipelineReport, spec: ReportSpec): Flag[] {
  const flags: Flag[] = [];
  for (const c of CHECKS) {
    const levels = c.levels(spec);
    const value = c.value(r);
    if (!levels || value === null || value === undefined || !Number.isFinite(value)) continue;
    const level = beyond(c.comparator, value, levels.critical) ? "critical" : levels.warning !== undefined && beyond(c.comparator, value, levels.warning) ? "warning" : undefined;
    if (!level) continue;
    // Levels are written `{ warning, critical }`: point at the level crossed.
    const path = c.levelled ? [...c.specPath, level] : c.specPath;
    flags.push({
      figure: c.figure,
      threshold: path.slice(1).join("."),
      level,
      comparator: c.comparator,
      value,
      limit: level === "critical" ? levels.critical : levels.warning!,
      unit: c.unit,
      specPath: path,
    });
  }
  return flags;
}

/** The report of one pipeline: its figures and the thresholds they cross. */
export function pipelineReport(spec: ReportSpec, inputs: HistoryInputs<BatchInput> | HistoryInputs<StreamInput>, period: Period): PipelineReport {
  const report: PipelineReport = {
    pipeline: spec.pipeline,
    team: spec.team,
    type: spec.type,
    ...(spec.type === "batch"
      ? { batch: batchFigures(inputs as HistoryInputs<BatchInput>, spec, period) }
      : { stream: streamFigures(inputs as HistoryInputs<StreamInput>, period) }),
    cpu: peak(inputs.cpu),
    memory: peak(inputs.memory),
    ...(Object.values<readonly MatrixSeries[]>(inputs).every((series) => series.length === 0) ? { noHistory: true as const } : {}),
    flags: [],
  };
  report.flags = bottlenecks(report, spec);
  return report;
}
