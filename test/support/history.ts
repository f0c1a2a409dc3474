/**
 * A scripted timeline of pipelines' real lives, as the metric contract's series (DESIGN §2),
 * served by a real Prometheus: the history `backtest` and `report` are tested against.
 *
 * A timeline says what happened: batch runs (start, duration or hung, outcome, records,
 * errors, CPU and memory), scrape gaps, streams' throughput, latency, backlog and errors with
 * incidents, and a stream that dies. `timelineSeries` turns it into the series a Pushgateway
 * scraped every `scrapeSeconds` would hold (`pipemon run` pushes at a run's start and end,
 * and the Pushgateway keeps the last push: every gauge is there at every scrape); streams
 * are scraped directly. `startHistoryPrometheus` writes them as OpenMetrics, backfills them
 * with `promtool tsdb create-blocks-from openmetrics`, and starts Prometheus on that TSDB on
 * a free 127.0.0.1 port. `promtoolInputSeries` gives the same series for `promtool test rules`.
 *
 * Times in a timeline are offsets in seconds from its origin; a series is written for a
 * given origin (the recent past for the TSDB, 0 for promtool), and timestamp-valued gauges
 * move with it, so both see the same history.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { binary, freePort, start, waitReady, type Started } from "../live/processes.js";

export interface BatchRun {
  /** Offset of the start, seconds. */
  start: number;
  /** Seconds; null: hung (still running at the end of the timeline). */
  duration: number | null;
  status: "success" | "failed";
  records?: number;
  failedRecords?: number;
  /** Errors by error_type. */
  errors?: Record<string, number>;
  cpu?: number;
  memory?: number;
}

export interface BatchTimeline {
  type: "batch";
  name: string;
  runs: BatchRun[];
  /** [from, to) offsets where no scrape reached the Pushgateway. */
  gaps?: Array<[number, number]>;
  /** The failed-runs counter is born with its first failure (not created at 0). */
  failedCounterBornWithFirstFailure?: boolean;
}

export interface StreamLevels {
  /** records per second */
  throughput: number;
  /** Every record of the period takes this long (seconds): all observations fall in its bucket. */
  latency: number;
  backlog: number;
  /** failed / processed */
  errorRatio: number;
  cpu: number;
  memory: number;
}

export interface StreamTimeline {
  type: "streaming";
  name: string;
  normal: StreamLevels;
  /** [from, to) offsets where some levels differ. */
  incidents?: Array<{ from: number; to: number } & Partial<StreamLevels>>;
  gaps?: Array<[number, number]>;
  /** From this offset on the stream reports nothing (it died). */
  deadAt?: number;
}

export type PipelineTimeline = BatchTimeline | StreamTimeline;

export interface Timeline {
  /** Length in seconds; scrapes at every multiple of scrapeSeconds in [0, duration]. */
  duration: number;
  scrapeSeconds: number;
  pipelines: PipelineTimeline[];
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value], in time order. */
  samples: Array<[number, number]>;
}

/** The histogram buckets streams report latency in (upper bounds, seconds). */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/** p95 of a period where every observation took `latency`: histogram_quantile interpolates linearly inside the bucket. */
export function bucketP95(latency: number): number {
  const i = LATENCY_BUCKETS.findIndex((le) => latency <= le);
  if (i < 0) return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]!;
  const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
  return lower + (LATENCY_BUCKETS[i]! - lower) * 0.95;
}

const inAny = (t: number, ranges: ReadonlyArray<readonly [number, number]> | undefined): boolean => (ranges ?? []).some(([a, b]) => t >= a && t < b);

export const runEnd = (r: BatchRun): number | null => (r.duration === null ? null : r.start + r.duration);

/** Every scrape offset of the timeline. */
export function scrapeTimes(timeline: Timeline): number[] {
  const out: number[] = [];
  for (let t = 0; t <= timeline.duration; t += timeline.scrapeSeconds) out.push(t);
  return out;
}

/**
 * A batch pipeline's series, walking the scrapes and the runs' start and end events once
 * (a week of 15-minute runs over a thousand pipelines stays linear).
 */
function batchSeries(p: BatchTimeline, timeline: Timeline, origin: number): Series[] {
  const series = new Map<string, Series>();
  const put = (name: string, extra: Record<string, string>, t: number, v: number): void => {
    const key = `${name}${JSON.stringify(extra)}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { name, labels: { pipeline: p.name, ...extra }, samples: [] }));
    s.samples.push([origin + t, v]);
  };
  const starts = [...p.runs].sort((a, b) => a.start - b.start);
  const ends = p.runs.filter((r) => r.duration !== null).sort((a, b) => runEnd(a)! - runEnd(b)!);
  let nextStart = 0;
  let nextEnd = 0;
  let current: BatchRun | undefined;
  let last: BatchRun | undefined;
  let lastSuccess: number | undefined;
  let lastFailure: number | undefined;
  const counts = { success: 0, failed: 0 };
  let records = 0;
  let failedRecords = 0;
  const errors = new Map<string, number>();
  for (const t of scrapeTimes(timeline)) {
    while (nextStart < starts.length && starts[nextStart]!.start <= t) current = starts[nextStart++];
    while (nextEnd < ends.length && runEnd(ends[nextEnd]!)! <= t) {
      const r = ends[nextEnd++]!;
      last = r;
      counts[r.status]++;
      if (r.status === "success") lastSuccess = runEnd(r)!;
      else lastFailure = runEnd(r)!;
      records += r.records ?? 0;
      failedRecords += r.failedRecords ?? 0;
      for (const [type, n] of Object.entries(r.errors ?? {})) errors.set(type, (errors.get(type) ?? 0) + n);
    }
    if (current === undefined || inAny(t, p.gaps)) continue;
    const inProgress = runEnd(current) === null || runEnd(current)! > t;
    put("pipeline_runs_total", { status: "success" }, t, counts.success);
    if (!p.failedCounterBornWithFirstFailure || counts.failed > 0) put("pipeline_runs_total", { status: "failed" }, t, counts.failed);
    put("pipeline_run_in_progress", {}, t, inProgress ? 1 : 0);
    put("pipeline_run_start_timestamp_seconds", {}, t, origin + current.start);
    if (last) {
      put("pipeline_run_duration_seconds", {}, t, last.duration!);
      if (last.cpu !== undefined) put("pipeline_cpu_usage_ratio", {}, t, last.cpu);
      if (last.memory !== undefined) put("pipeline_memory_usage_ratio", {}, t, last.memory);
    }
    if (lastSuccess !== undefined) put("pipeline_last_success_timestamp_seconds", {}, t, origin + lastSuccess);
    if (lastFailure !== undefined) put("pipeline_last_failure_timestamp_seconds", {}, t, origin + lastFailure);
    put("pipeline_records_processed_total", {}, t, records);
    put("pipeline_records_failed_total", {}, t, failedRecords);
    for (const [type, n] of errors) put("pipeline_errors_total", { error_type: type }, t, n);
  }
  return [...series.values()];
}

/** Stream levels in force at offset t. */
export function streamLevelsAt(p: StreamTimeline, t: number): StreamLevels {
  const incident = (p.incidents ?? []).find((i) => t >= i.from && t < i.to);
  return { ...p.normal, ...(incident ?? {}) };
}

function streamSeries(p: StreamTimeline, timeline: Timeline, origin: number): Series[] {
  const labels = { pipeline: p.name };
  const mk = (name: string, extra: Record<string, string> = {}): Series => ({ name, labels: { ...labels, ...extra }, samples: [] });
  const processed = mk("stream_records_processed_total");
  const failed = mk("stream_records_failed_total");
  const backlog = mk("stream_backlog_records");
  const cpu = mk("pipeline_cpu_usage_ratio");
  const memory = mk("pipeline_memory_usage_ratio");
  const buckets = [...LATENCY_BUCKETS.map(String), "+Inf"].map((le) => mk("stream_processing_latency_seconds_bucket", { le }));
  const count = mk("stream_processing_latency_seconds_count");
  let total = 0;
  let failures = 0;
  const perBucket = new Array<number>(buckets.length).fill(0);
  let prev: number | undefined;
  for (const t of scrapeTimes(timeline)) {
    if (p.deadAt !== undefined && t >= p.deadAt) break;
    // Counters grow whether or not a scrape reached them.
    const levels = streamLevelsAt(p, t);
    if (prev !== undefined) {
      const n = levels.throughput * (t - prev);
      total += n;
      failures += n * levels.errorRatio;
      const bucket = LATENCY_BUCKETS.findIndex((le) => levels.latency <= le);
      perBucket[bucket < 0 ? LATENCY_BUCKETS.length : bucket]! += n;
    }
    prev = t;
    if (inAny(t, p.gaps)) continue;
    const at = origin + t;
    processed.samples.push([at, total]);
    failed.samples.push([at, failures]);
    backlog.samples.push([at, levels.backlog]);
    cpu.samples.push([at, levels.cpu]);
    memory.samples.push([at, levels.memory]);
    let cumulative = 0;
    buckets.forEach((b, i) => {
      cumulative += perBucket[i]!;
      b.samples.push([at, cumulative]);
    });
    count.samples.push([at, total]);
  }
  return [processed, failed, backlog, cpu, memory, ...buckets, count];
}

/** Every series of the timeline with timestamps from `origin` (unix seconds), a pipeline at a time. */
export function* timelineSeries(timeline: Timeline, origin: number): Generator<Series> {
  for (const p of timeline.pipelines) yield* p.type === "batch" ? batchSeries(p, timeline, origin) : streamSeries(p, timeline, origin);
}

const labelText = (labels: Record<string, string>): string => Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",");

/**
 * OpenMetrics text, written as the series come (a pipeline at a time, so a large estate never
 * sits in memory whole): no TYPE lines, so every family is `unknown` and promtool backfills
 * it as is, whatever the order of families; each series' samples in time order; `# EOF`.
 */
export async function writeOpenMetrics(file: string, series: Iterable<Series>): Promise<number> {
  const out = createWriteStream(file);
  let samples = 0;
  let chunk = "";
  for (const s of series) {
    const prefix = `${s.name}{${labelText(s.labels)}} `;
    for (const [t, v] of s.samples) {
      chunk += `${prefix}${v} ${t}\n`;
      samples++;
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await once(out, "drain");
        chunk = "";
      }
    }
  }
  out.end(`${chunk}# EOF\n`);
  await once(out, "finish");
  return samples;
}

/**
 * `input_series` for `promtool test rules` (origin 0, interval = scrapeSeconds): `_` where a
 * scrape is missing.
 */
export function promtoolInputSeries(timeline: Timeline): Array<{ series: string; values: string }> {
  const ticks = scrapeTimes(timeline);
  return [...timelineSeries(timeline, 0)].map((s) => {
    const at = new Map(s.samples);
    return { series: `${s.name}{${labelText(s.labels)}}`, values: ticks.map((t) => (at.has(t) ? String(at.get(t)) : "_")).join(" ") };
  });
}

export interface HistoryPrometheus {
  url: string;
  /** Unix seconds of the timeline's offset 0. */
  origin: number;
  timeline: Timeline;
  /** Samples backfilled (-1 when an existing TSDB was reused). */
  samples: number;
  dir: string;
  process: Started;
  stop(): Promise<void>;
}

export interface HistoryOptions {
  /** Unix seconds of offset 0; default: the timeline ends one hour ago, on a whole scrape interval. */
  origin?: number;
  /** promtool's --max-block-duration (each block is one pass over the file). */
  maxBlockDuration?: string;
  /** Prometheus's --query.lookback-delta (default 5m, as in the rules' own Prometheus). */
  lookbackDelta?: string;
  /** Work in this directory (kept after stop: the bench's cache) instead of a temporary one. */
  dir?: string;
  /** The directory's TSDB was backfilled from this very timeline and origin: start on it as it is. */
  reuse?: boolean;
}

/** The default origin: the timeline ends an hour ago (inside any retention), aligned to the scrape interval. */
export function recentOrigin(timeline: Timeline, now = Date.now() / 1000): number {
  const step = Math.max(timeline.scrapeSeconds, 3600);
  return Math.floor((now - 3600 - timeline.duration) / step) * step;
}

/**
 * Backfills the timeline into a TSDB and starts Prometheus on it (127.0.0.1, free port,
 * no scrape targets). Retention is far longer than the timeline is old, so nothing is
 * deleted under the test.
 */
export async function startHistoryPrometheus(timeline: Timeline, options: HistoryOptions = {}): Promise<HistoryPrometheus> {
  const origin = options.origin ?? recentOrigin(timeline);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "pipemon-history-"));
  mkdirSync(dir, { recursive: true });
  const data = join(dir, "data");
  let samples = -1;
  if (!options.reuse) {
    const input = join(dir, "history.om");
    samples = await writeOpenMetrics(input, timelineSeries(timeline, origin));
    rmSync(data, { recursive: true, force: true });
    const backfill = spawnSync(binary("promtool"), ["tsdb", "create-blocks-from", "openmetrics", ...(options.maxBlockDuration ? [`--max-block-duration=${options.maxBlockDuration}`] : []), input, data], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed:\n${backfill.stdout.slice(-2000)}${backfill.stderr.slice(-2000)}`);
    rmSync(input, { force: true });
  }
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
  const port = await freePort();
  const prometheus = start("prometheus-history", binary("prometheus"), [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${data}`,
    // The backfilled blocks are up to a few days old: keep them whatever their age.
    "--storage.tsdb.retention.time=3650d",
    ...(options.lookbackDelta ? [`--query.lookback-delta=${options.lookbackDelta}`] : []),
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(prometheus, `${url}/-/ready`);
  return {
    url,
    origin,
    timeline,
    samples,
    dir,
    process: prometheus,
    stop: async () => {
      if (prometheus.child.exitCode === null && prometheus.child.signalCode === null) {
        const gone = once(prometheus.child, "exit");
        prometheus.child.kill("SIGTERM");
        await gone;
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
