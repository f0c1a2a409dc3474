/** Units of the spec language, parsed into the model's base units. */
import { formatDuration, parseDuration } from "../../lib/duration.js";
import type { ThresholdValueKind } from "../../model/thresholds.js";
import type { RawValue } from "./raw.js";

/** The largest threshold: every integer up to it is exact in a double, on every target. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

/**
 * The longest duration a spec may write. Prometheus parses durations up to ~292 years (int64
 * nanoseconds; promtool rejects `1000y` as out of range); a monitoring window, pending period
 * or SLA longer than a year means a typo, not an intent.
 */
export const MAX_DURATION_SECONDS = 365 * 86400;
export const MAX_DURATION_TEXT = "1y";

/** Avoids float noise such as 33.3% → 0.33299999999999996, so thresholds print as written. */
const tidy = (n: number): number => Number(n.toPrecision(12));

/** `5%` or `0.05` → 0.05. */
export function parseRatio(value: string | number): number {
  return typeof value === "number" ? value : tidy(Number(value.slice(0, -1)) / 100);
}

const PER: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `100/s`, `6000/m` or a bare number → records per second. */
export function parseRate(value: string | number): number {
  if (typeof value === "number") return value;
  const [amount, unit] = value.split("/");
  return tidy(Number(amount) / PER[unit!]!);
}

/** A duration the schema already accepted. */
export function seconds(value: string): number {
  const s = parseDuration(value);
  if (s === undefined) throw new Error(`not a duration: ${value}`);
  return s;
}

/** The parser of each kind of threshold value (model/thresholds.ts), into the kind's base unit. */
export const VALUE_PARSER: { readonly [K in ThresholdValueKind]: (value: RawValue[K]) => number } = {
  ratio: parseRatio,
  count: (n) => n,
  duration: seconds,
  rate: parseRate,
};

const FRACTIONAL_DURATION = /^(\d*\.\d+)(ms|s|m|h|d|w|y)$/;
const AMOUNT_AND_WORD = /^(\d+)\s*([A-Za-z]+)$/;
/** Units written out, as people do (`45 minutes`), to the duration unit. */
const UNIT_WORDS: Record<string, string> = Object.fromEntries(
  ([
    ["ms", ["ms", "msec", "millisecond", "milliseconds"]],
    ["s", ["s", "sec", "secs", "second", "seconds"]],
    ["m", ["m", "min", "mins", "minute", "minutes"]],
    ["h", ["h", "hr", "hrs", "hour", "hours"]],
    ["d", ["d", "day", "days"]],
    ["w", ["w", "wk", "week", "weeks"]],
    ["y", ["y", "yr", "year", "years"]],
  ] as const).flatMap(([unit, words]) => words.map((w) => [w, unit])),
);

/**
 * What to write instead of a value that is not a duration: the commonest mistakes get their
 * fix (`for: 10` has no unit; `1.5h` is not Prometheus syntax; `45 minutes`, `1h 30m`).
 */
export function durationAdvice(value: unknown): string {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 ? `add a unit: ${value}s, ${value}m or ${value}h` : "write a duration with a unit, in whole numbers: 30s, 45m or 1h30m";
  }
  if (typeof value === "string") {
    const fraction = FRACTIONAL_DURATION.exec(value);
    if (fraction) {
      const s = Number(fraction[1]) * parseDuration(`1${fraction[2]!}`)!;
      const wholeMs = Math.abs(s * 1000 - Math.round(s * 1000)) < 1e-6;
      return wholeMs && s > 0 ? `durations take whole numbers: write ${formatDuration(s)}` : "durations take whole numbers, like 30s, 45m or 1h30m";
    }
    const worded = AMOUNT_AND_WORD.exec(value.trim());
    // `Hours` is hours, but `10M` might mean months: single letters must be the unit itself.
    const word = worded && (worded[2]!.length > 2 ? worded[2]!.toLowerCase() : worded[2]!);
    const unit = word && Object.hasOwn(UNIT_WORDS, word) ? UNIT_WORDS[word] : undefined;
    if (worded && unit) return `write ${worded[1]!}${unit}`;
    const compact = value.replace(/\s+/g, "");
    if (compact !== value && parseDuration(compact) !== undefined) return `write it without spaces: ${compact}`;
  }
  return "expected a duration like 30s, 45m, 2h or 1d";
}
