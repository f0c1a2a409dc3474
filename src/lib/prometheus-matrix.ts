/**
 * Prometheus's range-query answer as every reader of it sees it (backtest, report, preview,
 * the query client): the matrix shape, and its sample values as Prometheus prints them.
 */

/** One series of a range query's matrix result: [unix seconds, value as printed ("1.5", "+Inf", "NaN")], in time order. */
export interface MatrixSeries {
  metric: Readonly<Record<string, string>>;
  values: ReadonlyArray<readonly [number, string]>;
}

/** A sample's value: Prometheus prints `NaN`, `+Inf` and `-Inf`, and `Number()` reads neither infinity. */
export function sampleValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}
