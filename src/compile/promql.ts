/**
 * The PromQL of the metric contract, in one place: alert definitions, dashboard panels and
 * runbook checks all read a signal through these builders, so the query behind a threshold
 * line, an alert and a runbook step cannot drift apart. Where a panel shows the value an
 * alert compares with its threshold, the query is the alert's own (a test pins that).
 */
import { formatDuration } from "../lib/duration.js";
import { COUNTER_SEEN_LOOKBACK_SECONDS, DEAD_STREAM_LOOKBACK_SECONDS } from "../model/catalog.js";
import type { Pipeline, ResolvedSignal } from "../model/types.js";

/** Rates and quantiles of streams are measured over this window (DESIGN: "for 5m"). */
export const STREAM_RATE_WINDOW_SECONDS = 300;

function escapePromLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `metric{k="v",...}` for a signal, with extra matchers (e.g. status). */
export function promSelector(signal: ResolvedSignal, extra: Record<string, string> = {}, suffix = ""): string {
  const matchers = { ...signal.matchers, ...extra };
  const inner = Object.keys(matchers)
    .map((k) => `${k}="${escapePromLabel(matchers[k]!)}"`)
    .join(",");
  return `${signal.prometheus}${suffix}{${inner}}`;
}

/** The window batch counters are summed over: the longest gap between two scheduled runs. */
export function windowSeconds(p: Pipeline): number {
  return p.schedule?.windowSeconds ?? STREAM_RATE_WINDOW_SECONDS;
}

const RATE_WINDOW = formatDuration(STREAM_RATE_WINDOW_SECONDS);

const COUNTER_SEEN_LOOKBACK = formatDuration(COUNTER_SEEN_LOOKBACK_SECONDS);

/**
 * A counter's increase over the schedule window, summed (`by` e.g. ` by (status) `), that
 * also counts a series born inside the window with its first non-zero value (DESIGN §8: the
 * first failure, the first error of a type, the first records of a new job). `increase()`
 * reads such a series as 0, its first sample being already the event; so a series with no
 * sample in the hour before the window counts its whole value instead, and only series seen
 * then are read by `increase()`. An instant `offset` (5m lookback) is not enough: after a
 * scrape gap the series looked newly born one window later and its whole value paged again
 * (found by backtesting a gap). Every windowed counter of the contract is read so.
 */
function increase(p: Pipeline, selector: string, by = ""): string {
  const w = formatDuration(windowSeconds(p));
  const seenBefore = `present_over_time(${selector}[${COUNTER_SEEN_LOOKBACK}] offset ${w})`;
  return `sum${by}((increase(${selector}[${w}]) and ${seenBefore}) or (${selector} unless ${seenBefore}))`;
}

export const failedRuns = (p: Pipeline): string => increase(p, promSelector(p.signals.runs, { status: "failed" }));
export const successfulRuns = (p: Pipeline): string => increase(p, promSelector(p.signals.runs, { status: "success" }));

/**
 * The value pipelineFailed compares with 0 (DESIGN §8): a run failed and no later run
 * succeeded.
 * - A job that emits the last-failure time: 1 while it is later than the last success (or
 *   no success was ever reported), 0 once a later run succeeded, whatever the window.
 * - A job that does not (no such series): the failed runs counted in the schedule window,
 *   born series included, so the alert resolves when the failed run leaves the window.
 * `or on ()` takes the counters only when the gauge branch has no series at all.
 */
export function unresolvedFailure(p: Pipeline): string {
  const lastFailure = `max(${promSelector(p.signals.lastFailure)})`;
  const lastSuccess = `max(${promSelector(p.signals.lastSuccess)})`;
  return `(${lastFailure} > bool (${lastSuccess} or on () vector(0))) or on () ${failedRuns(p)}`;
}

/** Seconds since the last success; +Inf when the pipeline never reported one. */
export function sinceLastSuccess(p: Pipeline): string {
  const metric = promSelector(p.signals.lastSuccess);
  return `(time() - max(${metric})) or on () (absent(${metric}) * Inf)`;
}

export const lastRunDuration = (p: Pipeline): string => `max(${promSelector(p.signals.duration)})`;

/** How long the current run has been going; no series when no run is in progress. */
export function currentRunDuration(p: Pipeline): string {
  return `(time() - max(${promSelector(p.signals.startedAt)})) and on () (max(${promSelector(p.signals.inProgress)}) == 1)`;
}

export const recordsProcessed = (p: Pipeline): string => increase(p, promSelector(p.signals.recordsProcessed));
export const recordsFailed = (p: Pipeline): string => increase(p, promSelector(p.signals.recordsFailed));
export const failureRatio = (p: Pipeline): string => `${recordsFailed(p)} / ${recordsProcessed(p)}`;
export const bytesProcessed = (p: Pipeline): string => increase(p, promSelector(p.signals.bytes));

export const errorsTotal = (p: Pipeline): string => increase(p, promSelector(p.signals.errors));
export const runsByStatus = (p: Pipeline): string => increase(p, promSelector(p.signals.runs), " by (status) ");
export const errorsByType = (p: Pipeline): string => increase(p, promSelector(p.signals.errors), " by (error_type) ");

export const cpuUsage = (p: Pipeline): string => p.signals.cpu.promql ?? `max(${promSelector(p.signals.cpu)})`;
export const memoryUsage = (p: Pipeline): string => p.signals.memory.promql ?? `max(${promSelector(p.signals.memory)})`;

export function latencyP95(p: Pipeline): string {
  const sig = p.signals.latency;
  return sig.promql ?? `histogram_quantile(0.95, sum by (le) (rate(${promSelector(sig, {}, "_bucket")}[${RATE_WINDOW}])))`;
}

const DEAD_LOOKBACK = formatDuration(DEAD_STREAM_LOOKBACK_SECONDS);
/** Resolution of the subquery that looks back over a whole-query override (cost: 288 evaluations a day). */
const DEAD_OVERRIDE_RESOLUTION = "5m";

/**
 * Records per second, and 0 for a dead stream (DESIGN §8): one whose series reported within
 * the last day but has no current sample (a stale marker when its target or series went
 * away). A stream that never reported has no value at all, so lowThroughput stays silent.
 * `and <series>` drops a stopped series at once, instead of reading the tail of its last
 * five minutes of samples as traffic. A whole-query override is looked back over with a
 * subquery (its series are unknown).
 */
export function throughput(p: Pipeline): string {
  const override = p.signals.throughput.promql;
  if (override !== undefined) {
    return `(${override}) or on () (0 * group(present_over_time((${override})[${DEAD_LOOKBACK}:${DEAD_OVERRIDE_RESOLUTION}])))`;
  }
  const series = promSelector(p.signals.throughput);
  return `sum(rate(${series}[${RATE_WINDOW}]) and ${series}) or on () (0 * group(present_over_time(${series}[${DEAD_LOOKBACK}])))`;
}

export const backlog = (p: Pipeline): string => p.signals.backlog.promql ?? `max(${promSelector(p.signals.backlog)})`;

export const streamErrorsPerSecond = (p: Pipeline): string => `sum(rate(${promSelector(p.signals.streamErrors)}[${RATE_WINDOW}]))`;
export function streamErrorRatio(p: Pipeline): string {
  return `sum(rate(${promSelector(p.signals.streamErrors)}[${RATE_WINDOW}])) / sum(rate(${promSelector(p.signals.throughput)}[${RATE_WINDOW}]))`;
}

/** Share of runs that succeeded over `range` (e.g. `7d`). */
export function successShare(p: Pipeline, range: string): string {
  return `sum(increase(${promSelector(p.signals.runs, { status: "success" })}[${range}])) / sum(increase(${promSelector(p.signals.runs)}[${range}]))`;
}

/**
 * Share of time over `range` during which the last run's duration was within `maxSeconds`.
 * The duration gauge only holds the last run, so this weighs runs by how long their result
 * stood; for a pipeline on a fixed schedule that is the share of runs.
 */
export function withinDurationShare(p: Pipeline, maxSeconds: number, range: string): string {
  return `avg_over_time((${lastRunDuration(p)} <= bool ${maxSeconds})[${range}:5m])`;
}
