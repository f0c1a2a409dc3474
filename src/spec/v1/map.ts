/**
 * Step 3 of loading: validated pipemon/v1 documents → the model, one Project per environment.
 *
 * Merge order, lowest first: config `defaults` < team `defaults` < the pipeline's spec <
 * the environment's `overrides` < the pipeline's own `environments.<env>` block. Within that
 * order each threshold, SLA field, alert field and routing severity is replaced whole, so a
 * warning level is never silently paired with another layer's critical level.
 * Defaults that do not apply to a pipeline's type (a batch threshold in `defaults` seen by a
 * streaming pipeline) are dropped; written in the pipeline itself they are an error.
 */
import { CATALOG, THRESHOLDS_BY_TYPE } from "../../model/catalog.js";
import { THRESHOLD_KEYS, threshold } from "../../model/thresholds.js";
import { DEFAULT_PIPELINE_LABEL, SIGNALS } from "../../model/signals.js";
import type {
  AlertKey,
  AlertOverride,
  Channel,
  GrafanaSettings,
  MetricSinkSettings,
  Pipeline,
  Project,
  ResolvedSignal,
  Routing,
  Severity,
  SignalKey,
  Target,
  ThresholdKey,
  ThresholdLevels,
  Thresholds,
} from "../../model/types.js";
import { ALERT_KEYS, SEVERITIES, SIGNAL_KEYS, TARGETS } from "../../model/types.js";
import { error, type Diagnostic } from "../diagnostics.js";
import type { Located, RawChannel, RawConfig, RawEnvironment, RawGrafana, RawPipeline, RawPipelineDefaults, RawRouting, RawThresholds } from "./raw.js";
import { scheduleWindows } from "./schedule.js";
import { missingInputs } from "./semantics.js";
import { seconds, VALUE_PARSER } from "./units.js";
import { formatDuration } from "../../lib/duration.js";
import { DATADOG_MAX_WINDOW_SECONDS, DATADOG_TAG, DATADOG_TAG_MAX_LENGTH } from "../../lib/datadog-query.js";

const DEFAULT_DATASOURCE = { type: "prometheus", uid: "prometheus" };
const DEFAULT_RULE_INTERVAL_SECONDS = 60;

export interface MapResult {
  projects: Project[];
  diagnostics: Diagnostic[];
  routingFallbacks: RoutingFallback[];
}

/**
 * The severities of a pipeline (in one environment) whose channels no team or pipeline
 * routing sets, so they come from the config's routing (or its environment's): `validate`
 * notes the ones that have alerts, so a team sees where its alerts go.
 */
export interface RoutingFallback {
  file: string;
  doc: number;
  pipeline: string;
  environment?: string;
  severities: Severity[];
}

/** Environments to build: each declared one, or the single base project. */
export function environmentNames(config: RawConfig): (string | undefined)[] {
  const envs = Object.keys(config.environments ?? {}).sort();
  return envs.length > 0 ? envs : [undefined];
}

export function mapProjects(config: Located<RawConfig>, pipelines: readonly Located<RawPipeline>[], only?: string): MapResult {
  const diagnostics: Diagnostic[] = [];
  const projects: Project[] = [];
  const routingFallbacks: RoutingFallback[] = [];
  const sorted = [...pipelines].sort((a, b) => (a.value.metadata.name < b.value.metadata.name ? -1 : 1));
  for (const env of environmentNames(config.value)) {
    if (only !== undefined && env !== only) continue;
    projects.push(mapProject(config.value, sorted, env, diagnostics));
    for (const p of sorted) {
      const severities = configRoutedSeverities(config.value, p.value, env);
      routingFallbacks.push({ file: p.file, doc: p.doc, pipeline: p.value.metadata.name, ...(env !== undefined ? { environment: env } : {}), severities });
    }
  }
  return { projects, diagnostics: dedupe(diagnostics), routingFallbacks };
}

/** The same pipeline problem found in every environment is reported once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.file}|${d.doc}|${d.path.join("/")}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mapProject(config: RawConfig, pipelines: readonly Located<RawPipeline>[], env: string | undefined, diagnostics: Diagnostic[]): Project {
  const overlay: RawEnvironment = (env !== undefined ? config.environments?.[env] : undefined) ?? {};
  const runbookBaseUrl = (overlay.runbooks?.baseUrl ?? config.runbooks?.baseUrl)?.replace(/\/+$/, "");
  return {
    ...(env !== undefined ? { environment: env } : {}),
    grafana: grafanaSettings(config.grafana, overlay.grafana),
    datadog: { ...config.datadog, ...overlay.datadog },
    metrics: metricSinks(config, overlay),
    // An environment's block replaces the config's whole: each environment reads its own store,
    // and a token must never be sent to another environment's URL.
    ...((overlay.prometheus ?? config.prometheus) !== undefined ? { prometheus: { ...(overlay.prometheus ?? config.prometheus) } } : {}),
    channels: mapChannels(config.channels),
    ...(runbookBaseUrl ? { runbookBaseUrl } : {}),
    pipelines: pipelines.map((p) => mapPipeline(config, overlay, p, env, diagnostics)),
  };
}

function grafanaSettings(base: RawGrafana | undefined, over: RawGrafana | undefined): GrafanaSettings {
  const g = { ...base, ...over };
  return {
    ...(g.url !== undefined ? { url: g.url } : {}),
    ...(g.publicUrl !== undefined ? { publicUrl: g.publicUrl.replace(/\/+$/, "") } : {}),
    ...(g.token !== undefined ? { token: g.token } : {}),
    datasource: g.datasource ?? DEFAULT_DATASOURCE,
    ruleIntervalSeconds: g.ruleInterval ? seconds(g.ruleInterval) : DEFAULT_RULE_INTERVAL_SECONDS,
    allowUiEdits: g.allowUiEdits ?? false,
  };
}

/** The environment's Pushgateway wins over the config's: each environment usually has its own Prometheus. */
function metricSinks(config: RawConfig, overlay: RawEnvironment): MetricSinkSettings {
  const url = overlay.metrics?.pushgateway?.url ?? config.metrics?.pushgateway?.url;
  return url !== undefined ? { pushgatewayUrl: url } : {};
}

function mapChannels(raw: Record<string, RawChannel>): Record<string, Channel> {
  const out: Record<string, Channel> = {};
  for (const name of Object.keys(raw).sort()) {
    const { type, datadog, ...settings } = raw[name]!;
    out[name] = { name, type, datadog, settings };
  }
  return out;
}

/** Pipeline settings in merge order (lowest first). */
function layersOf(config: RawConfig, overlay: RawEnvironment, p: RawPipeline, env: string | undefined): RawPipelineDefaults[] {
  const layers: (RawPipelineDefaults | undefined)[] = [
    config.defaults,
    config.teams?.[p.metadata.team]?.defaults,
    p.spec,
    overlay.overrides,
    env !== undefined ? p.spec.environments?.[env] : undefined,
  ];
  return layers.filter((l): l is RawPipelineDefaults => l !== undefined);
}

function mapPipeline(config: RawConfig, overlay: RawEnvironment, located: Located<RawPipeline>, env: string | undefined, diagnostics: Diagnostic[]): Pipeline {
  const p = located.value;
  const type = p.spec.type;
  const layers = layersOf(config, overlay, p, env);
  const allowed = new Set<ThresholdKey>(THRESHOLDS_BY_TYPE[type]);

  let targets: readonly Target[] = TARGETS;
  const rawThresholds: RawThresholds = {};
  const sla: { maxDuration?: string; freshness?: string } = {};
  const alerts: Partial<Record<AlertKey, AlertOverride>> = {};
  for (const layer of layers) {
    if (layer.targets) targets = layer.targets;
    for (const [key, value] of Object.entries(layer.thresholds ?? {}) as [ThresholdKey, never][]) {
      if (allowed.has(key)) rawThresholds[key] = value;
    }
    if (type === "batch") Object.assign(sla, layer.sla);
    for (const [key, o] of Object.entries(layer.alerts ?? {}) as [AlertKey, NonNullable<RawPipelineDefaults["alerts"]>[AlertKey]][]) {
      if (!o || !CATALOG[key].types.includes(type)) continue;
      const merged: AlertOverride = { ...alerts[key] };
      if (o.severity !== undefined) merged.severity = o.severity;
      if (o.for !== undefined) merged.forSeconds = seconds(o.for);
      if (o.enabled !== undefined) merged.enabled = o.enabled;
      alerts[key] = merged;
    }
  }
  const thresholds = mapThresholds(rawThresholds);

  const has = (t: ThresholdKey | "maxDuration" | "freshness"): boolean => (t === "maxDuration" || t === "freshness" ? sla[t] !== undefined : thresholds[t] !== undefined);
  // An alert explicitly enabled without its input is a mistake worth naming.
  for (const key of ALERT_KEYS) {
    if (alerts[key]?.enabled !== true) continue;
    const missing = missingInputs(type, key, has);
    if (missing) {
      diagnostics.push(error(located.file, located.doc, ["spec", "alerts", key, "enabled"], `alert '${key}' is enabled but ${missing} is not set: set it, or remove enabled`));
    }
  }

  const windows = type === "batch" && p.spec.schedule !== undefined ? scheduleWindows(p.spec.schedule) : undefined;
  if (targets.includes("datadog")) {
    // Datadog monitors look back at most one week; a longer window cannot mean the same there.
    const suffix = `longer than Datadog's longest monitor window (${formatDuration(DATADOG_MAX_WINDOW_SECONDS)}): shorten it, or set targets: [grafana] for this pipeline`;
    if (windows && typeof windows !== "string" && windows.maxGapSeconds > DATADOG_MAX_WINDOW_SECONDS) {
      diagnostics.push(error(located.file, located.doc, ["spec", "schedule"], `schedule '${p.spec.schedule}' leaves up to ${formatDuration(windows.maxGapSeconds)} between runs, ${suffix}`));
    }
    if (sla.freshness !== undefined && seconds(sla.freshness) > DATADOG_MAX_WINDOW_SECONDS) {
      diagnostics.push(error(located.file, located.doc, ["spec", "sla", "freshness"], `sla.freshness ${sla.freshness} is ${suffix}`));
    }
    // A selector is a Prometheus matcher and a Datadog tag at once: a value Datadog would
    // split or rewrite (`x,pipeline:other` is two tags there, one literal in Prometheus)
    // would make the same spec select different series on each target.
    const selectors: [string[], Record<string, string> | undefined][] = [
      [["spec", "metrics", "selector"], p.spec.metrics?.selector],
      ...Object.entries(p.spec.metrics?.signals ?? {}).map(([signal, o]): [string[], Record<string, string> | undefined] => [["spec", "metrics", "signals", signal, "selector"], o?.selector]),
    ];
    for (const [path, selector] of selectors) {
      for (const [key, value] of Object.entries(selector ?? {})) {
        const tag = `${key}:${value}`;
        if (DATADOG_TAG.test(tag) && tag.length <= DATADOG_TAG_MAX_LENGTH) continue;
        const why = tag.length > DATADOG_TAG_MAX_LENGTH ? `longer than ${DATADOG_TAG_MAX_LENGTH} characters` : !/^[A-Za-z]/.test(key) ? "its key must start with a letter" : `'${[...value].find((c) => !/[A-Za-z0-9_\-:./]/.test(c))}' is not allowed in a Datadog tag`;
        diagnostics.push(error(located.file, located.doc, [...path, key], `selector ${key}: '${value}' cannot be one Datadog tag (${why}; tags hold letters, digits and _ - : . /): change it, or set targets without datadog for this pipeline`));
      }
    }
    // A sustained alert's monitor looks back over its pending period.
    for (const key of ALERT_KEYS) {
      const o = alerts[key];
      if (!CATALOG[key].sustained || o?.forSeconds === undefined || o.forSeconds <= DATADOG_MAX_WINDOW_SECONDS) continue;
      if (o.enabled === false || missingInputs(type, key, has)) continue;
      diagnostics.push(error(located.file, located.doc, ["spec", "alerts", key, "for"], `alerts.${key}.for ${formatDuration(o.forSeconds)} is ${suffix}`));
    }
  }
  return {
    name: p.metadata.name,
    team: p.metadata.team,
    description: p.metadata.description ?? "",
    ...(p.metadata.runbook !== undefined ? { runbookUrl: p.metadata.runbook } : {}),
    ...(p.metadata.notes !== undefined ? { notes: p.metadata.notes } : {}),
    labels: sortedRecord(p.metadata.labels ?? {}),
    type,
    ...(windows && typeof windows !== "string" ? { schedule: { cron: p.spec.schedule!, windowSeconds: windows.maxGapSeconds } } : {}),
    sla: {
      ...(sla.maxDuration !== undefined ? { maxDurationSeconds: seconds(sla.maxDuration) } : {}),
      ...(sla.freshness !== undefined ? { freshnessSeconds: seconds(sla.freshness) } : {}),
    },
    thresholds,
    alerts,
    routing: mergeRouting(routingLayers(config, overlay, p, env).map((l) => l.routing)),
    targets: TARGETS.filter((t) => targets.includes(t)),
    signals: mapSignals(p),
    sourceFile: located.relative,
  };
}

/** Routing layers in merge order (lowest first); `own` when the team or the pipeline sets it, not the config. */
function routingLayers(config: RawConfig, overlay: RawEnvironment, p: RawPipeline, env: string | undefined): { own: boolean; routing: RawRouting | undefined }[] {
  return [
    { own: false, routing: config.routing },
    { own: true, routing: config.teams?.[p.metadata.team]?.routing },
    { own: true, routing: p.spec.routing },
    { own: false, routing: overlay.routing },
    { own: true, routing: env !== undefined ? p.spec.environments?.[env]?.routing : undefined },
  ];
}

/** Severities whose channels come from the config (the last layer that sets them is the config's, or none does). */
function configRoutedSeverities(config: RawConfig, p: RawPipeline, env: string | undefined): Severity[] {
  const overlay: RawEnvironment = (env !== undefined ? config.environments?.[env] : undefined) ?? {};
  const layers = routingLayers(config, overlay, p, env);
  return SEVERITIES.filter((s) => !layers.findLast((l) => l.routing?.[s] !== undefined)?.own);
}

/** Each threshold set, parsed by its kind's parser (registry order, so models compare equal). */
function mapThresholds(raw: RawThresholds): Thresholds {
  const out: Record<string, ThresholdLevels | number> = {};
  for (const key of THRESHOLD_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    const entry = threshold(key);
    const parse = VALUE_PARSER[entry.value] as (v: unknown) => number;
    if (!entry.levels) {
      out[key] = parse(value);
      continue;
    }
    const l = value as { warning?: unknown; critical: unknown };
    out[key] = { critical: parse(l.critical), ...(l.warning !== undefined ? { warning: parse(l.warning) } : {}) };
  }
  return out as Thresholds;
}

function mergeRouting(layers: (RawRouting | undefined)[]): Routing {
  const out = {} as Record<Severity, readonly string[]>;
  for (const s of SEVERITIES) out[s] = [];
  for (const layer of layers) {
    for (const s of SEVERITIES) {
      const channels = layer?.[s];
      if (channels) out[s] = [...channels];
    }
  }
  return out;
}

function mapSignals(p: RawPipeline): Record<SignalKey, ResolvedSignal> {
  const selector = sortedRecord(p.spec.metrics?.selector ?? { [DEFAULT_PIPELINE_LABEL]: p.metadata.name });
  const out = {} as Record<SignalKey, ResolvedSignal>;
  for (const key of SIGNAL_KEYS) {
    const o = p.spec.metrics?.signals?.[key];
    out[key] = {
      prometheus: o?.prometheus ?? SIGNALS[key].prometheus,
      datadog: o?.datadog ?? SIGNALS[key].datadog,
      matchers: o?.selector ? sortedRecord(o.selector) : selector,
      ...(o?.promql !== undefined ? { promql: o.promql } : {}),
      ...(o?.datadogQuery !== undefined ? { datadogQuery: o.datadogQuery } : {}),
    };
  }
  return out;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}
