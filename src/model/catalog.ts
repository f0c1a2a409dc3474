import { threshold, thresholdsOfType } from "./thresholds.js";
import type { AlertKey, PipelineType, Severity, ThresholdKey } from "./types.js";

export type WhenAbsent = "fire" | "afterReporting" | "silent";

/**
 * The pending period of every ratio or rate alert unless the spec sets `for` (DESIGN §8):
 * no alert fires on a single evaluation of a ratio or a rate.
 */
export const DEFAULT_PENDING_SECONDS = 300;
/** CPU and memory ratios swing with every batch; they must hold twice as long. */
const USAGE_PENDING_SECONDS = 2 * DEFAULT_PENDING_SECONDS;

/** How far back a stream that stopped reporting still counts as having reported (a dead stream). */
export const DEAD_STREAM_LOOKBACK_SECONDS = 86400;

/**
 * How far before a counter's window its series must have been seen for the window to read
 * it as an increase rather than as a series born inside the window. A scrape gap shorter
 * than this (a restart, a deploy) does not make a counter look new.
 */
export const COUNTER_SEEN_LOOKBACK_SECONDS = 3600;

/**
 * The alert catalog (DESIGN §3). One entry per alert key; the meaning is the same on every
 * target, so compilers take comparator, window and no-data behaviour from here.
 */
export interface CatalogEntry {
  key: AlertKey;
  title: string;
  types: readonly PipelineType[];
  defaultSeverity: Severity;
  /** Default pending period (Grafana/Prometheus `for`), seconds. */
  defaultForSeconds: number;
  /** `>`: fires above the threshold; `<`: fires below it. */
  comparator: ">" | "<";
  /**
   * Measured over its pending period rather than a schedule or rate window: Datadog, which
   * has no `for`, looks back that long, so the period is also the monitor's window.
   */
  sustained?: true;
  /**
   * What absence of the metrics means (DESIGN §8): `fire` for `stale` (a pipeline that never
   * reported is stale); `afterReporting` for `lowThroughput` (a stream that reported within
   * the last day and stopped is dead, one that never reported pages nobody); `silent` else.
   */
  whenAbsent: WhenAbsent;
  /** Grafana execErrState: how a failing datasource query is treated. */
  onQueryError: "Error" | "Alerting" | "KeepLast";
  meaning: string;
}

export const CATALOG: Readonly<Record<AlertKey, CatalogEntry>> = {
  pipelineFailed: {
    key: "pipelineFailed", title: "Pipeline run failed", types: ["batch"], defaultSeverity: "critical",
    defaultForSeconds: 0, comparator: ">", whenAbsent: "silent", onQueryError: "Error",
    meaning:
      "A run failed and no later run has succeeded: a successful retry resolves it, a rerun that fails again keeps it firing, and the first failure pages even when its " +
      "counter series is born with it. A job that does not report its last-failure time is paged from the failed-runs counter " +
      "alone; the alert then resolves once the failed run has left the schedule window.",
  },
  slaBreach: {
    key: "slaBreach", title: "SLA breach: run too long", types: ["batch"], defaultSeverity: "high",
    defaultForSeconds: 0, comparator: ">", whenAbsent: "silent", onQueryError: "Error",
    meaning: "The last run took longer than sla.maxDuration, or the current run has been running longer.",
  },
  stale: {
    key: "stale", title: "Data is stale", types: ["batch"], defaultSeverity: "high",
    defaultForSeconds: 0, comparator: ">", whenAbsent: "fire", onQueryError: "Alerting",
    meaning: "No successful run within sla.freshness (also when the pipeline has never reported a success).",
  },
  dataQuality: {
    key: "dataQuality", title: "Data quality: failed records", types: ["batch", "streaming"], defaultSeverity: "medium",
    defaultForSeconds: DEFAULT_PENDING_SECONDS, comparator: ">", whenAbsent: "silent", onQueryError: "KeepLast",
    meaning: "The share of failed records (failed / processed) is above the threshold for the whole pending period.",
  },
  lowVolume: {
    key: "lowVolume", title: "Low volume", types: ["batch"], defaultSeverity: "medium",
    defaultForSeconds: 0, comparator: "<", whenAbsent: "silent", onQueryError: "KeepLast",
    meaning: "Fewer records than minRecords were processed within the schedule window.",
  },
  errors: {
    key: "errors", title: "Errors", types: ["batch"], defaultSeverity: "medium",
    defaultForSeconds: 0, comparator: ">", whenAbsent: "silent", onQueryError: "KeepLast",
    meaning: "More errors than the threshold were reported within the schedule window.",
  },
  cpu: {
    key: "cpu", title: "High CPU usage", types: ["batch", "streaming"], defaultSeverity: "medium",
    defaultForSeconds: USAGE_PENDING_SECONDS, sustained: true, comparator: ">", whenAbsent: "silent", onQueryError: "KeepLast",
    meaning: "CPU usage ratio above the threshold for the whole pending period.",
  },
  memory: {
    key: "memory", title: "High memory usage", types: ["batch", "streaming"], defaultSeverity: "medium",
    defaultForSeconds: USAGE_PENDING_SECONDS, sustained: true, comparator: ">", whenAbsent: "silent", onQueryError: "KeepLast",
    meaning: "Memory usage ratio above the threshold for the whole pending period.",
  },
  highLatency: {
    key: "highLatency", title: "High processing latency", types: ["streaming"], defaultSeverity: "high",
    defaultForSeconds: DEFAULT_PENDING_SECONDS, sustained: true, comparator: ">", whenAbsent: "silent", onQueryError: "Error",
    meaning: "p95 processing latency above the threshold for the whole pending period.",
  },
  lowThroughput: {
    key: "lowThroughput", title: "Low throughput", types: ["streaming"], defaultSeverity: "high",
    defaultForSeconds: DEFAULT_PENDING_SECONDS, sustained: true, comparator: "<", whenAbsent: "afterReporting", onQueryError: "Error",
    meaning:
      "Records per second below the threshold for the whole pending period, or a dead stream: one that reported " +
      "within the last day and has stopped reporting reads as 0/s. A stream that has never reported pages nobody.",
  },
  highBacklog: {
    key: "highBacklog", title: "High backlog", types: ["streaming"], defaultSeverity: "high",
    defaultForSeconds: DEFAULT_PENDING_SECONDS, sustained: true, comparator: ">", whenAbsent: "silent", onQueryError: "Error",
    meaning: "Records waiting above the threshold for the whole pending period.",
  },
};

/**
 * Alerts on a ratio or a rate (DESIGN §8): each must have a pending period, at least
 * DEFAULT_PENDING_SECONDS by default (a test pins it).
 */
export const RATIO_OR_RATE_ALERTS: readonly AlertKey[] = ["dataQuality", "cpu", "memory", "highLatency", "lowThroughput"];

/** Severity one step lower: the severity of an alert's warning level. */
export function warningSeverity(severity: Severity): Severity {
  return severity === "critical" ? "high" : severity === "high" ? "medium" : "low";
}

/** Datadog priority 1 (highest) .. 4 from a severity. */
export const PRIORITY: Readonly<Record<Severity, number>> = { critical: 1, high: 2, medium: 3, low: 4 };

/** Which thresholds a pipeline type may set (from the registry). */
/** Which side of a threshold fires its alert: the alert's comparator, the one place that says it. */
export const thresholdFires = (key: ThresholdKey): "above" | "below" => (CATALOG[threshold(key).alert].comparator === ">" ? "above" : "below");

export const THRESHOLDS_BY_TYPE: Readonly<Record<PipelineType, readonly ThresholdKey[]>> = {
  batch: thresholdsOfType("batch"),
  streaming: thresholdsOfType("streaming"),
};
