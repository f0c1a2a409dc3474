/**
 * Checks beyond the schema (DESIGN §1): references between documents, units that must agree,
 * and rules that depend on the pipeline type. Runs only on documents that passed the schema,
 * and reports every problem, not the first.
 */
import { CATALOG, THRESHOLDS_BY_TYPE, thresholdFires } from "../../model/catalog.js";
import { THRESHOLD_KEYS, threshold, thresholdOfAlert } from "../../model/thresholds.js";
import { QUERY_OVERRIDABLE_SIGNALS, SIGNALS } from "../../model/signals.js";
import type { AlertKey, PipelineType, SignalKey, ThresholdKey } from "../../model/types.js";
import { SEVERITIES } from "../../model/types.js";
import { closest } from "../../lib/suggest.js";
import { formatDuration } from "../../lib/duration.js";
import { error, warning, type Diagnostic, type PathSegment } from "../diagnostics.js";
import type { Located, RawConfig, RawPipeline, RawPipelineDefaults, RawRouting, RawSignalOverride, RawThresholds } from "./raw.js";
import { CHANNEL_KEYS } from "./schema.js";
import { NEVER_FIRES, scheduleWindows } from "./schedule.js";
import { MAX_DURATION_SECONDS, MAX_DURATION_TEXT, MAX_NUMBER, seconds, VALUE_PARSER } from "./units.js";
import { checkValues } from "./values.js";
import { checkPromql } from "../../lib/promql-check.js";
import { GrammarError, parseMetricExpression } from "../../lib/datadog-query.js";

/** `config` is undefined when it failed its schema: pipelines get every check that does not need it. */
export function checkProject(config: Located<RawConfig> | undefined, pipelines: readonly Located<RawPipeline>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (config) checkConfig(config, out);
  const seen = new Map<string, Located<RawPipeline>>();
  const teams = new Set(pipelines.map((p) => p.value.metadata.team));
  for (const p of pipelines) {
    // team-<t>.json and uid pm-team-<t> belong to team t's overview dashboard.
    const name = p.value.metadata.name;
    if (name.startsWith("team-") && teams.has(name.slice("team-".length))) {
      out.push(error(p.file, p.doc, ["metadata", "name"], `pipeline name '${name}' collides with the overview dashboard of team '${name.slice(5)}' (dashboards/${name}.json): rename the pipeline`));
    }
    const first = seen.get(p.value.metadata.name);
    if (first) {
      out.push({
        ...error(p.file, p.doc, ["metadata", "name"], `duplicate pipeline name '${p.value.metadata.name}': names are the stable identity and must be unique; the first definition is`),
        related: { file: first.file, doc: first.doc, path: ["metadata", "name"] },
      });
    } else {
      seen.set(p.value.metadata.name, p);
    }
    checkPipeline(config?.value, p, out);
  }
  return out;
}

function checkConfig(config: Located<RawConfig>, out: Diagnostic[]): void {
  const { file, doc, value: c } = config;
  const at = (path: PathSegment[], message: string, atKey = false) => out.push(error(file, doc, path, message, atKey));

  for (const [name, ch] of Object.entries(c.channels)) {
    const own = CHANNEL_KEYS[ch.type] ?? [];
    for (const key of Object.keys(ch)) {
      if (key === "type" || key === "datadog" || own.includes(key)) continue;
      at(["channels", name, key], `'${key}' does not apply to ${ch.type} channels (they take: ${own.join(", ")})`, true);
    }
  }
  const channels = Object.keys(c.channels);
  checkRouting(c.routing, ["routing"], channels, file, doc, out);
  for (const [team, t] of Object.entries(c.teams ?? {})) {
    if (t.routing) checkRouting(t.routing, ["teams", team, "routing"], channels, file, doc, out);
    if (t.defaults) checkDefaults(t.defaults, ["teams", team, "defaults"], file, doc, out);
  }
  if (c.defaults) checkDefaults(c.defaults, ["defaults"], file, doc, out);
  for (const [env, e] of Object.entries(c.environments ?? {})) {
    if (!e) continue;
    if (e.routing) checkRouting(e.routing, ["environments", env, "routing"], channels, file, doc, out);
    if (e.overrides) checkDefaults(e.overrides, ["environments", env, "overrides"], file, doc, out);
    if (e.grafana?.ruleInterval) checkRuleInterval(e.grafana.ruleInterval, ["environments", env, "grafana", "ruleInterval"], file, doc, out);
  }
  if (c.grafana?.ruleInterval) checkRuleInterval(c.grafana.ruleInterval, ["grafana", "ruleInterval"], file, doc, out);
  for (const [path, q] of [[["prometheus"], c.prometheus] as const, ...Object.entries(c.environments ?? {}).map(([env, e]) => [["environments", env, "prometheus"], e?.prometheus] as const)]) {
    if (q?.bearerToken !== undefined && q.basicAuth !== undefined) {
      at([...path, "basicAuth"], "set either bearerToken or basicAuth, not both: the query API takes one Authorization header", true);
    }
  }
  checkValues("Config", c, file, doc, out);
}

function checkRuleInterval(value: string, path: PathSegment[], file: string, doc: number, out: Diagnostic[]): void {
  const s = seconds(value);
  if (s <= 0 || s % 10 !== 0) out.push(error(file, doc, path, `ruleInterval '${value}' must be a positive multiple of 10s (Grafana rejects other intervals)`));
  else if (s > MAX_DURATION_SECONDS) out.push(error(file, doc, path, `ruleInterval '${value}' is longer than ${MAX_DURATION_TEXT}, the longest duration pipemon accepts: shorten it`));
}

function checkRouting(routing: RawRouting, path: PathSegment[], channels: readonly string[], file: string, doc: number, out: Diagnostic[]): void {
  for (const severity of SEVERITIES) {
    (routing[severity] ?? []).forEach((name, i) => {
      if (channels.includes(name)) return;
      const guess = closest(name, channels);
      const hint = guess ? `did you mean '${guess}'?` : channels.length ? `defined channels: ${channels.join(", ")}` : "define it under channels in pipemon.yaml";
      out.push(error(file, doc, [...path, severity, i], `routing to undefined channel '${name}': ${hint}`));
    });
  }
}

type Sided = { warning?: unknown; critical: unknown };

/** Thresholds with levels: each level parses in its kind, and warning sits on the side of critical that fires first. */
const LEVELLED: readonly ThresholdKey[] = THRESHOLD_KEYS.filter((k) => threshold(k).levels);

function checkThresholdLevels(thresholds: RawThresholds, path: PathSegment[], file: string, doc: number, out: Diagnostic[]): void {
  for (const key of LEVELLED) {
    const entry = threshold(key);
    const rule = { parse: VALUE_PARSER[entry.value] as (v: never) => number, below: thresholdFires(key) === "below" };
    const t = thresholds[key] as Sided | undefined;
    if (!t) continue;
    let sound = true;
    for (const level of ["warning", "critical"] as const) {
      const v = t[level];
      if (v === undefined) continue;
      const n = rule.parse(v as never);
      // A rate like 99999999999999999999/s is a string the schema cannot bound.
      if (typeof v === "string" && entry.value === "rate" && !(n <= MAX_NUMBER)) {
        out.push(error(file, doc, [...path, key, level], `${key} ${level} is too large: at most ${MAX_NUMBER}/s`));
        sound = false;
      }
      if (entry.value === "ratio" && n > 1) {
        out.push(error(file, doc, [...path, key, level], `${key} ${level} ${String(v)} is above 100%`));
        sound = false;
      }
    }
    if (t.warning === undefined || !sound) continue;
    const w = rule.parse(t.warning as never);
    const c = rule.parse(t.critical as never);
    const ok = rule.below ? w > c : w < c;
    if (!ok) {
      const side = rule.below ? "above" : "below";
      const why = rule.below ? `${key} alerts when the value falls BELOW the threshold, so warning comes first at the higher value` : "warning must trigger before critical";
      out.push(error(file, doc, [...path, key, "warning"], `warning ${String(t.warning)} must be ${side} critical ${String(t.critical)} for ${key}: ${why}`));
    }
  }
}

/**
 * Durations within what every target accepts: an SLA of zero divides by nothing and a window
 * of zero does not exist (Prometheus `[0s]`, Datadog `last_0m`); beyond a year is a typo.
 * A pending period (`for`) and a latency threshold may be zero.
 */
function checkDurations(d: RawPipelineDefaults, path: PathSegment[], file: string, doc: number, out: Diagnostic[]): void {
  const check = (value: string | undefined, at: PathSegment[], positive: boolean) => {
    if (value === undefined) return;
    const s = seconds(value);
    const name = at.slice(path.length).join(".");
    if (positive && s <= 0) out.push(error(file, doc, at, `${name} ${value} must be longer than zero: write a positive duration like 30m or 2h`));
    else if (s > MAX_DURATION_SECONDS) out.push(error(file, doc, at, `${name} ${value} is longer than ${MAX_DURATION_TEXT}, the longest duration pipemon accepts: shorten it`));
  };
  check(d.sla?.maxDuration, [...path, "sla", "maxDuration"], true);
  check(d.sla?.freshness, [...path, "sla", "freshness"], true);
  for (const [key, o] of Object.entries(d.alerts ?? {})) check(o?.for, [...path, "alerts", key, "for"], false);
  // Duration thresholds (latencyP95) may be zero, like a pending period.
  for (const key of LEVELLED) {
    const levels = threshold(key).value === "duration" ? (d.thresholds?.[key] as { warning?: string; critical: string } | undefined) : undefined;
    if (levels) for (const level of ["warning", "critical"] as const) check(levels[level], [...path, "thresholds", key, level], false);
  }
}

function checkDefaults(d: RawPipelineDefaults, path: PathSegment[], file: string, doc: number, out: Diagnostic[]): void {
  if (d.thresholds) checkThresholdLevels(d.thresholds, [...path, "thresholds"], file, doc, out);
  checkDurations(d, path, file, doc, out);
}

function checkPipeline(config: RawConfig | undefined, p: Located<RawPipeline>, out: Diagnostic[]): void {
  const { file, doc, value } = p;
  const spec = value.spec;
  const type = spec.type;
  const at = (path: PathSegment[], message: string, atKey = false) => out.push(error(file, doc, path, message, atKey));

  if (type === "batch") {
    if (spec.schedule === undefined) {
      at(["spec"], "batch pipelines need a schedule (cron), which sets the windows for freshness, volume and failures");
    } else {
      const windows = scheduleWindows(spec.schedule);
      if (typeof windows === "string") {
        at(["spec", "schedule"], windows.startsWith(NEVER_FIRES) ? `schedule '${spec.schedule}' ${windows.slice("this schedule ".length)}: check the day and month fields` : `schedule '${spec.schedule}' does not parse: ${windows}`);
      } else {
        if (spec.sla?.maxDuration && seconds(spec.sla.maxDuration) > windows.minGapSeconds) {
          out.push(warning(file, doc, ["spec", "sla", "maxDuration"], `maxDuration ${spec.sla.maxDuration} is longer than the schedule interval ${formatDuration(windows.minGapSeconds)}: runs may overlap`));
        }
        // stale fires when no run succeeded within freshness: shorter than the longest gap
        // between runs, it fires on every such gap (every weekend for a weekday schedule).
        // (A zero freshness is an error of its own: no second warning about it.)
        if (spec.sla?.freshness && seconds(spec.sla.freshness) > 0 && seconds(spec.sla.freshness) < windows.maxGapSeconds) {
          out.push(warning(file, doc, ["spec", "sla", "freshness"], `freshness ${spec.sla.freshness} is shorter than the longest gap between scheduled runs (${formatDuration(windows.maxGapSeconds)}): stale will fire between healthy runs; make it at least ${formatDuration(windows.maxGapSeconds)} plus a run's duration`));
        }
      }
    }
  } else {
    if (spec.schedule !== undefined) at(["spec", "schedule"], "streaming pipelines run continuously and take no schedule; remove it", true);
    if (spec.sla !== undefined) at(["spec", "sla"], "sla (maxDuration, freshness) applies to batch pipelines; streaming pipelines use latencyP95, throughput and backlog thresholds", true);
  }

  checkTypedDefaults(spec, ["spec"], type, file, doc, out);
  // Channel and environment names are checked against a config that passed its schema only.
  const channels = config && Object.keys(config.channels);
  if (spec.routing && channels) checkRouting(spec.routing, ["spec", "routing"], channels, file, doc, out);

  const envs = config && Object.keys(config.environments ?? {});
  for (const [env, overlay] of Object.entries(spec.environments ?? {})) {
    if (envs && !envs.includes(env)) {
      const guess = closest(env, envs);
      at(["spec", "environments", env], `unknown environment '${env}': ${guess ? `did you mean '${guess}'?` : envs.length ? `the config declares: ${envs.join(", ")}` : "the config declares no environments"}`, true);
      continue;
    }
    checkTypedDefaults(overlay, ["spec", "environments", env], type, file, doc, out);
    if (overlay.routing && channels) checkRouting(overlay.routing, ["spec", "environments", env, "routing"], channels, file, doc, out);
  }

  for (const [signal, o] of Object.entries(spec.metrics?.signals ?? {}) as [SignalKey, RawSignalOverride][]) {
    if (!SIGNALS[signal].types.includes(type)) {
      at(["spec", "metrics", "signals", signal], `signal '${signal}' is not emitted by ${type} pipelines`, true);
    }
    for (const key of ["promql", "datadogQuery"] as const) {
      if (o[key] !== undefined && !QUERY_OVERRIDABLE_SIGNALS.includes(signal)) {
        at(["spec", "metrics", "signals", signal, key], `a whole-query override is allowed only on ${QUERY_OVERRIDABLE_SIGNALS.join(", ")}; for '${signal}' override the metric name or selector instead`, true);
      }
    }
    for (const problem of queryOverrideProblems(o)) at(["spec", "metrics", "signals", signal, problem.key], problem.message);
  }
  checkValues("Pipeline", value, file, doc, out);
}

/**
 * A whole-query override is used as the alert's value on its target, `(promql) > 5` and
 * `avg(last_5m):datadogQuery > 5`: each must parse with that target's own grammar, or the
 * rule and the monitor fail only at apply (or promtool) time.
 */
function queryOverrideProblems(o: RawSignalOverride): { key: "promql" | "datadogQuery"; message: string }[] {
  const out: { key: "promql" | "datadogQuery"; message: string }[] = [];
  if (o.promql !== undefined) {
    const problem = checkPromql(o.promql);
    if (problem) {
      out.push({ key: "promql", message: `promql is not a PromQL alert value: ${problem.message} (at character ${problem.offset + 1}): write an expression Prometheus accepts, e.g. max(my_metric{job="x"})` });
    }
  }
  if (o.datadogQuery !== undefined) {
    try {
      // Whether a metric is a distribution (and so takes p95) is Datadog's to know, not the spec's.
      parseMetricExpression(o.datadogQuery, { isDistribution: () => true });
    } catch (e) {
      if (!(e instanceof GrammarError)) throw e;
      out.push({ key: "datadogQuery", message: `datadogQuery is not a Datadog metric expression: ${e.reason} (at character ${e.offset + 1}): write space_aggr:metric{tag:value}, e.g. max:my.metric{job:x}` });
    }
  }
  return out;
}

/** Thresholds and alert overrides written in a pipeline (or its environment overlay) must fit its type. */
function checkTypedDefaults(d: RawPipelineDefaults, path: PathSegment[], type: PipelineType, file: string, doc: number, out: Diagnostic[]): void {
  const allowed = THRESHOLDS_BY_TYPE[type];
  for (const key of Object.keys(d.thresholds ?? {}) as ThresholdKey[]) {
    if (!allowed.includes(key)) {
      out.push(error(file, doc, [...path, "thresholds", key], `threshold '${key}' does not apply to ${type} pipelines (they take: ${allowed.join(", ")})`, true));
    }
  }
  if (d.thresholds) checkThresholdLevels(d.thresholds, [...path, "thresholds"], file, doc, out);
  checkDurations(d, path, file, doc, out);
  for (const key of Object.keys(d.alerts ?? {}) as AlertKey[]) {
    const entry = CATALOG[key];
    if (!entry.types.includes(type)) {
      out.push(error(file, doc, [...path, "alerts", key], `alert '${key}' applies to ${entry.types.join(" and ")} pipelines, not ${type}`, true));
    }
  }
}

/** After merging: an alert explicitly enabled needs the threshold or SLA that defines it. */
export function missingInputs(type: PipelineType, key: AlertKey, has: (threshold: ThresholdKey | "maxDuration" | "freshness") => boolean): string | undefined {
  const needs: ThresholdKey | "maxDuration" | "freshness" | undefined =
    key === "slaBreach" ? "maxDuration" : key === "stale" ? "freshness" : thresholdOfAlert(key, type);
  if (needs === undefined || has(needs)) return undefined;
  return needs === "maxDuration" || needs === "freshness" ? `sla.${needs}` : `thresholds.${needs}`;
}

