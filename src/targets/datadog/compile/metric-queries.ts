/**
 * The Datadog metric expressions of the metric contract (`space_aggr:metric{scope}`), in one
 * place, as promql.ts is for Prometheus: monitors and runbook checks read a signal through
 * these, so the query a runbook tells you to run is the one the monitor evaluates.
 */
import type { Pipeline, ResolvedSignal } from "../../../model/types.js";

/** `metric{k:v,...}` for a signal on Datadog. */
export function datadogScope(signal: ResolvedSignal, extra: Record<string, string> = {}): string {
  const tags = { ...signal.matchers, ...extra };
  const inner = Object.keys(tags)
    .map((k) => `${k}:${tags[k]}`)
    .join(",");
  return `${signal.datadog}{${inner}}`;
}

const count = (signal: ResolvedSignal, extra?: Record<string, string>): string => `sum:${datadogScope(signal, extra)}.as_count()`;

export const failedRuns = (p: Pipeline): string => count(p.signals.runs, { status: "failed" });
export const successfulRuns = (p: Pipeline): string => count(p.signals.runs, { status: "success" });
export const runsByStatus = (p: Pipeline): string => `sum:${datadogScope(p.signals.runs)} by {status}.as_count()`;
export const lastRunDuration = (p: Pipeline): string => `max:${datadogScope(p.signals.duration)}`;
export const inProgress = (p: Pipeline): string => `max:${datadogScope(p.signals.inProgress)}`;
export const recordsProcessed = (p: Pipeline): string => count(p.signals.recordsProcessed);
export const recordsFailed = (p: Pipeline): string => count(p.signals.recordsFailed);
export const failureRatio = (p: Pipeline): string => `${recordsFailed(p)} / ${recordsProcessed(p)}`;
export const bytesProcessed = (p: Pipeline): string => count(p.signals.bytes);
export const errorsTotal = (p: Pipeline): string => count(p.signals.errors);
export const errorsByType = (p: Pipeline): string => `sum:${datadogScope(p.signals.errors)} by {error_type}.as_count()`;
export const cpuUsage = (p: Pipeline): string => p.signals.cpu.datadogQuery ?? `max:${datadogScope(p.signals.cpu)}`;
export const memoryUsage = (p: Pipeline): string => p.signals.memory.datadogQuery ?? `max:${datadogScope(p.signals.memory)}`;
/** Percentile aggregation: Datadog offers it on distribution metrics, which latency is. */
export const latencyP95 = (p: Pipeline): string => p.signals.latency.datadogQuery ?? `p95:${datadogScope(p.signals.latency)}`;
export const throughput = (p: Pipeline): string => p.signals.throughput.datadogQuery ?? `sum:${datadogScope(p.signals.throughput)}.as_rate()`;
export const backlog = (p: Pipeline): string => p.signals.backlog.datadogQuery ?? `max:${datadogScope(p.signals.backlog)}`;
export const streamErrorRatio = (p: Pipeline): string => `${count(p.signals.streamErrors)} / ${count(p.signals.throughput)}`;
export const streamErrorsPerSecond = (p: Pipeline): string => `sum:${datadogScope(p.signals.streamErrors)}.as_rate()`;
