/**
 * `pipemon backtest`: how often would the generated alerts have fired over a past period?
 *
 * The rules are compiled in memory from the specs with the same compilers as `generate`
 * (the alert definitions every target renders) and evaluated over the Prometheus-compatible
 * query API with range queries at the rule group's interval, then walked step by step as
 * Prometheus's rule manager would (src/history). The rules of one value expression (an
 * alert's levels; base and head when a change moved only a threshold) share one query: the
 * value compared with the loosest of their thresholds, i.e. one of the generated rule
 * expressions, so the server answers only the steps where some level held, with the value,
 * and each rule keeps the steps its own threshold passes. (Querying the bare value sent
 * every step of every series back: 2 GB of JSON for the 1,000-pipeline week; querying each
 * rule alone cost 60% more queries.)
 *
 * With `--base REF` the specs at that git ref are compiled too (read through git, the work
 * tree untouched); only the pipelines whose compiled rules or routing differ are evaluated,
 * on both sides.
 */
import { alertDefinitions } from "../compile/alert-definitions.js";
import { alertExpression, prometheusAlertName, prometheusRuleGroup } from "../targets/prometheus/compile/index.js";
import { backtestAlerts, backtestQueries, ruleEpisodes, type BacktestResult, type BacktestRule } from "../history/backtest.js";
import type { Episode } from "../history/rule-evaluation.js";
import type { EnvLookup } from "../lib/env-ref.js";
import type { Pipeline, Project } from "../model/types.js";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadResult } from "../spec/index.js";
import { defaultQueryConcurrency, PrometheusQueryApi, QueryApiError, QueryApiSettingsError, resolveQueryApiConnection, type QueryApiOptions } from "../targets/prometheus/query-api.js";
import { parseSelection, selectionProblem, selects } from "./desired.js";
import { GitRefError, specsAtRef } from "./git-specs.js";
import { pool } from "../lib/pool.js";

export interface BacktestOptions {
  root: string;
  environment?: string;
  selectors?: readonly string[];
  /** Unix seconds, since < until (the CLI's resolvePeriod refuses any other period). */
  since: number;
  until: number;
  base?: string;
  env: EnvLookup;
  /** Client options (tests: retries, concurrency, point limit). */
  queryApi?: QueryApiOptions;
}

export type BacktestOutcome =
  | { ok: true; result: BacktestResult }
  | { ok: false; message: string; load?: LoadResult };

/** Pipelines whose rules run on Prometheus data: Grafana-managed and Prometheus rules are the same PromQL. */
const evaluated = (p: Pipeline): boolean => p.targets.includes("prometheus") || p.targets.includes("grafana");

/** Every rule of one pipeline, one per level of each alert definition. */
export function pipelineRules(project: Project, p: Pipeline): BacktestRule[] {
  return alertDefinitions(p).flatMap((def) =>
    def.levels.map((level): BacktestRule => ({
      pipeline: p.name,
      team: p.team,
      alert: def.key,
      severity: level.severity,
      level: level.level,
      alertName: prometheusAlertName(def.key, level.level),
      expr: alertExpression(def, level),
      valueExpr: def.promql,
      comparator: def.comparator,
      threshold: level.threshold,
      forSeconds: def.forSeconds,
      intervalSeconds: project.grafana.ruleIntervalSeconds,
      channels: level.channels,
    })),
  );
}

/** What a change must alter for a pipeline to be evaluated again: its compiled rule group and where each level pages. */
function fingerprint(project: Project, p: Pipeline): string {
  return JSON.stringify({ group: prometheusRuleGroup(project, p), rules: pipelineRules(project, p) });
}

function oneProject(load: LoadResult, environment: string | undefined, where: string): Project | string {
  if (load.projects.length === 1) return load.projects[0]!;
  if (environment === undefined && load.environments.length > 0) return `the config${where} declares environments (${load.environments.join(", ")}): choose one with --env`;
  return `no project to backtest${where}`;
}

function loadProblem(load: LoadResult, where: string): string {
  const first = load.diagnostics.find((d) => d.severity === "error");
  return `the specs${where} do not load${first ? `: ${first.message}` : ""}`;
}

export async function backtest(options: BacktestOptions): Promise<BacktestOutcome> {
  const { since, until } = options;
  const env = options.environment !== undefined ? { environment: options.environment } : {};
  const load = loadSpecs({ root: options.root, ...env });
  if (load.projects.length === 0 && hasErrors(load.diagnostics)) return { ok: false, message: "the specs have errors: fix them first (pipemon validate)", load };
  const head = oneProject(load, options.environment, "");
  if (typeof head === "string") return { ok: false, message: head };
  const selection = parseSelection(options.selectors);
  if (selection) {
    const problem = selectionProblem(selection, [head], []);
    if (problem) return { ok: false, message: problem };
  }
  const chosen = (project: Project): Pipeline[] => project.pipelines.filter((p) => evaluated(p) && selects(selection, p.name, p.team));

  let headPipelines = chosen(head);
  let basePart: { ref: string; project: Project; pipelines: Pipeline[]; unchanged: string[] } | undefined;
  if (options.base !== undefined) {
    let at;
    try {
      at = specsAtRef(options.root, options.base);
    } catch (e) {
      if (e instanceof GitRefError) return { ok: false, message: e.message };
      throw e;
    }
    try {
      const where = ` at '${options.base}'`;
      const baseLoad = loadSpecs({ root: at.dir, ...env });
      if (baseLoad.projects.length === 0) return { ok: false, message: hasErrors(baseLoad.diagnostics) ? loadProblem(baseLoad, where) : (oneProject(baseLoad, options.environment, where) as string) };
      const base = oneProject(baseLoad, options.environment, where);
      if (typeof base === "string") return { ok: false, message: base };
      const basePipelines = chosen(base);
      const before = new Map(basePipelines.map((p) => [p.name, fingerprint(base, p)]));
      const after = new Map(headPipelines.map((p) => [p.name, fingerprint(head, p)]));
      const changed = (name: string) => before.get(name) !== after.get(name);
      const unchanged = [...after.keys()].filter((n) => !changed(n)).sort();
      headPipelines = headPipelines.filter((p) => changed(p.name));
      basePart = { ref: options.base, project: base, pipelines: basePipelines.filter((p) => changed(p.name)), unchanged };
    } finally {
      at.cleanup();
    }
  }

  const headRules = headPipelines.flatMap((p) => pipelineRules(head, p));
  const baseRules = basePart ? basePart.pipelines.flatMap((p) => pipelineRules(basePart!.project, p)) : [];

  let api: PrometheusQueryApi;
  try {
    api = new PrometheusQueryApi(resolveQueryApiConnection(head.prometheus, options.env), options.queryApi);
  } catch (e) {
    if (e instanceof QueryApiSettingsError) return { ok: false, message: e.message };
    throw e;
  }

  // A bounded pool takes the queries in turn, so only their answers are in memory at once:
  // each is walked for every rule that reads it as soon as it arrives, and its series let
  // go. One failed query fails the backtest: the pool starts nothing after it.
  const episodes = new Map<BacktestRule, Episode[]>();
  try {
    await pool(backtestQueries([...headRules, ...baseRules], since, until), 2 * (options.queryApi?.concurrency ?? defaultQueryConcurrency()), async ({ expr, grid, rules }) => {
      const series = await api.queryRange(expr, { start: grid.start, end: grid.start + (grid.count - 1) * grid.step, step: grid.step });
      for (const rule of rules) episodes.set(rule, ruleEpisodes(rule, series, grid));
    });
  } catch (e) {
    if (e instanceof QueryApiError) return { ok: false, message: e.message };
    throw e;
  }
  const of = (rule: BacktestRule): Episode[] => episodes.get(rule) ?? [];
  const result: BacktestResult = {
    since,
    until,
    alerts: backtestAlerts(headRules, of, since, until),
    stats: { pipelines: headPipelines.length, rules: headRules.length, queries: api.queryCount },
  };
  if (basePart) result.base = { ref: basePart.ref, alerts: backtestAlerts(baseRules, of, since, until), unchanged: basePart.unchanged };
  return { ok: true, result };
}
