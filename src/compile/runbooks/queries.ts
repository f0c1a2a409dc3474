/**
 * Supporting queries for runbook checks: the signals an on-call engineer looks at next to
 * the alert's own query (errors by type, runs by status, ...). Built from the pipeline's
 * resolved signals, so metric-name, label and whole-query overrides are respected.
 * (The alert's own query is never rebuilt here: checks show `def.promql` and the monitor
 * query verbatim.)
 */
import { datadogScope } from "../alert-definitions.js";
import * as promql from "../promql.js";
import { formatDuration } from "../../lib/duration.js";
import type { PanelKey } from "../../model/panels.js";
import type { Pipeline } from "../../model/types.js";

export interface SupportQuery {
  /** What the query shows, e.g. "errors by type over the last 1h". */
  label: string;
  promql: string;
  /** A Datadog metric query (no time aggregation, no threshold), as typed in a notebook. */
  datadog: string;
}

export type SupportKey =
  | "runsByStatus"
  | "errorsByType"
  | "lastRunDuration"
  | "currentRun"
  | "recordsProcessed"
  | "recordsFailed"
  | "bytes"
  | "cpu"
  | "memory"
  | "latency"
  | "throughput"
  | "backlog"
  | "streamErrors";

/** The dashboard panel that shows each supporting query. */
export const SUPPORT_PANEL: Readonly<Record<SupportKey, PanelKey>> = {
  runsByStatus: "runStatus",
  errorsByType: "errors",
  lastRunDuration: "duration",
  currentRun: "duration",
  recordsProcessed: "records",
  recordsFailed: "records",
  bytes: "volume",
  cpu: "cpu",
  memory: "memory",
  latency: "latency",
  throughput: "throughput",
  backlog: "backlog",
  streamErrors: "streamErrorRate",
};

export function supportQuery(p: Pipeline, key: SupportKey): SupportQuery {
  const s = p.signals;
  const w = formatDuration(promql.windowSeconds(p));
  switch (key) {
    case "runsByStatus":
      return {
        label: `runs by status over the last ${w}`,
        promql: promql.runsByStatus(p),
        datadog: `sum:${datadogScope(s.runs)} by {status}.as_count()`,
      };
    case "errorsByType":
      return {
        label: `errors by type over the last ${w}`,
        promql: promql.errorsByType(p),
        datadog: `sum:${datadogScope(s.errors)} by {error_type}.as_count()`,
      };
    case "lastRunDuration":
      return { label: "duration of the last run, seconds", promql: promql.lastRunDuration(p), datadog: `max:${datadogScope(s.duration)}` };
    case "currentRun":
      return {
        label: "how long the current run has been going, seconds (no value when no run is in progress)",
        promql: promql.currentRunDuration(p),
        datadog: `max:${datadogScope(s.inProgress)}`,
      };
    case "recordsProcessed":
      return {
        label: `records processed over the last ${w}`,
        promql: promql.recordsProcessed(p),
        datadog: `sum:${datadogScope(s.recordsProcessed)}.as_count()`,
      };
    case "recordsFailed":
      return {
        label: `records failed over the last ${w}`,
        promql: promql.recordsFailed(p),
        datadog: `sum:${datadogScope(s.recordsFailed)}.as_count()`,
      };
    case "bytes":
      return {
        label: `bytes processed over the last ${w}`,
        promql: promql.bytesProcessed(p),
        datadog: `sum:${datadogScope(s.bytes)}.as_count()`,
      };
    case "cpu":
      return { label: "CPU usage ratio", promql: promql.cpuUsage(p), datadog: s.cpu.datadogQuery ?? `max:${datadogScope(s.cpu)}` };
    case "memory":
      return {
        label: "memory usage ratio",
        promql: promql.memoryUsage(p),
        datadog: s.memory.datadogQuery ?? `max:${datadogScope(s.memory)}`,
      };
    case "latency":
      return {
        label: "p95 processing latency, seconds",
        promql: promql.latencyP95(p),
        datadog: s.latency.datadogQuery ?? `p95:${datadogScope(s.latency)}`,
      };
    case "throughput":
      return {
        label: "records processed per second",
        promql: promql.throughput(p),
        datadog: s.throughput.datadogQuery ?? `sum:${datadogScope(s.throughput)}.as_rate()`,
      };
    case "backlog":
      return {
        label: "records waiting",
        promql: promql.backlog(p),
        datadog: s.backlog.datadogQuery ?? `max:${datadogScope(s.backlog)}`,
      };
    case "streamErrors":
      return {
        label: "failed stream records per second",
        promql: promql.streamErrorsPerSecond(p),
        datadog: `sum:${datadogScope(s.streamErrors)}.as_rate()`,
      };
  }
}
