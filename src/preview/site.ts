/**
 * The preview site: an index of teams and pipelines and one page per dashboard, as files
 * (path → text). Pure: the caller compiles the dashboards, fetches or synthesises the data,
 * and writes the files. Pages open from disk: the scripts and styles they use are files of
 * the site (assets/), linked relatively; nothing is loaded from the network.
 */
import type { DashboardSpec, PanelSpec, ThresholdStep, ThresholdsStyle } from "./dashboard.js";
import { escapeHtml, scriptJson } from "../lib/html.js";
import { hrefTo, safeHref } from "./html.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./page-assets.js";

export interface SeriesData {
  name: string;
  /** Aligned with the panel's x; null where the series has no sample. */
  values: readonly (number | null)[];
  thresholds: readonly ThresholdStep[];
  thresholdsStyle: ThresholdsStyle;
  color?: string;
}

export interface PanelData {
  /** Unix seconds (live data), or seconds relative to the end of the window (synthetic). */
  x: readonly number[];
  series: readonly SeriesData[];
  /** A query that failed (live data): shown in the panel instead of a chart. */
  error?: string;
}

/** One channel an alert level notifies, as a target names it. */
export interface TargetChannels {
  target: string;
  /** Contact point / receiver names (Grafana, Prometheus) or notification handles (Datadog). */
  channels: readonly string[];
}

export interface AlertLevelView {
  level: "critical" | "warning";
  severity: string;
  /** e.g. "more than 5% of records failed in the last 1h". */
  condition: string;
  channels: readonly TargetChannels[];
}

export interface AlertView {
  key: string;
  title: string;
  /** The pending period, e.g. "5m" ("0s": fires on the first evaluation). */
  for: string;
  panelId: number;
  levels: readonly AlertLevelView[];
}

export interface RoutingView {
  /** Whether the pipeline has its own route or follows its team's. */
  scope: "pipeline" | "team";
  severities: readonly { severity: string; channels: readonly { name: string; type: string }[] }[];
}

export interface PipelineInfo {
  name: string;
  team: string;
  description: string;
  type: string;
  targets: readonly string[];
  runbook: string;
  alerts: readonly AlertView[];
  routing: RoutingView;
}

export interface DashboardPage {
  /** Site-relative path of the page, e.g. `production/orders-etl.html`. */
  path: string;
  kind: "pipeline" | "team";
  team: string;
  environment?: string;
  dashboard: DashboardSpec;
  /** Panel id → data. */
  data: ReadonlyMap<number, PanelData>;
  /** The pipeline of a pipeline dashboard. */
  pipeline?: PipelineInfo;
  /** The pipelines a team overview shows. */
  members?: readonly PipelineInfo[];
  /** A team overview: the routing most of the team's pipelines share (the team's route). */
  teamRouting?: RoutingView;
}

export interface SiteInput {
  /** How the data was made: a sentence for every page's header. */
  source: { kind: "synthetic" | "live"; since: string; prometheus?: string };
  pages: readonly DashboardPage[];
  /** Pipelines without a Grafana dashboard, listed on the index. */
  undrawn: readonly (PipelineInfo & { environment?: string })[];
  uplot: { js: string; css: string };
}

export interface SiteFile {
  path: string;
  content: string;
}

const ASSETS = {
  uplotJs: "assets/uPlot.iife.min.js",
  uplotCss: "assets/uPlot.min.css",
  script: "assets/preview.js",
  style: "assets/preview.css",
} as const;

/**
 * No network, ever: only the site's own files may be loaded. `file:` is named because
 * Chromium gives file:// pages an opaque origin that 'self' does not match.
 */
const CSP = "default-src 'none'; script-src 'self' file:; style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data:";

const e = escapeHtml;

function sourceLine(source: SiteInput["source"]): string {
  return source.kind === "live"
    ? `Live data from ${e(source.prometheus ?? "Prometheus")}, the last ${e(source.since)}.`
    : `Synthetic data: every signal walks from healthy through warning to critical over ${e(source.since)}, derived from its thresholds.`;
}

function page(path: string, title: string, body: string, data: unknown | undefined, source: SiteInput["source"]): string {
  const rel = (p: string): string => e(hrefTo(path, p));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)} · pipemon preview</title>
<link rel="stylesheet" href="${rel(ASSETS.uplotCss)}">
<link rel="stylesheet" href="${rel(ASSETS.style)}">
</head>
<body>
<header class="top"><a href="${rel("index.html")}">pipemon preview</a><span class="source" data-source="${source.kind}">${sourceLine(source)}</span></header>
<main>
${body}
</main>
${data === undefined ? "" : `<script type="application/json" id="pipemon-data">${scriptJson(data)}</script>
<script src="${rel(ASSETS.uplotJs)}"></script>
<script src="${rel(ASSETS.script)}"></script>`}
</body>
</html>
`;
}

const int = (n: number): string => String(Math.max(0, Math.round(n)));

function panelFrame(p: PanelSpec): string {
  // Grid rows of 30px, as Grafana's; numbers only in the style attribute.
  const place = `grid-column: ${int(p.gridPos.x + 1)} / span ${int(p.gridPos.w)}; grid-row: ${int(p.gridPos.y + 1)} / span ${int(p.gridPos.h)}`;
  if (p.type === "row") return `<h2 class="row" style="${place}">${e(p.title)}</h2>`;
  const queries = p.targets.map((t) => `<li><code>${e(t.expr)}</code></li>`).join("");
  return `<section class="panel" id="panel-${int(p.id)}" data-panel-id="${int(p.id)}" data-type="${e(p.type)}" style="${place}">
<h3 title="${e(p.description)}">${e(p.title)}</h3>
<div class="viz"></div>
<details class="queries"><summary>PromQL</summary><ul>${queries}</ul></details>
</section>`;
}

function channelsCell(level: AlertLevelView): string {
  if (level.channels.length === 0) return "<td>—</td>";
  return `<td><ul class="plain">${level.channels
    .map((t) => `<li><span class="target">${e(t.target)}</span> ${t.channels.length ? t.channels.map((c) => `<code>${e(c)}</code>`).join(" ") : "<em>no channel</em>"}</li>`)
    .join("")}</ul></td>`;
}

function alertsSection(p: PipelineInfo, drawn: ReadonlySet<number>): string {
  if (p.alerts.length === 0) return `<section class="alerts"><h2>Alerts</h2><p>No alerts are enabled for ${e(p.name)}.</p></section>`;
  const rows = p.alerts.flatMap((a) =>
    a.levels.map((l, i) => {
      const first = i === 0 ? `<td rowspan="${a.levels.length}"><strong>${e(a.title)}</strong><br><code>${e(a.key)}</code>${drawn.has(a.panelId) ? ` · <a href="#panel-${int(a.panelId)}">panel</a>` : ""}</td><td rowspan="${a.levels.length}">${e(a.for)}</td>` : "";
      return `<tr data-alert="${e(a.key)}" data-level="${e(l.level)}">${first}<td>${e(l.level)}</td><td><span class="sev sev-${e(l.severity)}">${e(l.severity)}</span></td><td>${e(l.condition)}</td>${channelsCell(l)}</tr>`;
    }),
  );
  return `<section class="alerts"><h2>Alerts</h2>
<table><thead><tr><th>alert</th><th>for</th><th>level</th><th>severity</th><th>fires when</th><th>channels per target</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></section>`;
}

function routingTable(routing: RoutingView): string {
  const rows = routing.severities
    .map((s) => `<tr><td><span class="sev sev-${e(s.severity)}">${e(s.severity)}</span></td><td>${s.channels.length ? s.channels.map((c) => `<code>${e(c.name)}</code> <span class="muted">(${e(c.type)})</span>`).join(", ") : "<em>nobody</em>"}</td></tr>`)
    .join("\n");
  return `<table><thead><tr><th>severity</th><th>channels</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function routingSection(p: PipelineInfo): string {
  const scope = p.routing.scope === "pipeline" ? `${e(p.name)} has its own route (it differs from the rest of team ${e(p.team)}).` : `${e(p.name)} follows the routing of team ${e(p.team)}.`;
  return `<section class="routing"><h2>Routing</h2><p>${scope} Every route matches <code>managed_by="pipemon"</code>; each channel of a severity is notified.</p>
${routingTable(p.routing)}</section>`;
}

function pageData(d: DashboardPage, relativeTime: boolean): unknown {
  const panels = d.dashboard.panels
    .filter((p) => p.type !== "row")
    .map((p) => {
      const data = d.data.get(p.id) ?? { x: [], series: [] };
      return {
        id: p.id, type: p.type, unit: p.unit, decimals: p.decimals ?? null, min: p.min ?? null, max: p.max ?? null, noValue: p.noValue ?? null,
        graphMode: p.graphMode, thresholds: p.thresholds, thresholdsStyle: p.thresholdsStyle, ...data,
      };
    });
  return { relativeTime, panels };
}

function runbookLink(url: string): string {
  const href = safeHref(url);
  return href === undefined ? `runbook <code>${e(url)}</code>` : `<a href="${e(href)}" rel="noreferrer">runbook</a>`;
}

function dashboardPage(d: DashboardPage, source: SiteInput["source"], pipelinePaths: ReadonlyMap<string, string>): SiteFile {
  const drawn = new Set(d.dashboard.panels.filter((p) => p.type !== "row").map((p) => p.id));
  const env = d.environment !== undefined ? ` <span class="env">${e(d.environment)}</span>` : "";
  const parts = [
    `<section class="dashboard"><h1>${e(d.dashboard.title)}${env}</h1>`,
    d.dashboard.description ? `<p class="description">${e(d.dashboard.description)}</p>` : "",
    d.pipeline ? `<p class="meta">team <strong>${e(d.team)}</strong> · ${e(d.pipeline.type)} · targets ${d.pipeline.targets.map((t) => `<code>${e(t)}</code>`).join(" ")} · ${runbookLink(d.pipeline.runbook)}</p>` : "",
    `<div class="grid">${d.dashboard.panels.map(panelFrame).join("\n")}</div></section>`,
  ];
  if (d.pipeline) parts.push(alertsSection(d.pipeline, drawn), routingSection(d.pipeline));
  if (d.members) {
    const rows = d.members
      .map((m) => {
        const target = pipelinePaths.get(`${d.environment ?? ""}\0${m.name}`);
        const name = target ? `<a href="${e(hrefTo(d.path, target))}">${e(m.name)}</a>` : e(m.name);
        const alerts = m.alerts.map((a) => `<code>${e(a.key)}</code>`).join(" ");
        return `<tr><td>${name}</td><td>${e(m.type)}</td><td>${e(m.description)}</td><td>${alerts || "—"}</td><td>${m.routing.scope === "pipeline" ? "own route" : "team route"}</td></tr>`;
      })
      .join("\n");
    parts.push(`<section class="members"><h2>Pipelines</h2><table><thead><tr><th>pipeline</th><th>type</th><th>description</th><th>alerts</th><th>routing</th></tr></thead><tbody>${rows}</tbody></table></section>`);
    if (d.teamRouting) parts.push(`<section class="routing"><h2>Routing of team ${e(d.team)}</h2><p>Pipelines with their own route say so above; the others are routed so.</p>\n${routingTable(d.teamRouting)}</section>`);
  }
  // Live data is in Unix time; synthetic data counts back from the end of the window.
  return { path: d.path, content: page(d.path, d.dashboard.title, parts.join("\n"), pageData(d, source.kind === "synthetic"), source) };
}

function indexPage(input: SiteInput): SiteFile {
  const groups = new Map<string, { environment?: string; team: string; pages: DashboardPage[]; undrawn: PipelineInfo[] }>();
  const group = (environment: string | undefined, team: string) => {
    const key = `${environment ?? ""}\0${team}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...(environment !== undefined ? { environment } : {}), team, pages: [], undrawn: [] }));
    return g;
  };
  for (const p of input.pages) group(p.environment, p.team).pages.push(p);
  for (const p of input.undrawn) group(p.environment, p.team).undrawn.push(p);
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const sections: string[] = [];
  let environment: string | undefined | null = null;
  for (const g of ordered) {
    if (g.environment !== environment) {
      environment = g.environment;
      if (environment !== undefined) sections.push(`<h2 class="env-heading">environment <span class="env">${e(environment)}</span></h2>`);
    }
    const overview = g.pages.find((p) => p.kind === "team");
    const pipelines = g.pages
      .filter((p) => p.kind === "pipeline")
      .map((p) => `<li><a href="${e(hrefTo("index.html", p.path))}">${e(p.dashboard.title)}</a> <span class="muted">${e(p.pipeline?.description ?? "")}</span> <span class="muted">(${p.pipeline?.alerts.length ?? 0} alerts)</span></li>`);
    const undrawn = g.undrawn.map((p) => `<li>${e(p.name)} <span class="muted">no Grafana dashboard (targets: ${e(p.targets.join(", "))})</span></li>`);
    sections.push(`<section class="team"><h3>team ${e(g.team)}${overview ? ` · <a href="${e(hrefTo("index.html", overview.path))}">overview</a>` : ""}</h3><ul>${[...pipelines, ...undrawn].join("\n")}</ul></section>`);
  }
  const body = `<h1>Dashboards</h1><p>${input.pages.length} dashboards. Each page draws the panels of the dashboard <code>pipemon generate</code> writes, with their thresholds, and lists the pipeline's alerts and routing.</p>\n${sections.join("\n")}`;
  return { path: "index.html", content: page("index.html", "Dashboards", body, undefined, input.source) };
}

/** Every file of the site, sorted by path. */
export function renderSite(input: SiteInput): SiteFile[] {
  const pipelinePaths = new Map(input.pages.filter((p) => p.pipeline).map((p) => [`${p.environment ?? ""}\0${p.pipeline!.name}`, p.path] as const));
  const files: SiteFile[] = [
    indexPage(input),
    ...input.pages.map((d) => dashboardPage(d, input.source, pipelinePaths)),
    { path: ASSETS.uplotJs, content: input.uplot.js },
    { path: ASSETS.uplotCss, content: input.uplot.css },
    { path: ASSETS.script, content: PAGE_SCRIPT },
    { path: ASSETS.style, content: PAGE_STYLE },
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The page path of a dashboard: `[<env>/]<file>.html`. */
export function pagePath(file: string, environment?: string): string {
  return `${environment !== undefined ? `${environment}/` : ""}${file}.html`;
}
