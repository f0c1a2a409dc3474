/**
 * The registry of thresholds: one entry per `spec.thresholds.<key>`, and everything else
 * derives from it — the JSON Schema (spec/v1/schema.ts), the semantic checks and the
 * mapping to the model (spec/v1), which alert each enables (catalog, alert definitions),
 * the dashboard panel that draws its levels (on the side its alert's comparator fires), and the README's reference
 * table (pinned by test/model/thresholds.test.ts). Adding a threshold starts here.
 */
import type { AlertKey, PanelKey, PipelineType, SignalKey } from "./keys.js";

/**
 * How a threshold is written and what it means once parsed: `ratio` (5% or 0.05, 0..1),
 * `count` (a whole number), `duration` (45m, to seconds), `rate` (100/s, 6000/m, to per second).
 * Each kind's schema fragment and parser are in spec/v1 (VALUE_SCHEMA, VALUE_PARSER).
 */
export type ThresholdValueKind = "ratio" | "count" | "duration" | "rate";

/** The unit a parsed value is in, as alerts print it. */
export type Unit = "ratio" | "seconds" | "count" | "perSecond";
export const UNIT_OF: Readonly<Record<ThresholdValueKind, Unit>> = { ratio: "ratio", count: "count", duration: "seconds", rate: "perSecond" };

export interface ThresholdEntry {
  value: ThresholdValueKind;
  /** `true`: `{ warning?, critical }`; `false`: a single number (the critical level). */
  levels: boolean;
  /** Pipeline types that may set it. */
  types: readonly PipelineType[];
  /** The alert it enables (on each of its pipeline types). */
  alert: AlertKey;
  /** The pipeline dashboard panel that draws its levels. */
  panel: PanelKey;
  /** The signals of the metric contract it is measured on (their metric names per target are in SIGNALS). */
  signals: readonly SignalKey[];
  /** The JSON Schema description. */
  description: string;
  /** Description of each level's value, when the kind's own does not say what it measures. */
  valueDescription?: string;
}

const BATCH = ["batch"] as const;
const STREAMING = ["streaming"] as const;
const BOTH = ["batch", "streaming"] as const;

/** In the order the schema (and so editors) list them. */
export const THRESHOLDS = {
  failureRate: {
    value: "ratio", levels: true, types: BATCH, alert: "dataQuality", panel: "failureRatio", signals: ["recordsFailed", "recordsProcessed"],
    description: "Batch: failed / processed records (dataQuality).",
  },
  minRecords: {
    value: "count", levels: false, types: BATCH, alert: "lowVolume", panel: "records", signals: ["recordsProcessed"],
    description: "Batch: fewer records per schedule window → lowVolume.",
  },
  cpu: { value: "ratio", levels: true, types: BOTH, alert: "cpu", panel: "cpu", signals: ["cpu"], description: "CPU usage ratio (cpu)." },
  memory: { value: "ratio", levels: true, types: BOTH, alert: "memory", panel: "memory", signals: ["memory"], description: "Memory usage ratio (memory)." },
  errors: { value: "count", levels: true, types: BATCH, alert: "errors", panel: "errors", signals: ["errors"], description: "Batch: errors per schedule window (errors)." },
  latencyP95: {
    value: "duration", levels: true, types: STREAMING, alert: "highLatency", panel: "latency", signals: ["latency"],
    description: "Streaming: p95 processing latency (highLatency).", valueDescription: "p95 processing latency (highLatency).",
  },
  throughput: {
    value: "rate", levels: true, types: STREAMING, alert: "lowThroughput", panel: "throughput", signals: ["throughput"],
    description: "Streaming: records per second; alerts when BELOW (lowThroughput).",
  },
  backlog: { value: "count", levels: true, types: STREAMING, alert: "highBacklog", panel: "backlog", signals: ["backlog"], description: "Streaming: records waiting (highBacklog)." },
  errorRate: {
    value: "ratio", levels: true, types: STREAMING, alert: "dataQuality", panel: "streamErrorRate", signals: ["streamErrors", "throughput"],
    description: "Streaming: failed / processed records (dataQuality).",
  },
} as const satisfies Record<string, ThresholdEntry>;

export type ThresholdRegistry = typeof THRESHOLDS;
export type ThresholdKey = keyof ThresholdRegistry;
export const THRESHOLD_KEYS = Object.keys(THRESHOLDS) as ThresholdKey[];

/** An entry, typed as the general shape. */
export const threshold = (key: ThresholdKey): ThresholdEntry => THRESHOLDS[key];

/** Which thresholds a pipeline type may set, in registry order. */
export function thresholdsOfType(type: PipelineType): ThresholdKey[] {
  return THRESHOLD_KEYS.filter((k) => threshold(k).types.includes(type));
}

/**
 * `<type>:<alert>` and `<type>:<panel>` → threshold, built once: compilers ask per alert and
 * per panel of every pipeline (10,000 pipelines × a dozen alerts), and a scan of the
 * registry's differently shaped entries there cost generate and validate ~0.2s.
 */
const BY_ALERT = new Map<string, ThresholdKey>();
const BY_PANEL = new Map<string, ThresholdKey>();
for (const key of THRESHOLD_KEYS) {
  for (const type of threshold(key).types) {
    BY_ALERT.set(`${type}:${threshold(key).alert}`, key);
    BY_PANEL.set(`${type}:${threshold(key).panel}`, key);
  }
}

/** The threshold that enables an alert on a pipeline type (dataQuality: failureRate on batch, errorRate on streaming), if any. */
export function thresholdOfAlert(alert: AlertKey, type: PipelineType): ThresholdKey | undefined {
  return BY_ALERT.get(`${type}:${alert}`);
}

/** The threshold whose levels a dashboard panel draws for this pipeline type, if any. */
export function thresholdOfPanel(panel: PanelKey, type: PipelineType): ThresholdKey | undefined {
  return BY_PANEL.get(`${type}:${panel}`);
}
