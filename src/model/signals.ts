import type { PipelineType, SignalKey } from "./types.js";

/** The metric contract (DESIGN §2): default metric names per signal on each target. */
export interface SignalContract {
  prometheus: string;
  datadog: string;
  kind: "counter" | "gauge" | "histogram";
  /** Pipeline types that emit this signal. */
  types: readonly PipelineType[];
  description: string;
}

const BATCH = ["batch"] as const;
const STREAMING = ["streaming"] as const;
const BOTH = ["batch", "streaming"] as const;

export const SIGNALS: Readonly<Record<SignalKey, SignalContract>> = {
  runs: { prometheus: "pipeline_runs_total", datadog: "pipeline.runs", kind: "counter", types: BATCH, description: "runs by outcome (label status=success|failed)" },
  duration: { prometheus: "pipeline_run_duration_seconds", datadog: "pipeline.run.duration", kind: "gauge", types: BATCH, description: "duration of the last run, seconds" },
  inProgress: { prometheus: "pipeline_run_in_progress", datadog: "pipeline.run.in_progress", kind: "gauge", types: BATCH, description: "1 while a run is in progress" },
  startedAt: { prometheus: "pipeline_run_start_timestamp_seconds", datadog: "pipeline.run.started_at", kind: "gauge", types: BATCH, description: "start time of the current run, unix seconds" },
  lastSuccess: { prometheus: "pipeline_last_success_timestamp_seconds", datadog: "pipeline.runs", kind: "gauge", types: BATCH, description: "end time of the last successful run, unix seconds" },
  lastFailure: { prometheus: "pipeline_last_failure_timestamp_seconds", datadog: "pipeline.last_failure", kind: "gauge", types: BATCH, description: "end time of the last failed run, unix seconds (a later success resolves pipelineFailed)" },
  recordsProcessed: { prometheus: "pipeline_records_processed_total", datadog: "pipeline.records.processed", kind: "counter", types: BATCH, description: "records processed" },
  recordsFailed: { prometheus: "pipeline_records_failed_total", datadog: "pipeline.records.failed", kind: "counter", types: BATCH, description: "records that failed" },
  bytes: { prometheus: "pipeline_bytes_processed_total", datadog: "pipeline.bytes.processed", kind: "counter", types: BATCH, description: "bytes processed" },
  cpu: { prometheus: "pipeline_cpu_usage_ratio", datadog: "pipeline.cpu.usage", kind: "gauge", types: BOTH, description: "CPU usage ratio 0..1" },
  memory: { prometheus: "pipeline_memory_usage_ratio", datadog: "pipeline.memory.usage", kind: "gauge", types: BOTH, description: "memory usage ratio 0..1" },
  errors: { prometheus: "pipeline_errors_total", datadog: "pipeline.errors", kind: "counter", types: BATCH, description: "errors (label error_type)" },
  latency: { prometheus: "stream_processing_latency_seconds", datadog: "stream.processing.latency", kind: "histogram", types: STREAMING, description: "processing latency, seconds" },
  throughput: { prometheus: "stream_records_processed_total", datadog: "stream.records.processed", kind: "counter", types: STREAMING, description: "stream records processed" },
  backlog: { prometheus: "stream_backlog_records", datadog: "stream.backlog", kind: "gauge", types: STREAMING, description: "records waiting to be processed" },
  streamErrors: { prometheus: "stream_records_failed_total", datadog: "stream.records.failed", kind: "counter", types: STREAMING, description: "stream records that failed" },
};

/** Signals whose whole query may be replaced (`spec.metrics.<signal>.promql`): gauges read as they are. */
export const QUERY_OVERRIDABLE_SIGNALS: readonly SignalKey[] = ["cpu", "memory", "latency", "throughput", "backlog"];

/** The label (Prometheus) / tag key (Datadog) that carries the pipeline name by default. */
export const DEFAULT_PIPELINE_LABEL = "pipeline";
