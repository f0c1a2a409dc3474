import { describe, expect, it } from "vitest";
import { checkPromql } from "../../src/lib/promql-check.js";

describe("checkPromql: an override must be an alert value Prometheus accepts", () => {
  it.each([
    'max(kafka_consumergroup_lag{group="x"})',
    "sum(rate(x_total[5m]))",
    "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
    "max(x offset 5m)",
    "topk(3, x)",
    'count_values("v", x)',
    'label_replace(x, "a", "$1", "b", "(.*)")',
    "quantile_over_time(0.9, x[5m])",
    "sum(x) by (job) / on (job) group_left sum(y)",
    "vector(1)",
    "time() - max(x)",
    "max(x)\n  / 2",
  ])("accepts %s", (q) => {
    expect(checkPromql(q)).toBeUndefined();
  });

  it.each([
    ["max(", "unexpected end of the expression"],
    ["max(x))", "syntax error near ')'"],
    ["rate(x)", "rate() takes a range vector like x[5m], not an instant vector ('x')"],
    ["x[5m]", "the value is a range vector"],
    ['"text"', "the value is a string"],
    ["sum(x[5m])", "aggregation takes an instant vector, not a range vector ('x[5m]')"],
    ["max(x) offset 5m", "'offset' and '@' apply to a selector"],
    ["max(x) # note", "a '#' comment is not allowed in an override"],
    ["abs()", "abs() takes 1 argument, not 0"],
    ["histogram_quantile(x)", "histogram_quantile() takes 2 arguments, not 1"],
    ["topk(x)", "topk() takes 2 arguments, not 1"],
    ['abs("a")', "abs() does not take a string here"],
  ])("rejects %s", (q, message) => {
    expect(checkPromql(q)?.message).toContain(message);
  });

  it("points at where the problem starts", () => {
    expect(checkPromql("sum(rate(x))")?.offset).toBe(9);
  });
});
