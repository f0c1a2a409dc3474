/**
 * A synthetic pipeline exporter (node:http, Prometheus text format on /metrics): serves the
 * metric contract (DESIGN §2) for each live pipeline in its state. Counters move with the
 * number of scrapes (batch) or with wall time (stream rates), so `increase` and `rate` see
 * runs, records and errors happen while Prometheus watches.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Pipeline, ResolvedSignal, SignalKey } from "../../src/model/types.js";
import type { State } from "./scenarios.js";

type Family = Map<string, string[]>;

function labels(signal: ResolvedSignal, extra: Record<string, string> = {}): string {
  const all = { ...signal.matchers, ...extra };
  return `{${Object.keys(all).map((k) => `${k}="${all[k]!.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

function sample(out: Family, p: Pipeline, key: SignalKey, kind: "counter" | "gauge" | "histogram", value: number, extra: Record<string, string> = {}, suffix = ""): void {
  const signal = p.signals[key];
  const family = signal.prometheus;
  const lines = out.get(family) ?? [`# TYPE ${family} ${kind}`];
  lines.push(`${family}${suffix}${labels(signal, extra)} ${value}`);
  out.set(family, lines);
}

const LATENCY_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10];

/** Times a pipeline's runs ended (unix seconds), for the states whose history matters. */
interface History {
  failedAt?: number;
  succeededAt?: number;
}

function batchMetrics(out: Family, p: Pipeline, state: State, scrape: number, now: number, started: number, history: History): void {
  const maxDuration = p.sla.maxDurationSeconds ?? 2700;
  const freshness = p.sla.freshnessSeconds ?? 7200;
  const minRecords = p.thresholds.minRecords ?? 1000;
  // A healthy run every scrape, each processing ten times the minimum volume.
  const perScrape = state === "low-volume" ? 1 : minRecords * 10;
  sample(out, p, "runs", "counter", scrape, { status: "success" });
  if (state === "first-failure" || state === "failed-then-retried" || state === "retried") {
    // The failed-runs series is born with the failure (a client that creates it on first use).
    if (scrape > 1) {
      history.failedAt ??= now;
      sample(out, p, "runs", "counter", 1, { status: "failed" });
    }
  } else {
    // The failed run happens after Prometheus's first scrape, so increase() sees it.
    sample(out, p, "runs", "counter", state === "failed-run" && scrape > 1 ? 1 : 0, { status: "failed" });
  }
  sample(out, p, "duration", "gauge", state === "slow-run" ? maxDuration + 3600 : maxDuration / 3);
  const hung = state === "hung-run";
  sample(out, p, "inProgress", "gauge", hung ? 1 : 0);
  sample(out, p, "startedAt", "gauge", hung ? now - maxDuration - 1800 : now - 600);
  if (state === "failed-then-retried" || state === "retried") {
    // A job that reports its last-failure time: the success before the failure, then the retry's.
    if (state === "retried") history.succeededAt ??= now;
    sample(out, p, "lastSuccess", "gauge", history.succeededAt ?? started - 3600);
    if (history.failedAt !== undefined) sample(out, p, "lastFailure", "gauge", history.failedAt);
  } else {
    sample(out, p, "lastSuccess", "gauge", state === "stale" ? now - freshness - 3600 : now - 300);
  }
  // A healthy job that reports its last-failure time: an old failure, long since followed by successes.
  if (state === "healthy") sample(out, p, "lastFailure", "gauge", now - 3600);
  sample(out, p, "recordsProcessed", "counter", scrape * perScrape);
  // Bad records: 10% of every run's records fail (critical at 5%, warning at 1%).
  sample(out, p, "recordsFailed", "counter", state === "bad-records" ? scrape * perScrape * 0.1 : 0);
  sample(out, p, "bytes", "counter", scrape * perScrape * 512);
  sample(out, p, "cpu", "gauge", 0.3);
  sample(out, p, "memory", "gauge", 0.4);
  sample(out, p, "errors", "counter", 0, { error_type: "timeout" });
}

function streamMetrics(out: Family, p: Pipeline, state: State, elapsed: number): void {
  const highestRate = Math.max(p.thresholds.throughput?.warning ?? 0, p.thresholds.throughput?.critical ?? 0, 1);
  // rate(x[5m]) divides by the whole 5m even when Prometheus has seconds of data, so a stream
  // it has just started watching reads ~rate×seconds/300: a healthy stream must be fast enough
  // to read above the threshold from its second sample on (2,000 × the highest threshold does).
  // A stalled stream processes nothing.
  const rate = state === "stalled-stream" ? 0 : highestRate * 2000;
  sample(out, p, "throughput", "counter", Math.floor(rate * elapsed));
  sample(out, p, "streamErrors", "counter", 0);
  const backlogCritical = p.thresholds.backlog?.critical ?? 100000;
  sample(out, p, "backlog", "gauge", state === "lagging-stream" ? backlogCritical * 2.5 : 100);
  // 100 observations a second: healthy ones take 50ms; a slow stream's take 4s (p95 ≈ 4.9s).
  const observations = Math.floor(100 * elapsed);
  const seconds = state === "slow-stream" ? 4 : 0.05;
  for (const le of LATENCY_BUCKETS) sample(out, p, "latency", "histogram", seconds <= le ? observations : 0, { le: String(le) }, "_bucket");
  sample(out, p, "latency", "histogram", observations, { le: "+Inf" }, "_bucket");
  sample(out, p, "latency", "histogram", observations * seconds, {}, "_sum");
  sample(out, p, "latency", "histogram", observations, {}, "_count");
  sample(out, p, "cpu", "gauge", 0.3);
  sample(out, p, "memory", "gauge", 0.4);
}

export interface Exporter {
  url: string;
  port: number;
  scrapes: () => number;
  /** Moves a pipeline to another state (e.g. a successful retry after a failure). */
  setState: (pipeline: string, state: State) => void;
  close: () => Promise<void>;
}

/** Starts the exporter on 127.0.0.1 (an ephemeral port) for the given pipelines and states. */
export async function startExporter(pipelines: readonly { pipeline: Pipeline; state: State }[]): Promise<Exporter> {
  const started = Date.now();
  let scrapes = 0;
  const states = new Map(pipelines.map(({ pipeline, state }) => [pipeline.name, state]));
  const histories = new Map(pipelines.map(({ pipeline }) => [pipeline.name, {} as History]));
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    const now = Date.now() / 1000;
    const out: Family = new Map();
    for (const { pipeline } of pipelines) {
      const state = states.get(pipeline.name)!;
      if (state === "not-started") continue;
      // A dead stream reports for its first three scrapes, then its series go away (stale markers).
      if (state === "dead-stream" && scrapes > 3) continue;
      if (pipeline.type === "batch") batchMetrics(out, pipeline, state, scrapes, now, started / 1000, histories.get(pipeline.name)!);
      else streamMetrics(out, pipeline, state, (Date.now() - started) / 1000);
    }
    const body = [...out.values()].flat().join("\n") + "\n";
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    port,
    scrapes: () => scrapes,
    setState: (pipeline, state) => void states.set(pipeline, state),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
