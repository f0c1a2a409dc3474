/** Units of the spec language → the model's base units (ratios 0..1, records/s, seconds). */
import { describe, expect, it } from "vitest";
import { parseRate, parseRatio, seconds } from "../../src/spec/v1/units.js";

describe("parseRatio", () => {
  it.each([
    ["5%", 0.05],
    ["0%", 0],
    ["100%", 1],
    ["0.1%", 0.001],
    ["0.05%", 0.0005],
    ["0.01%", 0.0001],
    ["150%", 1.5],
    [0.05, 0.05],
    [0, 0],
    [1, 1],
  ] as const)("%s → %s", (input, expected) => {
    expect(parseRatio(input)).toBe(expected);
  });

  it("is free of float noise, so thresholds print as written", () => {
    // 33.3 / 100 is 0.33299999999999996 in IEEE doubles.
    expect(33.3 / 100).not.toBe(0.333);
    expect(parseRatio("33.3%")).toBe(0.333);
    expect(String(parseRatio("33.3%"))).toBe("0.333");
    expect(parseRatio("0.7%")).toBe(0.007);
    expect(parseRatio("14.2%")).toBe(0.142);
    expect(parseRatio("57%")).toBe(0.57);
    expect(parseRatio("99.9%")).toBe(0.999);
  });
});

describe("parseRate", () => {
  it.each([
    ["100/s", 100],
    ["6000/m", 100],
    ["60/m", 1],
    ["360000/h", 100],
    ["1/m", 0.0166666666667],
    ["0.5/s", 0.5],
    ["90/m", 1.5],
    [250, 250],
    [0, 0],
  ] as const)("%s → %s records per second", (input, expected) => {
    expect(parseRate(input)).toBe(expected);
  });

  it("is free of float noise", () => {
    expect(parseRate("100/h")).toBe(0.0277777777778);
    expect(parseRate("7/m")).toBe(0.116666666667);
  });
});

describe("seconds", () => {
  it.each([
    ["30s", 30],
    ["45m", 2700],
    ["2h", 7200],
    ["1d", 86400],
    ["1w", 604800],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["2s500ms", 2.5],
    ["0s", 0],
  ])("%s → %s", (input, expected) => {
    expect(seconds(input)).toBe(expected);
  });

  it("throws on what the schema would have refused", () => {
    expect(() => seconds("45 minutes")).toThrow("not a duration: 45 minutes");
    expect(() => seconds("1.5h")).toThrow("not a duration: 1.5h");
    expect(() => seconds("")).toThrow("not a duration");
  });
});
