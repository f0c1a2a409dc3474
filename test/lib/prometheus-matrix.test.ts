import { describe, expect, it } from "vitest";
import { sampleValue } from "../../src/lib/prometheus-matrix.js";

describe("sampleValue", () => {
  it("reads Prometheus's special values", () => {
    expect([sampleValue("+Inf"), sampleValue("-Inf"), sampleValue("1.5e+03")]).toEqual([Infinity, -Infinity, 1500]);
    expect(sampleValue("NaN")).toBeNaN();
  });
});
