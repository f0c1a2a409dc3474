/**
 * Thresholds proposed from history (`report --suggest`), pure. Each suggestion is a statistic
 * of the very values the alert compares with its threshold (the alert's own query, evaluated
 * at the rule group's interval over the period), times a margin, rounded to a value people
 * write: an alert that fires above its threshold gets p99 × 1.2 for critical and p95 × 1.2
 * for warning, rounded up; one that fires below (low volume, low throughput) p1 × 0.8 and
 * p5 × 0.8, rounded down. "Would have paged" is the number of firing episodes the rule with
 * that threshold (and the alert's `for`) has over the same values, counted by the same
 * evaluation backtest uses, so the two commands agree.
 */
import type { FigureUnit, Levels } from "./report.js";
import { finiteValues, quantile, type MatrixSeries } from "./report-series.js";

/** One alert of a pipeline whose threshold can be suggested, as the app reads it from the spec. */
export interface SuggestionInput {
  alert: string;
  /** The threshold as written in YAML, e.g. `thresholds.cpu`, `sla.maxDuration`. */
  threshold: string;
  specPath: readonly string[];
  comparator: ">" | "<";
  unit: FigureUnit;
  forSeconds: number;
  /** The spec's current levels; `warning` only where the threshold has levels. */
  current: Levels;
  levelled: boolean;
  /** The alert's value query at the rule interval, from before the period (the rule's warm-up) to its end. */
  values: readonly MatrixSeries[];
}

/** The statistic and margin of each level, by the side the alert fires on (one table). */
const SUGGESTION_METHOD = {
  ">": { critical: { quantile: 0.99, margin: 1.2 }, warning: { quantile: 0.95, margin: 1.2 }, rounding: "up" },
  "<": { critical: { quantile: 0.01, margin: 0.8 }, warning: { quantile: 0.05, margin: 0.8 }, rounding: "down" },
} as const;

export interface SuggestedLevel {
  level: "critical" | "warning";
  /** e.g. `p99 × 1.2`. */
  statistic: string;
  /** The statistic's value before margin and rounding. */
  basis: number;
  suggested: number;
  current?: number;
  /** Firing episodes in the period with the suggested threshold, and with the current one. */
  pages: number;
  currentPages?: number;
}

export interface Suggestion {
  alert: string;
  threshold: string;
  /** The threshold has warning and critical levels (`<threshold>.critical` in YAML). */
  levelled: boolean;
  unit: FigureUnit;
  comparator: ">" | "<";
  /** Evaluations the statistic was taken over. */
  samples: number;
  levels: SuggestedLevel[];
  /** Why nothing is suggested (no history, or the statistic is 0 for a below-alert). */
  none?: string;
}

/**
 * The firing episodes in the period of the alert's rule with this threshold: the app counts
 * them with backtest's evaluation (src/history/backtest.ts) over the same values.
 */
export type PageCounter = (threshold: number) => number;

const clean = (n: number): number => Number(n.toPrecision(12));

/** Rounded to two significant digits, up or down. */
function twoDigits(x: number, rounding: "up" | "down"): number {
  if (x <= 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(x)) - 1);
  const scaled = clean(x / magnitude);
  return clean((rounding === "up" ? Math.ceil(scaled) : Math.floor(scaled)) * magnitude);
}

/**
 * A readable value: two significant digits in the unit the spec writes it in (percent for
 * ratios; seconds, minutes or hours for durations, whichever reads under 120 of them).
 */
export function readable(x: number, unit: FigureUnit, rounding: "up" | "down"): number {
  if (unit === "ratio") return clean(twoDigits(x * 100, rounding) / 100);
  if (unit === "seconds" && x >= 120) {
    const size = x >= 7200 ? 3600 : 60;
    return clean(twoDigits(x / size, rounding) * size);
  }
  // Counts (records, errors, backlog) are whole numbers in a spec.
  if (unit === "count") return rounding === "up" ? Math.ceil(twoDigits(x, rounding)) : Math.floor(twoDigits(x, rounding));
  return twoDigits(x, rounding);
}

/** The statistics are taken over the period only, not its warm-up: `since` is its start. */
export function suggest(input: SuggestionInput, since: number, countPages: PageCounter): Suggestion {
  const values = finiteValues(input.values.map((s) => ({ metric: s.metric, values: s.values.filter(([t]) => t >= since) })));
  const method = SUGGESTION_METHOD[input.comparator];
  const base = { alert: input.alert, threshold: input.threshold, levelled: input.levelled, unit: input.unit, comparator: input.comparator, samples: values.length };
  if (values.length === 0) return { ...base, levels: [], none: "no history of this alert's value in the period" };
  const levels: SuggestedLevel[] = [];
  // A warning level is suggested where the spec has one: a suggestion reshapes a threshold, it does not add levels.
  for (const level of input.current.warning !== undefined ? (["critical", "warning"] as const) : (["critical"] as const)) {
    const m = method[level];
    const basis = quantile(values, m.quantile)!;
    const suggested = readable(basis * m.margin, input.unit, method.rounding);
    const critical = levels[0]?.suggested;
    // A warning level must page before the critical one; when history makes them equal, one is enough.
    if (level === "warning" && critical !== undefined && (input.comparator === ">" ? suggested >= critical : suggested <= critical)) continue;
    if (input.comparator === "<" && suggested <= 0) {
      if (level === "critical") return { ...base, levels: [], none: `the history's p${m.quantile * 100} is 0: no threshold below it can page` };
      continue;
    }
    // A ratio cannot pass 100%: the history's own peaks are too frequent for this margin.
    if (input.unit === "ratio" && input.comparator === ">" && suggested >= 1) {
      if (level === "critical") return { ...base, levels: [], none: `p${m.quantile * 100} × ${m.margin} of the history is ${Number((basis * m.margin * 100).toPrecision(3))}%, beyond 100%: the history spends more than ${Math.round((1 - m.quantile) * 100)}% of the time near its peak` };
      continue;
    }
    const current = level === "critical" ? input.current.critical : input.current.warning;
    levels.push({
      level,
      statistic: `p${Math.round(m.quantile * 100)} × ${m.margin}`,
      basis,
      suggested,
      ...(current !== undefined ? { current, currentPages: countPages(current) } : {}),
      pages: countPages(suggested),
    });
  }
  return { ...base, levels };
}
