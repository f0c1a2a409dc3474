/**
 * The rule manager's walk (prometheus/rules/alerting.go) on hand-made steps: pending from the
 * first true evaluation, firing once true for `for`, resolved at the first false one, and a
 * pending alert dropped (its `for` starts again) by a single false evaluation.
 */
import { describe, expect, it } from "vitest";
import { backtestAlerts, backtestQueries, compareAlerts, loosestRuleExpression, ruleEpisodes, ruleGrid, type BacktestRule } from "../../src/history/backtest.js";
import { clipEpisodes, evaluateRule, unionEpisodes, walkSteps } from "../../src/history/rule-evaluation.js";
import { sampleValue, type MatrixSeries } from "../../src/lib/prometheus-matrix.js";
import { backtestJson, backtestMarkdown, backtestText } from "../../src/history/render-backtest.js";

const grid = { start: 0, step: 60, count: 20 };
const steps = (...i: number[]) => new Set(i);

describe("walkSteps", () => {
  it("fires at the step where it has been true for `for`, and resolves at the first false step", () => {
    expect(walkSteps(steps(2, 3, 4, 5, 6), 180, grid)).toEqual([{ start: 300, end: 420 }]);
  });
  it("with for: 0s fires at the first true step", () => {
    expect(walkSteps(steps(2), 0, grid)).toEqual([{ start: 120, end: 180 }]);
  });
  it("a false step while pending starts the wait again", () => {
    expect(walkSteps(steps(1, 2, 4, 5, 6, 7), 180, grid)).toEqual([{ start: 420, end: 480 }]);
  });
  it("true at the last step: still firing (end null)", () => {
    expect(walkSteps(steps(17, 18, 19), 60, grid)).toEqual([{ start: 1080, end: null }]);
  });
  it("true again after a resolution: a new alert, pending again", () => {
    expect(walkSteps(steps(1, 2, 3, 5, 6, 7), 60, grid)).toEqual([{ start: 120, end: 240 }, { start: 360, end: 480 }]);
  });
});

describe("evaluateRule", () => {
  it("compares values as PromQL does (+Inf above everything, NaN never), per instance without __name__", () => {
    const series: MatrixSeries[] = [
      { metric: { __name__: "x", pipeline: "a" }, values: [[0, "+Inf"], [60, "NaN"], [120, "5"]] as [number, string][] },
      { metric: { pipeline: "b" }, values: [[0, "1"], [60, "7"]] as [number, string][] },
    ];
    const out = evaluateRule(series, { comparator: ">", threshold: 4, forSeconds: 0 }, { start: 0, step: 60, count: 3 });
    expect(out).toEqual([
      { labels: { pipeline: "a" }, episodes: [{ start: 0, end: 60 }, { start: 120, end: null }] },
      { labels: { pipeline: "b" }, episodes: [{ start: 60, end: 120 }] },
    ]);
    expect(sampleValue("-Inf")).toBe(-Infinity);
  });
});

describe("episodes", () => {
  it("merges overlapping instances and clips to the period", () => {
    expect(unionEpisodes([{ start: 0, end: 100 }, { start: 50, end: 200 }, { start: 300, end: null }, { start: 400, end: 500 }])).toEqual([{ start: 0, end: 200 }, { start: 300, end: null }]);
    expect(clipEpisodes([{ start: 0, end: 100 }, { start: 150, end: 300 }], 200)).toEqual([{ start: 200, end: 300 }]);
  });
  it("a grid starts its warm-up on a whole interval before since", () => {
    expect(ruleGrid(1000, 2000, 60, 300)).toEqual({ start: 720, step: 60, count: 22 });
  });
});

const rule = (over: Partial<BacktestRule>): BacktestRule => ({
  pipeline: "p",
  team: "t",
  alert: "stale",
  severity: "high",
  level: "critical",
  alertName: "PipemonStaleCritical",
  expr: "(x) > 1",
  valueExpr: "x",
  comparator: ">",
  threshold: 1,
  forSeconds: 0,
  intervalSeconds: 60,
  channels: ["alerts"],
  ...over,
});

describe("results and rendering", () => {
  const g = { start: 0, step: 60, count: 10 };
  const series = [{ metric: {}, values: [[120, "5"], [180, "5"], [480, "5"], [540, "5"]] as [number, string][] }];
  const quiet = rule({ alert: "cpu", severity: "medium" });
  const stale = rule({});
  const alerts = backtestAlerts([stale, quiet], (r) => (r === stale ? ruleEpisodes(r, series, g) : []), 0, 540);

  it("lists every alert, with episodes, time firing and channels", () => {
    expect(alerts).toEqual([
      { pipeline: "p", alert: "cpu", severity: "medium", episodes: [], firingSeconds: 0, channels: ["alerts"] },
      { pipeline: "p", alert: "stale", severity: "high", episodes: [{ start: 120, end: 240 }, { start: 480, end: null }], firingSeconds: 120 + 60, channels: ["alerts"] },
    ]);
  });

  it("writes DESIGN §10's JSON", () => {
    const doc = JSON.parse(backtestJson({ since: 0, until: 540, alerts, stats: { pipelines: 1, rules: 2, queries: 1 } }));
    expect(doc.since).toBe("1970-01-01T00:00:00Z");
    expect(doc.alerts[1]).toEqual({ pipeline: "p", alert: "stale", severity: "high", episodes: [{ start: "1970-01-01T00:02:00Z", end: "1970-01-01T00:04:00Z" }, { start: "1970-01-01T00:08:00Z", end: null }], firingSeconds: 180, channels: ["alerts"] });
    expect(doc.base).toBeUndefined();
  });

  it("shows before → after with --base, and the quiet alerts in one line without", () => {
    const result = { since: 0, until: 540, alerts, stats: { pipelines: 1, rules: 2, queries: 1 } };
    expect(backtestText(result)).toContain("  stale high: 2 episodes, 3m firing; would have paged alerts\n");
    expect(backtestText(result)).toContain("  quiet: cpu medium\n");
    const based = { ...result, base: { ref: "main", alerts: [alerts[0]!, { ...alerts[1]!, episodes: [], firingSeconds: 0 }], unchanged: ["q"] } };
    expect(backtestText(based)).toContain("  stale high: 0 episodes, 0m firing → 2 episodes, 3m firing; pages alerts\n");
    expect(backtestMarkdown(based)).toContain("| p | stale | high | 0 episodes, 0m firing | **2 episodes, 3m firing** | alerts |");
    expect(compareAlerts([alerts[1]!], [])).toEqual([{ pipeline: "p", alert: "stale", severity: "high", before: alerts[1] }]);
  });
});

describe("one query for the rules of one value expression", () => {
  it("asks with the loosest threshold, one of the rules' own expressions", () => {
    const crit = rule({ threshold: 0.95, expr: "(x) > 0.95" });
    const warn = rule({ threshold: 0.8, expr: "(x) > 0.8", level: "warning" });
    expect(loosestRuleExpression([crit, warn])).toBe("(x) > 0.8");
    expect(loosestRuleExpression([rule({ comparator: "<", threshold: 100, expr: "(x) < 100" }), rule({ comparator: "<", threshold: 500, expr: "(x) < 500" })])).toBe("(x) < 500");
  });
  it("groups rules by value expression, comparator and interval, on grids warmed up by the longest `for`", () => {
    const crit = rule({ threshold: 0.95, expr: "(x) > 0.95", forSeconds: 300 });
    const warn = rule({ threshold: 0.8, expr: "(x) > 0.8", level: "warning", forSeconds: 300 });
    const other = rule({ valueExpr: "y", threshold: 3, expr: "(y) > 3", forSeconds: 600 });
    const below = rule({ comparator: "<", threshold: 1, expr: "(x) < 1" });
    const slower = rule({ threshold: 0.9, expr: "(x) > 0.9", intervalSeconds: 120 });
    const queries = backtestQueries([crit, warn, other, below, slower], 6000, 9000);
    expect(queries.map((q) => [q.expr, q.rules.length, q.grid])).toEqual([
      ["(x) > 0.8", 2, { start: 5400, step: 60, count: 61 }],
      ["(y) > 3", 1, { start: 5400, step: 60, count: 61 }],
      ["(x) < 1", 1, { start: 5400, step: 60, count: 61 }],
      ["(x) > 0.9", 1, { start: 5400, step: 120, count: 31 }],
    ]);
    // A period shorter than one step of the interval has nothing to ask.
    expect(backtestQueries([slower], 6010, 6050)).toEqual([]);
  });
  it("each rule keeps the steps its own threshold passes", () => {
    const crit = rule({ threshold: 0.95 });
    const answer = [{ metric: {}, values: [[0, "0.9"], [60, "0.97"], [120, "0.85"]] as [number, string][] }];
    expect(ruleEpisodes(crit, answer, { start: 0, step: 60, count: 3 })).toEqual([{ start: 60, end: 120 }]);
    expect(ruleEpisodes(rule({ threshold: 0.8 }), answer, { start: 0, step: 60, count: 3 })).toEqual([{ start: 0, end: null }]);
  });
});
