/** Units of the spec language, parsed into the model's base units. */
import { parseDuration } from "../../lib/duration.js";

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
