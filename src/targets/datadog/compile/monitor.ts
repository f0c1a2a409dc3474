/**
 * One Datadog monitor create body (POST /api/v1/monitor) per alert definition.
 * The body carries only fields seen accepted in Datadog's recorded traffic (checked by
 * test/compile/datadog/contract.test.ts); the types are our own so product code never loads
 * the Datadog API client.
 */
import type { DatadogAlert } from "./alert-query.js";
import { PRIORITY } from "../../../model/catalog.js";
import { DATADOG_MANAGED_TAG, datadogIdTag } from "../../../model/identity.js";
import type { AlertKey, Pipeline, Project, Severity } from "../../../model/types.js";
import { messageContext, monitorMessage } from "./message.js";
import type { MessageContext } from "./message.js";
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

/** pipemon's own tag keys; a pipeline label with one of these keys is dropped (ours win). */
const RESERVED_TAG_KEYS: ReadonlySet<string> = new Set(["managed-by", "pipemon-id", "team", "pipeline", "severity", "alert", "env"]);

/** What every monitor of one pipeline shares, computed once per pipeline. */
export interface PipelineMonitorContext {
  message: MessageContext;
  /**
   * The pipeline's sorted tags with three empty slots where the per-alert tags go
   * (`alert:`, `pipemon-id:`, `severity:`), and the slot indexes.
   */
  tagTemplate: readonly string[];
  tagSlots: { alert: number; id: number; severity: number };
  namePrefix: string;
  nameSuffix: string;
}

export function pipelineMonitorContext(project: Project, pipeline: Pipeline): PipelineMonitorContext {
  const base = new Set<string>([DATADOG_MANAGED_TAG, `team:${pipeline.team}`, `pipeline:${pipeline.name}`]);
  if (project.environment) base.add(`env:${project.environment}`);
  for (const key of Object.keys(pipeline.labels)) {
    // `key.split(":")[0]`: a key with a colon must not smuggle in a reserved prefix either.
    if (!RESERVED_TAG_KEYS.has(key.split(":", 1)[0]!)) base.add(`${key}:${pipeline.labels[key]}`);
  }
  // No other tag starts with the reserved prefixes `alert:`, `pipemon-id:`, `severity:`,
  // and every tag has a colon, so each per-alert tag sorts exactly where its prefix does:
  // the slots are found once, and each monitor only fills them in.
  const template = [...base, "alert:", "pipemon-id:", "severity:"].sort();
  return {
    message: messageContext(project, pipeline),
    tagTemplate: template,
    tagSlots: { alert: template.indexOf("alert:"), id: template.indexOf("pipemon-id:"), severity: template.indexOf("severity:") },
    namePrefix: `[pipemon] ${pipeline.name}: `,
    nameSuffix: project.environment ? ` (${project.environment})` : "",
  };
}

/**
 * Sorted: Datadog returns tags in the order sent, and plan compares them as given.
 * The pipeline's labels become `key:value` tags, except keys pipemon sets itself.
 */
export function monitorTags(ctx: PipelineMonitorContext, pipeline: string, alert: AlertKey, severity: Severity): string[] {
  const tags = ctx.tagTemplate.slice();
  tags[ctx.tagSlots.alert] = `alert:${alert}`;
  tags[ctx.tagSlots.id] = datadogIdTag(pipeline, alert);
  tags[ctx.tagSlots.severity] = `severity:${severity}`;
  return tags;
}

export function monitorOptions(def: DatadogAlert, condition: DatadogCondition): DatadogMonitorOptions {
  const thresholds: DatadogThresholds = { critical: condition.critical };
  if (condition.warning !== undefined) thresholds.warning = condition.warning;
  if (CONTINUOUS.has(def.key)) {
    const r = recoveryThresholds(condition);
    if (r.critical_recovery !== undefined) thresholds.critical_recovery = r.critical_recovery;
    if (r.warning_recovery !== undefined) thresholds.warning_recovery = r.warning_recovery;
  }
  const sparse = isSparseCount(def);
  // Absence pages for stale (never reported) and lowThroughput (a dead stream, DESIGN §8).
  const fire = pagesOnNoData(def);
  // Built in reading order: stableJson keeps insertion order (no key sorting), so this is
  // the order reviewers see in generated/. Absent options are left out, not undefined, so
  // in-memory bodies equal their JSON.
  // Required fields are all set below (the options test pins each); the cast only lets the
  // object be filled in reading order.
  const options = { thresholds, notify_no_data: fire } as DatadogMonitorOptions;
  // The same deadline as Grafana's and Prometheus's: the monitor's window, which is the
  // freshness window for stale (a pipeline that never reports is stale after it) and the
  // pending period for lowThroughput (a dead stream pages after it). Datadog recommends 2x
  // for sparse metrics; it is not required, and 2x would page two hours late on a 2h freshness.
  if (fire) options.no_data_timeframe = datadogWindowMinutes(def.windowSeconds);
  if (def.severity === "critical") {
    options.renotify_interval = RENOTIFY_MINUTES;
    // Stale and a dead stream fire through No Data, so a critical one must re-page on No Data too.
    options.renotify_statuses = fire ? ["alert", "no data"] : ["alert"];
  }
  // Sparse counters never fill a window; gauges must, so "above for 10m" means 10 minutes.
  options.require_full_window = !sparse;
  if (sparse) options.evaluation_delay = SPARSE_EVALUATION_DELAY_SECONDS;
  options.new_group_delay = NEW_GROUP_DELAY_SECONDS;
  options.include_tags = true;
  options.notify_audit = false;
  return options;
}

/**
 * Whether the monitor pages when its query has no data: stale (never reported) and a dead
 * stream. Datadog cannot tell a stream that stopped from one that never started.
 */
function pagesOnNoData(def: DatadogAlert): boolean {
  return def.whenAbsent !== "silent";
}

/** One monitor; pass the pipeline's context when rendering several (datadogMonitors does). */
export function monitorBody(
  project: Project,
  pipeline: Pipeline,
  def: DatadogAlert,
  ctx: PipelineMonitorContext = pipelineMonitorContext(project, pipeline),
): DatadogMonitorBody {
  const condition = datadogCondition(def);
  // Reading order in generated/: what and when first, the long message last.
  return {
    name: ctx.namePrefix + def.title + ctx.nameSuffix,
    type: "query alert",
    query: monitorQuery(def, condition),
    priority: PRIORITY[def.severity],
    tags: monitorTags(ctx, pipeline.name, def.key, def.severity),
    options: monitorOptions(def, condition),
    message: monitorMessage(ctx.message, def, condition),
  };
}

/** The monitor's name, e.g. `[pipemon] orders-etl: Pipeline run failed (staging)`. */
export function monitorName(project: Project, pipeline: Pipeline, def: DatadogAlert): string {
  return `[pipemon] ${pipeline.name}: ${def.title}${project.environment ? ` (${project.environment})` : ""}`;
}
