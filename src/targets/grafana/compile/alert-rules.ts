/**
 * One Grafana rule group per pipeline, in the shape of the provisioning API's
 * `PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}` body. The alerts' meaning
 * comes from alert-definitions; this module only renders it.
 */
import { humanizedValue, ruleAnnotations, ruleLabels } from "../../../compile/alert-rule-text.js";
import { formatDuration } from "../../../lib/duration.js";
import { folderUid, ruleGroupName, ruleUid } from "../../../model/identity.js";
import type { Pipeline, Project } from "../../../model/types.js";
import type { AlertDefinition, AlertLevel, Unit } from "../../../compile/alert-definitions.js";
import type { AlertRuleGroup, ProvisionedAlertRule } from "../wire.js";

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
  // No-data and error alerts have no values: `$values.B.Value` would render a template error.
  return `{{ if $values }}${humanizedValue(unit, "$values.B.Value")}{{ else }}no data{{ end }}`;
}

function rule(project: Project, p: Pipeline, def: AlertDefinition, level: AlertLevel): ProvisionedAlertRule {
  const ds = project.grafana.datasource;
  // Field order follows Grafana's own responses, so a generated rule reads like an export.
  return {
    uid: ruleUid(p.name, def.key, level.level),
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
    // Only stale pages on no data (a pipeline that never reported). A dead stream is not "no
    // data": lowThroughput's query reads it as 0/s, so a stream that never reported stays OK.
    noDataState: def.whenAbsent === "fire" ? "Alerting" : "OK",
    execErrState: def.onQueryError,
    for: formatDuration(def.forSeconds),
    annotations: ruleAnnotations(project, p, def, level, valueTemplate(def.unit)),
    labels: ruleLabels(p, def, level),
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
