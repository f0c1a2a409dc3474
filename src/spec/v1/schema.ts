/**
 * The JSON Schema of the pipemon/v1 spec language: the single source of truth. Validation
 * compiles it, `generate` publishes it (with these descriptions) for editors, and the error
 * messages for patterns come from `x-expect`, so a rule and its explanation live together.
 */
import { DATADOG_METRIC, DATADOG_METRIC_MAX_LENGTH } from "../../lib/datadog-query.js";
import { THRESHOLD_KEYS, threshold, type ThresholdEntry, type ThresholdValueKind } from "../../model/thresholds.js";
import { ALERT_KEYS, CHANNEL_TYPES, PIPELINE_TYPES, SEVERITIES, SIGNAL_KEYS, TARGETS } from "../../model/types.js";

export const API_VERSION = "pipemon/v1";
export const SCHEMA_ID = "https://pipemon.dev/schema/v1/pipemon.schema.json";

type Schema = Record<string, unknown>;

/** Patterns shared by schema and semantic checks. */
export const PATTERNS = {
  name: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
  duration: "^([0-9]+(ms|s|m|h|d|w|y))+$",
  ratio: "^[0-9]+(\\.[0-9]+)?%$",
  rate: "^[0-9]+(\\.[0-9]+)?/(s|m|h)$",
  envRef: "^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$",
  promMetric: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
  // Names starting with "__" are reserved by Prometheus (and would include __proto__).
  promLabel: "^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$",
  datadogMetric: DATADOG_METRIC.source,
  datadogHandle: "^@[^\\s]+$",
  // A literal http(s) URL, written into generated files as is: no user:password@, no ${ENV}
  // (never resolved in generated/) and no {{ (a Datadog template variable).
  publicUrl: "^https?://[^/@\\s{}$]+(/[^\\s{}$]*)?$",
} as const;

const name = (what: string): Schema => ({
  type: "string",
  pattern: PATTERNS.name,
  maxLength: 63,
  description: `${what}: lowercase letters, digits and '-' (at most 63 characters).`,
  "x-expect": "a name of lowercase letters, digits and '-', like orders-etl",
});

const duration = (description: string): Schema => ({
  type: "string",
  pattern: PATTERNS.duration,
  description: `${description} Prometheus-style duration: 30s, 45m, 2h, 1d, 1h30m.`,
  "x-expect": "a duration like 30s, 45m, 2h or 1d",
});

const ratio: Schema = {
  description: "A ratio: '5%' or 0.05.",
  anyOf: [
    { type: "string", pattern: PATTERNS.ratio },
    { type: "number", minimum: 0, maximum: 1 },
  ],
  "x-expect": "a ratio like 5% or 0.05",
};

const count: Schema = { type: "integer", minimum: 0, description: "A whole number.", "x-expect": "a whole number like 1000" };

const rate: Schema = {
  description: "A rate: '100/s', '6000/m' or '360000/h' (a bare number is per second).",
  anyOf: [
    { type: "string", pattern: PATTERNS.rate },
    { type: "number", minimum: 0 },
  ],
  "x-expect": "a rate like 100/s or 6000/m",
};

const levels = (value: Schema, description: string): Schema => ({
  type: "object",
  additionalProperties: false,
  required: ["critical"],
  description,
  properties: {
    warning: { ...value, description: `Warning level. ${String(value.description ?? "")}`.trim() },
    critical: { ...value, description: `Critical level. ${String(value.description ?? "")}`.trim() },
  },
});

/** Strings that may hold `${NAME}` / `${NAME:-default}` references, resolved only by plan/apply. */
const text = (description: string): Schema => ({ type: "string", minLength: 1, description });
const secret = (description: string): Schema => ({
  type: "string",
  pattern: PATTERNS.envRef,
  description: `${description} A secret: must be an environment reference like \${PD_KEY}, never a literal.`,
  "x-expect": "an environment reference like ${MY_SECRET}: secrets are never written in specs",
});

const channelList: Schema = {
  type: "array",
  items: { type: "string", minLength: 1 },
  uniqueItems: true,
  description: "Channel names (keys of `channels`).",
};

const routing: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Severity → channels. Each level given replaces that level of the routing it overrides.",
  properties: Object.fromEntries(SEVERITIES.map((s) => [s, { ...channelList, description: `Channels notified at severity ${s}.` }])),
};

/** The schema fragment of each kind of threshold value (model/thresholds.ts); durations say what they measure. */
const VALUE_SCHEMA: Readonly<Record<ThresholdValueKind, (entry: ThresholdEntry) => Schema>> = {
  ratio: () => ratio,
  count: () => count,
  duration: (entry) => duration(entry.valueDescription ?? entry.description),
  rate: () => rate,
};

/** Generated from the registry: levels where a threshold has them, else one value. */
const thresholds: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Alert thresholds. Each one set enables its alert.",
  properties: Object.fromEntries(
    THRESHOLD_KEYS.map((key) => {
      const entry = threshold(key);
      const value = VALUE_SCHEMA[entry.value](entry);
      return [key, entry.levels ? levels(value, entry.description) : { ...value, description: entry.description }];
    }),
  ),
};

const alertOverride: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Per-alert overrides.",
  properties: {
    severity: { enum: [...SEVERITIES], description: "Severity of the critical level (the warning level is one step lower)." },
    for: duration("Pending period before the alert fires."),
    enabled: { type: "boolean", description: "false turns the alert off." },
  },
};

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

const alerts: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Overrides per alert of the catalog.",
  properties: Object.fromEntries(ALERT_KEYS.map((k) => [k, ref("AlertOverride")])),
};

const targets: Schema = {
  type: "array",
  items: { enum: [...TARGETS] },
  uniqueItems: true,
  description:
    "Where monitoring is generated: grafana (dashboards, Grafana-managed alert rules, contact points, notification policy), " +
    "datadog (monitors), prometheus (Prometheus rule files per team and an Alertmanager configuration). All of them when unset.",
};

const sla: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Batch service levels.",
  properties: {
    maxDuration: duration("Longest acceptable run (slaBreach)."),
    freshness: duration("Longest acceptable time without a successful run (stale)."),
  },
};

/** Settings that config defaults, teams and environment overlays may set for every pipeline. */
const pipelineDefaults: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Pipeline settings merged under (defaults, team) or over (environment) each pipeline's spec.",
  properties: { targets: ref("Targets"), thresholds: ref("Thresholds"), alerts: ref("Alerts"), sla: ref("Sla") },
};

const selector: Schema = {
  type: "object",
  description: "Label matchers (Prometheus) / tags (Datadog) selecting this pipeline's series. Default: pipeline=<name>.",
  propertyNames: { pattern: PATTERNS.promLabel },
  additionalProperties: { type: "string", minLength: 1 },
  minProperties: 1,
};

const signalOverride: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Where this signal lives when the pipeline's metrics already exist under other names.",
  properties: {
    prometheus: { type: "string", pattern: PATTERNS.promMetric, description: "Prometheus metric name.", "x-expect": "a Prometheus metric name like my_records_total" },
    datadog: { type: "string", pattern: PATTERNS.datadogMetric, maxLength: DATADOG_METRIC_MAX_LENGTH, description: "Datadog metric name.", "x-expect": "a Datadog metric name like my.records" },
    selector: ref("Selector"),
    promql: { type: "string", minLength: 1, description: "Whole PromQL value expression (gauges: cpu, memory, latency, throughput, backlog)." },
    datadogQuery: { type: "string", minLength: 1, description: "Whole Datadog metric expression `space_aggr:metric{scope}` (same signals as promql)." },
  },
};

const metrics: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Overrides of the metric contract.",
  properties: {
    selector: ref("Selector"),
    signals: {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(SIGNAL_KEYS.map((k) => [k, ref("SignalOverride")])),
    },
  },
};

const channel: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["type", "datadog"],
  description: "A notification target.",
  properties: {
    type: { enum: [...CHANNEL_TYPES], description: "Integration type." },
    datadog: { type: "string", pattern: PATTERNS.datadogHandle, description: "Datadog handle, e.g. @slack-data-alerts.", "x-expect": "a Datadog handle like @slack-data-alerts" },
    integrationKey: secret("PagerDuty integration key."),
    webhookUrl: secret("Slack incoming-webhook URL."),
    channel: { type: "string", minLength: 1, description: "Slack channel (optional)." },
    addresses: { type: "array", items: { type: "string", pattern: "^[^@\\s]+@[^@\\s]+$", "x-expect": "an email address like data-team@example.com" }, minItems: 1, description: "Email addresses." },
    url: secret("Webhook URL."),
  },
  allOf: [
    { if: { properties: { type: { const: "pagerduty" } } }, then: { required: ["integrationKey"] } },
    { if: { properties: { type: { const: "slack" } } }, then: { required: ["webhookUrl"] } },
    { if: { properties: { type: { const: "email" } } }, then: { required: ["addresses"] } },
    { if: { properties: { type: { const: "webhook" } } }, then: { required: ["url"] } },
  ],
};

/** Which channel keys belong to which type (checked semantically for a precise message). */
export const CHANNEL_KEYS: Readonly<Record<string, readonly string[]>> = {
  pagerduty: ["integrationKey"],
  slack: ["webhookUrl", "channel"],
  email: ["addresses"],
  webhook: ["url"],
};

const grafana: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Grafana connection and rule settings.",
  properties: {
    url: text("Grafana base URL, usually ${GRAFANA_URL}."),
    publicUrl: {
      type: "string",
      pattern: PATTERNS.publicUrl,
      description: "Grafana URL as people open it, used for the dashboard and panel links in runbooks and monitor messages (not a secret, written into generated/).",
      "x-expect": "an absolute http(s) URL without credentials or ${...}, like https://grafana.example.com",
    },
    token: secret("Service-account token."),
    datasource: {
      type: "object",
      additionalProperties: false,
      required: ["type", "uid"],
      properties: { type: { type: "string", minLength: 1 }, uid: { type: "string", minLength: 1 } },
      description: "The Prometheus datasource queried by dashboards and rules.",
    },
    ruleInterval: duration("Evaluation interval of generated rule groups (a multiple of 10s)."),
    allowUiEdits: { type: "boolean", description: "true sends X-Disable-Provenance so alerts stay editable in the UI." },
  },
};

const datadog: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Datadog connection settings.",
  properties: {
    site: text("Datadog site, e.g. datadoghq.eu."),
    apiKey: secret("API key."),
    appKey: secret("Application key."),
  },
};

/** Where `pipemon run` reports a run's metrics for Prometheus (Datadog needs only DD_API_KEY). */
const metricSinks: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Where `pipemon run` reports runs.",
  properties: {
    pushgateway: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      description: "The Prometheus Pushgateway that Prometheus scrapes (with honor_labels: true).",
      properties: {
        url: {
          ...text("Pushgateway base URL, e.g. http://pushgateway:9091 or ${PUSHGATEWAY_URL}; PIPEMON_PUSHGATEWAY_URL when unset."),
          pattern: "^(https?://|\\$\\{)",
          "x-expect": "an http(s) URL or an environment reference like ${PUSHGATEWAY_URL}",
        },
      },
    },
  },
};

/** The Prometheus-compatible query API that `backtest` and `report` read history from. */
const prometheusQuery: Schema = {
  type: "object",
  additionalProperties: false,
  description: "The Prometheus-compatible query API (Prometheus, Mimir, Thanos, VictoriaMetrics, Grafana Cloud) read by backtest and report.",
  properties: {
    url: {
      ...text("Query API base URL, e.g. http://prometheus:9090 or ${PROMETHEUS_URL}; PROMETHEUS_URL when unset."),
      pattern: "^(https?://|\\$\\{)",
      "x-expect": "an http(s) URL or an environment reference like ${PROMETHEUS_URL}",
    },
    bearerToken: secret("Bearer token (Authorization: Bearer)."),
    basicAuth: {
      type: "object",
      additionalProperties: false,
      required: ["username", "password"],
      description: "HTTP Basic auth (Grafana Cloud: the instance id and an access token).",
      properties: {
        username: text("User name, literal or ${ENV}."),
        password: secret("Password or access token."),
      },
    },
    tenant: text("Mimir/Cortex tenant, sent as X-Scope-OrgID; literal or ${ENV}."),
  },
};

const runbooks: Schema = {
  type: "object",
  additionalProperties: false,
  description: "Where generated runbooks are published.",
  properties: { baseUrl: { type: "string", pattern: "^https?://", description: "URL of the generated/ folder as served (e.g. the repository's blob URL).", "x-expect": "an http(s) URL" } },
};

const header = (kind: string): Schema => ({
  apiVersion: { const: API_VERSION, description: "Spec language version.", "x-expect": `'${API_VERSION}'` },
  kind: { const: kind },
});

const config: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "channels", "routing"],
  description: "Project-wide settings (specs/pipemon.yaml).",
  properties: {
    ...header("Config"),
    grafana: ref("Grafana"),
    datadog: ref("Datadog"),
    runbooks: ref("Runbooks"),
    metrics: ref("MetricSinks"),
    prometheus: ref("PrometheusQuery"),
    channels: {
      type: "object",
      description: "Every notification target, once.",
      propertyNames: { pattern: PATTERNS.name },
      additionalProperties: ref("Channel"),
    },
    routing: ref("Routing"),
    teams: {
      type: "object",
      description: "Per-team overrides.",
      propertyNames: { pattern: PATTERNS.name },
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { routing: ref("Routing"), defaults: ref("PipelineDefaults") },
      },
    },
    defaults: ref("PipelineDefaults"),
    environments: {
      type: "object",
      description: "Optional overlays; each gets its own generated/<env>/ tree.",
      propertyNames: { pattern: PATTERNS.name },
      additionalProperties: {
        type: ["object", "null"],
        additionalProperties: false,
        properties: {
          grafana: ref("Grafana"),
          datadog: ref("Datadog"),
          runbooks: ref("Runbooks"),
          metrics: ref("MetricSinks"),
          prometheus: ref("PrometheusQuery"),
          routing: ref("Routing"),
          overrides: ref("PipelineDefaults"),
        },
      },
    },
  },
};

const pipeline: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  description: "One data pipeline.",
  properties: {
    ...header("Pipeline"),
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["name", "team"],
      properties: {
        name: name("Pipeline name, unique across all specs; the stable identity"),
        team: name("Owning team"),
        description: { type: "string", description: "What the pipeline does." },
        runbook: { type: "string", pattern: "^https?://", description: "Runbook URL; the generated runbook otherwise.", "x-expect": "an http(s) URL" },
        notes: { type: "string", minLength: 1, description: "Markdown shown at the top of the generated runbook: the DAG link, the backfill command, who owns the source." },
        labels: {
          type: "object",
          propertyNames: { pattern: PATTERNS.promLabel },
          additionalProperties: { type: "string" },
          description: "Extra labels/tags on every alert.",
        },
      },
    },
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: {
        type: { enum: [...PIPELINE_TYPES], description: "batch or streaming." },
        schedule: { type: "string", minLength: 1, description: "Batch: cron (5 fields, or @hourly/@daily/@weekly). Sets the windows for freshness, volume and failures." },
        sla: ref("Sla"),
        thresholds: ref("Thresholds"),
        alerts: ref("Alerts"),
        routing: ref("Routing"),
        targets: ref("Targets"),
        metrics,
        environments: {
          type: "object",
          description: "Per-environment overrides of this pipeline (keys: environments of the config).",
          propertyNames: { pattern: PATTERNS.name },
          additionalProperties: { ...pipelineDefaults, properties: { ...(pipelineDefaults.properties as Schema), routing: ref("Routing") } },
        },
      },
    },
  },
};

/** The published schema: one file for both kinds, dispatching on `kind` so editors complete either. */
export const SCHEMA: Schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: SCHEMA_ID,
  title: "pipemon spec (pipemon/v1)",
  description: "Monitoring-as-code for data pipelines. kind: Config in specs/pipemon.yaml; kind: Pipeline elsewhere.",
  type: "object",
  required: ["apiVersion", "kind"],
  properties: { apiVersion: { const: API_VERSION }, kind: { enum: ["Config", "Pipeline"] } },
  allOf: [
    { if: { properties: { kind: { const: "Config" } } }, then: { $ref: "#/definitions/Config" } },
    { if: { properties: { kind: { const: "Pipeline" } } }, then: { $ref: "#/definitions/Pipeline" } },
  ],
  definitions: {
    Config: config,
    Pipeline: pipeline,
    Grafana: grafana,
    Datadog: datadog,
    Runbooks: runbooks,
    MetricSinks: metricSinks,
    PrometheusQuery: prometheusQuery,
    Channel: channel,
    Routing: routing,
    PipelineDefaults: pipelineDefaults,
    Targets: targets,
    Thresholds: thresholds,
    Alerts: alerts,
    AlertOverride: alertOverride,
    Sla: sla,
    Selector: selector,
    SignalOverride: signalOverride,
  },
};
