/**
 * Reading Prometheus range-query results (the matrix shape, `{metric, values: [ts, "v"][]}`)
 * for the report: counter increases between samples, gauge values, quantiles. Pure.
 */

import { sampleValue, type MatrixSeries } from "../lib/prometheus-matrix.js";

export type { MatrixSeries };

/** The period a report covers, unix seconds; `step` is the range queries' resolution. */
export interface Period {
  since: number;
  until: number;
  step: number;
}

/** A counter went up by `amount` between the sample before `t` and the sample at `t`. */
export interface Increase {
  t: number;
  amount: number;
  metric: Readonly<Record<string, string>>;
}

/**
 * The increases of counter series between consecutive samples, the way `increase()` reads a
 * counter: a drop is a reset (the process restarted), after which the new value is the
 * increase. A series whose first sample comes after the period's first step was born inside
 * the period, so its first value is counted too (DESIGN §8: the first failure is a failure);
 * a series present from the start gives its first sample as the baseline only.
 */
export function counterIncreases(series: readonly MatrixSeries[], period: Period): Increase[] {
  const out: Increase[] = [];
  for (const s of series) {
    let previous: number | undefined;
    for (const [t, raw] of s.values) {
      const v = sampleValue(raw);
      if (!Number.isFinite(v)) continue;
      if (previous === undefined) {
        if (t > period.since && v > 0) out.push({ t, amount: v, metric: s.metric });
      } else if (v > previous) {
        out.push({ t, amount: v - previous, metric: s.metric });
      } else if (v < previous && v > 0) {
        out.push({ t, amount: v, metric: s.metric });
      }
      previous = v;
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Finite values of every series, in time order per series. */
export function finiteValues(series: readonly MatrixSeries[]): number[] {
  const out: number[] = [];
  for (const s of series) for (const [, raw] of s.values) {
    const v = sampleValue(raw);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** The value at each timestamp of a single-series result (an aggregated query); the first series wins. */
export function valueAt(series: readonly MatrixSeries[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) for (const [t, raw] of s.values) if (!out.has(t)) out.set(t, sampleValue(raw));
  return out;
}

/**
 * The q-quantile (0..1) of the values, interpolated linearly between the closest ranks: the
 * method of Prometheus's `quantile_over_time`, so a figure here reads as the same statistic
 * there. Undefined when there are no values.
 */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function maximum(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => (b > a ? b : a));
}

export function minimum(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => (b < a ? b : a));
}
