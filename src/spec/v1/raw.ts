/** Types of pipemon/v1 documents as written, after they passed the JSON Schema. */
import type { ThresholdKey, ThresholdRegistry } from "../../model/thresholds.js";
import type { AlertKey, ChannelType, PipelineType, Severity, SignalKey, Target } from "../../model/types.js";

export type RawRatio = string | number;
export type RawLevels<T> = { warning?: T; critical: T };
export type RawRouting = Partial<Record<Severity, string[]>>;

/** A threshold value as written, per kind (the schema's VALUE_SCHEMA accepts exactly these). */
export interface RawValue {
  ratio: RawRatio;
  count: number;
  duration: string;
  rate: string | number;
}

/** Generated from the registry (model/thresholds.ts), as the schema's Thresholds definition is. */
export type RawThresholds = {
  [K in ThresholdKey]?: ThresholdRegistry[K]["levels"] extends true ? RawLevels<RawValue[ThresholdRegistry[K]["value"]]> : RawValue[ThresholdRegistry[K]["value"]];
};

export interface RawAlertOverride {
  severity?: Severity;
  for?: string;
  enabled?: boolean;
}

export interface RawPipelineDefaults {
  targets?: Target[];
  thresholds?: RawThresholds;
  alerts?: Partial<Record<AlertKey, RawAlertOverride>>;
  sla?: { maxDuration?: string; freshness?: string };
}

export interface RawChannel {
  type: ChannelType;
  datadog: string;
  integrationKey?: string;
  webhookUrl?: string;
  channel?: string;
  addresses?: string[];
  url?: string;
}

export interface RawGrafana {
  url?: string;
  publicUrl?: string;
  token?: string;
  datasource?: { type: string; uid: string };
  ruleInterval?: string;
  allowUiEdits?: boolean;
}

export interface RawDatadog {
  site?: string;
  apiKey?: string;
  appKey?: string;
}

export interface RawMetricSinks {
  pushgateway?: { url: string };
}

/** Where backtest and report read history (a Prometheus-compatible query API). */
export interface RawPrometheusQuery {
  url?: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  tenant?: string;
}

export interface RawEnvironment {
  grafana?: RawGrafana;
  datadog?: RawDatadog;
  runbooks?: { baseUrl?: string };
  metrics?: RawMetricSinks;
  prometheus?: RawPrometheusQuery;
  routing?: RawRouting;
  overrides?: RawPipelineDefaults;
}

export interface RawConfig {
  apiVersion: string;
  kind: "Config";
  grafana?: RawGrafana;
  datadog?: RawDatadog;
  runbooks?: { baseUrl?: string };
  metrics?: RawMetricSinks;
  prometheus?: RawPrometheusQuery;
  channels: Record<string, RawChannel>;
  routing: RawRouting;
  teams?: Record<string, { routing?: RawRouting; defaults?: RawPipelineDefaults }>;
  defaults?: RawPipelineDefaults;
  environments?: Record<string, RawEnvironment | null>;
}

export interface RawSignalOverride {
  prometheus?: string;
  datadog?: string;
  selector?: Record<string, string>;
  promql?: string;
  datadogQuery?: string;
}

export interface RawPipeline {
  apiVersion: string;
  kind: "Pipeline";
  metadata: {
    name: string;
    team: string;
    description?: string;
    runbook?: string;
    notes?: string;
    labels?: Record<string, string>;
  };
  spec: RawPipelineDefaults & {
    type: PipelineType;
    schedule?: string;
    routing?: RawRouting;
    metrics?: { selector?: Record<string, string>; signals?: Partial<Record<SignalKey, RawSignalOverride>> };
    environments?: Record<string, RawPipelineDefaults & { routing?: RawRouting }>;
  };
}

/** A document with where it came from. */
export interface Located<T> {
  file: string;
  /** Path relative to the specs root, for runbooks. */
  relative: string;
  doc: number;
  value: T;
}
