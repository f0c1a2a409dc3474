/**
 * `runbooks/<pipeline>.md` (DESIGN §4): a header describing the pipeline, then per enabled
 * alert what it means, the first three checks, recovery by error class and escalation.
 * Deterministic: no timestamps, everything in catalog / routing order.
 *
 * Built by string concatenation with per-pipeline and per-process caches: generate renders
 * 10,000 of these (~20 KB each) within its two-second budget, so no per-line arrays, no
 * regex passes over finished text, and static prose is rendered once per process.
 */
import { alertDefinitions, describeLevel } from "../alert-definitions.js";
import { windowSeconds } from "../promql.js";
import type { AlertDefinition } from "../alert-definitions.js";
import { datadogCondition, monitorQuery } from "../datadog/index.js";
import type { DatadogCondition } from "../datadog/index.js";
import { CATALOG, dataQualityThreshold } from "../../model/catalog.js";
import { dashboardUid, datadogIdTag, panelUrl } from "../../model/identity.js";
import { PANEL } from "../../model/panels.js";
import type { PanelKey } from "../../model/panels.js";
import type { AlertKey, Pipeline, Project, Severity } from "../../model/types.js";
import { ALERT_KEYS, SEVERITIES } from "../../model/types.js";
import { formatDuration } from "../../lib/duration.js";
import { checkGuides, ERROR_CLASSES, RECOVERY_ACTION, recoveryRows } from "./guidance.js";
import { SUPPORT_PANEL, supportQuery } from "./queries.js";
import type { SupportKey, SupportQuery } from "./queries.js";

/** Panel titles as links read; the dashboard compiler owns the real titles. */
const PANEL_TITLE: Readonly<Record<PanelKey, string>> = {
  runStatus: "Run status",
  lastSuccess: "Time since last success",
  duration: "Run duration",
  records: "Records",
  failureRatio: "Failed records ratio",
  volume: "Volume",
  cpu: "CPU usage",
  memory: "Memory usage",
  errors: "Errors by type",
  latency: "Latency p95",
  throughput: "Throughput",
  backlog: "Backlog",
  streamErrorRate: "Stream error rate",
};

const PANEL_KEY_BY_ID: ReadonlyMap<number, PanelKey> = new Map((Object.keys(PANEL) as PanelKey[]).map((k) => [PANEL[k], k] as const));

/** Streaming alerts have no schedule to wait for: escalate after this long. */
const STREAMING_ESCALATE_AFTER = "30m";
/** Indent of content inside a numbered list item. */
const IND = "   ";

/** A table cell: pipes escaped, line breaks flattened (a cell is one line). */
function cell(text: string): string {
  if (!text.includes("|") && !text.includes("\n")) return text;
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function code(text: string): string {
  // A backtick inside needs a longer delimiter; spec values rarely have one.
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A fenced block inside a list item (a fence may follow a paragraph line directly). */
const FENCE_OPEN: Readonly<Record<string, string>> = { promql: `${IND}\`\`\`promql\n${IND}`, text: `${IND}\`\`\`text\n${IND}` };
const FENCE_CLOSE = `\n${IND}\`\`\`\n`;
function fenced(lang: "promql" | "text", body: string): string {
  // Three pieces per block in the common case (one-line query without backticks).
  if (!body.includes("\n") && !body.includes("```")) return FENCE_OPEN[lang] + body + FENCE_CLOSE;
  const fence = body.includes("```") ? "````" : "```";
  return `${IND}${fence}${lang}\n${IND}${body.split("\n").join(`\n${IND}`)}\n${IND}${fence}\n`;
}

function anchor(key: AlertKey): string {
  return `alert-${key.toLowerCase()}`;
}

/** Per-render state: what the pipeline's sections share, computed once. */
class View {
  readonly grafana: boolean;
  readonly datadog: boolean;
  readonly window: string;
  readonly batch: boolean;
  private readonly channelText: Record<Severity, string>;
  private readonly channelTextWithType: Record<Severity, string>;
  private readonly queries = new Map<SupportKey, SupportQuery>();

  constructor(
    readonly project: Project,
    readonly pipeline: Pipeline,
  ) {
    this.grafana = pipeline.targets.includes("grafana");
    this.datadog = pipeline.targets.includes("datadog");
    this.window = formatDuration(windowSeconds(pipeline));
    this.batch = pipeline.type === "batch";
    this.channelText = {} as Record<Severity, string>;
    this.channelTextWithType = {} as Record<Severity, string>;
    for (const s of SEVERITIES) {
      this.channelText[s] = this.describeChannels(pipeline.routing[s], false);
      this.channelTextWithType[s] = this.describeChannels(pipeline.routing[s], true);
    }
  }

  private describeChannels(names: readonly string[], withType: boolean): string {
    if (names.length === 0) return "no channel";
    return names
      .map((name) => {
        const ch = this.project.channels[name];
        // Validation rejects undefined channels; keep the runbook readable if one slips through.
        if (!ch) return `${name} (undefined channel)`;
        return withType ? `${name} (${ch.type}, ${code(ch.datadog)})` : `${name} (${code(ch.datadog)})`;
      })
      .join(", ");
  }

  /** `data-oncall (`@pagerduty-data-oncall`), ...` for a severity's channels. */
  channels(severity: Severity, withType = false): string {
    return withType ? this.channelTextWithType[severity] : this.channelText[severity];
  }

  query(key: SupportKey): SupportQuery {
    let q = this.queries.get(key);
    if (!q) {
      q = supportQuery(this.pipeline, key);
      this.queries.set(key, q);
    }
    return q;
  }

  panelLink(key: PanelKey): string {
    return `[${PANEL_TITLE[key]}](${panelUrl(this.project.grafana.url, this.pipeline.name, PANEL[key])})`;
  }
}

function header(view: View): string {
  const p = view.pipeline;
  let rows = `| Pipeline | ${code(p.name)} |\n| Team | ${cell(p.team)} |\n| Type | ${p.type} |\n`;
  if (view.project.environment) rows += `| Environment | ${view.project.environment} |\n`;
  rows += `| Schedule | ${p.schedule ? `${cell(code(p.schedule.cron))} (counts are per ${view.window}, the longest gap between runs)` : "continuous (streaming)"} |\n`;
  const sla: string[] = [];
  if (p.sla.maxDurationSeconds !== undefined) sla.push(`max duration ${formatDuration(p.sla.maxDurationSeconds)}`);
  if (p.sla.freshnessSeconds !== undefined) sla.push(`freshness ${formatDuration(p.sla.freshnessSeconds)}`);
  rows += `| SLA | ${sla.length > 0 ? sla.join(", ") : "none set"} |\n`;
  rows += `| Description | ${p.description ? cell(p.description) : "none"} |\n`;
  const uid = dashboardUid(p.name);
  rows += `| Dashboard | ${view.grafana ? `[${uid}](${view.project.grafana.url ?? "${GRAFANA_URL}"}/d/${uid})` : "none (the pipeline does not target Grafana)"} |\n`;
  rows += `| Spec | ${cell(code(`specs/${p.sourceFile}`))} |\n| Targets | ${p.targets.join(", ")} |\n`;
  const labels = Object.keys(p.labels).sort();
  if (labels.length > 0) rows += `| Labels | ${cell(labels.map((k) => code(`${k}=${p.labels[k]}`)).join(" "))} |\n`;

  let out = `# Runbook: ${p.name}\n\n<!-- Generated by pipemon from specs/${p.sourceFile}. Do not edit: change the spec and run \`pipemon generate\`. -->\n\n| | |\n|---|---|\n${rows}\n`;
  if (p.runbookUrl) out += `Alerts link to the team's own runbook, ${p.runbookUrl}; this generated page is the reference for the alerts pipemon manages.\n\n`;
  out += "## Routing\n\n| Severity | Channels |\n|---|---|\n";
  for (const s of SEVERITIES) out += `| ${s} | ${cell(view.channels(s, true))} |\n`;
  return `${out}\n`;
}

function notMonitoredReason(p: Pipeline, key: AlertKey): string {
  if (p.alerts[key]?.enabled === false) return `disabled in the spec (${code(`alerts.${key}.enabled: false`)})`;
  switch (key) {
    case "slaBreach": return `no ${code("sla.maxDuration")}`;
    case "stale": return `no ${code("sla.freshness")}`;
    case "dataQuality": return `no ${code(`thresholds.${dataQualityThreshold(p.type)}`)}`;
    default: {
      const t = CATALOG[key].threshold;
      return t ? `no ${code(`thresholds.${t}`)}` : "not generated";
    }
  }
}

function overview(view: View, defs: readonly AlertDefinition[]): string {
  let out = "## Alerts\n\n";
  if (defs.length === 0) {
    out += "No alert is enabled for this pipeline.\n\n";
  } else {
    out += "| Alert | Severity | Fires when |\n|---|---|---|\n";
    for (const def of defs) out += `| [${def.title}](#${anchor(def.key)}) | ${def.severity} | ${cell(CATALOG[def.key].meaning)} |\n`;
    out += "\n";
  }
  let missing = "";
  for (const k of ALERT_KEYS) {
    if (!CATALOG[k].types.includes(view.pipeline.type) || defs.some((d) => d.key === k)) continue;
    missing += `- ${CATALOG[k].title} (${code(k)}): ${notMonitoredReason(view.pipeline, k)}\n`;
  }
  if (missing) out += `Not monitored:\n\n${missing}\n`;
  if (defs.length > 0) {
    const langs = [view.grafana ? "`promql` blocks are PromQL for Grafana Explore" : "", view.datadog ? "`text` blocks are Datadog queries" : ""].filter(Boolean);
    if (langs.length > 0) out += `In the checks, ${langs.join(", ")}.\n\n`;
  }
  return out;
}

function meaning(view: View, def: AlertDefinition, condition: DatadogCondition | undefined): string {
  let out = `### What it means\n\n${def.description}\n\n| Level | Threshold | Severity | Channels |\n|---|---|---|---|\n`;
  for (const level of def.levels) {
    out += `| ${level.level} | ${def.comparator} ${describeLevel(def, level)} | ${level.severity} | ${cell(view.channels(level.severity))} |\n`;
  }
  out += def.forSeconds > 0 ? `\nFires after the condition has held for ${formatDuration(def.forSeconds)}.` : "\nFires on the first evaluation that meets the condition.";
  if (def.whenAbsent === "fire") out += " A missing metric counts as firing: silence is the problem this alert looks for.";
  if (def.whenAbsent === "afterReporting") {
    out += ` A stream that reported within the last day and stopped reporting counts as 0/s (a dead stream${condition ? "; on Datadog: No Data for the pending period" : ""}); one that never reported stays silent.`;
  }
  if (view.grafana) out += ` Grafana rules ${def.levels.map((l) => code(l.ruleUid)).join(", ")}.`;
  if (condition) {
    const c = condition;
    out += ` Datadog monitor tagged ${code(datadogIdTag(def.pipeline, def.key))}: critical ${c.criticalText}${c.warningText ? `, warning ${c.warningText}` : ""}.`;
    if (def.datadog.description !== undefined) out += ` On Datadog: ${def.datadog.description}`;
  }
  return `${out}\n\n`;
}

function checks(view: View, def: AlertDefinition, condition: DatadogCondition | undefined): string {
  const guides = checkGuides(def.key, view.pipeline, { window: view.window, batch: view.batch });
  let out = "### First checks\n\n";
  for (let i = 0; i < guides.length; i++) {
    const guide = guides[i]!;
    out += `${i + 1}. **${guide.title}.** ${guide.text}\n\n`;
    if (!guide.support) {
      // The alert's own panel and the exact queries that fire it.
      const panel = PANEL_KEY_BY_ID.get(def.panelId);
      const what = view.grafana && view.datadog ? "The alert's PromQL, then the Datadog monitor query:" : view.grafana ? "The alert's PromQL:" : "The Datadog monitor query:";
      out += view.grafana && panel ? `${IND}Panel: ${view.panelLink(panel)}. ${what}\n` : `${IND}${what}\n`;
      if (view.grafana) out += fenced("promql", def.promql);
      if (condition) out += fenced("text", monitorQuery(def, condition));
    } else {
      let first = true;
      for (const key of guide.support) {
        const q = view.query(key);
        const label = `${q.label[0]!.toUpperCase()}${q.label.slice(1)}:`;
        if (first && view.grafana) {
          const panels = [...new Set(guide.support.map((k) => SUPPORT_PANEL[k]))];
          out += `${IND}Panel${panels.length > 1 ? "s" : ""}: ${panels.map((k) => view.panelLink(k)).join(", ")}. ${label}\n`;
        } else {
          out += `${IND}${label}\n`;
        }
        first = false;
        if (view.grafana) out += fenced("promql", q.promql);
        if (view.datadog) out += fenced("text", q.datadog);
      }
    }
  }
  return `${out}\n`;
}

/** The recovery table depends only on the alert and the pipeline type: render it once. */
const RECOVERY_CACHE = new Map<string, string>();
function recovery(view: View, key: AlertKey): string {
  const cacheKey = `${key}/${view.batch}`;
  let out = RECOVERY_CACHE.get(cacheKey);
  if (out === undefined) {
    const rows = recoveryRows(key, { batch: view.batch });
    out = "### Recovery by error class\n\n| Error class | Signs | Recovery |\n|---|---|---|\n";
    for (const cls of ERROR_CLASSES) out += `| ${cls} | ${cell(rows[cls].signs)} | **${RECOVERY_ACTION[cls]}**: ${cell(rows[cls].steps)} |\n`;
    out += "\n";
    RECOVERY_CACHE.set(cacheKey, out);
  }
  return out;
}

function higher(severity: Severity): Severity | undefined {
  const i = SEVERITIES.indexOf(severity);
  return i > 0 ? SEVERITIES[i - 1] : undefined;
}

function escalation(view: View, def: AlertDefinition): string {
  let out = `### Escalation\n\n- Owner: team **${view.pipeline.team}**.`;
  for (const level of def.levels) out += ` The ${level.level} level (${level.severity}) notifies ${view.channels(level.severity)}.`;
  if (view.datadog && def.severity === "critical") out += " Datadog re-notifies every 60m while it stays open.";
  const after = view.pipeline.schedule ? `before the next scheduled run (within ${view.window})` : `within ${STREAMING_ESCALATE_AFTER}`;
  const up = higher(def.severity);
  out += up
    ? `\n- Not resolved ${after}, or data consumers are affected: escalate as ${up}, to ${view.channels(up)}.\n\n`
    : `\n- Already the highest severity. Not resolved ${after}: bring in the team's lead and the owners of the upstream sources (manual intervention), and tell the data consumers.\n\n`;
  return out;
}

export function renderRunbook(project: Project, pipeline: Pipeline): string {
  const defs = alertDefinitions(pipeline);
  const view = new View(project, pipeline);
  let md = header(view) + overview(view, defs);
  for (const def of defs) {
    md += `<a id="${anchor(def.key)}"></a>\n\n## ${def.title} (${code(def.key)})\n\n`;
    // Only Datadog pipelines need (and can always render) the monitor's condition.
    const condition = view.datadog ? datadogCondition(def) : undefined;
    md += meaning(view, def, condition) + checks(view, def, condition) + recovery(view, def.key) + escalation(view, def);
  }
  // Every section ends with one blank line; the file ends with exactly one newline.
  return md.slice(0, -1);
}
