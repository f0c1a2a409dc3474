/**
 * Target-neutral alert definitions: the single place where the catalog meets a pipeline.
 * Every target renders these, so threshold, comparator, window, severity and channels are
 * the same on Grafana, Prometheus and Datadog by construction.
 */
import { CATALOG, warningSeverity, type WhenAbsent } from "../model/catalog.js";
import { threshold, thresholdOfAlert, UNIT_OF, type Unit } from "../model/thresholds.js";
import { panelForAlert, type PanelKey } from "../model/panels.js";
import type { AlertKey, Pipeline, Severity, ThresholdKey, ThresholdLevels } from "../model/types.js";
import { ALERT_KEYS } from "../model/types.js";
import { formatDuration } from "../lib/duration.js";
import * as promql from "./promql.js";
import { promSelector, STREAM_RATE_WINDOW_SECONDS } from "./promql.js";

export type { Unit };

export interface AlertLevel {
  level: "critical" | "warning";
  threshold: number;
  severity: Severity;
  channels: readonly string[];
  /** What fires this level with its own threshold, e.g. "more than 1% of records failed in the last 1h". */
  firesWhen: string;
}

export interface AlertDefinition {
  key: AlertKey;
  title: string;
  pipeline: string;
  team: string;
  severity: Severity;
  forSeconds: number;
  comparator: ">" | "<";
  /** Critical first, then warning when the spec sets one. */
  levels: readonly AlertLevel[];
  whenAbsent: WhenAbsent;
  onQueryError: "Error" | "Alerting" | "KeepLast";
  /** PromQL instant-vector expression whose value is compared with the thresholds. */
  promql: string;
  unit: Unit;
  /**
   * The window the value is measured over, seconds (the schedule window, the rate window, or
   * the pending period): also the Datadog monitor's `last_<window>`.
   */
  windowSeconds: number;
  /** The dashboard panel that shows the alert's signal. */
  panel: PanelKey;
  summary: string;
  /** What fires it with this pipeline's numbers at the critical level, e.g. "more than 5% of records failed in the last 1h". */
  firesWhen: string;
  /** `<pipeline> (<team>): <firesWhen>. <the catalog's meaning>` */
  description: string;
}

export function formatThreshold(value: number, unit: Unit): string {
  switch (unit) {
    case "ratio": return `${+(value * 100).toPrecision(6)}%`;
    case "seconds": return formatDuration(value);
    case "perSecond": return `${value}/s`;
    case "count": return String(value);
  }
}

interface Recipe {
  windowSeconds: number;
  promql: string;
  /** How the threshold reads in a sentence. */
  describe: (threshold: string, window: string) => string;
}

/** Alerts enabled by an SLA or by nothing: their levels and unit (threshold alerts take both from the registry). */
interface OwnLevels {
  unit: Unit;
  levels: ThresholdLevels;
}

type Signals = Pipeline["signals"];

function levelsOf(p: Pipeline, key: ThresholdKey): ThresholdLevels | undefined {
  const t = p.thresholds[key];
  if (t === undefined) return undefined;
  return typeof t === "number" ? { critical: t } : t;
}

/** Levels and unit of an alert that no threshold enables, or undefined when its SLA is not set. */
function ownLevels(key: AlertKey, p: Pipeline): OwnLevels | undefined {
  switch (key) {
    case "pipelineFailed": return { unit: "count", levels: { critical: 0 } };
    case "slaBreach": return p.sla.maxDurationSeconds === undefined ? undefined : { unit: "seconds", levels: { critical: p.sla.maxDurationSeconds } };
    case "stale": return p.sla.freshnessSeconds === undefined ? undefined : { unit: "seconds", levels: { critical: p.sla.freshnessSeconds } };
    default: return undefined;
  }
}

/** What each alert measures and how it reads; its levels come from its threshold or its SLA. */
function recipe(key: AlertKey, p: Pipeline, forSeconds: number): Recipe {
  const s: Signals = p.signals;
  const W = promql.windowSeconds(p);
  // Sustained alerts look back over their pending period on Datadog (no `for` there).
  const sustained = Math.max(forSeconds, 60);
  switch (key) {
    case "pipelineFailed":
      return {
        windowSeconds: W,
        promql: promql.unresolvedFailure(p),
        describe: (_t, win) => `the last finished run failed (from the failed-runs counter alone: a run failed in the last ${win})`,
      };
    case "slaBreach": {
      const last = `label_replace(${promSelector(s.duration)}, "run", "last", "", "")`;
      const current =
        `label_replace(time() - ${promSelector(s.startedAt)} and on () (${promSelector(s.inProgress)} == 1), "run", "current", "", "")`;
      return {
        windowSeconds: W,
        promql: `max(${last} or ${current})`,
        describe: (t) => `the last run took longer than ${t}, or the current run has been running longer`,
      };
    }
    case "stale":
      return {
        windowSeconds: p.sla.freshnessSeconds!,
        // absent() turns "never succeeded" into +Inf seconds since the last success.
        promql: promql.sinceLastSuccess(p),
        describe: (t) => `no successful run for more than ${t}`,
      };
    case "dataQuality":
      return p.type === "batch"
        ? { windowSeconds: W, promql: promql.failureRatio(p), describe: (t, win) => `more than ${t} of records failed in the last ${win}` }
        : { windowSeconds: STREAM_RATE_WINDOW_SECONDS, promql: promql.streamErrorRatio(p), describe: (t, win) => `more than ${t} of stream records failed over the last ${win}` };
    case "lowVolume":
      return { windowSeconds: W, promql: promql.recordsProcessed(p), describe: (t, win) => `fewer than ${t} records processed in the last ${win}` };
    case "errors":
      return { windowSeconds: W, promql: promql.errorsTotal(p), describe: (t, win) => `more than ${t} errors in the last ${win}` };
    case "cpu":
    case "memory":
      return {
        windowSeconds: sustained,
        promql: key === "cpu" ? promql.cpuUsage(p) : promql.memoryUsage(p),
        describe: (t, win) => `${key === "cpu" ? "CPU" : "memory"} usage above ${t} for ${win}`,
      };
    case "highLatency":
      return { windowSeconds: sustained, promql: promql.latencyP95(p), describe: (t, win) => `p95 processing latency above ${t} for ${win}` };
    case "lowThroughput":
      return { windowSeconds: sustained, promql: promql.throughput(p), describe: (t, win) => `throughput below ${t} for ${win}, or the stream stopped reporting for ${win}` };
    case "highBacklog":
      return { windowSeconds: sustained, promql: promql.backlog(p), describe: (t, win) => `backlog above ${t} records for ${win}` };
  }
}

/**
 * The Grafana, Datadog and runbook compilers all ask for the same pipeline in a row, so the
 * last answer is kept. One entry, not a map: a map keyed by pipeline kept every pipeline's
 * definitions alive for the whole run (~10 KB each on a 10,000-pipeline estate).
 */
let last: { pipeline: Pipeline; defs: readonly AlertDefinition[] } | undefined;

/** Every enabled alert of a pipeline, in catalog order. */
export function alertDefinitions(p: Pipeline): readonly AlertDefinition[] {
  if (last?.pipeline !== p) last = { pipeline: p, defs: computeDefinitions(p) };
  return last.defs;
}

function computeDefinitions(p: Pipeline): AlertDefinition[] {
  const out: AlertDefinition[] = [];
  for (const key of ALERT_KEYS) {
    const entry = CATALOG[key];
    if (!entry.types.includes(p.type)) continue;
    const override = p.alerts[key] ?? {};
    if (override.enabled === false) continue;
    const forSeconds = override.forSeconds ?? entry.defaultForSeconds;
    // The threshold that enables the alert gives its levels and unit (registry); else its SLA.
    const thresholdKey = thresholdOfAlert(key, p.type);
    const thresholdLevels = thresholdKey && levelsOf(p, thresholdKey);
    const own = thresholdKey ? (thresholdLevels ? { unit: UNIT_OF[threshold(thresholdKey).value], levels: thresholdLevels } : undefined) : ownLevels(key, p);
    if (!own) continue;
    const r = recipe(key, p, forSeconds);
    const severity = override.severity ?? entry.defaultSeverity;
    const window = formatDuration(r.windowSeconds);
    const sentence = (value: number): string => r.describe(formatThreshold(value, own.unit), window);
    const levels: AlertLevel[] = [
      { level: "critical", threshold: own.levels.critical, severity, channels: p.routing[severity], firesWhen: sentence(own.levels.critical) },
    ];
    if (own.levels.warning !== undefined) {
      const ws = warningSeverity(severity);
      levels.push({ level: "warning", threshold: own.levels.warning, severity: ws, channels: p.routing[ws], firesWhen: sentence(own.levels.warning) });
    }
    const firesWhen = levels[0]!.firesWhen;
    out.push({
      key,
      title: entry.title,
      pipeline: p.name,
      team: p.team,
      severity,
      forSeconds,
      comparator: entry.comparator,
      levels,
      whenAbsent: entry.whenAbsent,
      onQueryError: entry.onQueryError,
      promql: r.promql,
      unit: own.unit,
      windowSeconds: r.windowSeconds,
      panel: panelForAlert(key, p.type),
      summary: `${p.name}: ${entry.title.toLowerCase()}`,
      firesWhen,
      description: `${p.name} (${p.team}): ${firesWhen}. ${entry.meaning}`,
    });
  }
  return out;
}

/** The threshold of a level in a sentence, e.g. "5%", "45m", "100/s". */
export function describeLevel(def: AlertDefinition, level: AlertLevel): string {
  return formatThreshold(level.threshold, def.unit);
}
