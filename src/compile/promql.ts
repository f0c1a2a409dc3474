/**
 * The PromQL of the metric contract, in one place: alert definitions, dashboard panels and
 * runbook checks all read a signal through these builders, so the query behind a threshold
 * line, an alert and a runbook step cannot drift apart. Where a panel shows the value an
 * alert compares with its threshold, the query is the alert's own (a test pins that).
 */
import { formatDuration } from "../lib/duration.js";
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

function increase(p: Pipeline, selector: string): string {
  return `sum(increase(${selector}[${formatDuration(windowSeconds(p))}]))`;
}

export const failedRuns = (p: Pipeline): string => increase(p, promSelector(p.signals.runs, { status: "failed" }));
export const successfulRuns = (p: Pipeline): string => increase(p, promSelector(p.signals.runs, { status: "success" }));

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
export function runsByStatus(p: Pipeline): string {
  return `sum by (status) (increase(${promSelector(p.signals.runs)}[${formatDuration(windowSeconds(p))}]))`;
}
export function errorsByType(p: Pipeline): string {
  return `sum by (error_type) (increase(${promSelector(p.signals.errors)}[${formatDuration(windowSeconds(p))}]))`;
}

export const cpuUsage = (p: Pipeline): string => p.signals.cpu.promql ?? `max(${promSelector(p.signals.cpu)})`;
export const memoryUsage = (p: Pipeline): string => p.signals.memory.promql ?? `max(${promSelector(p.signals.memory)})`;

export function latencyP95(p: Pipeline): string {
  const sig = p.signals.latency;
  return sig.promql ?? `histogram_quantile(0.95, sum by (le) (rate(${promSelector(sig, {}, "_bucket")}[${RATE_WINDOW}])))`;
}

export const throughput = (p: Pipeline): string =>
  p.signals.throughput.promql ?? `sum(rate(${promSelector(p.signals.throughput)}[${RATE_WINDOW}]))`;

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
