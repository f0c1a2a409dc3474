/**
 * Supporting queries for runbook checks: the signals an on-call engineer looks at next to
 * the alert's own query (errors by type, runs by status, ...). Built from the pipeline's
 * resolved signals, so metric-name, label and whole-query overrides are respected.
 * (The alert's own query is never rebuilt here: checks show `def.promql` and the monitor
 * query verbatim.)
 */
import * as promql from "../promql.js";
import { formatDuration } from "../../lib/duration.js";
import type { PanelKey } from "../../model/panels.js";
import type { Pipeline } from "../../model/types.js";

export interface SupportQuery {
  /** What the query shows, e.g. "errors by type over the last 1h". */
  label: string;
  promql: string;
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

/** Short names of the supporting queries, as checks refer to them. */
export const SUPPORT_NAME: Readonly<Record<SupportKey, string>> = {
  runsByStatus: "runs by status",
  errorsByType: "errors by type",
  lastRunDuration: "last run duration",
  currentRun: "current run",
  recordsProcessed: "records processed",
  recordsFailed: "records failed",
  bytes: "bytes processed",
  cpu: "CPU usage",
  memory: "memory usage",
  latency: "latency p95",
  throughput: "throughput",
  backlog: "backlog",
  streamErrors: "failed records/s",
};

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

/** Each supporting query: what it shows (given the count window, e.g. `1h`) and its PromQL. */
const SUPPORT_QUERY: Readonly<Record<SupportKey, { label: (w: string) => string; promql: (p: Pipeline) => string }>> = {
  runsByStatus: { label: (w) => `runs by status over the last ${w}`, promql: promql.runsByStatus },
  errorsByType: { label: (w) => `errors by type over the last ${w}`, promql: promql.errorsByType },
  lastRunDuration: { label: () => "duration of the last run, seconds", promql: promql.lastRunDuration },
  currentRun: { label: () => "how long the current run has been going, seconds (no value when no run is in progress)", promql: promql.currentRunDuration },
  recordsProcessed: { label: (w) => `records processed over the last ${w}`, promql: promql.recordsProcessed },
  recordsFailed: { label: (w) => `records failed over the last ${w}`, promql: promql.recordsFailed },
  bytes: { label: (w) => `bytes processed over the last ${w}`, promql: promql.bytesProcessed },
  cpu: { label: () => "CPU usage ratio", promql: promql.cpuUsage },
  memory: { label: () => "memory usage ratio", promql: promql.memoryUsage },
  latency: { label: () => "p95 processing latency, seconds", promql: promql.latencyP95 },
  throughput: { label: () => "records processed per second", promql: promql.throughput },
  backlog: { label: () => "records waiting", promql: promql.backlog },
  streamErrors: { label: () => "failed stream records per second", promql: promql.streamErrorsPerSecond },
};

export function supportQuery(p: Pipeline, key: SupportKey): SupportQuery {
  const q = SUPPORT_QUERY[key];
  return { label: q.label(formatDuration(promql.windowSeconds(p))), promql: q.promql(p) };
}
