/**
 * `runbooks/<pipeline>.md` (DESIGN §4): what is specific to one pipeline. Its notes, routing
 * and escalation, its alerts with thresholds and channels, and per alert the three checks
 * with this pipeline's queries and panel links. What an alert means, what each check tells
 * and the recovery by error class are the same for every pipeline: they are written once,
 * in `runbooks/playbook.md`, which every alert links to.
 *
 * Deterministic: no timestamps, everything in catalog / routing order. Built by string
 * concatenation: generate renders 10,000 of these within its two-second budget.
 *
 * Links: panels are reference links (`[Run duration][p3]`, defined once at the end), so a
 * URL is written once per runbook. Without a literal Grafana URL (grafana.publicUrl) a panel
 * is named in italics and the header names the dashboard uid: never a `${...}` link.
 */
import { alertDefinitions, describeLevel } from "../alert-definitions.js";
import { windowSeconds } from "../promql.js";
import type { AlertDefinition } from "../alert-definitions.js";
import { CATALOG } from "../../model/catalog.js";
import { thresholdOfAlert } from "../../model/thresholds.js";
import { dashboardUid, dashboardUrl, datadogIdTag, folderUid, grafanaLinkBase, panelUrl, ruleGroupName } from "../../model/identity.js";
import { PANEL, PANEL_TITLE } from "../../model/panels.js";
import type { PanelKey } from "../../model/panels.js";
import type { AlertKey, Pipeline, Project, Severity } from "../../model/types.js";
import { ALERT_KEYS, SEVERITIES } from "../../model/types.js";
import { formatDuration } from "../../lib/duration.js";
import { checkGuides } from "./guidance.js";
import { playbookAnchor, PLAYBOOK_FILE_NAME } from "./playbook.js";
import { SUPPORT_NAME, SUPPORT_PANEL, supportQuery } from "./queries.js";
import type { SupportKey } from "./queries.js";

/**
 * What the Datadog target writes into a runbook, given by that target (this layer never
 * imports a target): the monitor query of an alert and a supporting query as typed in a
 * Datadog notebook (no time aggregation, no threshold).
 */
export interface RunbookDatadogQueries {
  monitorQuery(pipeline: Pipeline, def: AlertDefinition): string;
  supportQuery(pipeline: Pipeline, key: SupportKey): string;
}

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

/** A fenced block, indented by `indent` (inside a list item, or not). */
function fenced(lang: "promql" | "text", body: string, indent: string): string {
  const fence = body.includes("```") ? "````" : "```";
  const text = body.includes("\n") ? body.split("\n").join(`\n${indent}`) : body;
  return `${indent}${fence}${lang}\n${indent}${text}\n${indent}${fence}\n`;
}

function anchor(key: AlertKey): string {
  return `alert-${key.toLowerCase()}`;
}

function queryAnchor(key: SupportKey): string {
  return `q-${key.toLowerCase()}`;
}

/** Per-render state: what the pipeline's sections share, computed once. */
class View {
  readonly grafana: boolean;
  readonly datadog: boolean;
  readonly window: string;
  /** Literal Grafana URL for links; undefined → panels are named, not linked. */
  readonly linkBase: string | undefined;
  /** Panels linked so far, in first-use order: their reference definitions end the page. */
  readonly linkedPanels = new Set<PanelKey>();
  /** Supporting queries referenced by the checks, in first-use order. */
  readonly queries = new Set<SupportKey>();

  constructor(
    readonly project: Project,
    readonly pipeline: Pipeline,
  ) {
    this.grafana = pipeline.targets.includes("grafana");
    this.datadog = pipeline.targets.includes("datadog");
    this.window = formatDuration(windowSeconds(pipeline));
    this.linkBase = this.grafana ? grafanaLinkBase(project.grafana) : undefined;
  }

  /** `data-oncall (`@pagerduty-data-oncall`), ...` for a severity's channels. */
  channels(severity: Severity): string {
    const names = this.pipeline.routing[severity];
    if (names.length === 0) return "no channel";
    return names
      .map((name) => {
        const ch = this.project.channels[name];
        // Validation rejects undefined channels; keep the runbook readable if one slips through.
        return ch ? `${name} (${code(ch.datadog)})` : `${name} (undefined channel)`;
      })
      .join(", ");
  }

  /** The panel as the dashboard titles it: a reference link, or its name in italics. */
  panel(key: PanelKey): string {
    const title = PANEL_TITLE[key](this.window);
    if (this.linkBase === undefined) return `*${title}*`;
    this.linkedPanels.add(key);
    return `[${title}][p${PANEL[key]}]`;
  }

  /** Reference definitions of every link used (the dashboard and its panels). */
  linkDefinitions(): string {
    if (this.linkBase === undefined) return "";
    let out = `[dashboard]: ${dashboardUrl(this.linkBase, this.pipeline.name)}\n`;
    for (const key of [...this.linkedPanels].sort((a, b) => PANEL[a] - PANEL[b])) out += `[p${PANEL[key]}]: ${panelUrl(this.linkBase, this.pipeline.name, PANEL[key])}\n`;
    return `${out}\n`;
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
  const dashboard = !view.grafana
    ? "none (the pipeline does not target Grafana)"
    : view.linkBase !== undefined
      ? `[${uid}][dashboard]`
      : `${code(uid)} (no links: set ${code("grafana.publicUrl")} in the config)`;
  rows += `| Dashboard | ${dashboard} |\n`;
  // The spec file is named in the comment under the title.
  rows += `| Targets | ${p.targets.join(", ")} |\n`;
  const labels = Object.keys(p.labels).sort();
  if (labels.length > 0) rows += `| Labels | ${cell(labels.map((k) => code(`${k}=${p.labels[k]}`)).join(" "))} |\n`;

  let out = `# Runbook: ${p.name}\n\n<!-- Generated by pipemon from specs/${p.sourceFile}. Do not edit: change the spec and run \`pipemon generate\`. -->\n\n`;
  if (p.notes) out += `${p.notes.trim()}\n\n`;
  out += `| | |\n|---|---|\n${rows}\n`;
  if (p.runbookUrl) out += `Alerts link to the team's own runbook, ${p.runbookUrl}; this generated page is the reference for the alerts pipemon manages.\n\n`;
  return out;
}

function routing(view: View, defs: readonly AlertDefinition[]): string {
  const after = view.pipeline.schedule ? `before the next scheduled run (within ${view.window})` : `within ${STREAMING_ESCALATE_AFTER}`;
  let out = "## Routing and escalation\n\n| Severity | Channels |\n|---|---|\n";
  for (const s of SEVERITIES) out += `| ${s} | ${cell(view.channels(s))} |\n`;
  out += `\nNot resolved ${after}, or data consumers affected: escalate one severity up; at critical, bring in the team's lead and the owners of the upstream sources, and tell the data consumers.`;
  if (view.datadog && defs.some((d) => d.severity === "critical")) out += " Datadog re-notifies a critical monitor every 60m while it stays open.";
  return `${out}\n\n`;
}

function notMonitoredReason(p: Pipeline, key: AlertKey): string {
  if (p.alerts[key]?.enabled === false) return `disabled in the spec (${code(`alerts.${key}.enabled: false`)})`;
  switch (key) {
    case "slaBreach": return `no ${code("sla.maxDuration")}`;
    case "stale": return `no ${code("sla.freshness")}`;
    default: {
      const t = thresholdOfAlert(key, p.type);
      return t ? `no ${code(`thresholds.${t}`)}` : "not generated";
    }
  }
}

function overview(view: View, defs: readonly AlertDefinition[]): string {
  let out = "## Alerts\n\n";
  if (defs.length === 0) out += "No alert is enabled for this pipeline.\n\n";
  let missing = "";
  for (const k of ALERT_KEYS) {
    if (!CATALOG[k].types.includes(view.pipeline.type) || defs.some((d) => d.key === k)) continue;
    missing += `- ${CATALOG[k].title} (${code(k)}): ${notMonitoredReason(view.pipeline, k)}\n`;
  }
  if (missing) out += `Not monitored:\n\n${missing}\n`;
  if (defs.length > 0) {
    const where: string[] = [];
    if (view.grafana) where.push(`Grafana rules are in group ${code(ruleGroupName(view.pipeline.name))} of folder ${code(folderUid(view.pipeline.team))}`);
    if (view.datadog) where.push(`Datadog monitors carry the tag ${code(datadogIdTag(view.pipeline.name, "<alert>" as AlertKey))}`);
    if (where.length > 0) out += `${where.join("; ")}.`;
    out += ` Each alert's title links to the [playbook](${PLAYBOOK_FILE_NAME}): what it means, what its checks tell, recovery by error class.\n\n`;
  }
  return out;
}

/** What absence of the metric means, for the alerts where it matters. */
function absence(def: AlertDefinition, monitor: string | undefined): string {
  if (def.whenAbsent === "fire") return " A missing metric counts as firing: silence is the problem this alert looks for.";
  if (def.whenAbsent === "afterReporting") {
    return ` A stream that reported within the last day and stopped reporting counts as 0/s (a dead stream${monitor !== undefined ? "; on Datadog: No Data for the pending period" : ""}); one that never reported stays silent.`;
  }
  return "";
}

/**
 * One sentence: what fires the alert with this pipeline's numbers, each level's threshold,
 * severity and channels, and the pending period. It starts with the alert's own condition,
 * so no two alerts of a runbook share it.
 */
function firing(def: AlertDefinition, monitor: string | undefined): string {
  const levels = def.levels
    .map((l) => `${l.level} ${def.comparator} ${describeLevel(def, l)} is ${l.severity} (${l.channels.length > 0 ? l.channels.join(", ") : "no channel"})`)
    .join("; ");
  // Sustained alerts say their pending period in the condition ("above 95% for 10m").
  const held = def.forSeconds > 0 && !CATALOG[def.key].sustained ? `, held for ${formatDuration(def.forSeconds)}` : "";
  return `Condition: ${def.firesWhen}${held}; ${levels}.${absence(def, monitor)}\n\n`;
}

function checks(view: View, def: AlertDefinition, monitorQuery: string | undefined): string {
  const guides = checkGuides(def.key, view.pipeline.type);
  let out = "";
  for (let i = 0; i < guides.length; i++) {
    const guide = guides[i]!;
    out += `${i + 1}. ${guide.title}`;
    if (!guide.support) {
      // The alert's own panel and the exact queries that fire it.
      // The monitor query is one short line: inline; the PromQL gets a block.
      const monitor = monitorQuery !== undefined ? `Datadog monitor ${code(monitorQuery)}` : "";
      out += view.grafana ? ` on ${view.panel(def.panel)}${monitor ? `, ${monitor}` : ""}, the alert's PromQL:\n${fenced("promql", def.promql, IND)}` : `: ${monitor}.\n`;
    } else {
      for (const k of guide.support) view.queries.add(k);
      // The panel shows the query; without Grafana, the query itself (listed under Queries).
      const refs = view.grafana ? [...new Set(guide.support.map((k) => SUPPORT_PANEL[k]))].map((k) => view.panel(k)) : guide.support.map((k) => `[${SUPPORT_NAME[k]}](#${queryAnchor(k)})`);
      out += `: ${refs.join(", ")}.\n`;
    }
  }
  return `${out}\n`;
}

/**
 * Each supporting query of the checks once, with its panel. With panel links the PromQL is
 * the panel's own (one click away), so only the Datadog query is written out.
 */
function queries(view: View, datadog: RunbookDatadogQueries): string {
  const promql = view.grafana && view.linkBase === undefined;
  if (view.queries.size === 0 || (!promql && !view.datadog)) return "";
  let out = `## ${promql ? "Queries" : "Datadog queries"}\n\n`;
  for (const key of view.queries) {
    const q = supportQuery(view.pipeline, key);
    const dd = view.datadog ? datadog.supportQuery(view.pipeline, key) : "";
    const shown = promql ? [`PromQL ${code(q.promql)}`, view.datadog ? `Datadog ${code(dd)}` : ""].filter(Boolean).join(", ") : code(dd);
    // With Grafana the checks name panels: list each query under its panel, no anchor needed.
    out += view.grafana ? `- ${view.panel(SUPPORT_PANEL[key])}, ${SUPPORT_NAME[key]}: ${shown}\n` : `- <a id="${queryAnchor(key)}"></a>${q.label[0]!.toUpperCase()}${q.label.slice(1)}: ${shown}\n`;
  }
  return `${out}\n`;
}

export function renderRunbook(project: Project, pipeline: Pipeline, datadog: RunbookDatadogQueries): string {
  const defs = alertDefinitions(pipeline);
  const view = new View(project, pipeline);
  let md = header(view) + routing(view, defs) + overview(view, defs);
  for (const def of defs) {
    md += `<a id="${anchor(def.key)}"></a>\n\n## [${def.title}](${PLAYBOOK_FILE_NAME}#${playbookAnchor(def.key)}) (${code(def.key)})\n\n`;
    // Only Datadog pipelines need (and can always render) the monitor's query.
    const monitor = view.datadog ? datadog.monitorQuery(pipeline, def) : undefined;
    md += firing(def, monitor) + checks(view, def, monitor);
  }
  md += queries(view, datadog) + view.linkDefinitions();
  // Every section ends with one blank line; the file ends with exactly one newline.
  return md.slice(0, -1);
}
