/**
 * Prometheus alerting rules: one rule file per team, one rule group per pipeline, one rule
 * per threshold level of each alert definition — the same rules Grafana gets, for teams that
 * evaluate alerts in Prometheus (or Mimir/Thanos rulers) instead of Grafana.
 *
 * A Grafana rule is A (the definition's instant query) → B (reduce: last, strict) → C
 * (threshold gt/lt). On an instant query B is the identity per series (strict mode keeps
 * NaN and +Inf as they are), so the Prometheus equivalent is the filtering comparison
 * `(A) > threshold` / `(A) < threshold`: a series fires exactly when C is true for it.
 * Absence: Grafana's `noDataState: OK` is Prometheus's empty result (nothing fires); `stale`
 * (`noDataState: Alerting`) needs no special case, because its query already turns an
 * absent metric into +Inf (`absent(...) * Inf`), which is above every freshness threshold;
 * nor does a dead stream, whose throughput query turns a series that reported within the
 * last day but not now into 0/s (DESIGN §8).
 */
import { humanizedValue, ruleAnnotations, ruleLabels } from "../../../compile/alert-rule-text.js";
import { formatDuration } from "../../../lib/duration.js";
import type { Pipeline, Project } from "../../../model/types.js";
import type { AlertDefinition, AlertLevel, Unit } from "../../../compile/alert-definitions.js";
import { alertDefinitions } from "../../../compile/alert-definitions.js";

/** One alerting rule, in the field order of Prometheus's documentation. */
export interface PrometheusAlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  /** The pipeline's name: unique in its team's file (pipeline names are unique). */
  name: string;
  /** Evaluation interval, the Grafana rule groups' (`grafana.ruleInterval`). */
  interval: string;
  rules: PrometheusAlertRule[];
}

/** The document of a rule file (`promtool check rules` / `rule_files:`). */
export interface PrometheusRuleFile {
  groups: PrometheusRuleGroup[];
}

/**
 * The alert name of one level: `Pipemon` + the catalog key + the level, e.g.
 * `PipemonSlaBreachCritical`, `PipemonCpuWarning`. Prometheus alert names must be metric
 * names (no `-`), so the pipeline is a label, not part of the name; with `pipeline` and
 * `severity` in the route's group_by, alerts group exactly as Grafana's per-level titles
 * (`<pipeline> <key> <level>`) do.
 */
export function prometheusAlertName(key: AlertDefinition["key"], level: AlertLevel["level"]): string {
  return `Pipemon${key[0]!.toUpperCase()}${key.slice(1)}${level === "critical" ? "Critical" : "Warning"}`;
}

/** The boolean alert expression of one level: the definition's value compared with the level. */
export function alertExpression(def: AlertDefinition, level: AlertLevel): string {
  return `(${def.promql}) ${def.comparator} ${level.threshold}`;
}

/**
 * The value an alert instance saw, in the alert's unit: Grafana's `$values.B.Value` is
 * Prometheus's `$value`. A Prometheus alert always has a value (no "no data" branch): a
 * never-successful `stale` pipeline reports +Inf.
 */
function valueTemplate(unit: Unit): string {
  return humanizedValue(unit, "$value");
}

function rule(project: Project, p: Pipeline, def: AlertDefinition, level: AlertLevel): PrometheusAlertRule {
  return {
    alert: prometheusAlertName(def.key, level.level),
    expr: alertExpression(def, level),
    for: formatDuration(def.forSeconds),
    labels: ruleLabels(p, def, level),
    annotations: ruleAnnotations(project, p, def, level, valueTemplate(def.unit)),
  };
}

/** The rule group of one pipeline: one rule per level of each of its alerts (possibly none). */
export function prometheusRuleGroup(project: Project, p: Pipeline, defs: readonly AlertDefinition[] = alertDefinitions(p)): PrometheusRuleGroup {
  return {
    name: p.name,
    interval: formatDuration(project.grafana.ruleIntervalSeconds),
    rules: defs.flatMap((def) => def.levels.map((level) => rule(project, p, def, level))),
  };
}
