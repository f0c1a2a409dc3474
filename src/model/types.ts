/**
 * The validated, merged model of a pipemon project. Compilers see only these types:
 * every value is already parsed into base units (seconds, ratios 0..1, records per second),
 * every default and overlay is merged, and routing is resolved per severity.
 * `${ENV}` references are kept verbatim: they are resolved only by plan/apply.
 */
import type { ThresholdKey, ThresholdRegistry } from "./thresholds.js";

// The closed sets of names (severities, pipeline types, alerts, signals) live in keys.ts, a leaf
// module, so the registries (thresholds.ts, panels.ts) can name them without an import cycle.
export * from "./keys.js";
import type { AlertKey, ChannelType, PipelineType, Severity, SignalKey, Target } from "./keys.js";

/** A notification target. Settings keep `${ENV}` placeholders; they are secrets once resolved. */
export interface Channel {
  name: string;
  type: ChannelType;
  /** The Datadog notification handle, e.g. `@slack-data-alerts`. */
  datadog: string;
  /** Type-specific settings exactly as written in the spec (placeholders unresolved). */
  settings: Readonly<Record<string, string | readonly string[]>>;
}

/** Severity → channel names, every severity present (possibly empty). */
export type Routing = Readonly<Record<Severity, readonly string[]>>;

/** Warning and critical levels of one threshold, in the signal's base unit. */
export interface ThresholdLevels {
  warning?: number;
  critical: number;
}

/**
 * Thresholds in base units (ratio 0..1, seconds, records per second, counts): levels, or a
 * single number where the registry (thresholds.ts) says the threshold has no warning level.
 */
export type Thresholds = { [K in ThresholdKey]?: ThresholdRegistry[K]["levels"] extends true ? ThresholdLevels : number };
export type { ThresholdKey };

export interface AlertOverride {
  severity?: Severity;
  forSeconds?: number;
  enabled?: boolean;
}

/** Where one signal lives on each target, after the spec's `metrics` overrides. */
export interface ResolvedSignal {
  /** Prometheus metric name (for histograms: the base name, without `_bucket`). */
  prometheus: string;
  /** Datadog metric name. */
  datadog: string;
  /** Label matchers (Prometheus) / tags (Datadog) that select this pipeline's series. */
  matchers: Readonly<Record<string, string>>;
  /** A whole PromQL value expression that replaces the generated one. */
  promql?: string;
  /** A whole Datadog metric expression (`space_aggr:metric{scope}`) that replaces the generated one. */
  datadogQuery?: string;
}

export interface Schedule {
  cron: string;
  /** The longest gap between two consecutive runs: the window for freshness, volume, failures. */
  windowSeconds: number;
}

export interface Pipeline {
  name: string;
  team: string;
  description: string;
  /** The spec's runbook URL, if any; otherwise the generated runbook is used. */
  runbookUrl?: string;
  /** Markdown from `metadata.notes`, shown at the top of the runbook. */
  notes?: string;
  labels: Readonly<Record<string, string>>;
  type: PipelineType;
  /** Batch pipelines only. */
  schedule?: Schedule;
  sla: { maxDurationSeconds?: number; freshnessSeconds?: number };
  thresholds: Thresholds;
  alerts: Readonly<Partial<Record<AlertKey, AlertOverride>>>;
  routing: Routing;
  targets: readonly Target[];
  signals: Readonly<Record<SignalKey, ResolvedSignal>>;
  /** The spec file this pipeline came from, relative to the specs root (for runbooks and messages). */
  sourceFile: string;
}

export interface GrafanaSettings {
  /** May hold a `${ENV}` reference. */
  url?: string;
  /** Grafana as people open it, for links in generated files: literal, no trailing slash. */
  publicUrl?: string;
  token?: string;
  datasource: { type: string; uid: string };
  ruleIntervalSeconds: number;
  allowUiEdits: boolean;
}

export interface DatadogSettings {
  site?: string;
  apiKey?: string;
  appKey?: string;
}

/** Where `pipemon run` reports runs. */
export interface MetricSinkSettings {
  /** Pushgateway base URL; may hold a `${ENV}` reference (resolved by `run` only). */
  pushgatewayUrl?: string;
}

/**
 * The Prometheus-compatible query API that backtest and report read history from. Values may
 * hold `${ENV}` references (the token and password always do), resolved only when querying.
 */
export interface PrometheusQuerySettings {
  url?: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  /** Mimir/Cortex tenant: the X-Scope-OrgID header. */
  tenant?: string;
}

/** One compiled view of the project: the base, or one environment overlay applied. */
export interface Project {
  /** Environment name, or undefined when the config declares no environments. */
  environment?: string;
  grafana: GrafanaSettings;
  datadog: DatadogSettings;
  metrics?: MetricSinkSettings;
  /** Where history is read (backtest, report); undefined → PROMETHEUS_URL, no auth. */
  prometheus?: PrometheusQuerySettings;
  channels: Readonly<Record<string, Channel>>;
  /**
   * Where generated runbooks are published (e.g. the repository's blob URL of `generated/`),
   * without trailing slash. Undefined → runbook links are repository-relative paths.
   */
  runbookBaseUrl?: string;
  /** Sorted by name. */
  pipelines: readonly Pipeline[];
}
