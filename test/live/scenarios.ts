/**
 * The live run's estate: one synthetic pipeline per state a pipeline can be in, each with the
 * alerts that state must fire (and nothing else). Built with the model fixtures, so every
 * pipeline has the full set of thresholds and only its fault differs from a healthy one.
 *
 * Deviations from a production spec, all to fit a run of seconds (documented in the README):
 * - rule groups evaluate every second (`grafana.ruleInterval` 1s; specs require multiples of 10s);
 * - `for` is set in the specs' own way (`alerts.<key>.for`): 2s for slaBreach and 3s for the
 *   streaming alerts (5m by default), so pending → firing is still exercised; cpu and memory
 *   keep their 10m and never fire, as every pipeline's usage is healthy.
 */
import type { AlertKey, Pipeline, Project, Routing, Severity } from "../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../fixtures/model.js";

/** What the synthetic exporter serves for a pipeline. */
export type State =
  | "healthy" | "failed-run" | "slow-run" | "hung-run" | "stale" | "bad-records" | "low-volume" | "not-started"
  | "first-failure" | "failed-then-retried" | "retried"
  | "healthy-stream" | "lagging-stream" | "slow-stream" | "stalled-stream" | "dead-stream";

export interface ExpectedAlert {
  alert: AlertKey;
  level: "critical" | "warning";
  severity: Severity;
}

export interface LiveScenario {
  state: State;
  pipeline: Pipeline;
  /** Firing at the end of the run (and delivered). */
  expected: ExpectedAlert[];
  /**
   * Delivered while firing, then resolved: once the test has seen the delivery it moves the
   * pipeline to `then` (a successful retry), and the alert must stop firing.
   */
  resolves?: { alerts: ExpectedAlert[]; then: State };
}

const DEFAULT_BATCH_ROUTING: Routing = { critical: ["data-oncall", "data-alerts"], high: ["data-alerts", "data-email"], medium: ["data-alerts"], low: ["data-email"] };
const PAYMENTS_ROUTING: Routing = { critical: ["payments-oncall", "data-alerts"], high: ["payments-oncall"], medium: ["data-alerts"], low: ["data-email"] };
const GROWTH_ROUTING: Routing = { critical: ["data-oncall"], high: ["data-alerts"], medium: ["data-alerts"], low: ["data-email"] };
/** One pipeline overrides its team's routing: high goes to the growth webhook, medium nowhere. */
const LAGGING_ROUTING: Routing = { critical: ["data-oncall"], high: ["growth-alerts"], medium: [], low: ["data-email"] };

const batch = (name: string, team = "commerce", routing = DEFAULT_BATCH_ROUTING): Pipeline =>
  batchPipeline({
    name,
    team,
    labels: { tier: "1" },
    targets: ["prometheus"],
    routing,
    // A pending period must still be exercised, in seconds (dataQuality waits 5m by default).
    alerts: { slaBreach: { severity: "critical", forSeconds: 2 }, dataQuality: { forSeconds: 2 } },
    sourceFile: `${team}/${name}.yaml`,
  });

const STREAM_FOR = { forSeconds: 3 };
const stream = (name: string, routing = GROWTH_ROUTING): Pipeline =>
  streamingPipeline({
    name,
    targets: ["prometheus"],
    routing,
    alerts: { highLatency: STREAM_FOR, lowThroughput: STREAM_FOR, highBacklog: STREAM_FOR },
    thresholds: {
      latencyP95: { warning: 0.5, critical: 2 },
      throughput: { warning: 500, critical: 100 },
      backlog: { warning: 10000, critical: 100000 },
      errorRate: { warning: 0.001, critical: 0.01 },
      cpu: { warning: 0.8, critical: 0.95 },
      memory: { warning: 0.8, critical: 0.95 },
    },
    sourceFile: `growth/${name}.yaml`,
  });

const both = (alert: AlertKey, critical: Severity, warning: Severity): ExpectedAlert[] => [
  { alert, level: "critical", severity: critical },
  { alert, level: "warning", severity: warning },
];

export const LIVE_SCENARIOS: readonly LiveScenario[] = [
  { state: "healthy", pipeline: batch("healthy-etl"), expected: [] },
  { state: "failed-run", pipeline: batch("failed-etl"), expected: [{ alert: "pipelineFailed", level: "critical", severity: "critical" }] },
  { state: "slow-run", pipeline: batch("slow-etl"), expected: [{ alert: "slaBreach", level: "critical", severity: "critical" }] },
  { state: "hung-run", pipeline: batch("hung-etl"), expected: [{ alert: "slaBreach", level: "critical", severity: "critical" }] },
  { state: "stale", pipeline: batch("stale-etl"), expected: [{ alert: "stale", level: "critical", severity: "high" }] },
  { state: "bad-records", pipeline: batch("ledger-load", "payments", PAYMENTS_ROUTING), expected: both("dataQuality", "medium", "low") },
  { state: "low-volume", pipeline: batch("lowvolume-etl"), expected: [{ alert: "lowVolume", level: "critical", severity: "medium" }] },
  { state: "not-started", pipeline: batch("new-etl"), expected: [{ alert: "stale", level: "critical", severity: "high" }] },
  // DESIGN §8: the failed counter series is born with the first failure (no gauge): it still pages.
  { state: "first-failure", pipeline: batch("born-etl"), expected: [{ alert: "pipelineFailed", level: "critical", severity: "critical" }] },
  // DESIGN §8: a failure (last-failure gauge) pages; the successful retry resolves it within the window.
  {
    state: "failed-then-retried",
    pipeline: batch("retry-etl"),
    expected: [],
    resolves: { alerts: [{ alert: "pipelineFailed", level: "critical", severity: "critical" }], then: "retried" },
  },
  { state: "healthy-stream", pipeline: stream("healthy-stream"), expected: [] },
  { state: "lagging-stream", pipeline: stream("lagging-stream", LAGGING_ROUTING), expected: both("highBacklog", "high", "medium") },
  { state: "slow-stream", pipeline: stream("slow-stream"), expected: both("highLatency", "high", "medium") },
  { state: "stalled-stream", pipeline: stream("stalled-stream"), expected: both("lowThroughput", "high", "medium") },
  // DESIGN §8: a stream that reported and stopped reporting is lowThroughput after the pending period.
  { state: "dead-stream", pipeline: stream("dead-stream"), expected: both("lowThroughput", "high", "medium") },
];

/** The project of the live run: the fixture channels plus the payments pager and a growth webhook. */
export function liveProject(): Project {
  const base = project([...LIVE_SCENARIOS.map((s) => s.pipeline)].sort((a, b) => (a.name < b.name ? -1 : 1)));
  return {
    ...base,
    grafana: { ...base.grafana, ruleIntervalSeconds: 1 },
    channels: {
      ...base.channels,
      "payments-oncall": { name: "payments-oncall", type: "pagerduty", datadog: "@pagerduty-payments", settings: { integrationKey: "${PD_PAYMENTS_KEY}" } },
      "growth-alerts": { name: "growth-alerts", type: "webhook", datadog: "@webhook-growth", settings: { url: "${GROWTH_WEBHOOK}" } },
    },
  };
}
