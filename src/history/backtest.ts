/**
 * The backtest's result: per pipeline, alert and severity, the firing episodes over the
 * period, the time spent firing and the channels each episode would have paged; with a base
 * git ref, the same for the base specs beside it (the pull-request view of a change).
 *
 * Pure: the rules come from the compiled model (app/backtest.ts), their expression values from
 * the query API; nothing here reads or prints.
 */
import type { Severity } from "../model/types.js";
import { clipEpisodes, evaluateRule, firingSeconds, unionEpisodes, type Episode, type EvaluationGrid, } from "./rule-evaluation.js";
import type { MatrixSeries } from "../lib/prometheus-matrix.js";

/** One alerting rule (one threshold level of one alert of one pipeline), as generated. */
export interface BacktestRule {
  pipeline: string;
  team: string;
  /** The catalog key, e.g. `pipelineFailed`. */
  alert: string;
  severity: Severity;
  level: "critical" | "warning";
  /** The rule's alert name in Prometheus, e.g. `PipemonPipelineFailedCritical`. */
  alertName: string;
  /** The rule's whole expression, as generated: `(value) > threshold`. */
  expr: string;
  /** The value expression compared with the threshold: `value` in `(value) > threshold`. */
  valueExpr: string;
  comparator: ">" | "<";
  threshold: number;
  forSeconds: number;
  /** The rule group's evaluation interval. */
  intervalSeconds: number;
  channels: readonly string[];
}

export interface BacktestAlert {
  pipeline: string;
  alert: string;
  severity: Severity;
  episodes: Episode[];
  /** Seconds firing within [since, until]. */
  firingSeconds: number;
  channels: string[];
}

export interface BacktestSide {
  alerts: BacktestAlert[];
}

export interface BacktestResult {
  since: number;
  until: number;
  alerts: BacktestAlert[];
  /** With --base: the base ref's alerts for the pipelines evaluated, and the pipelines not evaluated because nothing changed. */
  base?: { ref: string; alerts: BacktestAlert[]; unchanged: string[] };
  stats: { pipelines: number; rules: number; queries: number };
}

/** The warm-up before `since`: a rule pending at `since` needs its `for` of history before it. */
function warmUpSeconds(rules: readonly BacktestRule[]): number {
  return rules.reduce((max, r) => Math.max(max, r.forSeconds), 0);
}

/**
 * The grid a rule group evaluates on: every multiple of its interval in [since − warm-up,
 * until]. One warm-up for every rule (the longest `for`), so rules sharing an expression and
 * an interval share one query, whatever their `for`: more history before `since` only makes
 * the state at `since` more faithful.
 */
export function ruleGrid(since: number, until: number, intervalSeconds: number, warmUp: number): EvaluationGrid {
  const start = Math.ceil((since - warmUp) / intervalSeconds) * intervalSeconds;
  const end = Math.floor(until / intervalSeconds) * intervalSeconds;
  return { start, step: intervalSeconds, count: end < start ? 0 : Math.round((end - start) / intervalSeconds) + 1 };
}

const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

const alertKey = (a: { pipeline: string; alert: string; severity: Severity }): string => `${a.pipeline}\0${a.alert}\0${a.severity}`;

/**
 * Per pipeline, alert and severity: the union of the episodes of every rule (level) and alert
 * instance with that severity, clipped to [since, until]. Every rule appears, quiet ones with
 * no episodes. `episodesOf` gives each rule's episodes over its grid, every instance's
 * (from `evaluateRule`, so a caller can evaluate a query's rules as soon as it answers and let
 * its series go).
 */
export function backtestAlerts(rules: readonly BacktestRule[], episodesOf: (rule: BacktestRule) => readonly Episode[], since: number, until: number): BacktestAlert[] {
  const grouped = new Map<string, { alert: BacktestAlert; all: Episode[] }>();
  for (const rule of rules) {
    const key = alertKey(rule);
    let g = grouped.get(key);
    if (!g) grouped.set(key, (g = { alert: { pipeline: rule.pipeline, alert: rule.alert, severity: rule.severity, episodes: [], firingSeconds: 0, channels: [] }, all: [] }));
    g.all.push(...episodesOf(rule));
    g.alert.channels = [...new Set([...g.alert.channels, ...rule.channels])];
  }
  const out = [...grouped.values()].map(({ alert, all }) => {
    const episodes = clipEpisodes(unionEpisodes(all), since).filter((e) => e.start <= until);
    return { ...alert, episodes, firingSeconds: firingSeconds(episodes, until) };
  });
  return out.sort((a, b) => (a.pipeline < b.pipeline ? -1 : a.pipeline > b.pipeline ? 1 : 0) || (a.alert < b.alert ? -1 : a.alert > b.alert ? 1 : 0) || severityRank[a.severity] - severityRank[b.severity]);
}

/** The episodes of every instance of one rule, from its value expression's series on its grid. */
export function ruleEpisodes(rule: BacktestRule, series: readonly MatrixSeries[], grid: EvaluationGrid): Episode[] {
  return evaluateRule(series, rule, grid).flatMap((i) => i.episodes);
}

/**
 * The expression that answers every rule of a group sharing one value expression and
 * comparator (the levels of an alert, base and head of a threshold change): the value
 * compared with the loosest threshold. Every step where a stricter rule holds is in its
 * answer, with its value, so each rule's own comparison picks exactly its steps. With one
 * rule, it is that rule's expression as generated.
 */
export function loosestRuleExpression(rules: readonly BacktestRule[]): string {
  const first = rules[0]!;
  if (rules.some((r) => r.valueExpr !== first.valueExpr || r.comparator !== first.comparator)) throw new Error("rules of one query must share the value expression and comparator");
  const loosest = rules.reduce((a, r) => ((first.comparator === ">" ? r.threshold < a.threshold : r.threshold > a.threshold) ? r : a));
  return loosest.expr;
}

/** One range query of a backtest: the rules it answers and the grid it is evaluated on. */
export interface BacktestQuery {
  expr: string;
  grid: EvaluationGrid;
  rules: BacktestRule[];
}

/**
 * The queries that answer `rules` over [since, until]: one per value expression, comparator
 * and interval (the levels of an alert; base and head when a change moved only a
 * threshold), each the value compared with the loosest of its rules' thresholds.
 */
export function backtestQueries(rules: readonly BacktestRule[], since: number, until: number): BacktestQuery[] {
  const warmUp = warmUpSeconds(rules);
  const byQuery = new Map<string, BacktestRule[]>();
  for (const rule of rules) {
    const key = `${rule.intervalSeconds}\0${rule.comparator}\0${rule.valueExpr}`;
    const group = byQuery.get(key);
    if (group) group.push(rule);
    else byQuery.set(key, [rule]);
  }
  const out: BacktestQuery[] = [];
  for (const group of byQuery.values()) {
    const grid = ruleGrid(since, until, group[0]!.intervalSeconds, warmUp);
    if (grid.count > 0) out.push({ expr: loosestRuleExpression(group), grid, rules: group });
  }
  return out;
}

/** One alert before → after: either side may be missing (an alert added or removed by the change). */
export interface AlertChange {
  pipeline: string;
  alert: string;
  severity: Severity;
  before?: BacktestAlert;
  after?: BacktestAlert;
}

/** Base and head alerts side by side, in the order of the head (then what only the base has). */
export function compareAlerts(base: readonly BacktestAlert[], head: readonly BacktestAlert[]): AlertChange[] {
  const before = new Map(base.map((a) => [alertKey(a), a]));
  const rows: AlertChange[] = head.map((after) => {
    const b = before.get(alertKey(after));
    before.delete(alertKey(after));
    return { pipeline: after.pipeline, alert: after.alert, severity: after.severity, after, ...(b ? { before: b } : {}) };
  });
  for (const b of before.values()) rows.push({ pipeline: b.pipeline, alert: b.alert, severity: b.severity, before: b });
  return rows.sort((x, y) => (x.pipeline < y.pipeline ? -1 : x.pipeline > y.pipeline ? 1 : 0));
}
