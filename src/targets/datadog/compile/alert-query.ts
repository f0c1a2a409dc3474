/**
 * How Datadog measures each alert of the catalog: the time aggregation and metric expression
 * of its monitor query. The alert's meaning (comparator, levels, window, severity) comes from
 * the target-neutral definition; only the Datadog-specific way of asking is here.
 */
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import { alertDefinitions } from "../../../compile/alert-definitions.js";
import { formatDuration } from "../../../lib/duration.js";
import type { AlertKey, Pipeline } from "../../../model/types.js";
import * as dd from "./metric-queries.js";

export interface DatadogQueryParts {
  /** Time aggregation over the definition's `windowSeconds`: `sum(last_1h):...`. */
  timeAggregation: "sum" | "min" | "max" | "avg";
  /** Everything between the time aggregation and the comparator. */
  expression: string;
  /**
   * When Datadog measures the same condition through another quantity (stale: "fewer than
   * one successful run in the freshness window" rather than "seconds since the last
   * success"), its own single-level condition; otherwise the definition's levels apply.
   */
  condition?: { comparator: ">" | "<"; critical: number; describe: string };
  /**
   * When the monitor means less than the PromQL can (pipelineFailed: Datadog cannot tell
   * which of two sparse points came last), what it does, in a sentence that replaces the
   * definition's description in the monitor and is added to the runbook.
   */
  description?: string;
}

/** An alert definition with the Datadog query that measures it. */
export interface DatadogAlert extends AlertDefinition {
  datadog: DatadogQueryParts;
}

/**
 * Per alert: counts are summed over the window (`.as_count()`); a sustained alert holds when
 * every point of its pending period is past the threshold (`min` above, `max` below).
 */
const QUERY: Readonly<Record<AlertKey, (p: Pipeline, def: AlertDefinition) => DatadogQueryParts>> = {
  pipelineFailed: (p, def) => ({
    timeAggregation: "sum",
    expression: dd.failedRuns(p),
    description:
      `at least one run failed in the last ${formatDuration(def.windowSeconds)}. Datadog counts the failed runs of the schedule window and cannot ` +
      "tell whether a success came after them: the monitor resolves once the failed run has left the window, not at a later success.",
  }),
  slaBreach: (p) => ({ timeAggregation: "max", expression: dd.lastRunDuration(p) }),
  stale: (p, def) => ({
    timeAggregation: "sum",
    expression: dd.successfulRuns(p),
    condition: { comparator: "<", critical: 1, describe: `< 1 successful run in the last ${formatDuration(def.windowSeconds)}` },
  }),
  dataQuality: (p) => ({ timeAggregation: "sum", expression: p.type === "batch" ? dd.failureRatio(p) : dd.streamErrorRatio(p) }),
  lowVolume: (p) => ({ timeAggregation: "sum", expression: dd.recordsProcessed(p) }),
  errors: (p) => ({ timeAggregation: "sum", expression: dd.errorsTotal(p) }),
  cpu: (p) => ({ timeAggregation: "min", expression: dd.cpuUsage(p) }),
  memory: (p) => ({ timeAggregation: "min", expression: dd.memoryUsage(p) }),
  highLatency: (p) => ({ timeAggregation: "min", expression: dd.latencyP95(p) }),
  lowThroughput: (p) => ({ timeAggregation: "max", expression: dd.throughput(p) }),
  highBacklog: (p) => ({ timeAggregation: "min", expression: dd.backlog(p) }),
};

/** The same one-entry memo as alertDefinitions: monitors and the runbook ask in a row. */
let last: { pipeline: Pipeline; alerts: readonly DatadogAlert[] } | undefined;

/** Every enabled alert of a pipeline with its Datadog query, in catalog order. */
export function datadogAlerts(p: Pipeline): readonly DatadogAlert[] {
  if (last?.pipeline !== p) last = { pipeline: p, alerts: alertDefinitions(p).map((def) => ({ ...def, datadog: QUERY[def.key](p, def) })) };
  return last.alerts;
}
