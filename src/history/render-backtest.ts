/**
 * The backtest as text (a terminal), markdown (one pull-request comment) and JSON (DESIGN §10:
 * `{since, until, alerts: [{pipeline, alert, severity, episodes: [{start, end}]}]}`, each alert
 * also carrying `firingSeconds` and `channels`; `base` beside `alerts` with --base).
 */
import { formatDuration } from "../lib/duration.js";
import { compareAlerts, type AlertChange, type BacktestAlert, type BacktestResult } from "./backtest.js";
import { isoTime, plural } from "./report-format.js";
import type { Episode } from "./rule-evaluation.js";

export const BACKTEST_FORMATS = ["text", "markdown", "json"] as const;
export type BacktestFormat = (typeof BACKTEST_FORMATS)[number];

/** A duration for reading: whole minutes (the evaluation interval is never finer than 10s, and minutes suffice for pages). */
const span = (seconds: number): string => (seconds === 0 ? "0m" : seconds < 60 ? formatDuration(seconds) : formatDuration(Math.round(seconds / 60) * 60));

function episodeLine(e: Episode): string {
  return e.end === null ? `${isoTime(e.start)} → still firing` : `${isoTime(e.start)} → ${isoTime(e.end)} (${span(e.end - e.start)})`;
}

function jsonAlert(a: BacktestAlert): Record<string, unknown> {
  return {
    pipeline: a.pipeline,
    alert: a.alert,
    severity: a.severity,
    episodes: a.episodes.map((e) => ({ start: isoTime(e.start), end: e.end === null ? null : isoTime(e.end) })),
    firingSeconds: a.firingSeconds,
    channels: a.channels,
  };
}

export function backtestJson(r: BacktestResult): string {
  const doc: Record<string, unknown> = { since: isoTime(r.since), until: isoTime(r.until), alerts: r.alerts.map(jsonAlert) };
  if (r.base) doc.base = { ref: r.base.ref, alerts: r.base.alerts.map(jsonAlert), unchanged: r.base.unchanged };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const summary = (a: BacktestAlert | undefined): string => (a === undefined ? "no rule" : `${plural(a.episodes.length, "episode")}, ${span(a.firingSeconds)} firing`);

function header(r: BacktestResult): string {
  return `backtest ${isoTime(r.since)} → ${isoTime(r.until)} (${span(r.until - r.since)}): ${plural(r.stats.pipelines, "pipeline")}, ${plural(r.stats.rules, "rule")}, ${plural(r.stats.queries, "query")}`;
}

function byPipeline<T extends { pipeline: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) out.set(row.pipeline, [...(out.get(row.pipeline) ?? []), row]);
  return out;
}

const changed = (c: AlertChange): boolean => summary(c.before) !== summary(c.after) || JSON.stringify(c.before?.episodes) !== JSON.stringify(c.after?.episodes);

export function backtestText(r: BacktestResult): string {
  const lines = [header(r)];
  if (r.base) {
    lines.push(`compared with ${r.base.ref}: ${plural(r.stats.pipelines, "changed pipeline")} evaluated, ${plural(r.base.unchanged.length, "unchanged pipeline")} not evaluated`);
    for (const [pipeline, rows] of byPipeline(compareAlerts(r.base.alerts, r.alerts))) {
      lines.push("", pipeline);
      for (const c of rows) {
        const mark = changed(c) ? "" : "  (same)";
        lines.push(`  ${c.alert} ${c.severity}: ${summary(c.before)} → ${summary(c.after)}${mark}${c.after?.channels.length ? `; pages ${c.after.channels.join(", ")}` : ""}`);
        if (changed(c)) for (const e of c.after?.episodes ?? []) lines.push(`      ${episodeLine(e)}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
  for (const [pipeline, alerts] of byPipeline(r.alerts)) {
    lines.push("", pipeline);
    const quiet = alerts.filter((a) => a.episodes.length === 0);
    for (const a of alerts.filter((x) => x.episodes.length > 0)) {
      lines.push(`  ${a.alert} ${a.severity}: ${summary(a)}${a.channels.length ? `; would have paged ${a.channels.join(", ")}` : "; routed to no channel"}`);
      for (const e of a.episodes) lines.push(`      ${episodeLine(e)}`);
    }
    if (quiet.length > 0) lines.push(`  quiet: ${quiet.map((a) => `${a.alert} ${a.severity}`).join(", ")}`);
  }
  const firing = r.alerts.filter((a) => a.episodes.length > 0);
  lines.push("", `${plural(firing.length, "alert")} of ${r.alerts.length} would have fired, ${plural(firing.reduce((n, a) => n + a.episodes.length, 0), "episode")} in all`);
  return `${lines.join("\n")}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|");

export function backtestMarkdown(r: BacktestResult): string {
  const lines = [`### pipemon backtest`, "", `${isoTime(r.since)} → ${isoTime(r.until)} (${span(r.until - r.since)}), ${plural(r.stats.pipelines, "pipeline")}, ${plural(r.stats.rules, "rule")}`, ""];
  if (r.base) {
    lines.push(`Compared with \`${cell(r.base.ref)}\`: ${plural(r.base.unchanged.length, "unchanged pipeline")} not evaluated.`, "");
    lines.push("| pipeline | alert | severity | before | after | pages |", "|---|---|---|---|---|---|");
    for (const c of compareAlerts(r.base.alerts, r.alerts)) {
      const strong = changed(c) ? (s: string) => `**${s}**` : (s: string) => s;
      lines.push(`| ${cell(c.pipeline)} | ${c.alert} | ${c.severity} | ${summary(c.before)} | ${strong(summary(c.after))} | ${cell((c.after ?? c.before)?.channels.join(", ") ?? "")} |`);
    }
    return `${lines.join("\n")}\n`;
  }
  lines.push("| pipeline | alert | severity | episodes | firing | would have paged |", "|---|---|---|---|---|---|");
  for (const a of r.alerts.filter((x) => x.episodes.length > 0)) {
    lines.push(`| ${cell(a.pipeline)} | ${a.alert} | ${a.severity} | ${a.episodes.length} | ${span(a.firingSeconds)} | ${cell(a.channels.join(", "))} |`);
  }
  const quiet = r.alerts.length - r.alerts.filter((x) => x.episodes.length > 0).length;
  lines.push("", `${plural(quiet, "alert")} never fired.`);
  return `${lines.join("\n")}\n`;
}

export function renderBacktest(r: BacktestResult, format: BacktestFormat): string {
  return format === "json" ? backtestJson(r) : format === "markdown" ? backtestMarkdown(r) : backtestText(r);
}
