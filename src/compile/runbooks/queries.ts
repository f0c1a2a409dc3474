/**
 * Supporting queries for runbook checks: the signals an on-call engineer looks at next to
 * the alert's own query (errors by type, runs by status, ...). Built from the pipeline's
 * resolved signals, so metric-name, label and whole-query overrides are respected.
 * (The alert's own query is never rebuilt here: checks show `def.promql` and the monitor
 * query verbatim.)
 */
import * as dd from "../../targets/datadog/compile/metric-queries.js";
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

export function supportQuery(p: Pipeline, key: SupportKey): SupportQuery {
  const w = formatDuration(promql.windowSeconds(p));
  switch (key) {
    case "runsByStatus":
      return {
        label: `runs by status over the last ${w}`,
        promql: promql.runsByStatus(p),
        datadog: dd.runsByStatus(p),
      };
    case "errorsByType":
      return {
        label: `errors by type over the last ${w}`,
        promql: promql.errorsByType(p),
        datadog: dd.errorsByType(p),
      };
    case "lastRunDuration":
      return { label: "duration of the last run, seconds", promql: promql.lastRunDuration(p), datadog: dd.lastRunDuration(p) };
    case "currentRun":
      return {
        label: "how long the current run has been going, seconds (no value when no run is in progress)",
        promql: promql.currentRunDuration(p),
        datadog: dd.inProgress(p),
      };
    case "recordsProcessed":
      return {
        label: `records processed over the last ${w}`,
        promql: promql.recordsProcessed(p),
        datadog: dd.recordsProcessed(p),
      };
    case "recordsFailed":
      return {
        label: `records failed over the last ${w}`,
        promql: promql.recordsFailed(p),
        datadog: dd.recordsFailed(p),
      };
    case "bytes":
      return {
        label: `bytes processed over the last ${w}`,
        promql: promql.bytesProcessed(p),
        datadog: dd.bytesProcessed(p),
      };
    case "cpu":
      return { label: "CPU usage ratio", promql: promql.cpuUsage(p), datadog: dd.cpuUsage(p) };
    case "memory":
      return {
        label: "memory usage ratio",
        promql: promql.memoryUsage(p),
        datadog: dd.memoryUsage(p),
      };
    case "latency":
      return {
        label: "p95 processing latency, seconds",
        promql: promql.latencyP95(p),
        datadog: dd.latencyP95(p),
      };
    case "throughput":
      return {
        label: "records processed per second",
        promql: promql.throughput(p),
        datadog: dd.throughput(p),
      };
    case "backlog":
      return {
        label: "records waiting",
        promql: promql.backlog(p),
        datadog: dd.backlog(p),
      };
    case "streamErrors":
      return {
        label: "failed stream records per second",
        promql: promql.streamErrorsPerSecond(p),
        datadog: dd.streamErrorsPerSecond(p),
      };
  }
}
