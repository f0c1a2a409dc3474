/**
 * The Datadog metric-monitor query of an alert definition:
 * `time_aggr(time_window):expression operator #` (grammar in contracts/datadog/README.md).
 *
 * Kept free of the Datadog API client on purpose: `generate` renders 10,000 pipelines in
 * under two seconds, and these are plain string functions.
 */
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import type { DatadogAlert } from "./alert-query.js";
import { formatDuration } from "../../../lib/duration.js";
import { DATADOG_MAX_WINDOW_SECONDS } from "../../../lib/datadog-query.js";

export type Comparator = ">" | "<";

/** Datadog's limits for metric monitors (OpenAPI `query` description): at most one week. */
const MAX_WINDOW_MINUTES = DATADOG_MAX_WINDOW_SECONDS / 60;
const MAX_WINDOW_HOURS = DATADOG_MAX_WINDOW_SECONDS / 3600;

/**
 * `last_#m` / `last_#h` / `last_1d` / `last_1w` for a window in seconds.
 * Datadog counts in whole minutes, so a window that is not a whole number of minutes is
 * rounded UP (the monitor then looks a little further back, never misses a point).
 * Throws beyond one week: Datadog rejects such windows, and silently shortening one would
 * change the alert's meaning (e.g. a monthly `minRecords` counted over a week).
 */
export function datadogTimeWindow(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`invalid Datadog monitor window: ${seconds}s`);
  const minutes = Math.ceil(seconds / 60);
  if (minutes === 1440) return "last_1d";
  if (minutes === MAX_WINDOW_MINUTES) return "last_1w";
  if (minutes % 60 === 0 && minutes / 60 <= MAX_WINDOW_HOURS) return `last_${minutes / 60}h`;
  if (minutes <= MAX_WINDOW_MINUTES) return `last_${minutes}m`;
  throw new Error(
    `Datadog metric monitors evaluate at most the last week; this alert needs ${formatDuration(seconds)}`,
  );
}

/** Minutes covered by a `datadogTimeWindow` (the rounded-up window). */
export function datadogWindowMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/**
 * Removes binary floating-point noise (0.1 + 0.2 → 0.3, 1.1 / 100 → 0.011) while keeping
 * every digit a spec can meaningfully write. The cleaned number is used both in the query
 * text and in `options.thresholds`, so the two are equal by construction (Datadog rejects a
 * monitor whose critical threshold differs from the query's number).
 */
export function cleanNumber(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`threshold is not a finite number: ${value}`);
  // Fast path (generate renders ~70,000 monitors for 10,000 pipelines): the shortest
  // round-trip text has at most 15 significant digits when it is at most 16 characters
  // long, and then rounding to 15 digits gives the value back unchanged.
  if (String(value).length <= 16) return value === 0 ? 0 : value;
  const out = Number(value.toPrecision(15));
  return Object.is(out, -0) ? 0 : out;
}

/**
 * A number as plain decimal text: the shortest round-trip form, never exponent notation
 * (JavaScript writes 1e-7 and 1e21, which the query grammar's `#` does not allow).
 * `Number(formatQueryNumber(x)) === x` for every finite x.
 */
export function formatQueryNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`threshold is not a finite number: ${value}`);
  const text = String(value);
  const e = text.indexOf("e");
  if (e === -1) return text;
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** What the monitor compares: comparator and the levels, in the Datadog query's unit. */
export interface DatadogCondition {
  comparator: Comparator;
  critical: number;
  warning?: number;
  /** Readable levels for messages and runbooks, e.g. `> 0.05 (5%)`, `< 1 successful run in the last 2h`. */
  criticalText: string;
  warningText?: string;
}

/**
 * The comparison the monitor makes. Normally exactly the definition's comparator and levels.
 *
 * One exception, `stale`: the definition's threshold is in seconds since the last success
 * (Prometheus has a last-success timestamp gauge), but the Datadog side of the metric
 * contract has no such gauge, only the count of successful runs (DESIGN §2: "success count
 * per window"), and the definition's Datadog expression counts successes over the freshness
 * window. The same meaning on that query is "fewer than one successful run in the window";
 * rendering the seconds threshold on a count would alert on busy pipelines and never on
 * stale ones. Absence of any success series is covered by notify_no_data (whenAbsent=fire).
 */
export function datadogCondition(def: DatadogAlert): DatadogCondition {
  const own = def.datadog.condition;
  if (own) return { comparator: own.comparator, critical: own.critical, criticalText: own.describe };
  // levels: critical first, then the optional warning (AlertDefinition's contract).
  const critical = def.levels[0];
  if (!critical || critical.level !== "critical") throw new Error(`${def.pipeline}/${def.key}: alert definition has no critical level`);
  const value = cleanNumber(critical.threshold);
  const condition: DatadogCondition = {
    comparator: def.comparator,
    critical: value,
    criticalText: `${def.comparator} ${formatQueryNumber(value)}${humanSuffix(def, value)}`,
  };
  const warning = def.levels[1];
  if (warning) {
    const w = cleanNumber(warning.threshold);
    // Datadog rejects a warning on the wrong side ("Warning threshold (50.0) must be less
    // than the alert threshold (20.0) with > comparison"); validation guarantees the order,
    // so a violation here is a bug upstream, not a user error.
    if (!(def.comparator === ">" ? w < value : w > value)) {
      throw new Error(`${def.pipeline}/${def.key}: warning ${w} is not on the safe side of critical ${value} for ${def.comparator}`);
    }
    condition.warning = w;
    condition.warningText = `${def.comparator} ${formatQueryNumber(w)}${humanSuffix(def, w)}`;
  }
  return condition;
}

/** ` (5%)`, ` (45m)`, `/s`: the unit, when the raw number alone would not say it. */
function humanSuffix(def: AlertDefinition, threshold: number): string {
  switch (def.unit) {
    case "ratio": return ` (${+(threshold * 100).toPrecision(6)}%)`;
    case "seconds": return ` (${formatDuration(threshold)})`;
    case "perSecond": return "/s";
    case "count": return "";
  }
}

/** The whole monitor query, e.g. `sum(last_1h):sum:pipeline.runs{...}.as_count() > 0`. */
export function monitorQuery(def: DatadogAlert, condition: DatadogCondition = datadogCondition(def)): string {
  const { timeAggregation, expression } = def.datadog;
  let window: string;
  try {
    window = datadogTimeWindow(def.windowSeconds);
  } catch (e) {
    throw new Error(`${def.pipeline}/${def.key}: ${(e as Error).message}`);
  }
  return `${timeAggregation}(${window}):${expression} ${condition.comparator} ${formatQueryNumber(condition.critical)}`;
}

/**
 * Sparse counters: a sum over a window of `.as_count()` points. Batch jobs report only while
 * they run, so a "full window" of data never exists; Datadog recommends
 * require_full_window=false for such metrics.
 */
export function isSparseCount(def: DatadogAlert): boolean {
  return def.datadog.timeAggregation === "sum" && def.datadog.expression.includes(".as_count()");
}
