/**
 * The scripted history the backtest tests run on: specs for a small estate, a 30-hour
 * timeline of what happened to it, and the firing episodes that follow from the timeline
 * (what a person reading the timeline and the thresholds expects), written without pipemon's
 * code. Offsets are minutes from the timeline's origin.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BatchRun, Timeline } from "../support/history.js";

export const MINUTE = 60;
export const HOUR = 3600;
const m = (hours: number, minutes = 0): number => hours * HOUR + minutes * MINUTE;

/** The rule groups' interval (grafana.ruleInterval) and the scrape interval of the timeline. */
export const STEP = MINUTE;

export const CONFIG = `apiVersion: pipemon/v1
kind: Config
grafana: { ruleInterval: 1m }
prometheus: { url: "\${HISTORY_PROMETHEUS_URL}" }
channels:
  oncall: { type: pagerduty, integrationKey: "\${PD_KEY}", datadog: "@pagerduty-oncall" }
  alerts: { type: slack, webhookUrl: "\${SLACK_WEBHOOK}", datadog: "@slack-alerts" }
routing: { critical: [oncall, alerts], high: [alerts], medium: [alerts], low: [alerts] }
defaults: { targets: [prometheus] }
`;

export const PIPELINES: Record<string, string> = {
  "commerce/orders-etl.yaml": `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: orders-etl, team: commerce }
spec:
  type: batch
  schedule: "0 * * * *"
  sla: { maxDuration: 45m, freshness: 2h }
  thresholds: { minRecords: 1000, errors: { critical: 10 } }
  alerts: { slaBreach: { severity: critical, for: 5m } }
`,
  "commerce/nightly-load.yaml": `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: nightly-load, team: commerce }
spec:
  type: batch
  schedule: "0 3 * * *"
  sla: { freshness: 26h }
`,
  "growth/clickstream.yaml": `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: clickstream, team: growth }
spec:
  type: streaming
  thresholds:
    latencyP95: { warning: 500ms, critical: 2s }
    throughput: { critical: 100/s }
    backlog: { critical: 100000 }
    errorRate: { critical: 1% }
`,
  "growth/ledger.yaml": `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: ledger, team: growth }
spec:
  type: streaming
  thresholds:
    latencyP95: { critical: 2s }
    throughput: { critical: 100/s }
    backlog: { critical: 100000 }
`,
};

export function writeSpecs(root: string, files: Record<string, string> = { "pipemon.yaml": CONFIG, ...PIPELINES }): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const hourly = (hour: number, over: Partial<BatchRun> = {}): BatchRun => ({ start: m(hour), duration: 10 * MINUTE, status: "success", records: 5000, ...over });

/** orders-etl's day: hourly runs of 10 minutes; a failure and its failed retry; a slow run; a scrape gap; errors; a run that hangs. */
export const ORDERS_RUNS: BatchRun[] = [
  ...[0, 1, 2, 3, 4].map((h) => hourly(h)),
  hourly(5, { status: "failed", records: 10, failedRecords: 10 }),
  { start: m(5, 20), duration: 10 * MINUTE, status: "failed", records: 0 },
  hourly(6),
  hourly(7),
  hourly(8, { errors: { timeout: 12 } }),
  hourly(9, { duration: 55 * MINUTE }),
  ...[10, 11, 12, 13].map((h) => hourly(h)),
  // Hangs: never ends, and the scheduler starts nothing after it.
  { start: m(14), duration: null, status: "success" },
];
export const ORDERS_GAP: [number, number] = [m(11, 30), m(11, 50)];

export const NIGHTLY_RUNS: BatchRun[] = [
  { start: m(3), duration: 10 * MINUTE, status: "success", records: 100 },
  { start: m(27), duration: 10 * MINUTE, status: "failed", records: 0 },
];

export const CLICKSTREAM = {
  latency: { from: m(4), to: m(5), latency: 4 },
  backlog: { from: m(8), to: m(8, 30), backlog: 500_000 },
  deadAt: m(20),
};

export const TIMELINE: Timeline = {
  duration: m(30),
  scrapeSeconds: STEP,
  pipelines: [
    { type: "batch", name: "orders-etl", runs: ORDERS_RUNS, gaps: [ORDERS_GAP] },
    { type: "batch", name: "nightly-load", runs: NIGHTLY_RUNS, failedCounterBornWithFirstFailure: true },
    {
      type: "streaming",
      name: "clickstream",
      normal: { throughput: 1000, latency: 0.08, backlog: 50, errorRatio: 0.0001, cpu: 0.3, memory: 0.4 },
      incidents: [CLICKSTREAM.latency, CLICKSTREAM.backlog],
      deadAt: CLICKSTREAM.deadAt,
    },
    { type: "streaming", name: "ledger", normal: { throughput: 2000, latency: 0.2, backlog: 10, errorRatio: 0, cpu: 0.2, memory: 0.3 } },
  ],
};

/**
 * Prometheus's reading of a history, used to turn what happened into when a rule sees it:
 * an instant selector still sees a sample up to 5m old (the lookback delta, inclusive), and a
 * 5m rate needs two samples inside [t − 5m, t].
 */
export const LOOKBACK = 5 * MINUTE;
export const RATE_WINDOW = 5 * MINUTE;

export interface ExpectedEpisode {
  /** Offsets (seconds) from the origin; end null: still firing at the end. */
  start: number;
  end: number | null;
}

const firstStepAfter = (t: number): number => (Math.floor(t / STEP) + 1) * STEP;

/** pipelineFailed: from the end of a failed run until the end of the next successful one. */
function failedPeriods(runs: readonly BatchRun[]): ExpectedEpisode[] {
  const out: ExpectedEpisode[] = [];
  const ended = runs.filter((r) => r.duration !== null).sort((a, b) => a.start + a.duration! - (b.start + b.duration!));
  let open: number | undefined;
  for (const r of ended) {
    const end = r.start + r.duration!;
    if (r.status === "failed") open ??= end;
    else if (open !== undefined) {
      out.push({ start: open, end });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ start: open, end: null });
  return out;
}

/**
 * stale: no success yet (from the start), more than `freshness` since the last success, or the
 * pipeline's series unseen (a scrape gap longer than the lookback).
 */
function stalePeriods(runs: readonly BatchRun[], freshness: number, gaps: ReadonlyArray<[number, number]>, duration: number): ExpectedEpisode[] {
  const successes = runs.filter((r) => r.status === "success" && r.duration !== null).map((r) => r.start + r.duration!).sort((a, b) => a - b);
  const out: ExpectedEpisode[] = [];
  if (successes.length === 0 || successes[0]! > 0) out.push({ start: 0, end: successes[0] ?? null });
  successes.forEach((s, i) => {
    // Strictly more than `freshness`: the first step after s + freshness.
    const start = firstStepAfter(s + freshness);
    const next = successes[i + 1];
    if (start <= duration && (next === undefined || start < next)) out.push({ start, end: next ?? null });
  });
  // The last sample before a gap is seen until LOOKBACK after it; the next scrape ends it.
  for (const [from, to] of gaps) out.push({ start: from - STEP + LOOKBACK + STEP, end: to });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * slaBreach (for F): true once the running run has run longer than maxDuration, and while
 * the last finished run took longer; pending for F, then firing until the next run ends.
 */
function slowPeriods(runs: readonly BatchRun[], maxDuration: number, forSeconds: number): ExpectedEpisode[] {
  const out: ExpectedEpisode[] = [];
  runs.forEach((r, i) => {
    if (r.duration !== null && r.duration <= maxDuration) return;
    const breach = firstStepAfter(r.start + maxDuration);
    const next = runs[i + 1];
    out.push({ start: breach + forSeconds, end: next && next.duration !== null ? next.start + next.duration : null });
  });
  return out;
}

/**
 * errors (no pending period): a run that reports more than `threshold` errors pages from its
 * end (its error series is born then, with its count) until that end leaves the window; a
 * scrape gap in between changes nothing. (The timeline's error runs are a window apart.)
 */
function errorPeriods(runs: readonly BatchRun[], threshold: number, window: number): ExpectedEpisode[] {
  return runs
    .filter((r) => r.duration !== null && Object.values(r.errors ?? {}).reduce((a, n) => a + n, 0) > threshold)
    .map((r) => ({ start: r.start + r.duration!, end: r.start + r.duration! + window }));
}

/** A level above threshold from `from` to `to` (offsets of the first and first normal scrape), pending for F. */
const gaugeIncident = (from: number, to: number, forSeconds: number): ExpectedEpisode => ({ start: from + forSeconds, end: to });

/**
 * A level seen through a 5m rate: the first scrape of the incident already moves the rate
 * (one increment in five is enough for a p95); the last incident increment leaves the window
 * RATE_WINDOW − STEP after the incident's end.
 */
const rateIncident = (from: number, to: number, forSeconds: number): ExpectedEpisode => ({ start: from + forSeconds, end: to + RATE_WINDOW - STEP });

/**
 * A dead stream: its last sample is one scrape before it died; the rate loses its second
 * sample RATE_WINDOW after that, then lowThroughput is pending for F (the day of
 * present_over_time outlasts the timeline).
 */
const deadStream = (deadAt: number, forSeconds: number): ExpectedEpisode => ({ start: deadAt - STEP + RATE_WINDOW + forSeconds, end: null });

/** Per `pipeline/alert/severity`, the episodes that follow from the timeline. */
export function expectedEpisodes(): Record<string, ExpectedEpisode[]> {
  return {
    "orders-etl/pipelineFailed/critical": failedPeriods(ORDERS_RUNS),
    "orders-etl/slaBreach/critical": slowPeriods(ORDERS_RUNS, 45 * MINUTE, 5 * MINUTE),
    "orders-etl/stale/high": stalePeriods(ORDERS_RUNS, 2 * HOUR, [ORDERS_GAP], TIMELINE.duration),
    "orders-etl/errors/medium": errorPeriods(ORDERS_RUNS, 10, HOUR),
    "nightly-load/pipelineFailed/critical": failedPeriods(NIGHTLY_RUNS),
    "nightly-load/stale/high": stalePeriods(NIGHTLY_RUNS, 26 * HOUR, [], TIMELINE.duration),
    "clickstream/highLatency/high": [rateIncident(CLICKSTREAM.latency.from, CLICKSTREAM.latency.to, 5 * MINUTE)],
    "clickstream/highLatency/medium": [rateIncident(CLICKSTREAM.latency.from, CLICKSTREAM.latency.to, 5 * MINUTE)],
    "clickstream/highBacklog/high": [gaugeIncident(CLICKSTREAM.backlog.from, CLICKSTREAM.backlog.to, 5 * MINUTE)],
    "clickstream/lowThroughput/high": [deadStream(CLICKSTREAM.deadAt, 5 * MINUTE)],
    "ledger/highLatency/high": [],
    "ledger/lowThroughput/high": [],
    "ledger/highBacklog/high": [],
  };
}
