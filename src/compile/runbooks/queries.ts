/**
 * Supporting queries for runbook checks: the signals an on-call engineer looks at next to
 * the alert's own query (errors by type, runs by status, ...). Built from the pipeline's
 * resolved signals, so metric-name, label and whole-query overrides are respected.
 * (The alert's own query is never rebuilt here: checks show `def.promql` and the monitor
 * query verbatim.)
 */
import { datadogScope, promSelector, STREAM_RATE_WINDOW_SECONDS } from "../alert-definitions.js";
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
  const W = p.schedule?.windowSeconds ?? STREAM_RATE_WINDOW_SECONDS;
  const w = formatDuration(W);
  const rate = formatDuration(STREAM_RATE_WINDOW_SECONDS);
  switch (key) {
    case "runsByStatus":
      return {
        label: `runs by status over the last ${w}`,
        promql: `sum by (status) (increase(${promSelector(s.runs)}[${w}]))`,
        datadog: `sum:${datadogScope(s.runs)} by {status}.as_count()`,
      };
    case "errorsByType":
      return {
        label: `errors by type over the last ${w}`,
        promql: `sum by (error_type) (increase(${promSelector(s.errors)}[${w}]))`,
        datadog: `sum:${datadogScope(s.errors)} by {error_type}.as_count()`,
      };
    case "lastRunDuration":
      return { label: "duration of the last run, seconds", promql: `max(${promSelector(s.duration)})`, datadog: `max:${datadogScope(s.duration)}` };
    case "currentRun":
      return {
        label: "how long the current run has been going, seconds (no value when no run is in progress)",
        promql: `(time() - max(${promSelector(s.startedAt)})) and on () (max(${promSelector(s.inProgress)}) == 1)`,
        datadog: `max:${datadogScope(s.inProgress)}`,
      };
    case "recordsProcessed":
      return {
        label: `records processed over the last ${w}`,
        promql: `sum(increase(${promSelector(s.recordsProcessed)}[${w}]))`,
        datadog: `sum:${datadogScope(s.recordsProcessed)}.as_count()`,
      };
    case "recordsFailed":
      return {
        label: `records failed over the last ${w}`,
        promql: `sum(increase(${promSelector(s.recordsFailed)}[${w}]))`,
        datadog: `sum:${datadogScope(s.recordsFailed)}.as_count()`,
      };
    case "bytes":
      return {
        label: `bytes processed over the last ${w}`,
        promql: `sum(increase(${promSelector(s.bytes)}[${w}]))`,
        datadog: `sum:${datadogScope(s.bytes)}.as_count()`,
      };
    case "cpu":
      return { label: "CPU usage ratio", promql: s.cpu.promql ?? `max(${promSelector(s.cpu)})`, datadog: s.cpu.datadogQuery ?? `max:${datadogScope(s.cpu)}` };
    case "memory":
      return {
        label: "memory usage ratio",
        promql: s.memory.promql ?? `max(${promSelector(s.memory)})`,
        datadog: s.memory.datadogQuery ?? `max:${datadogScope(s.memory)}`,
      };
    case "latency":
      return {
        label: "p95 processing latency, seconds",
        promql: s.latency.promql ?? `histogram_quantile(0.95, sum by (le) (rate(${promSelector(s.latency, {}, "_bucket")}[${rate}])))`,
        datadog: s.latency.datadogQuery ?? `p95:${datadogScope(s.latency)}`,
      };
    case "throughput":
      return {
        label: "records processed per second",
        promql: s.throughput.promql ?? `sum(rate(${promSelector(s.throughput)}[${rate}]))`,
        datadog: s.throughput.datadogQuery ?? `sum:${datadogScope(s.throughput)}.as_rate()`,
      };
    case "backlog":
      return {
        label: "records waiting",
        promql: s.backlog.promql ?? `max(${promSelector(s.backlog)})`,
        datadog: s.backlog.datadogQuery ?? `max:${datadogScope(s.backlog)}`,
      };
    case "streamErrors":
      return {
        label: "failed stream records per second",
        promql: `sum(rate(${promSelector(s.streamErrors)}[${rate}]))`,
        datadog: `sum:${datadogScope(s.streamErrors)}.as_rate()`,
      };
  }
}
