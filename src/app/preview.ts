/**
 * Use case: `pipemon preview`. Compiles the dashboards exactly as `generate` does, fills their
 * panels with live data (a Prometheus) or synthetic series, renders the static site and
 * writes it with generate's safety (an output folder pipemon owns, only changed files
 * rewritten, nothing followed through a symbolic link, nothing written on failure). With
 * `png`, every dashboard is also photographed by headless Chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeDirs } from "../lib/make-dirs.js";
import { pool } from "../lib/pool.js";
import { sampleValue, type MatrixSeries } from "../lib/prometheus-matrix.js";
import { alertDefinitions, type AlertDefinition } from "../compile/alert-definitions.js";
import { grafanaTeams, pipelineDashboard, teamDashboard } from "../targets/grafana/compile/index.js";
import { contactPointName, runbookUrl } from "../model/identity.js";
import { PANEL } from "../model/panels.js";
import { commonRouting, routingTree } from "../compile/routing-tree.js";
import { formatDuration } from "../lib/duration.js";
import { OutputTree, type TreeReport } from "../lib/output-tree.js";
import { uplotAssets } from "../lib/uplot-assets.js";
import { runSecrets, urlCredentials, withoutCredentials } from "../lib/scrub.js";
import { SEVERITIES, type Pipeline, type Project, type Routing, type Target } from "../model/types.js";
import { readDashboard, seriesName, seriesSettings, type PanelSpec } from "../preview/dashboard.js";
import { pagePath, renderSite, type AlertView, type DashboardPage, type PanelData, type PipelineInfo, type RoutingView, type SiteFile } from "../preview/site.js";
import { syntheticPanel } from "../preview/synthetic.js";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { PreviewFailure } from "./preview-browser.js";

export { OutputRefusal } from "../lib/output-tree.js";


/** Evaluates a PromQL expression over [start, end] (Unix seconds) every `step` seconds. */
export type QueryRange = (expr: string, start: number, end: number, step: number) => Promise<MatrixSeries[]>;

// Defined beside the browser code, which throws it too (one definition, no import cycle).
export { PreviewFailure };

export interface PreviewOptions extends LoadOptions {
  /** Output folder (`preview` by default). */
  out: string;
  /** Window the panels show, seconds. */
  sinceSeconds: number;
  /** Live data: the query client (see `prometheusQueryRange`), and the URL shown on the pages. */
  live?: { queryRange: QueryRange; display: string; now: number };
  /** Also write one PNG per dashboard. */
  png?: { chromium: string };
}

export interface PreviewResult {
  load: LoadResult;
  /** Undefined when the specs have errors (nothing was written). */
  tree?: TreeReport;
  pages: number;
  dashboards: number;
  images: number;
  /** Live data: panel queries that failed (the panel shows the error). */
  failedQueries: { page: string; panel: string; error: string }[];
}

/** Where a page's screenshot goes: beside the page. */
const imagePath = (page: string): string => page.replace(/\.html$/, ".png");

function channelsPerTarget(project: Project, pipeline: Pipeline, channels: readonly string[]): { target: string; channels: string[] }[] {
  const name: Record<Target, (c: string) => string> = {
    grafana: (c) => contactPointName(c),
    prometheus: (c) => contactPointName(c),
    datadog: (c) => project.channels[c]?.datadog ?? c,
  };
  return pipeline.targets.map((target) => ({ target, channels: channels.map(name[target]) }));
}

function alertView(project: Project, pipeline: Pipeline, def: AlertDefinition): AlertView {
  return {
    key: def.key,
    title: def.title,
    for: formatDuration(def.forSeconds),
    panelId: PANEL[def.panel],
    levels: def.levels.map((l) => ({
      level: l.level,
      severity: l.severity,
      condition: l.firesWhen,
      channels: channelsPerTarget(project, pipeline, l.channels),
    })),
  };
}

function routingView(project: Project, routing: Routing, scope: RoutingView["scope"]): RoutingView {
  return { scope, severities: SEVERITIES.map((severity) => ({ severity, channels: routing[severity].map((c) => ({ name: c, type: project.channels[c]?.type ?? "unknown" })) })) };
}

function pipelineInfo(project: Project, pipeline: Pipeline, defs: readonly AlertDefinition[], ownRoute: ReadonlySet<string>): PipelineInfo {
  return {
    name: pipeline.name,
    team: pipeline.team,
    description: pipeline.description,
    type: pipeline.type,
    targets: pipeline.targets,
    runbook: runbookUrl(pipeline, project),
    alerts: defs.map((d) => alertView(project, pipeline, d)),
    routing: routingView(project, pipeline.routing, ownRoute.has(pipeline.name) ? "pipeline" : "team"),
  };
}

/** The dashboards of one project (environment) as generate compiles them, with what each page lists. */
function projectPages(project: Project): { pages: Omit<DashboardPage, "data">[]; undrawn: PipelineInfo[] } {
  const ownRoute = new Set(routingTree(project.pipelines).routes.flatMap((r) => (r.kind === "pipeline" && r.pipeline !== undefined ? [r.pipeline] : [])));
  // The alert definitions once per pipeline: the page's alert table and its dashboard both use them.
  const defs = new Map(project.pipelines.map((p) => [p.name, alertDefinitions(p)] as const));
  const info = new Map(project.pipelines.map((p) => [p.name, pipelineInfo(project, p, defs.get(p.name)!, ownRoute)] as const));
  const pages: Omit<DashboardPage, "data">[] = [];
  const undrawn: PipelineInfo[] = [];
  const env = project.environment !== undefined ? { environment: project.environment } : {};
  for (const pipeline of project.pipelines) {
    // Generate writes a dashboard only for a pipeline that targets Grafana; the preview reads the same object, unserialised.
    if (!pipeline.targets.includes("grafana")) {
      undrawn.push(info.get(pipeline.name)!);
      continue;
    }
    const dashboard = readDashboard(pipelineDashboard(project, pipeline, defs.get(pipeline.name)!));
    pages.push({ path: pagePath(pipeline.name, project.environment), kind: "pipeline", team: pipeline.team, ...env, dashboard, pipeline: info.get(pipeline.name)! });
  }
  for (const [team, members] of grafanaTeams(project)) {
    pages.push({ path: pagePath(`team-${team}`, project.environment), kind: "team", team, ...env, dashboard: readDashboard(teamDashboard(project, team, members)), members: members.map((m) => info.get(m.name)!), teamRouting: routingView(project, commonRouting(project.pipelines.filter((p) => p.team === team)), "team") });
  }
  return { pages, undrawn };
}

/** A sample as the page draws it: NaN is a gap. */
function drawnValue(text: string): number | null {
  const v = sampleValue(text);
  return Number.isNaN(v) ? null : v;
}

/** A step that keeps a range query well under Prometheus's 11,000 points: about 240 per series. */
const rangeStep = (sinceSeconds: number): number => Math.max(15, Math.ceil(sinceSeconds / 240));

async function livePanel(panel: PanelSpec, live: NonNullable<PreviewOptions["live"]>, sinceSeconds: number): Promise<PanelData> {
  const step = rangeStep(sinceSeconds);
  const end = Math.floor(live.now / step) * step;
  const start = end - Math.floor(sinceSeconds / step) * step;
  const x: number[] = [];
  for (let t = start; t <= end; t += step) x.push(t);
  const index = new Map(x.map((t, i) => [t, i] as const));
  const series = [];
  for (const target of panel.targets) {
    const result = await live.queryRange(target.expr, start, end, step);
    for (const s of result) {
      const values: (number | null)[] = x.map(() => null);
      for (const [t, v] of s.values) {
        const i = index.get(Math.round(t));
        if (i !== undefined) values[i] = drawnValue(v);
      }
      const name = seriesName(target, s.metric);
      series.push({ name, values, ...seriesSettings(panel, name) });
    }
  }
  return { x, series };
}

/** Range queries in flight at once: enough to hide round trips, few enough to spare the Prometheus. */
const LIVE_CONCURRENCY = 8;

/** A panel's data: synthetic, or live (a failing query is kept for the panel to show; an unreachable Prometheus stops the run). */
async function panelData(panel: PanelSpec, options: PreviewOptions): Promise<PanelData> {
  if (!options.live) return syntheticPanel(panel, options.sinceSeconds);
  try {
    return await livePanel(panel, options.live, options.sinceSeconds);
  } catch (e) {
    if (e instanceof PreviewFailure) throw e;
    return { x: [], series: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export async function preview(options: PreviewOptions): Promise<PreviewResult> {
  const load = loadSpecs(options);
  const empty = { pages: 0, dashboards: 0, images: 0, failedQueries: [] };
  if (hasErrors(load.diagnostics)) return { load, ...empty };
  // Refuses (writing nothing) an output folder pipemon must not write, before any query.
  const tree = OutputTree.open(options.out, { check: false, command: "preview", suggest: "preview", protect: [{ path: options.root, name: "specs folder" }] });
  try {
    const undrawn: (PipelineInfo & { environment?: string })[] = [];
    const compiled: Omit<DashboardPage, "data">[] = [];
    for (const project of load.projects) {
      const { pages, undrawn: without } = projectPages(project);
      compiled.push(...pages);
      for (const p of without) undrawn.push({ ...p, ...(project.environment !== undefined ? { environment: project.environment } : {}) });
    }
    const panels = compiled.flatMap((page) => page.dashboard.panels.filter((panel) => panel.type !== "row").map((panel) => ({ page, panel })));
    const data = await pool(panels, options.live ? LIVE_CONCURRENCY : 1, ({ panel }) => panelData(panel, options));
    const byPage = new Map(compiled.map((page) => [page, new Map<number, PanelData>()] as const));
    const failedQueries: PreviewResult["failedQueries"] = [];
    panels.forEach(({ page, panel }, i) => {
      byPage.get(page)!.set(panel.id, data[i]!);
      if (data[i]!.error !== undefined) failedQueries.push({ page: page.path, panel: panel.title, error: data[i]!.error! });
    });
    const pages: DashboardPage[] = compiled.map((page) => ({ ...page, data: byPage.get(page)! }));
    const since = formatDuration(options.sinceSeconds);
    const files = renderSite({
      source: options.live ? { kind: "live", since, prometheus: options.live.display } : { kind: "synthetic", since },
      pages,
      undrawn,
      uplot: uplotAssets(),
    });
    const images = options.png ? await screenshots(files, pages.map((p) => p.path), options.png.chromium) : [];
    for (const f of files) tree.write(f.path, f.content);
    for (const image of images) tree.write(image.path, image.content);
    return { load, tree: tree.finish(), pages: files.filter((f) => f.path.endsWith(".html")).length, dashboards: pages.length, images: images.length, failedQueries };
  } catch (e) {
    tree.abandon();
    throw e;
  }
}

/**
 * `fn`, with a failure that is not already a PreviewFailure (Playwright's multi-line launch
 * logs, a timeout) turned into one line for the user: `say` of the message's first line.
 */
async function oneLine<T>(fn: () => Promise<T>, say: (firstLine: string) => string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PreviewFailure) throw e;
    const first = (e instanceof Error ? e.message : String(e)).split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error";
    throw new PreviewFailure(say(first));
  }
}

/**
 * Photographs each dashboard (its panels, not the alert tables) from a private copy of the
 * site, so nothing reaches the output folder unless every image was taken.
 */
async function screenshots(files: readonly SiteFile[], pages: readonly string[], chromium: string): Promise<{ path: string; content: Buffer }[]> {
  const { launchChromium, offlinePage, photograph } = await import("./preview-browser.js");
  const dir = mkdtempSync(join(tmpdir(), "pipemon-preview-"));
  try {
    for (const f of files) {
      makeDirs(dirname(join(dir, f.path)));
      writeFileSync(join(dir, f.path), f.content);
    }
    const browser = await oneLine(() => launchChromium(chromium), (m) => `Chromium at ${chromium} could not be started: ${m}`);
    try {
      // One tab for every page: a new browser context costs more than a page load.
      const tab = await oneLine(() => offlinePage(browser), (m) => `Chromium at ${chromium} could not open a page: ${m}`);
      const out: { path: string; content: Buffer }[] = [];
      for (const page of pages) {
        const content = await oneLine(() => photograph(tab, pathToFileURL(join(dir, page)).href), (m) => `could not photograph ${page}: ${m}`);
        out.push({ path: imagePath(page), content });
      }
      return out;
    } finally {
      await browser.close().catch(() => undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A minimal range-query client (fetch, `GET /api/v1/query_range`). Credentials in the URL
 * (`https://user:pass@host`) are sent as basic auth and never shown; `display` is the URL
 * without them. Not backtest's client (targets/prometheus/query-api.ts) on purpose: a preview
 * on a laptop should fail at once and name --prometheus, not retry for a minute and point at
 * the config's prometheus settings; its few hours of data need no chunking.
 */
export function prometheusQueryRange(url: string): { queryRange: QueryRange; display: string } {
  // Before anything can fail: every message of the run is scrubbed of them.
  runSecrets.addUrlCredentials(url);
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    // Not the value itself: a password holding a "/" defeats every userinfo pattern.
    throw new PreviewFailure("--prometheus is not a URL: pass the Prometheus base URL, e.g. http://localhost:9090");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new PreviewFailure(`--prometheus must be an http(s) URL, not ${base.protocol}`);
  const headers: Record<string, string> = { accept: "application/json" };
  const credentials = urlCredentials(url);
  if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`;
  const root = new URL(withoutCredentials(url)).href.replace(/\/+$/, "");
  const display = root.replace(/[?#].*$/, "");
  const queryRange: QueryRange = async (expr, start, end, step) => {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
    let response: Response;
    try {
      response = await fetch(`${root}/api/v1/query_range?${params}`, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new PreviewFailure(`cannot reach Prometheus at ${display}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}`);
    }
    if (response.status === 401 || response.status === 403) throw new PreviewFailure(`Prometheus at ${display} refused the query (HTTP ${response.status}): check the credentials in --prometheus`);
    const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType?: string; result?: MatrixSeries[] } } | undefined;
    if (!body || body.status !== "success") throw new Error(body?.error ?? `HTTP ${response.status}`);
    if (body.data?.resultType !== "matrix" || !Array.isArray(body.data.result)) throw new Error(`expected a matrix, got ${String(body.data?.resultType)}`);
    return body.data.result;
  };
  return { queryRange, display };
}

