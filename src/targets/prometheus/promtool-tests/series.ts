/**
 * Synthetic series in promtool's input notation: `metric{label="value"}` and a values string
 * with one sample per step (`_` for no sample). Built from the metric contract as the model
 * resolves it (metric name and matchers per signal), so overridden names and selectors are
 * exercised like the defaults.
 */
import type { ResolvedSignal } from "../../../model/types.js";

export interface InputSeries {
  series: string;
  values: string;
}

/**
 * One sample per step; undefined is a step without a sample, `stale` a staleness marker (what
 * Prometheus writes when a scraped series or its target goes away).
 */
export type Samples = readonly (number | undefined | "stale")[];

/** A series before it is written in promtool's notation. */
export interface Synthetic {
  series: string;
  samples: Samples;
}

export function inputSeries(s: Synthetic): InputSeries {
  return { series: s.series, values: valuesString(s.samples) };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `metric{k="v",...}` of a signal's series, with extra labels (status, error_type, le). */
export function seriesName(signal: ResolvedSignal, extra: Readonly<Record<string, string>> = {}, suffix = ""): string {
  const labels = { ...signal.matchers, ...extra };
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(",");
  return `${signal.prometheus}${suffix}{${inner}}`;
}

function number(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  return String(v);
}

/**
 * The values string of samples: runs of one value as `v+0xN` (N+1 samples), integer
 * arithmetic runs as `a+bxN`, everything else listed (promtool adds the increments one by
 * one, so a run of fractional steps would drift from the values the test expects).
 */
export function valuesString(samples: Samples): string {
  const parts: string[] = [];
  let i = 0;
  while (i < samples.length) {
    const v = samples[i];
    if (v === undefined || v === "stale") {
      parts.push(v === undefined ? "_" : "stale");
      i++;
      continue;
    }
    let j = i;
    const next = samples[i + 1];
    const d = typeof next === "number" ? next - v : 0;
    const integral = Number.isInteger(v) && Number.isInteger(d) && Math.abs(v) < 2 ** 52 && Math.abs(d) < 2 ** 31;
    const numberAt = (k: number): number | undefined => (typeof samples[k] === "number" ? (samples[k] as number) : undefined);
    if (integral || d === 0) {
      while (j + 1 < samples.length && numberAt(j + 1) !== undefined && numberAt(j + 1)! - numberAt(j)! === d && (d === 0 || integral)) j++;
    }
    if (j - i >= 2 || (j > i && d === 0)) {
      parts.push(`${number(v)}${d < 0 ? "-" : "+"}${Math.abs(d)}x${j - i}`);
      i = j + 1;
    } else {
      parts.push(number(v));
      i++;
    }
  }
  return parts.join(" ");
}

/** A gauge: `before` until step `at`, then `after` (steps 0..n-1). */
export function stepGauge(n: number, at: number, before: number, after: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < at ? before : after));
}

/**
 * A counter series born at step `at` with `amount` as its first value (a run that just
 * reported, through a client that creates the series on first use): no sample before.
 */
export function bornCounter(n: number, at: number, amount: number): (number | undefined)[] {
  return Array.from({ length: n }, (_, i) => (i < at ? undefined : amount));
}

/**
 * A counter growing by `before` per step until step `at`, then by `after` per step (the
 * sample at `at` is the first to show the new rate). Starts at 0.
 */
export function rateCounter(n: number, at: number, before: number, after: number): number[] {
  const out: number[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) v += i < at ? before : after;
    out.push(v);
  }
  return out;
}
