/**
 * One Grafana rule group per pipeline, in the shape of the provisioning API's
 * `PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}` body. The alerts' meaning
 * comes from alert-definitions; this module only renders it.
 */
import { formatDuration } from "../../lib/duration.js";
import { CATALOG } from "../../model/catalog.js";
import { dashboardUid, folderUid, MANAGED_BY_LABEL, MANAGED_BY_VALUE, ruleGroupName, runbookUrl } from "../../model/identity.js";
import type { Pipeline, Project } from "../../model/types.js";
import type { AlertDefinition, AlertLevel, Unit } from "../alert-definitions.js";
import { describeLevel } from "../alert-definitions.js";

export interface RelativeTimeRange {
  /** Seconds before evaluation time. */
  from: number;
  to: number;
}

export interface AlertQuery {
  refId: string;
  relativeTimeRange: RelativeTimeRange;
  datasourceUid: string;
  model: Record<string, unknown>;
}

/** A rule without the server-owned fields (`id`, `orgID`, `updated`, `provenance`). */
export interface ProvisionedAlertRule {
  uid: string;
  folderUID: string;
  ruleGroup: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  noDataState: "Alerting" | "NoData" | "OK" | "KeepLast";
  execErrState: "OK" | "Alerting" | "Error" | "KeepLast";
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
}

export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  /** Evaluation interval, seconds. */
  interval: number;
  rules: ProvisionedAlertRule[];
}

/**
 * Server-side expressions run on this pseudo data source. Only what Grafana needs is
 * written: the fields it adds on save (`intervalMs`, `maxDataPoints`, an expression's
 * `datasource`, `queryType`) and the classic-condition leftovers a threshold expression
 * ignores would double every rule's size, and plan normalises them away on read-back.
 */
const EXPR_UID = "__expr__";

/** Instant queries need a range only for `to`; ten minutes is what Grafana's editor uses. */
const MIN_QUERY_RANGE_SECONDS = 600;

/** Go template of the value an alert instance saw, in the alert's unit. */
function valueTemplate(unit: Unit): string {
  const fn = { ratio: "humanizePercentage", seconds: "humanizeDuration", count: "humanize", perSecond: "humanize" }[unit];
  // No-data and error alerts have no values: `$values.B.Value` would render a template error.
  return `{{ if $values }}{{ ${fn} $values.B.Value }}${unit === "perSecond" ? "/s" : ""}{{ else }}no data{{ end }}`;
}

function description(def: AlertDefinition, level: AlertLevel): string {
  const value = ` Current value: ${valueTemplate(def.unit)}.`;
  if (level.level === "critical") return def.description + value;
  // def.description reads in terms of the critical level; the warning rule needs its own.
  const critical = def.levels[0];
  const side = def.comparator === ">" ? "above" : "below";
  return `${def.pipeline} (${def.team}): ${def.title.toLowerCase()}: ${side} the warning level ${describeLevel(def, level)}` +
    `${critical ? ` (critical at ${describeLevel(def, critical)})` : ""}. ${CATALOG[def.key].meaning}${value}`;
}

const IDENTITY_LABELS: ReadonlySet<string> = new Set([MANAGED_BY_LABEL, "team", "pipeline", "severity", "alert"]);

/** The pipeline's own labels, minus any that would override the identity routing relies on. */
function ownLabels(p: Pipeline): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.labels)) if (!IDENTITY_LABELS.has(k)) out[k] = v;
  return out;
}

function rule(project: Project, p: Pipeline, def: AlertDefinition, level: AlertLevel): ProvisionedAlertRule {
  const ds = project.grafana.datasource;
  // Field order follows Grafana's own responses, so a generated rule reads like an export.
  return {
    uid: level.ruleUid,
    folderUID: folderUid(p.team),
    ruleGroup: ruleGroupName(p.name),
    title: `${p.name} ${def.key} ${level.level}`,
    condition: "C",
    data: [
      {
        refId: "A",
        relativeTimeRange: { from: Math.max(MIN_QUERY_RANGE_SECONDS, def.windowSeconds), to: 0 },
        datasourceUid: ds.uid,
        model: { refId: "A", expr: def.promql, instant: true, range: false, editorMode: "code", datasource: { type: ds.type, uid: ds.uid } },
      },
      {
        refId: "B",
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: EXPR_UID,
        // Strict mode (no `settings.mode`): dropNN would drop the +Inf that `stale` returns
        // for a pipeline that never succeeded, and the alert would never fire for it. An
        // instant query has one sample per series, so dropping is never needed otherwise.
        model: { refId: "B", type: "reduce", expression: "A", reducer: "last" },
      },
      {
        refId: "C",
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: EXPR_UID,
        model: {
          refId: "C",
          type: "threshold",
          expression: "B",
          conditions: [{ evaluator: { type: def.comparator === ">" ? "gt" : "lt", params: [level.threshold] } }],
        },
      },
    ],
    noDataState: def.whenAbsent === "fire" ? "Alerting" : "OK",
    execErrState: def.onQueryError,
    for: formatDuration(def.forSeconds),
    annotations: {
      summary: `${def.summary} (${level.level}: ${def.comparator} ${describeLevel(def, level)})`,
      description: description(def, level),
      runbook_url: runbookUrl(p, project),
      __dashboardUid__: dashboardUid(p.name),
      __panelId__: String(def.panelId),
    },
    labels: {
      [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
      team: p.team,
      pipeline: p.name,
      severity: level.severity,
      alert: def.key,
      ...ownLabels(p),
    },
    isPaused: false,
  };
}

/** The rule group of one pipeline: one rule per level of each of its alerts. */
export function alertRuleGroup(project: Project, p: Pipeline, defs: readonly AlertDefinition[]): AlertRuleGroup {
  return {
    title: ruleGroupName(p.name),
    folderUid: folderUid(p.team),
    interval: project.grafana.ruleIntervalSeconds,
    rules: defs.flatMap((def) => def.levels.map((level) => rule(project, p, def, level))),
  };
}
