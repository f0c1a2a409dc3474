/**
 * One Datadog monitor create body (POST /api/v1/monitor) per alert definition.
 * The body carries only fields seen accepted in Datadog's recorded traffic (checked by
 * test/compile/datadog/contract.test.ts); the types are our own so product code never loads
 * the Datadog API client.
 */
import type { AlertDefinition, AlertLevel } from "../alert-definitions.js";
import { PRIORITY } from "../../model/catalog.js";
import { DATADOG_MANAGED_TAG, datadogIdTag, panelUrl, runbookUrl } from "../../model/identity.js";
import type { AlertKey, Pipeline, Project, Severity } from "../../model/types.js";
import { monitorMessage } from "./message.js";
import { cleanNumber, datadogCondition, datadogWindowMinutes, isSparseCount, monitorQuery } from "./query.js";
import type { Comparator, DatadogCondition } from "./query.js";

export interface DatadogThresholds {
  critical: number;
  warning?: number;
  critical_recovery?: number;
  warning_recovery?: number;
}

export type RenotifyStatus = "alert" | "warn" | "no data";

export interface DatadogMonitorOptions {
  thresholds: DatadogThresholds;
  notify_no_data: boolean;
  /** Minutes; only with notify_no_data. */
  no_data_timeframe?: number;
  /** Minutes; critical-severity alerts only. */
  renotify_interval?: number;
  renotify_statuses?: RenotifyStatus[];
  require_full_window: boolean;
  include_tags: boolean;
  notify_audit: boolean;
  /** Seconds. Sent instead of the deprecated new_host_delay (Datadog: not both). */
  new_group_delay: number;
  /** Seconds. */
  evaluation_delay?: number;
}

export interface DatadogMonitorBody {
  name: string;
  type: "query alert";
  query: string;
  message: string;
  tags: string[];
  priority: number;
  options: DatadogMonitorOptions;
}

/**
 * Alerts on a continuously measured value. A value hovering at the threshold would flap
 * alert/OK every evaluation; recovery thresholds make it recover only once clearly back.
 * Windowed counts (failed runs, errors, volume per schedule window) are not continuous:
 * they recover when the window moves on, and a recovery band there would only delay it.
 */
const CONTINUOUS: ReadonlySet<AlertKey> = new Set<AlertKey>(["cpu", "memory", "highLatency", "lowThroughput", "highBacklog", "dataQuality"]);

/** Recovery lies this share of the level away from it, on the OK side. */
const HYSTERESIS = 0.1;
/** Re-page every hour while a critical alert stays open (DESIGN: critical pages on-call). */
const RENOTIFY_MINUTES = 60;
/**
 * Only multi-alert (`by`) queries have groups; pipemon's own queries do not, but
 * `spec.metrics.<signal>.datadog` overrides may. One minute lets a new group report before
 * it is judged.
 */
const NEW_GROUP_DELAY_SECONDS = 60;
/**
 * Batch counters arrive in bursts at the end of a run, flushed by DogStatsD/agents; waiting
 * a minute keeps the last points of a run inside the evaluated window.
 */
const SPARSE_EVALUATION_DELAY_SECONDS = 60;

/** Strictly on the OK side of `level` for the comparator. */
function okSide(comparator: Comparator, value: number, level: number): boolean {
  return comparator === ">" ? value < level : value > level;
}

/**
 * critical_recovery / warning_recovery, each 10% of its level towards OK. critical_recovery
 * stays strictly between warning and critical (as in every recorded Datadog example, e.g.
 * warning 2.3, critical_recovery 2.4, critical 2.5): recovering from critical then lands in
 * warning or OK, never skips past the warning level. Omitted when no valid value exists
 * (a level of 0 has no "10% of it").
 */
export function recoveryThresholds(condition: DatadogCondition): Pick<DatadogThresholds, "critical_recovery" | "warning_recovery"> {
  const { comparator, critical, warning } = condition;
  const toward = (level: number): number => cleanNumber(comparator === ">" ? level - Math.abs(level) * HYSTERESIS : level + Math.abs(level) * HYSTERESIS);
  const out: Pick<DatadogThresholds, "critical_recovery" | "warning_recovery"> = {};
  let criticalRecovery = toward(critical);
  if (warning !== undefined && !okSide(comparator, warning, criticalRecovery)) criticalRecovery = cleanNumber((critical + warning) / 2);
  if (okSide(comparator, criticalRecovery, critical) && (warning === undefined || okSide(comparator, warning, criticalRecovery))) {
    out.critical_recovery = criticalRecovery;
  }
  if (warning !== undefined) {
    const warningRecovery = toward(warning);
    if (okSide(comparator, warningRecovery, warning)) out.warning_recovery = warningRecovery;
  }
  return out;
}

function levelOf(def: AlertDefinition, level: "critical" | "warning"): AlertLevel | undefined {
  return def.levels.find((l) => l.level === level);
}

/** pipemon's own tag keys; a pipeline label with one of these keys is dropped (ours win). */
const RESERVED_TAG_KEYS: ReadonlySet<string> = new Set(["managed-by", "pipemon-id", "team", "pipeline", "severity", "alert", "env"]);

export function monitorTags(project: Project, pipeline: Pipeline, alert: AlertKey, severity: Severity): string[] {
  const tags = new Set<string>([
    DATADOG_MANAGED_TAG,
    datadogIdTag(pipeline.name, alert),
    `team:${pipeline.team}`,
    `pipeline:${pipeline.name}`,
    `severity:${severity}`,
    `alert:${alert}`,
  ]);
  if (project.environment) tags.add(`env:${project.environment}`);
  for (const [key, value] of Object.entries(pipeline.labels)) {
    if (!RESERVED_TAG_KEYS.has(key)) tags.add(`${key}:${value}`);
  }
  // Sorted: Datadog returns tags in the order sent, and plan compares them as given.
  return [...tags].sort();
}

export function monitorName(project: Project, pipeline: Pipeline, def: AlertDefinition): string {
  return `[pipemon] ${pipeline.name}: ${def.title}${project.environment ? ` (${project.environment})` : ""}`;
}

export function monitorOptions(def: AlertDefinition, condition: DatadogCondition): DatadogMonitorOptions {
  const thresholds: DatadogThresholds = { critical: condition.critical };
  if (condition.warning !== undefined) thresholds.warning = condition.warning;
  if (CONTINUOUS.has(def.key)) Object.assign(thresholds, recoveryThresholds(condition));
  const sparse = isSparseCount(def);
  const options: DatadogMonitorOptions = {
    thresholds,
    notify_no_data: def.whenAbsent === "fire",
    // Sparse counters never fill a window; gauges must, so "above for 10m" means 10 minutes.
    require_full_window: !sparse,
    include_tags: true,
    notify_audit: false,
    new_group_delay: NEW_GROUP_DELAY_SECONDS,
  };
  if (def.whenAbsent === "fire") {
    // Datadog recommends at least twice the evaluation window before declaring No Data.
    options.no_data_timeframe = 2 * datadogWindowMinutes(def.datadog.windowSeconds);
  }
  if (def.severity === "critical") {
    options.renotify_interval = RENOTIFY_MINUTES;
    options.renotify_statuses = def.whenAbsent === "fire" ? ["alert", "no data"] : ["alert"];
  }
  if (sparse) options.evaluation_delay = SPARSE_EVALUATION_DELAY_SECONDS;
  return options;
}

export function monitorBody(project: Project, pipeline: Pipeline, def: AlertDefinition): DatadogMonitorBody {
  const condition = datadogCondition(def);
  if (!levelOf(def, "critical")) throw new Error(`${def.pipeline}/${def.key}: alert definition has no critical level`);
  return {
    name: monitorName(project, pipeline, def),
    type: "query alert",
    query: monitorQuery(def, condition),
    message: monitorMessage(project, pipeline, def, condition, {
      runbook: runbookUrl(pipeline, project),
      // No Grafana target → no dashboard to link to.
      panel: pipeline.targets.includes("grafana") ? panelUrl(project.grafana.url, pipeline.name, def.panelId) : undefined,
    }),
    tags: monitorTags(project, pipeline, def.key, def.severity),
    priority: PRIORITY[def.severity],
    options: monitorOptions(def, condition),
  };
}
