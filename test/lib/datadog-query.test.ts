import { describe, expect, it } from "vitest";
import { GrammarError, parseMetricExpression, parseMetricQuery } from "../../src/lib/datadog-query.js";

describe("the Datadog metric-monitor grammar (one parser for validation, compile tests and the emulator)", () => {
  it.each([
    "change(min(last_1m),last_5m):sum:a.b{example,framework:chronos} + sum:c.d{*} > 5",
    "avg(last_1h):anomalies(avg:system.cpu.system{name:cassandra}, 'basic', 3, direction='above', alert_window='last_5m') >= 1",
    "avg(current_1mo):avg:system.load.5{*} > 0.5",
    "avg(last_5m):sum:a{*}.rollup(sum, 60).fill(null) > 1",
  ])("accepts the recorded form %s", (q) => {
    expect(() => parseMetricQuery(q)).not.toThrow();
  });

  it("parses an override's expression alone, with the evaluation and comparison left to pipemon", () => {
    expect(parseMetricExpression("max:kafka.lag{group:x} / 100").terms.map((t) => t.metric)).toEqual(["kafka.lag"]);
    expect(parseMetricExpression("abs(max:a{x:y})").functions).toEqual(["abs"]);
  });

  it.each([
    ["max:a{x:y} > 5", "unexpected text after the expression", 11],
    ["count:a{*}", 'unknown space aggregation "count"', 0],
    ["max:a..b{*}", 'invalid metric name "a..b"', 4],
    ["max:a{x,pipeline other}", "invalid scope", 6],
    ["p95:a{*}", "not a distribution metric", 0],
    ["1 + 2", "no metric in the expression", 5],
  ])("rejects the expression %s: %s at %i", (expression, reason, offset) => {
    let error: unknown;
    try {
      parseMetricExpression(expression);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrammarError);
    expect((error as GrammarError).reason).toContain(reason);
    expect((error as GrammarError).offset).toBe(offset);
  });
});
