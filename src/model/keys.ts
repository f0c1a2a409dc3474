/**
 * The closed sets of names the model is built from: severities, pipeline types, targets,
 * channel types, alerts, signals and dashboard panels. A leaf module (it imports nothing), so
 * the registries that describe these names (thresholds.ts, panels.ts, signals.ts) and the model
 * types (types.ts) can all use them without importing each other in a cycle.
 */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PIPELINE_TYPES = ["batch", "streaming"] as const;
export type PipelineType = (typeof PIPELINE_TYPES)[number];

export const TARGETS = ["grafana", "datadog", "prometheus"] as const;
export type Target = (typeof TARGETS)[number];

export const CHANNEL_TYPES = ["slack", "pagerduty", "email", "webhook"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const ALERT_KEYS = [
  "pipelineFailed",
  "slaBreach",
  "stale",
  "dataQuality",
  "lowVolume",
  "errors",
  "cpu",
  "memory",
  "highLatency",
  "lowThroughput",
  "highBacklog",
] as const;
export type AlertKey = (typeof ALERT_KEYS)[number];

/** Signals of the metric contract (DESIGN §2). */
export const SIGNAL_KEYS = [
  "runs",
  "duration",
  "inProgress",
  "startedAt",
  "lastSuccess",
  "lastFailure",
  "recordsProcessed",
  "recordsFailed",
  "bytes",
  "cpu",
  "memory",
  "errors",
  "latency",
  "throughput",
  "backlog",
  "streamErrors",
] as const;
export type SignalKey = (typeof SIGNAL_KEYS)[number];

/**
 * Panel ids of a pipeline dashboard. Fixed numbers, not positions, so alert annotations
 * (`__panelId__`) and runbook links stay valid when panels are added.
 */
export const PANEL = {
  runStatus: 1,
  lastSuccess: 2,
  duration: 3,
  records: 4,
  failureRatio: 5,
  volume: 6,
  cpu: 7,
  memory: 8,
  errors: 9,
  latency: 10,
  throughput: 11,
  backlog: 12,
  streamErrorRate: 13,
} as const;
export type PanelKey = keyof typeof PANEL;
