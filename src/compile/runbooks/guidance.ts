/**
 * The human part of a runbook: per alert, the first three checks and the recovery by error
 * class. Written once per alert key (DESIGN §4) and explained once per project in the
 * playbook; each pipeline's runbook names the checks with its own queries and panels.
 */
import type { AlertKey, PipelineType } from "../../model/types.js";
import type { SupportKey } from "./queries.js";

export interface CheckGuide {
  title: string;
  /** What to look for and what each outcome means. */
  text: string;
  /**
   * Supporting queries (and their panels). Undefined for the first check, which shows the
   * alert's own panel and queries.
   */
  support?: readonly SupportKey[];
}

export const ERROR_CLASSES = [
  "Transient failure",
  "Bad records",
  "Resource exhaustion",
  "Schema change",
  "Anything else",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** The recovery each error class leads to (DESIGN §4's list). */
export const RECOVERY_ACTION: Readonly<Record<ErrorClass, string>> = {
  "Transient failure": "Retry with backoff",
  "Bad records": "Quarantine bad records",
  "Resource exhaustion": "Reduce batch size",
  "Schema change": "Schema change",
  "Anything else": "Manual intervention",
};

/** Signs of the class for this alert, and the concrete steps. */
export interface RecoveryRow {
  signs: string;
  steps: string;
}

/** "Anything else" for most alerts: the playbook states it once. */
export const MANUAL: RecoveryRow = {
  signs: "None of the above, or the fix needs a decision (data loss, a source outage, another team's system).",
  steps: "Escalate as the pipeline's runbook says, with what was checked; keep the alert open until the data is complete.",
};

/** The three checks of an alert on a pipeline of this type (only dataQuality differs by type). */
export function checkGuides(key: AlertKey, type: PipelineType): [CheckGuide, CheckGuide, CheckGuide] {
  const ctx = { batch: type === "batch" };
  switch (key) {
    case "pipelineFailed":
      return [
        { title: "Confirm the failed runs", text: `See how many runs failed in the schedule window and whether a run succeeded since. A later success resolves the alert when the job reports its last-failure time (\`pipemon run\` does); from the failed-runs counter alone it resolves once the failed run has left the window. A success means the failure was transient and only the lost data needs a backfill.` },
        { title: "Find the error class", text: "The dominant `error_type` decides which recovery below applies. Open the failed run's logs at the first error, not the last one.", support: ["errorsByType"] },
        { title: "Rule out resource exhaustion", text: "Memory at 100% just before the failure means the run was killed (OOM), which often leaves no error in the logs; CPU pinned at 100% points at timeouts.", support: ["memory", "cpu"] },
      ];
    case "slaBreach":
      return [
        { title: "Confirm the duration", text: "Compare the last run's duration with the SLA line on the panel. A step change points at a slow dependency or a lock; a steady climb over days points at input growth." },
        { title: "Check whether a run is still going", text: "A run in progress well past the SLA is probably stuck (lock wait, hung connection, waiting on an upstream file): look at its last log lines and the source database's sessions.", support: ["currentRun"] },
        { title: "Check input size and resources", text: "More records than usual explain a longer run; the same volume with CPU or memory at the limit means the job needs resources or smaller batches.", support: ["recordsProcessed", "cpu"] },
      ];
    case "stale":
      return [
        { title: "Confirm when the last success was", text: "No value at all means the pipeline never reported a success: a new pipeline, a renamed metric or a broken metrics exporter, not necessarily a broken pipeline." },
        { title: "Check whether runs happen and fail", text: `Failed runs: follow the "Pipeline run failed" checks. No runs at all: the scheduler is paused, the job is disabled or its trigger never arrived.`, support: ["runsByStatus"] },
        { title: "Check for a stuck run", text: "A run in progress for longer than the schedule interval blocks the next ones: kill it and let the next scheduled run (or a manual one) catch up.", support: ["currentRun"] },
      ];
    case "dataQuality":
      if (ctx.batch) {
        return [
          { title: "Confirm the failure ratio", text: "Failed / processed records over the schedule window. A single bad run shows as one spike; a plateau means every run rejects the same kind of record." },
          { title: "Find which errors reject records", text: "Validation errors point at bad source data, parse or cast errors at a schema change.", support: ["errorsByType"] },
          { title: "Check whether the input changed", text: "Processed records far from usual together with failures point at the source (a new producer, a backfill, a partial extract).", support: ["recordsProcessed", "recordsFailed"] },
        ];
      }
      return [
        { title: "Confirm the error ratio", text: "Failed / processed stream records over the rate window. One producer or partition usually accounts for a sudden jump." },
        { title: "Check the failed-record rate against throughput", text: "A normal failure rate over a collapsed throughput inflates the ratio: then the problem is upstream volume, see the throughput checks.", support: ["streamErrors", "throughput"] },
        { title: "Check whether the consumer keeps up", text: "Failures that come with a growing backlog usually mean retries inside the consumer; failures without one are rejected records.", support: ["backlog"] },
      ];
    case "lowVolume":
      return [
        { title: "Confirm the volume", text: "Records processed in the schedule window against the `minRecords` line. Zero usually means the run did not happen or read nothing; a fraction means a partial input." },
        { title: "Check that the run completed", text: "A failed or still-running run explains a low count: follow the failure or SLA checks first.", support: ["runsByStatus"] },
        { title: "Check what arrived upstream", text: "Bytes low too: the source delivered less (extract query, partition date, upstream job). Bytes normal but records low: records are dropped in parsing or filtering.", support: ["bytes"] },
      ];
    case "errors":
      return [
        { title: "Confirm the error count", text: "Errors in the schedule window against the threshold line; note when they started." },
        { title: "Break the errors down by type", text: "One `error_type` dominating tells the class (timeouts: transient; validation: bad records; out of memory: resources).", support: ["errorsByType"] },
        { title: "Check whether errors reach the output", text: "Errors with successful runs are retried internally; errors with failed runs or failed records lose data and need a backfill.", support: ["runsByStatus", "recordsFailed"] },
      ];
    case "cpu":
    case "memory": {
      const other: SupportKey = key === "cpu" ? "memory" : "cpu";
      const workload: SupportKey = ctx.batch ? "recordsProcessed" : "throughput";
      return [
        key === "cpu"
          ? { title: "Confirm the CPU usage", text: "Sustained CPU above the line, not a single spike. Pinned at the limit across runs: the job needs more cores or less work per batch." }
          : { title: "Confirm the memory usage", text: "Sustained memory above the line, not a single spike. A saw-tooth that resets at each run end is normal; a line that only goes up is a leak." },
        key === "cpu"
          ? { title: "Check whether the workload grew", text: "More records than usual explain more CPU: scale the job or reduce the batch size. The same workload with more CPU means a code or data-shape change.", support: [workload] }
          : { title: "Check whether the workload explains the memory", text: "More records per batch hold more in memory: reduce the batch size or give the job more memory. The same workload with more memory means a leak or a change in record shape.", support: [workload] },
        {
          title: `Check ${other === "cpu" ? "CPU" : "memory"} as well`,
          text: key === "cpu" ? "High CPU with memory near its limit is often garbage collection, fixed by memory, not CPU." : "Memory near its limit with CPU climbing is garbage collection thrash; an OOM kill follows.",
          support: [other],
        },
      ];
    }
    case "highLatency":
      return [
        { title: "Confirm the latency", text: "p95 above the line for the whole pending period, not one slow batch." },
        { title: "Check whether a backlog builds", text: "A growing backlog means the consumer cannot keep up (scale out, see resources); a flat backlog means individual records are slow (a slow sink or lookup).", support: ["backlog"] },
        { title: "Check the workers' resources", text: "CPU or memory at the limit explain slow processing.", support: ["cpu", "memory"] },
      ];
    case "lowThroughput":
      return [
        { title: "Confirm the throughput", text: "Records per second under the line for the whole pending period; compare with the same hour on previous days, traffic has a daily shape. A value of exactly 0 with no series behind it is a dead stream: the consumer or its metrics endpoint stopped reporting, so check that the process runs and is scraped before looking at traffic." },
        { title: "Check whether input is waiting", text: "A growing backlog means the consumer is slow or stuck (follow the latency checks); a backlog at zero means producers send less: check upstream.", support: ["backlog"] },
        { title: "Check whether records fail", text: "Records failing instead of being processed lower the throughput that counts.", support: ["streamErrors"] },
      ];
    case "highBacklog":
      return [
        { title: "Confirm the backlog", text: "Records waiting above the line and whether the curve still rises (falling behind) or already falls (catching up)." },
        { title: "Check that the consumer processes", text: "Throughput at zero: the consumer is down or stuck (restart it, check its group membership and offsets). Normal throughput: producers send more than it can take.", support: ["throughput"] },
        { title: "Check whether processing is slow or failing", text: "High latency or failing records slow the consumer down.", support: ["latency", "streamErrors"] },
      ];
  }
}

/** Recovery of an alert on the pipeline types it applies to (the catch-up step differs by type). */
export function recoveryRows(key: AlertKey, types: readonly PipelineType[]): Record<ErrorClass, RecoveryRow> {
  const rerun = types.length > 1 ? "re-run the affected window (batch) or let the consumer catch up (streaming)" : types[0] === "batch" ? "re-run the pipeline for the affected window" : "let the consumer catch up";
  const manual = MANUAL;
  switch (key) {
    case "pipelineFailed":
      return {
        "Transient failure": { signs: "Timeouts, connection resets, 429/503 from a source or sink; the next run succeeds.", steps: `Retry the failed run with exponential backoff (e.g. 1m, 5m, 15m); ${rerun}.` },
        "Bad records": { signs: "Parse or validation errors on specific rows; failed records rise before the run fails.", steps: "Move the offending rows to the quarantine table, re-run without them, and open a ticket with the source owner." },
        "Resource exhaustion": { signs: "OOM kill, executor lost, disk full; memory at 100% before the failure.", steps: "Re-run with a smaller batch / more partitions, or temporarily more memory; then fix the sizing in the job config." },
        "Schema change": { signs: "Column not found, type mismatch, unknown field after a source deployment.", steps: "Update the mapping or target table (migration), then re-run the missed windows in order." },
        "Anything else": manual,
      };
    case "slaBreach":
      return {
        "Transient failure": { signs: "A slow dependency (lock, throttled API) that has since recovered; the next run is back to normal.", steps: "Let the current run finish; if it is stuck, kill it and retry with backoff." },
        "Bad records": { signs: "Retries on the same rows make the run slow (poison records).", steps: "Quarantine the rows that are retried, then re-run." },
        "Resource exhaustion": { signs: "CPU or memory at the limit for the whole run; input volume grew.", steps: "Reduce the batch size or raise parallelism/resources; if the growth is permanent, revisit `sla.maxDuration` with the consumers of the data." },
        "Schema change": { signs: "A new column or type defeats an index or partition pruning (full scans).", steps: "Adapt the query/partitioning to the new schema; re-run." },
        "Anything else": manual,
      };
    case "stale":
      return {
        "Transient failure": { signs: "The last runs failed on network or availability errors.", steps: "Trigger a run now; if it fails again, retry with backoff before escalating." },
        "Bad records": { signs: "Runs fail on the same input rows every time, so no run succeeds.", steps: "Quarantine the rows and trigger a run to restore freshness." },
        "Resource exhaustion": { signs: "Runs are killed (OOM, time limit) before they succeed.", steps: "Run with a smaller batch / more resources to catch up, then fix the sizing." },
        "Schema change": { signs: "Runs fail since an upstream deployment.", steps: "Adapt the mapping to the new schema, then run to catch up." },
        "Anything else": { signs: "The scheduler is paused, the job disabled or its trigger missing; or the success metric is not emitted.", steps: "Re-enable the schedule or fix metric emission, run once manually, and page the owner if the data consumers are affected." },
      };
    case "dataQuality":
      return {
        "Transient failure": { signs: "Failures cluster in one time range and involve lookups or external calls.", steps: `Re-process the failed records with backoff; ${rerun}.` },
        "Bad records": { signs: "Validation errors on specific values from one source or producer.", steps: "Route failing records to the quarantine (dead-letter) table/topic, keep the good ones flowing, tell the source owner." },
        "Resource exhaustion": { signs: "Records fail with timeouts or memory errors under load.", steps: "Reduce the batch size (or consumer max poll records) and re-process the failed ones." },
        "Schema change": { signs: "Parse or type errors since a producer deployment.", steps: "Update the schema/mapping (schema registry, table migration) and replay the failed records." },
        "Anything else": manual,
      };
    case "lowVolume":
      return {
        "Transient failure": { signs: "The source was briefly unavailable; a partial extract.", steps: "Re-run the window with backoff once the source is back." },
        "Bad records": { signs: "Records are read but filtered or rejected as invalid.", steps: "Quarantine the rejected records and check the filter with the source owner." },
        "Resource exhaustion": { signs: "The run was cut short by a time or memory limit and committed a partial result.", steps: "Re-run with a smaller batch size so it completes." },
        "Schema change": { signs: "A renamed partition or column makes the extract match fewer rows.", steps: "Fix the extract for the new schema and backfill the window." },
        "Anything else": { signs: "The volume is genuinely lower (holiday, a retired product).", steps: "Confirm with the data owners and lower `minRecords` in the spec if it is the new normal." },
      };
    case "errors":
      return {
        "Transient failure": { signs: "Timeouts and connection errors, which retries absorb.", steps: "Check that internal retries use backoff; raise the threshold only if the errors never reach the output." },
        "Bad records": { signs: "Validation errors on specific input.", steps: "Quarantine the records and inform the source owner." },
        "Resource exhaustion": { signs: "Out-of-memory or throttling errors.", steps: "Reduce the batch size or concurrency." },
        "Schema change": { signs: "Serialization or unknown-field errors since a deployment.", steps: "Update the mapping and re-run affected windows." },
        "Anything else": manual,
      };
    case "cpu":
    case "memory":
      return {
        "Transient failure": { signs: "A short peak (a retry storm, a backfill) that ends by itself.", steps: "Nothing to fix beyond the root cause of the retries; confirm it drops." },
        "Bad records": { signs: "Oversized or pathological records (huge JSON, skewed keys) drive the usage.", steps: "Quarantine the outliers; cap record size at ingestion." },
        "Resource exhaustion": { signs: "Usage grows with volume and stays at the limit.", steps: "Reduce the batch size or add workers/memory; update the job's resource requests." },
        "Schema change": { signs: "New wide columns or nested fields since a deployment.", steps: "Project only the needed columns; adapt the schema." },
        "Anything else": { signs: "A leak (usage only grows across runs) or a noisy neighbour.", steps: "Restart the worker to buy time and escalate to the owner with a heap/CPU profile." },
      };
    case "highLatency":
    case "lowThroughput":
    case "highBacklog":
      return {
        "Transient failure": { signs: "A sink or lookup was slow or unavailable and has recovered.", steps: "Let the consumer catch up; make sure its retries back off instead of hammering the sink." },
        "Bad records": { signs: "The consumer retries the same records (poison messages) and stalls.", steps: "Send the poison records to the dead-letter topic and advance past them." },
        "Resource exhaustion": { signs: "CPU or memory at the limit, long GC pauses, a growing backlog.", steps: "Reduce the batch/poll size, scale out consumers (up to the partition count)." },
        "Schema change": { signs: "Deserialization errors since a producer deployment.", steps: "Deploy the consumer with the new schema; replay from the dead-letter topic." },
        "Anything else": { signs: "Producers stopped or a partition is unassigned (consumer group rebalance loop).", steps: "Check the consumer group and producers; escalate to the owner of the upstream system." },
      };
  }
}
