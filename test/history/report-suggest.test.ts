/**
 * Suggested thresholds: the statistic and margin of each side, rounding to a value people
 * write, and page counts asked of the evaluator with exactly the suggested (and current)
 * thresholds. The expected statistics are computed here from the values themselves.
 */
import { describe, expect, it } from "vitest";
import { readable, suggest, type SuggestionInput } from "../../src/history/report-suggest.js";
import type { MatrixSeries } from "../../src/history/report-series.js";

const series = (values: number[], start = 0, step = 60): MatrixSeries[] => [{ metric: {}, values: values.map((v, i) => [start + i * step, String(v)] as [number, string]) }];

describe("readable values", () => {
  it("rounds to two significant digits in the unit the spec writes", () => {
    expect(readable(0.8634, "ratio", "up")).toBe(0.87); // 86.34% → 87%
    expect(readable(0.012345, "ratio", "down")).toBe(0.012); // 1.2345% → 1.2%
    expect(readable(4321, "seconds", "up")).toBe(73 * 60); // 72.0m → 73m
    expect(readable(95, "seconds", "up")).toBe(95);
    expect(readable(0.7345, "seconds", "up")).toBe(0.74);
    expect(readable(9.6 * 3600, "seconds", "up")).toBe(9.6 * 3600);
    expect(readable(12_345, "count", "down")).toBe(12_000);
    expect(readable(437.2, "perSecond", "down")).toBe(430);
    // Counts are whole numbers in a spec (errors: 1.3 is refused by validation).
    expect(readable(1.08, "count", "up")).toBe(2);
    expect(readable(1.08, "count", "down")).toBe(1);
  });
});

describe("suggest", () => {
  // 1,000 evaluations of a CPU ratio: 0.0005 .. 0.5, so p99 and p95 are known by construction.
  const values = Array.from({ length: 1000 }, (_, i) => (i + 1) / 2000);
  const input = (over: Partial<SuggestionInput> = {}): SuggestionInput => ({
    alert: "cpu", threshold: "thresholds.cpu", specPath: ["spec", "thresholds", "cpu"], comparator: ">", unit: "ratio",
    forSeconds: 600, current: { warning: 0.8, critical: 0.95 }, levelled: true, values: series(values), ...over,
  });

  it("proposes p99 × 1.2 (critical) and p95 × 1.2 (warning), rounded up, and counts pages for each", () => {
    const asked: number[] = [];
    const s = suggest(input({ current: { warning: 0.7, critical: 0.99 } }), 0, (t) => (asked.push(t), t < 0.59 ? 3 : 0));
    const p99 = 0.0005 + 0.99 * 0.4995; // linear interpolation between the closest ranks
    const p95 = 0.0005 + 0.95 * 0.4995;
    expect(s.levels.map((l) => [l.level, l.statistic])).toEqual([["critical", "p99 × 1.2"], ["warning", "p95 × 1.2"]]);
    expect(s.levels[0]!.basis).toBeCloseTo(p99, 12);
    expect(s.levels[1]!.basis).toBeCloseTo(p95, 12);
    // Both land between 10% and 100%: two significant digits are whole percents, rounded up.
    expect(s.levels[0]!.suggested).toBe(Math.ceil(p99 * 1.2 * 100) / 100);
    expect(s.levels[1]!.suggested).toBe(Math.ceil(p95 * 1.2 * 100) / 100);
    expect(s.levels.map((l) => [l.pages, l.current, l.currentPages])).toEqual([[0, 0.99, 0], [3, 0.7, 0]]);
    expect(asked.sort()).toEqual([0.58, 0.6, 0.7, 0.99]);
  });

  it("fires-below alerts get p1 × 0.8 and p5 × 0.8 rounded down, and no suggestion when that is 0", () => {
    const throughput = Array.from({ length: 200 }, (_, i) => 1000 + i * 10); // 1000..2990 records/s
    const s = suggest(input({ alert: "lowThroughput", threshold: "thresholds.throughput", comparator: "<", unit: "perSecond", current: { warning: 500, critical: 100 }, values: series(throughput) }), 0, () => 0);
    const p1 = 1000 + 0.01 * 199 * 10;
    const p5 = 1000 + 0.05 * 199 * 10;
    expect(s.levels.map((l) => [l.level, l.basis, l.suggested])).toEqual([["critical", p1, Math.floor(p1 * 0.8 / 10) * 10], ["warning", p5, Math.floor(p5 * 0.8 / 10) * 10]]);
    const dead = suggest(input({ comparator: "<", unit: "perSecond", values: series([0, 0, 0, 5]) }), 0, () => 0);
    expect(dead.levels).toEqual([]);
    expect(dead.none).toMatch(/p1 is 0/);
  });

  it("takes the statistic over the period only, not the warm-up before it", () => {
    const s = suggest(input({ levelled: false, current: { critical: 0.95 }, values: series([1, 1, 1, 0.5, 0.5, 0.5], -180) }), 0, () => 0);
    expect(s.samples).toBe(3);
    expect(s.levels[0]!.basis).toBe(0.5);
  });

  it("suggests no ratio beyond 100% and no warning level the spec does not have", () => {
    const peaks = suggest(input({ values: series([0.5, 0.97, 0.97, 0.97]) }), 0, () => 0);
    expect(peaks).toMatchObject({ levels: [], none: expect.stringMatching(/beyond 100%/) });
    const single = suggest(input({ alert: "errors", threshold: "thresholds.errors", unit: "count", current: { critical: 10 }, values: series([1, 2, 3, 12]) }), 0, () => 0);
    expect(single.levels.map((l) => l.level)).toEqual(["critical"]);
    expect(Number.isInteger(single.levels[0]!.suggested)).toBe(true);
  });

  it("says why when the alert's value has no history", () => {
    expect(suggest(input({ values: [] }), 0, () => 0)).toMatchObject({ levels: [], none: expect.stringMatching(/no history/) });
  });
});
