/**
 * Use case `pipemon report`: specs → the Prometheus query API → the performance analysis of
 * each selected pipeline (src/history/report.ts), its bottlenecks located in the spec files,
 * and with `suggest` thresholds proposed from the history and checked against it.
 *
 * Every series is read through the PromQL builders the alert rules use (src/compile/promql.ts,
 * the alert definitions), so `spec.metrics` overrides apply here exactly as in the rules, and a
 * suggestion is evaluated on the very expression its rule would compare. The range queries run
 * at the rule group's interval over [since, until], both aligned to it.
 */
import { join, relative } from "node:path";
import { alertDefinitions, type AlertDefinition } from "../compile/alert-definitions.js";
import * as promql from "../compile/promql.js";
import { promSelector } from "../compile/promql.js";
import type { EnvLookup } from "../lib/env-ref.js";
import { pool } from "../lib/pool.js";
import { threshold, thresholdOfAlert } from "../model/thresholds.js";
import type { AlertKey, Pipeline, Project, ThresholdLevels } from "../model/types.js";
import { BATCH_INPUTS, pipelineReport, STREAM_INPUTS, type BatchInput, type Flag, type HistoryInputs, type ReportSpec, type StreamInput } from "../history/report.js";
import { reportCharts, type ReportChart } from "../history/report-html.js";
import type { ReportDocument, ReportEntry } from "../history/report-render.js";
import type { MatrixSeries, Period } from "../history/report-series.js";
import { backtestAlerts, ruleEpisodes, ruleGrid, type BacktestRule } from "../history/backtest.js";
import { suggest, type PageCounter, type SuggestionInput } from "../history/report-suggest.js";
import { alertExpression } from "../targets/prometheus/compile/rules.js";
import { hasErrors, type SourceFile } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { locate, parseSpecFile, type LoadedFile } from "../spec/load.js";
import { PrometheusQueryApi, QueryApiError, QueryApiSettingsError, resolveQueryApiConnection } from "../targets/prometheus/query-api.js";
import { pipelineRules } from "./backtest.js";
import { parseSelection, selectionProblem, selects } from "./desired.js";

/** What the report needs of a query client: range queries in Prometheus's matrix shape. */
export interface RangeQueries {
  queryRange(expr: string, range: { start: number; end: number; step: number }): Promise<MatrixSeries[]>;
  readonly queryCount?: number;
}

export interface ReportOptions extends LoadOptions {
  select?: readonly string[];
  /** The period, unix seconds; both are aligned down to the rule interval. */
  since: number;
  until: number;
  suggest?: boolean;
  /** Build the html charts too. */
  charts?: boolean;
  env: EnvLookup;
  /** The query client of a project; by default the config's (or PROMETHEUS_URL's) query API. */
  queryApi?: (project: Project) => RangeQueries;
}

export interface ReportResult {
  load: LoadResult;
  /** Undefined when the specs have errors or the selection matches nothing. */
  document?: ReportDocument;
  /** Per document pipeline (same order), when `charts`. */
  charts?: ReportChart[][];
  /** Why nothing was reported although the specs are valid (a --select that matches nothing). */
  problem?: string;
  queryCount: number;
}

type Builder = (p: Pipeline) => string | undefined;

/** The query behind each input of the analysis: the rules' own builders wherever one exists. */
const BATCH_QUERIES: Readonly<Record<BatchInput, Builder>> = {
  // Raw counters: the analysis reads increases between samples, per series.
  runs: (p) => promSelector(p.signals.runs),
  duration: promql.lastRunDuration,
  lastSuccess: (p) => `max(${promSelector(p.signals.lastSuccess)})`,
  currentRun: promql.currentRunDuration,
  recordsProcessed: (p) => promSelector(p.signals.recordsProcessed),
  recordsFailed: (p) => promSelector(p.signals.recordsFailed),
  errors: (p) => promSelector(p.signals.errors),
  cpu: promql.cpuUsage,
  memory: promql.memoryUsage,
};

const STREAM_QUERIES: Readonly<Record<StreamInput, Builder>> = {
  latencyP95: promql.latencyP95,
  throughput: promql.throughput,
  backlog: promql.backlog,
  errorRatio: promql.streamErrorRatio,
  streamFailed: (p) => promSelector(p.signals.streamErrors),
  // A whole-query throughput override names no counter to read increases from.
  streamProcessed: (p) => (p.signals.throughput.promql === undefined ? promSelector(p.signals.throughput) : undefined),
  cpu: promql.cpuUsage,
  memory: promql.memoryUsage,
};

/** Where each alert's threshold is written in a pipeline document, and whether it has levels. */
function thresholdPath(key: AlertKey, p: Pipeline): { path: string[]; levelled: boolean } | undefined {
  if (key === "pipelineFailed") return undefined;
  if (key === "slaBreach") return { path: ["spec", "sla", "maxDuration"], levelled: false };
  if (key === "stale") return { path: ["spec", "sla", "freshness"], levelled: false };
  const thresholdKey = thresholdOfAlert(key, p.type);
  if (thresholdKey === undefined) return undefined;
  return { path: ["spec", "thresholds", thresholdKey], levelled: threshold(thresholdKey).levels };
}

function levelsOf(def: AlertDefinition): ThresholdLevels {
  const critical = def.levels.find((l) => l.level === "critical")!.threshold;
  const warning = def.levels.find((l) => l.level === "warning")?.threshold;
  return warning !== undefined ? { critical, warning } : { critical };
}

function reportSpec(p: Pipeline): ReportSpec {
  const t = p.thresholds;
  return {
    pipeline: p.name,
    team: p.team,
    type: p.type,
    ...(p.schedule ? { windowSeconds: p.schedule.windowSeconds } : {}),
    ...(p.sla.maxDurationSeconds !== undefined ? { maxDurationSeconds: p.sla.maxDurationSeconds } : {}),
    ...(p.sla.freshnessSeconds !== undefined ? { freshnessSeconds: p.sla.freshnessSeconds } : {}),
    ...(t.minRecords !== undefined ? { minRecords: t.minRecords } : {}),
    ...Object.fromEntries((["failureRate", "errors", "cpu", "memory", "latencyP95", "throughput", "backlog", "errorRate"] as const).flatMap((k) => (t[k] ? [[k, t[k]]] : []))),
  };
}

/** Each spec file parsed once per load, not once per flag of every pipeline (pipemon.yaml above all). */
const parsedSources = new WeakMap<SourceFile, LoadedFile>();
function parsed(source: SourceFile): LoadedFile {
  let file = parsedSources.get(source);
  if (!file) parsedSources.set(source, (file = parseSpecFile(source)));
  return file;
}

/**
 * `file:line:col` of a threshold: in the pipeline's own document when it is written there,
 * else where the config sets it for the pipeline's team or for every pipeline; else the
 * pipeline document's `spec`.
 */
function locateThreshold(load: LoadResult, root: string, p: Pipeline, specPath: readonly string[]): string | undefined {
  const has = (value: unknown, path: readonly string[]): boolean => {
    let node = value;
    for (const key of path) {
      if (node === null || typeof node !== "object" || !(key in node)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };
  const at = (file: string, match: (value: unknown) => readonly string[] | undefined): string | undefined => {
    const display = relative(process.cwd(), join(root, file)) || file;
    const source = load.sources.get(display);
    if (!source) return undefined;
    for (const doc of parsed(source).docs ?? []) {
      const path = match(doc.value);
      if (!path) continue;
      const pos = locate(source, doc.index, path);
      return `${display}:${pos.line}:${pos.col}`;
    }
    return undefined;
  };
  const own = (value: unknown): boolean => has(value, ["metadata", "name"]) && (value as { metadata: { name: unknown } }).metadata.name === p.name;
  const inPipeline = at(p.sourceFile, (v) => (own(v) && has(v, specPath) ? specPath : undefined));
  if (inPipeline) return inPipeline;
  const rest = specPath.slice(1);
  const fromConfig = at("pipemon.yaml", (v) => [["teams", p.team, "defaults", ...rest], ["defaults", ...rest]].find((path) => has(v, path)));
  return fromConfig ?? at(p.sourceFile, (v) => (own(v) ? ["spec"] : undefined));
}

/**
 * How many times the alert's rule with another threshold would have paged in the period:
 * backtest's own rule (app/backtest.ts) with only the threshold changed, walked by backtest's
 * evaluation (src/history/backtest.ts) over the same values on the same grid, so
 * `report --suggest` and `backtest` of a spec with the suggested threshold agree.
 */
function pagesOf(project: Project, p: Pipeline, def: AlertDefinition, values: readonly MatrixSeries[], at: { since: number; until: number; warmUp: number }): PageCounter {
  const rule = pipelineRules(project, p).find((r) => r.alert === def.key && r.level === "critical")!;
  const level = def.levels.find((l) => l.level === "critical")!;
  return (threshold) => {
    const changed: BacktestRule = { ...rule, threshold, expr: alertExpression(def, { ...level, threshold }) };
    const grid = ruleGrid(at.since, at.until, changed.intervalSeconds, at.warmUp);
    return backtestAlerts([changed], () => ruleEpisodes(changed, values, grid), at.since, at.until)[0]?.episodes.length ?? 0;
  };
}

/**
 * The report, or why there is none: invalid specs, a --select that matches nothing, or a
 * query API that is not configured or cannot answer completely (one line, `problem`).
 */
export async function report(options: ReportOptions): Promise<ReportResult> {
  try {
    return await reportOrThrow(options);
  } catch (e) {
    if (e instanceof QueryApiError || e instanceof QueryApiSettingsError) return { load: emptyLoad, problem: e.message, queryCount: 0 };
    throw e;
  }
}

const emptyLoad: LoadResult = { projects: [], diagnostics: [], sources: new Map(), environments: [], fileCount: 0 };

async function reportOrThrow(options: ReportOptions): Promise<ReportResult> {
  const load = loadSpecs(options);
  if (hasErrors(load.diagnostics)) return { load, queryCount: 0 };
  const selection = parseSelection(options.select);
  if (selection) {
    const problem = selectionProblem(selection, load.projects, []);
    if (problem) return { load, problem, queryCount: 0 };
  }
  const withEnvironments = load.environments.length > 0;
  const entries: ReportEntry[] = [];
  const charts: ReportChart[][] = [];
  let queryCount = 0;
  let period: Period | undefined;

  for (const project of load.projects) {
    const client = options.queryApi ? options.queryApi(project) : new PrometheusQueryApi(resolveQueryApiConnection(project.prometheus, options.env));
    const step = project.grafana.ruleIntervalSeconds;
    const until = Math.floor(options.until / step) * step;
    const since = Math.floor(options.since / step) * step;
    period = { since, until, step };
    const range = { start: since, end: until, step };
    const pipelines = project.pipelines.filter((p) => selects(selection, p.name, p.team));
    const results = new Map<Pipeline, { entry: ReportEntry; charts?: ReportChart[] }>();

    // At most four pipelines at once (the client limits requests; this bounds memory).
    await pool(pipelines, 4, async (p) => {
      const suggested = options.suggest
        ? alertDefinitions(p).flatMap((def) => {
            const where = thresholdPath(def.key, p);
            return where ? [{ def, where }] : [];
          })
        : [];
      // Backtest's grid for a suggestion: the rule's `for` of warm-up before `since`, so an
      // alert pending at the start is counted as backtest counts it.
      const startOf = (def: AlertDefinition): number => Math.ceil((since - def.forSeconds) / step) * step;
      // One query per distinct expression, from the earliest start any reader needs: the
      // suggestions reuse the report's cpu, latency… series, and the report's analysis and
      // charts keep the period (t >= since), as suggest() does for its statistics.
      const start = suggested.reduce((earliest, { def }) => Math.min(earliest, startOf(def)), since);
      const cache = new Map<string, Promise<MatrixSeries[]>>();
      const read = (expr: string | undefined): Promise<MatrixSeries[]> => {
        if (expr === undefined) return Promise.resolve([]);
        if (!cache.has(expr)) cache.set(expr, client.queryRange(expr, { ...range, start }));
        return cache.get(expr)!;
      };
      const inPeriod = (series: MatrixSeries[]): MatrixSeries[] => (start === since ? series : series.map((s) => ({ metric: s.metric, values: s.values.filter(([t]) => t >= since) })));
      const table: Readonly<Record<string, Builder>> = p.type === "batch" ? BATCH_QUERIES : STREAM_QUERIES;
      const keys: readonly string[] = p.type === "batch" ? BATCH_INPUTS : STREAM_INPUTS;
      const values = (await Promise.all(keys.map((k) => read(table[k]!(p))))).map(inPeriod);
      const inputs = Object.fromEntries(keys.map((k, i) => [k, values[i]!])) as unknown as HistoryInputs<BatchInput> | HistoryInputs<StreamInput>;
      const spec = reportSpec(p);
      const analysis = pipelineReport(spec, inputs, period!);
      const flags: Flag[] = analysis.flags.map((f) => {
        const location = locateThreshold(load, options.root, p, f.specPath);
        return location ? { ...f, location } : f;
      });
      const entry: ReportEntry = { ...analysis, flags, source: relative(process.cwd(), join(options.root, p.sourceFile)) || p.sourceFile, ...(withEnvironments && project.environment !== undefined ? { environment: project.environment } : {}) };
      if (options.suggest) {
        entry.suggestions = [];
        for (const { def, where } of suggested) {
          const warmUp = def.forSeconds;
          const values = await read(def.promql);
          const input: SuggestionInput = {
            alert: def.key, threshold: where.path.slice(1).join("."), specPath: where.path, comparator: def.comparator, unit: def.unit,
            forSeconds: def.forSeconds, current: levelsOf(def), levelled: where.levelled, values,
          };
          entry.suggestions.push(suggest(input, since, pagesOf(project, p, def, values, { since, until, warmUp })));
        }
      }
      results.set(p, { entry, ...(options.charts ? { charts: reportCharts(spec, inputs, period!) } : {}) });
    });
    for (const p of pipelines) {
      const r = results.get(p)!;
      entries.push(r.entry);
      charts.push(r.charts ?? []);
    }
    queryCount += client.queryCount ?? 0;
  }
  const document: ReportDocument = { since: period?.since ?? 0, until: period?.until ?? 0, step: period?.step ?? 60, pipelines: entries };
  return { load, document, ...(options.charts ? { charts } : {}), queryCount };
}
