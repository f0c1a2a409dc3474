/**
 * The monitor message: what happened, who is notified at which level, where to look.
 * Datadog notifies a handle only when the conditional block around it renders, so each
 * level's channels sit in their own `{{#is_...}}` block, and no handle appears outside one.
 */
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import type { DatadogAlert } from "./alert-query.js";
import { PRIORITY } from "../../../model/catalog.js";
import { formatDuration } from "../../../lib/duration.js";
import { dashboardUid, grafanaLinkBase, panelUrl, runbookUrl } from "../../../model/identity.js";
import { PANEL, PANEL_TITLE } from "../../../model/panels.js";
import type { Pipeline, Project, Severity } from "../../../model/types.js";
import { SEVERITIES } from "../../../model/types.js";
import { windowSeconds } from "../../../compile/promql.js";
import type { DatadogCondition } from "./query.js";

/** The `datadog` handles of channels, in routing order, without duplicates. */
export function channelHandles(project: Project, pipeline: Pipeline, channels: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of channels) {
    const channel = project.channels[name];
    // Validation rejects routing to an undefined channel; reaching this is a model bug,
    // and silently dropping a pager would be worse than failing generate.
    if (!channel) throw new Error(`pipeline ${pipeline.name}: routing names undefined channel "${name}"`);
    if (!out.includes(channel.datadog)) out.push(channel.datadog);
  }
  return out;
}

/** `Notify: @a @b`: Datadog recognises a handle only after whitespace. */
function notifyLine(handles: readonly string[], severity: Severity): string {
  if (handles.length === 0) return `No channel is routed for severity ${severity}.`;
  let line = "Notify:";
  for (const h of handles) line += ` ${h}`;
  return line;
}

/**
 * What every monitor of one pipeline shares, computed once per pipeline rather than once
 * per monitor (generate renders ~70,000 monitors for 10,000 pipelines).
 */
export interface MessageContext {
  /** Handles per severity, from the pipeline's routing. */
  handles: Readonly<Record<Severity, readonly string[]>>;
  notify: Readonly<Record<Severity, string>>;
  /** `Runbook: ...` and, with a Grafana target, nothing else: the panel differs per alert. */
  runbookLine: string;
  /** Literal Grafana URL for links (grafana.publicUrl); undefined → the panel is named, not linked. */
  grafanaUrl?: string;
  /** The pipeline's count window, which some panel titles name. */
  window: string;
  /** Undefined when the pipeline has no Grafana dashboard to link to. */
  dashboardPipeline?: string;
  footer: string;
}

export function messageContext(project: Project, pipeline: Pipeline): MessageContext {
  const handles = {} as Record<Severity, readonly string[]>;
  const notify = {} as Record<Severity, string>;
  for (const s of SEVERITIES) {
    handles[s] = channelHandles(project, pipeline, pipeline.routing[s]);
    notify[s] = notifyLine(handles[s], s);
  }
  return {
    handles,
    notify,
    runbookLine: `Runbook: ${runbookUrl(pipeline, project)}`,
    ...(grafanaLinkBase(project.grafana) !== undefined ? { grafanaUrl: grafanaLinkBase(project.grafana) } : {}),
    window: formatDuration(windowSeconds(pipeline)),
    // No Grafana target → no dashboard to link to.
    dashboardPipeline: pipeline.targets.includes("grafana") ? pipeline.name : undefined,
    footer: `Managed by pipemon: edit specs/${pipeline.sourceFile}, not this monitor.`,
  };
}

/** What No Data means for an alert that pages on it. */
const NO_DATA_TEXT: Readonly<Record<AlertDefinition["whenAbsent"], string | undefined>> = {
  fire: "nothing was reported for this query; for this alert absence is itself the problem",
  afterReporting: "the stream stopped reporting for the whole pending period: a dead stream is low throughput",
  silent: undefined,
};

export function monitorMessage(ctx: MessageContext, def: DatadogAlert, condition: DatadogCondition): string {
  const critical = def.levels[0];
  if (!critical || critical.level !== "critical") throw new Error(`${def.pipeline}/${def.key}: alert definition has no critical level`);
  const criticalNotify = ctx.notify[critical.severity];
  const description = def.datadog.description === undefined ? def.description : `${def.pipeline} (${def.team}): ${def.datadog.description}`;
  let m = `${description}\n\n{{#is_alert}}\nSeverity ${critical.severity} (priority ${PRIORITY[critical.severity]}): value {{value}}, threshold ${condition.criticalText}.\n${criticalNotify}\n{{/is_alert}}\n`;

  // The warning level exists only when the spec sets one; its severity is one step below.
  const warning = condition.warningText !== undefined ? def.levels[1] : undefined;
  if (warning) {
    m += `{{#is_warning}}\nSeverity ${warning.severity} (priority ${PRIORITY[warning.severity]}): value {{value}}, threshold ${condition.warningText}.\n${ctx.notify[warning.severity]}\n{{/is_warning}}\n`;
  }
  const absence = NO_DATA_TEXT[def.whenAbsent];
  if (absence !== undefined) {
    // Absence is the problem itself here (stale, a dead stream): page the critical level on
    // No Data too, otherwise the no-data notification reaches nobody.
    m += `{{#is_no_data}}\nNo data: ${absence} (severity ${critical.severity}).\n${criticalNotify}\n{{/is_no_data}}\n`;
  }
  // Recovery resolves what was opened: the critical level's channels (PagerDuty incidents
  // close on the recovery notification) ...
  m += `{{#is_recovery}}\nRecovered: value {{value}}.\n${criticalNotify}\n{{/is_recovery}}\n`;
  // ... and channels that only heard the warning learn that it cleared.
  if (warning) {
    const criticalHandles = ctx.handles[critical.severity];
    const only = ctx.handles[warning.severity].filter((h) => !criticalHandles.includes(h));
    if (only.length > 0) m += `{{#is_warning_recovery}}\n${notifyLine(only, warning.severity)}\n{{/is_warning_recovery}}\n`;
  }
  m += `\n${ctx.runbookLine}\n`;
  if (ctx.dashboardPipeline !== undefined) {
    // A generated file holds a real link or none: without a public URL, name the panel.
    m += ctx.grafanaUrl !== undefined
      ? `Dashboard: ${panelUrl(ctx.grafanaUrl, ctx.dashboardPipeline, PANEL[def.panel])}\n`
      : `Dashboard: ${dashboardUid(ctx.dashboardPipeline)}, panel "${PANEL_TITLE[def.panel](ctx.window)}"\n`;
  }
  return `${m}\n${ctx.footer}`;
}
