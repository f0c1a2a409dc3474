/**
 * The report as one self-contained HTML page: the figures, bottlenecks and suggestions of
 * every pipeline, and uPlot charts of its signals with the spec's thresholds drawn on them.
 * uPlot's script and stylesheet and the data are inlined, so the page opens from disk with no
 * network. Pure: the assets come in as strings (src/lib/uplot-assets.ts reads them).
 */
import { escapeHtml, scriptJson } from "../lib/html.js";
import type { BatchInput, FigureUnit, HistoryInputs, ReportSpec, StreamInput } from "./report.js";
import { counterIncreases, valueAt, type MatrixSeries, type Period } from "./report-series.js";
import { figureRows, flagLine, suggestionLines, type ReportDocument, type ReportEntry } from "./report-render.js";
import { formatFigure, isoTime } from "./report-format.js";

/** A chart of one signal: points in time order, and the threshold lines to draw. */
export interface ReportChart {
  title: string;
  unit: FigureUnit;
  /** Draw points only (one per run) instead of a line. */
  points?: true;
  x: number[];
  y: (number | null)[];
  thresholds: { label: string; value: number }[];
}

/** Points per chart at most: a month at one minute is 43,200 samples, more than a page can use. */
export const MAX_CHART_POINTS = 1500;

/**
 * At most `max` points: the samples are cut into equal runs and each run keeps its most
 * alarming value (the highest, or the lowest for a signal that alerts when low), so a spike
 * or a dead hour survives the thinning.
 */
export function thin(x: readonly number[], y: readonly (number | null)[], keep: "max" | "min", max = MAX_CHART_POINTS): { x: number[]; y: (number | null)[] } {
  if (x.length <= max) return { x: [...x], y: [...y] };
  const size = Math.ceil(x.length / max);
  const out = { x: [] as number[], y: [] as (number | null)[] };
  for (let i = 0; i < x.length; i += size) {
    let best: number | null = null;
    let at = x[i]!;
    for (let j = i; j < Math.min(i + size, x.length); j++) {
      const v = y[j];
      if (v === null || v === undefined) continue;
      if (best === null || (keep === "max" ? v > best : v < best)) {
        best = v;
        at = x[j]!;
      }
    }
    out.x.push(at);
    out.y.push(best);
  }
  return out;
}

function lineChart(title: string, unit: FigureUnit, series: readonly MatrixSeries[], thresholds: ReportChart["thresholds"], keep: "max" | "min"): ReportChart | undefined {
  const values = valueAt(series);
  if (values.size === 0) return undefined;
  const xs = [...values.keys()].sort((a, b) => a - b);
  const ys = xs.map((t) => {
    const v = values.get(t)!;
    return Number.isFinite(v) ? v : null;
  });
  return { title, unit, ...thin(xs, ys, keep), thresholds };
}

const levels = (name: string, l: { warning?: number; critical: number } | undefined): ReportChart["thresholds"] =>
  l ? [{ label: `${name}.critical`, value: l.critical }, ...(l.warning !== undefined ? [{ label: `${name}.warning`, value: l.warning }] : [])] : [];

/** The charts of one pipeline, from the same inputs as its figures. */
export function reportCharts(spec: ReportSpec, inputs: HistoryInputs<BatchInput> | HistoryInputs<StreamInput>, period: Period): ReportChart[] {
  const charts: (ReportChart | undefined)[] = [];
  if (spec.type === "batch") {
    const b = inputs as HistoryInputs<BatchInput>;
    const durationAt = valueAt(b.duration);
    const ends = [...new Set(counterIncreases(b.runs, period).map((r) => r.t))].filter((t) => Number.isFinite(durationAt.get(t)));
    if (ends.length) {
      const max = spec.maxDurationSeconds;
      charts.push({ title: "run duration (at each run's end)", unit: "seconds", points: true, ...thin(ends, ends.map((t) => durationAt.get(t)!), "max"), thresholds: max !== undefined ? [{ label: "sla.maxDuration", value: max }] : [] });
    }
  } else {
    const s = inputs as HistoryInputs<StreamInput>;
    charts.push(lineChart("latency p95", "seconds", s.latencyP95, levels("thresholds.latencyP95", spec.latencyP95), "max"));
    charts.push(lineChart("throughput", "perSecond", s.throughput, levels("thresholds.throughput", spec.throughput), "min"));
    charts.push(lineChart("backlog", "count", s.backlog, levels("thresholds.backlog", spec.backlog), "max"));
  }
  charts.push(lineChart("CPU usage", "ratio", inputs.cpu, levels("thresholds.cpu", spec.cpu), "max"));
  charts.push(lineChart("memory usage", "ratio", inputs.memory, levels("thresholds.memory", spec.memory), "max"));
  return charts.filter((c): c is ReportChart => c !== undefined);
}

/** A script inlined as it is: an end tag inside it would end the element. */
const inlineScript = (js: string): string => js.replace(/<\/(script)/gi, "<\\/$1");
const anchor = (e: ReportEntry): string => `p-${(e.environment !== undefined ? `${e.environment}-` : "") + e.pipeline}`.replace(/[^a-zA-Z0-9-]/g, "-");
const title = (e: ReportEntry): string => (e.environment !== undefined ? `${e.environment}/${e.pipeline}` : e.pipeline);

const PAGE_CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.critical{color:#cf222e}.warning{color:#9a6700}.muted{color:#59636e}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}.chart h3{font-size:.95rem;margin:.5rem 0}
`;

/** Draws every chart from the inlined data with the inlined uPlot; thresholds as dashed lines. */
const DRAW = `
(function(){
  var data = JSON.parse(document.getElementById("pipemon-data").textContent);
  function fmt(unit, v){
    if (v == null) return "";
    if (unit === "ratio") return (+(v*100).toPrecision(3)) + "%";
    if (unit === "seconds") return v < 1 ? (+(v*1000).toPrecision(3)) + "ms" : v < 120 ? (+v.toPrecision(3)) + "s" : v < 7200 ? (+(v/60).toPrecision(3)) + "m" : (+(v/3600).toPrecision(3)) + "h";
    if (unit === "perSecond") return (+v.toPrecision(4)) + "/s";
    return String(+v.toPrecision(6));
  }
  var colors = ["#cf222e", "#bf8700"];
  document.querySelectorAll("[data-chart]").forEach(function(el){
    var c = data.charts[+el.getAttribute("data-chart")];
    var series = [{}, {label: c.title, stroke: "#0969da", width: 1.5, value: function(u, v){ return fmt(c.unit, v); },
      points: c.points ? {show: true, size: 5, fill: "#0969da"} : {show: false}, paths: c.points ? function(){ return null; } : undefined}];
    var columns = [c.x, c.y];
    c.thresholds.forEach(function(t, i){
      series.push({label: t.label, stroke: colors[i % 2], dash: [6, 4], width: 1, points: {show: false}, value: function(u, v){ return fmt(c.unit, v); }});
      columns.push(c.x.map(function(){ return t.value; }));
    });
    new uPlot({width: Math.max(480, el.clientWidth), height: 240, series: series,
      axes: [{}, {size: 70, values: function(u, vals){ return vals.map(function(v){ return fmt(c.unit, v); }); }}]}, columns, el);
  });
})();
`;

/** The whole page. `charts` is keyed like the document's pipelines (by index). */
export function renderReportHtml(doc: ReportDocument, charts: readonly (readonly ReportChart[])[], assets: { js: string; css: string }): string {
  const allCharts: ReportChart[] = [];
  const sections = doc.pipelines.map((e, i) => {
    const rows = figureRows(e).map(([l, v]) => `<tr><th>${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
    const flags = e.flags.length ? `<h3>Bottlenecks</h3><ul>${e.flags.map((f) => `<li class="${f.level}">${escapeHtml(flagLine(f))}</li>`).join("")}</ul>` : "";
    const suggestions = e.suggestions?.length ? `<h3>Suggested thresholds</h3><ul>${e.suggestions.flatMap(suggestionLines).map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>` : "";
    const chartDivs = (charts[i] ?? []).map((c) => {
      allCharts.push(c);
      return `<div class="chart"><h3>${escapeHtml(c.title)}</h3><div data-chart="${allCharts.length - 1}"></div></div>`;
    }).join("");
    return `<section id="${anchor(e)}"><h2>${escapeHtml(title(e))} <span class="muted">(${escapeHtml(e.team)}, ${e.type}, ${escapeHtml(e.source)})</span></h2><table>${rows}</table>${flags}${suggestions}<div class="charts">${chartDivs}</div></section>`;
  });
  const summary = doc.pipelines.map((e) => {
    const worst = e.flags.some((f) => f.level === "critical") ? "critical" : e.flags.length ? "warning" : "";
    return `<tr><td><a href="#${anchor(e)}">${escapeHtml(title(e))}</a></td><td>${e.type}</td><td>${e.batch ? `${e.batch.runs} runs, ${e.batch.successRate === null ? "–" : formatFigure(e.batch.successRate, "ratio")} success` : "–"}</td><td class="${worst}">${e.flags.length ? escapeHtml(e.flags.map((f) => `${f.level}: ${f.threshold}`).join(", ")) : "none"}</td></tr>`;
  }).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pipemon report ${escapeHtml(isoTime(doc.since))} → ${escapeHtml(isoTime(doc.until))}</title>
<style>${assets.css}${PAGE_CSS}</style></head>
<body><h1>pipemon report</h1>
<p class="muted">${escapeHtml(isoTime(doc.since))} → ${escapeHtml(isoTime(doc.until))}, ${doc.pipelines.length} pipelines, step ${escapeHtml(formatFigure(doc.step, "seconds"))}. Times on the charts are your browser's local time.</p>
<table><tr><th>pipeline</th><th>type</th><th>runs</th><th>bottlenecks</th></tr>${summary}</table>
${sections.join("\n")}
<script>${inlineScript(assets.js)}</script>
<script type="application/json" id="pipemon-data">${scriptJson({ charts: allCharts })}</script>
<script>${DRAW}</script>
</body></html>
`;
}

