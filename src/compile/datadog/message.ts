/**
 * The monitor message: what happened, who is notified at which level, where to look.
 * Datadog notifies a handle only when the conditional block around it renders, so each
 * level's channels sit in their own `{{#is_...}}` block.
 */
import type { AlertDefinition, AlertLevel } from "../alert-definitions.js";
import { PRIORITY } from "../../model/catalog.js";
import type { Pipeline, Project } from "../../model/types.js";
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

/** `Notify: @a @b`: Datadog requires whitespace before each handle to recognise it. */
function notifyLine(handles: readonly string[], severity: string): string {
  if (handles.length === 0) return `No channel is routed for severity ${severity}.`;
  return `Notify:${handles.map((h) => ` ${h}`).join("")}`;
}

function levelOf(def: AlertDefinition, level: "critical" | "warning"): AlertLevel | undefined {
  return def.levels.find((l) => l.level === level);
}

export interface MessageLinks {
  runbook: string;
  /** Undefined when the pipeline has no Grafana dashboard (targets without grafana). */
  panel?: string;
}

export function monitorMessage(
  project: Project,
  pipeline: Pipeline,
  def: AlertDefinition,
  condition: DatadogCondition,
  links: MessageLinks,
): string {
  const critical = levelOf(def, "critical");
  if (!critical) throw new Error(`${def.pipeline}/${def.key}: alert definition has no critical level`);
  const criticalHandles = channelHandles(project, pipeline, critical.channels);
  const lines: string[] = [`**${def.summary}**`, "", def.description, ""];

  lines.push(
    "{{#is_alert}}",
    `Severity ${critical.severity} (priority ${PRIORITY[critical.severity]}): value {{value}}, threshold ${condition.describe("critical")}.`,
    notifyLine(criticalHandles, critical.severity),
    "{{/is_alert}}",
  );

  // The warning level exists only when the spec sets one (and Datadog only when the
  // condition carries it); its severity is one step below the alert's.
  const warning = condition.warning !== undefined ? levelOf(def, "warning") : undefined;
  let warningHandles: string[] = [];
  if (warning) {
    warningHandles = channelHandles(project, pipeline, warning.channels);
    lines.push(
      "{{#is_warning}}",
      `Severity ${warning.severity} (priority ${PRIORITY[warning.severity]}): value {{value}}, threshold ${condition.describe("warning")}.`,
      notifyLine(warningHandles, warning.severity),
      "{{/is_warning}}",
    );
  }

  if (def.whenAbsent === "fire") {
    // Absence is the problem itself here (stale): page the critical level on No Data too,
    // otherwise the no-data notification reaches nobody.
    lines.push(
      "{{#is_no_data}}",
      `No data: nothing was reported for this query; for this alert absence is itself the problem (severity ${critical.severity}).`,
      notifyLine(criticalHandles, critical.severity),
      "{{/is_no_data}}",
    );
  }

  // Recovery resolves what was opened: the critical level's channels (PagerDuty incidents
  // close on the recovery notification) ...
  lines.push("{{#is_recovery}}", `Recovered: value {{value}}.`, notifyLine(criticalHandles, critical.severity), "{{/is_recovery}}");
  // ... and channels that only heard the warning learn that it cleared.
  const warningOnly = warningHandles.filter((h) => !criticalHandles.includes(h));
  if (warning && warningOnly.length > 0) {
    lines.push("{{#is_warning_recovery}}", notifyLine(warningOnly, warning.severity), "{{/is_warning_recovery}}");
  }

  lines.push("", `Runbook: ${links.runbook}`);
  if (links.panel) lines.push(`Dashboard: ${links.panel}`);
  lines.push(
    "",
    `Managed by pipemon from specs/${pipeline.sourceFile} (team ${pipeline.team}). Edit the spec, not this monitor: pipemon apply overwrites changes made here.`,
  );
  return lines.join("\n");
}
