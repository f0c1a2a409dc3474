/**
 * Labels and annotations of one alert rule level, shared by the Grafana and Prometheus
 * rules so both say exactly the same; only the value templating differs (Grafana's
 * `$values.B.Value`, Prometheus's `$value`), and each target passes its own.
 */
import { CATALOG } from "../model/catalog.js";
import { dashboardUid, MANAGED_BY_LABEL, MANAGED_BY_VALUE, runbookUrl } from "../model/identity.js";
import { PANEL } from "../model/panels.js";
import type { Pipeline, Project } from "../model/types.js";
import { describeLevel, type AlertDefinition, type AlertLevel, type Unit } from "./alert-definitions.js";

const IDENTITY_LABELS: ReadonlySet<string> = new Set([MANAGED_BY_LABEL, "team", "pipeline", "severity", "alert"]);

/** The identity labels routing relies on, then the pipeline's own labels (never overriding them). */
export function ruleLabels(p: Pipeline, def: AlertDefinition, level: AlertLevel): Record<string, string> {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, team: p.team, pipeline: p.name, severity: level.severity, alert: def.key };
  for (const [k, v] of Object.entries(p.labels)) if (!IDENTITY_LABELS.has(k)) labels[k] = v;
  return labels;
}

const HUMANIZE: Readonly<Record<Unit, string>> = { ratio: "humanizePercentage", seconds: "humanizeDuration", count: "humanize", perSecond: "humanize" };

/** Go template printing `value` (e.g. `$value`) in the alert's unit; both rule engines have these functions. */
export function humanizedValue(unit: Unit, value: string): string {
  return `{{ ${HUMANIZE[unit]} ${value} }}${unit === "perSecond" ? "/s" : ""}`;
}

function description(def: AlertDefinition, level: AlertLevel, valueTemplate: string): string {
  const value = ` Current value: ${valueTemplate}.`;
  if (level.level === "critical") return def.description + value;
  // def.description reads in terms of the critical level; the warning rule needs its own.
  const critical = def.levels[0];
  const side = def.comparator === ">" ? "above" : "below";
  return `${def.pipeline} (${def.team}): ${def.title.toLowerCase()}: ${side} the warning level ${describeLevel(def, level)}` +
    `${critical ? ` (critical at ${describeLevel(def, critical)})` : ""}. ${CATALOG[def.key].meaning}${value}`;
}

/** summary, description (ending with `valueTemplate`), runbook_url, and the panel that shows the signal. */
export function ruleAnnotations(project: Project, p: Pipeline, def: AlertDefinition, level: AlertLevel, valueTemplate: string): Record<string, string> {
  return {
    summary: `${def.summary} (${level.level}: ${def.comparator} ${describeLevel(def, level)})`,
    description: description(def, level, valueTemplate),
    runbook_url: runbookUrl(p, project),
    // Grafana's own keys; Grafana links data-source-managed (Prometheus) rules to a panel by them too.
    __dashboardUid__: dashboardUid(p.name),
    __panelId__: String(PANEL[def.panel]),
  };
}
