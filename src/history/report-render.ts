/**
 * The report as text (a terminal), markdown (one pull-request comment) and JSON (scripts; the
 * shape is documented in the README). Pure: a document in, a string out.
 */
import type { Flag, PipelineReport } from "./report.js";
import { formatFigure, formatShare, isoTime, plural } from "./report-format.js";
import type { Suggestion } from "./report-suggest.js";

/** GitHub's limit on one comment's body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface ReportEntry extends PipelineReport {
  /** The environment, when the config declares environments. */
  environment?: string;
  /** The spec file, as the user passes it to pipemon. */
  source: string;
  suggestions?: Suggestion[];
}

export interface ReportDocument {
  since: number;
  until: number;
  /** Resolution of the range queries, seconds (the rule interval). */
  step: number;
  pipelines: ReportEntry[];
}

const name = (e: ReportEntry): string => (e.environment !== undefined ? `${e.environment}/${e.pipeline}` : e.pipeline);

/** The figures of one pipeline as label → text rows, shared by text, markdown and html. */
export function figureRows(e: ReportEntry): [string, string][] {
  const rows: [string, string][] = [];
  if (e.noHistory) rows.push(["history", "no series of this pipeline in the period: check its metric names (spec.metrics) and the query URL"]);
  const b = e.batch;
  if (b) {
    rows.push(["runs", b.runs === 0 ? "no run in the period" : `${plural(b.runs, "run")}: ${b.succeeded.toLocaleString("en-US")} succeeded, ${b.failed.toLocaleString("en-US")} failed (${formatShare(b.successRate)} success)`]);
    if (b.duration) {
      const timed = b.timedRuns < b.runs ? ` (${plural(b.timedRuns, "run")} timed)` : "";
      rows.push(["duration", `p50 ${formatFigure(b.duration.p50, "seconds")}, p95 ${formatFigure(b.duration.p95, "seconds")}, max ${formatFigure(b.duration.max, "seconds")}${timed}`]);
    }
    if (b.slaCompliance !== null) rows.push(["SLA compliance", `${formatShare(b.slaCompliance)} of runs within maxDuration`]);
    if (b.longestInProgress !== null) rows.push(["longest in progress", formatFigure(b.longestInProgress, "seconds")]);
    if (b.longestSuccessGap) {
      const g = b.longestSuccessGap;
      rows.push(["longest gap between successes", `${formatFigure(g.seconds, "seconds")} (${isoTime(g.from)} → ${g.to === null ? "end of period, still open" : isoTime(g.to)})`]);
    }
    const window = formatFigure(b.windowSeconds, "seconds");
    if (b.recordsPerWindow) {
      const r = b.recordsPerWindow;
      const below = r.belowMinRecords !== null ? `; ${plural(r.belowMinRecords, "window")} below minRecords` : "";
      rows.push([`records per ${window}`, `min ${formatFigure(r.min, "count")}, median ${formatFigure(r.median, "count")} over ${plural(r.windows, "window")}${below}`]);
    }
    if (b.failureRatio.overall !== null) rows.push(["failed records", `${formatFigure(b.failureRatio.overall, "ratio")} overall, worst ${window} ${formatFigure(b.failureRatio.worstWindow, "ratio")}`]);
    if (b.errorsPerWindow) rows.push([`errors per ${window}`, `max ${formatFigure(b.errorsPerWindow.max, "count")}, median ${formatFigure(b.errorsPerWindow.median, "count")}`]);
  }
  const s = e.stream;
  if (s) {
    if (s.latencyP95) rows.push(["latency p95", `median ${formatFigure(s.latencyP95.median, "seconds")}, worst ${formatFigure(s.latencyP95.max, "seconds")}`]);
    if (s.throughput) rows.push(["throughput", `min ${formatFigure(s.throughput.min, "perSecond")}, median ${formatFigure(s.throughput.median, "perSecond")}`]);
    if (s.backlog) rows.push(["backlog", `max ${formatFigure(s.backlog.max, "count")}`]);
    if (s.errorRatio.overall !== null || s.errorRatio.worst !== null) rows.push(["error ratio", `${formatFigure(s.errorRatio.overall, "ratio")} overall, worst 5m ${formatFigure(s.errorRatio.worst, "ratio")}`]);
  }
  if (e.cpu) rows.push(["CPU", `peak ${formatFigure(e.cpu.peak, "ratio")}, p95 ${formatFigure(e.cpu.p95, "ratio")}`]);
  if (e.memory) rows.push(["memory", `peak ${formatFigure(e.memory.peak, "ratio")}, p95 ${formatFigure(e.memory.p95, "ratio")}`]);
  return rows;
}

/** `critical: CPU peak 97% > 95% (thresholds.cpu.critical) at specs/x.yaml:12:7` */
export function flagLine(f: Flag): string {
  return `${f.level}: ${f.figure} ${formatFigure(f.value, f.unit)} ${f.comparator} ${formatFigure(f.limit, f.unit)} (${f.threshold})${f.location ? ` at ${f.location}` : ""}`;
}

/** `sla.maxDuration: 45m → 38m (p99 × 1.2 of 31m40s), would have paged 2 times (now 1)` per level. */
export function suggestionLines(s: Suggestion): string[] {
  if (s.none) return [`${s.threshold}: no suggestion (${s.none})`];
  return s.levels.map((l) => {
    const path = s.levelled ? `${s.threshold}.${l.level}` : s.threshold;
    const now = l.current !== undefined ? `${formatFigure(l.current, s.unit)} → ` : "";
    const current = l.currentPages !== undefined ? ` (now ${l.currentPages})` : "";
    return `${path}: ${now}${formatFigure(l.suggested, s.unit)} (${l.statistic} of ${formatFigure(l.basis, s.unit)} over ${plural(s.samples, "evaluation")}), would have paged ${plural(l.pages, "time")}${current}`;
  });
}

function header(doc: ReportDocument): string {
  return `${isoTime(doc.since)} → ${isoTime(doc.until)}, ${plural(doc.pipelines.length, "pipeline")}, step ${formatFigure(doc.step, "seconds")}`;
}

export function renderReportText(doc: ReportDocument): string {
  const lines = [`pipemon report ${header(doc)}`];
  for (const e of doc.pipelines) {
    lines.push("", `${name(e)} (${e.team}, ${e.type}) ${e.source}`);
    const rows = figureRows(e);
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
    if (e.flags.length) {
      lines.push(`  bottlenecks:`);
      for (const f of e.flags) lines.push(`    ${flagLine(f)}`);
    }
    if (e.suggestions?.length) {
      lines.push(`  suggested thresholds:`);
      for (const s of e.suggestions) for (const l of suggestionLines(s)) lines.push(`    ${l}`);
    }
  }
  const flagged = doc.pipelines.filter((e) => e.flags.length > 0).length;
  lines.push("", `${plural(flagged, "pipeline")} with bottlenecks out of ${doc.pipelines.length}`);
  return `${lines.join("\n")}\n`;
}

const cell = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");

function markdownSection(e: ReportEntry): string {
  const lines = [`| figure | value |`, `|---|---|`, ...figureRows(e).map(([l, v]) => `| ${cell(l)} | ${cell(v)} |`)];
  if (e.flags.length) lines.push("", "**Bottlenecks**", "", ...e.flags.map((f) => `- ${cell(flagLine(f))}`));
  if (e.suggestions?.length) lines.push("", "**Suggested thresholds**", "", ...e.suggestions.flatMap((s) => suggestionLines(s).map((l) => `- ${cell(l)}`)));
  return lines.join("\n");
}

/**
 * One pull-request comment: a summary table of every pipeline (flagged ones first), then each
 * pipeline folded in a `<details>` (open when flagged) while the comment stays under GitHub's
 * limit; what does not fit is named with the command that shows it.
 */
export function renderReportMarkdown(doc: ReportDocument, limit = GITHUB_COMMENT_LIMIT): string {
  const ordered = [...doc.pipelines].sort((a, b) => Number(b.flags.length > 0) - Number(a.flags.length > 0));
  const head = [`### pipemon report`, "", header(doc), "", ""];
  const summary = [`| pipeline | type | runs / success | bottlenecks |`, `|---|---|---|---|`];
  const summaryRow = (e: ReportEntry): string => {
    const runs = e.batch ? `${e.batch.runs.toLocaleString("en-US")} / ${formatShare(e.batch.successRate)}` : "–";
    const flags = e.flags.length ? e.flags.map((f) => `${f.level}: ${f.threshold}`).join(", ") : "none";
    return `| ${cell(name(e))} | ${e.type} | ${runs} | ${cell(flags)} |`;
  };
  const tail = (omitted: number, rows: boolean): string =>
    omitted === 0 ? "" : `\n\n${plural(omitted, "pipeline")} ${rows ? "not listed" : "not detailed"} to fit one comment: run \`pipemon report --format text\` (or --select) to see them.\n`;
  let body = head.join("\n");
  // The summary first: as many rows as fit in half the budget, so details still get room.
  let listed = 0;
  for (const e of ordered) {
    const row = `${summaryRow(e)}\n`;
    if (body.length + summary.join("\n").length + row.length > limit / 2) break;
    summary.push(summaryRow(e));
    listed++;
  }
  body += `${summary.join("\n")}\n`;
  if (listed < ordered.length) body += tail(ordered.length - listed, true);
  let detailed = 0;
  const reserve = 400;
  for (const e of ordered.slice(0, listed)) {
    const section = `\n<details${e.flags.length ? " open" : ""}><summary><b>${cell(name(e))}</b> (${e.team}, ${e.type})${e.flags.length ? ` — ${plural(e.flags.length, "bottleneck")}` : ""}</summary>\n\n${markdownSection(e)}\n\n</details>\n`;
    if (body.length + section.length + reserve > limit) break;
    body += section;
    detailed++;
  }
  body += tail(listed - detailed, false);
  return body;
}

/** The JSON document (shape in the README): times as ISO 8601, figures in base units. */
export function renderReportJson(doc: ReportDocument): string {
  const json = {
    since: isoTime(doc.since),
    until: isoTime(doc.until),
    stepSeconds: doc.step,
    pipelines: doc.pipelines.map((e) => ({
      ...e,
      ...(e.batch?.longestSuccessGap
        ? { batch: { ...e.batch, longestSuccessGap: { ...e.batch.longestSuccessGap, from: isoTime(e.batch.longestSuccessGap.from), to: e.batch.longestSuccessGap.to === null ? null : isoTime(e.batch.longestSuccessGap.to) } } }
        : {}),
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
