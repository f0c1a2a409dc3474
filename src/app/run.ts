/**
 * Use case `pipemon run <pipeline> -- <command>` (DESIGN §9): wraps a batch job and reports
 * the metric contract for it, under the spec's own names and labels, to every sink
 * configured: a Prometheus Pushgateway and Datadog's metrics intake.
 *
 * Order of events:
 * 1. start phase: run in progress = 1, start time, and every counter created at 0 (a counter
 *    that already exists keeps its value);
 * 2. the job runs with stdin/stdout/stderr inherited; SIGINT, SIGTERM and SIGHUP sent to
 *    pipemon are forwarded to it; its process tree is sampled for CPU and memory;
 * 3. end phase: the outcome (exit 0 = success) counted, duration, last success or last
 *    failure time, in progress = 0, the counts of `$PIPEMON_STATS_FILE`, peak CPU and memory.
 *
 * A sink never fails the job: each phase waits for the sinks at most `sinkTimeoutMs` in
 * total (all sinks in parallel), then goes on; a sink that failed is one warning line.
 * Killing pipemon itself (SIGKILL) skips the end phase: "in progress" stays 1 with its start
 * time, which is what the hung-run `slaBreach` rule reads.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { DATADOG_DEFAULT_SITE } from "../lib/datadog-query.js";
import { expandReferences, type EnvLookup } from "../lib/env-ref.js";
import { SIGNALS } from "../model/signals.js";
import type { Pipeline, Project, SignalKey } from "../model/types.js";
import { hasErrors } from "../spec/diagnostics.js";
import { detectFiles, loadSpecs, type LoadResult } from "../spec/index.js";
import { pushGroups, pushgatewayTarget, redactUrl, type FamilyUpdate, type GroupUpdate, type PushgatewayTarget } from "../targets/pushgateway/index.js";
import { parseStats, type RunCounts } from "./run-stats.js";
import { sampleUsage, type UsagePeaks } from "./run-usage.js";

/** How long each phase may wait for the sinks, in total, unless told otherwise. */
export const DEFAULT_SINK_TIMEOUT_MS = 2000;
/** The Pushgateway job label when the spec's selector does not set one. */
export const DEFAULT_PUSHGATEWAY_JOB = "pipemon";
export const STATS_FILE_VARIABLE = "PIPEMON_STATS_FILE";
export const PUSHGATEWAY_URL_VARIABLE = "PIPEMON_PUSHGATEWAY_URL";
/** Signals forwarded to the job: the ones a scheduler or a terminal sends to stop it. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface RunRequest {
  /** The specs directory. */
  root: string;
  pipeline: string;
  environment?: string;
  /** `--records N`: added to the records processed. */
  records?: number;
  command: string;
  args: readonly string[];
  /** The environment: read for settings and handed to the job. */
  env: NodeJS.ProcessEnv;
  sinkTimeoutMs: number;
}

export type RunPreparation =
  | { ok: true; run: PreparedRun }
  /** `load` when the specs themselves are wrong (print its diagnostics), else one line. */
  | { ok: false; message: string; load?: LoadResult };

export interface PreparedRun {
  request: RunRequest;
  project: Project;
  pipeline: Pipeline;
  sinks: Sink[];
  /** Settings problems that do not stop the job (e.g. no sink configured). */
  notes: string[];
}

export interface RunResult {
  /** The job's exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** At most one line per sink, and the stats file's bad lines. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------
// What a run reports: one table for every sink, in the contract's signals.

/** What is known at the start of a run. */
export interface RunStart {
  /** Unix seconds. */
  startedAt: number;
}

/** What is known at its end. */
export interface RunEnd extends RunStart {
  endedAt: number;
  durationSeconds: number;
  outcome: "success" | "failed";
  counts: RunCounts;
  usage: UsagePeaks;
}

/** One value of one signal. Counters carry the run's increment; gauges their value. */
export interface SignalPoint {
  signal: SignalKey;
  /** Labels beyond the signal's selector (status, error_type). */
  labels?: Readonly<Record<string, string>>;
  value: number;
  /**
   * False for the last-success gauge: Datadog reads the last success from the success
   * count (DESIGN §2), which is why its contract name there is the runs metric itself.
   */
  datadog?: false;
}

/** Counters created at 0 at every start, so the first run's increase is seen by the rules. */
const COUNTERS_AT_START: readonly SignalPoint[] = [
  { signal: "runs", labels: { status: "success" }, value: 0 },
  { signal: "runs", labels: { status: "failed" }, value: 0 },
  { signal: "recordsProcessed", value: 0 },
  { signal: "recordsFailed", value: 0 },
  { signal: "bytes", value: 0 },
];

export function startPoints(start: RunStart): SignalPoint[] {
  return [{ signal: "inProgress", value: 1 }, { signal: "startedAt", value: start.startedAt }, ...COUNTERS_AT_START];
}

export function endPoints(end: RunEnd): SignalPoint[] {
  const ok = end.outcome === "success";
  return [
    { signal: "runs", labels: { status: "success" }, value: ok ? 1 : 0 },
    { signal: "runs", labels: { status: "failed" }, value: ok ? 0 : 1 },
    { signal: "duration", value: end.durationSeconds },
    { signal: "inProgress", value: 0 },
    ok ? { signal: "lastSuccess", value: end.endedAt, datadog: false } : { signal: "lastFailure", value: end.endedAt },
    { signal: "recordsProcessed", value: end.counts.recordsProcessed },
    { signal: "recordsFailed", value: end.counts.recordsFailed },
    { signal: "bytes", value: end.counts.bytesProcessed },
    ...Object.keys(end.counts.errors).sort().map((type): SignalPoint => ({ signal: "errors", labels: { error_type: type }, value: end.counts.errors[type]! })),
    { signal: "cpu", value: end.usage.cpu },
    { signal: "memory", value: end.usage.memory },
  ];
}

const isCounter = (signal: SignalKey): boolean => SIGNALS[signal].kind === "counter";

/**
 * The Pushgateway groups of the points. A group's grouping key is `job` plus the labels that
 * select the pipeline's series (`pipeline=<name>` by default, or the spec's `metrics.selector`):
 * those labels then sit on every series of the group, exactly as the rules select them, and
 * one pipeline's runs always replace their own group and nobody else's. `job` is the
 * selector's own when it has one, else `pipemon`. A signal with its own selector gets its
 * own group.
 */
export function pushgatewayGroups(p: Pipeline, points: readonly SignalPoint[]): GroupUpdate[] {
  const groups = new Map<string, { groupingKey: Record<string, string>; families: Map<string, FamilyUpdate> }>();
  for (const point of points) {
    const signal = p.signals[point.signal];
    const groupingKey = { job: DEFAULT_PUSHGATEWAY_JOB, ...signal.matchers };
    const id = JSON.stringify(Object.entries(groupingKey).sort());
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { groupingKey, families: new Map() }));
    const counter = isCounter(point.signal);
    let family = group.families.get(signal.prometheus);
    if (!family) {
      family = { name: signal.prometheus, type: counter ? "counter" : "gauge", help: SIGNALS[point.signal].description, samples: [], op: counter ? "add" : "set" };
      group.families.set(signal.prometheus, family);
    }
    (family.samples as { labels: Record<string, string>; value: number }[]).push({ labels: { ...point.labels }, value: point.value });
  }
  return [...groups.values()].map((g) => ({ groupingKey: g.groupingKey, families: [...g.families.values()] }));
}

/** Datadog series of the points: counters as `count` deltas, gauges as `gauge`, tags `key:value`. */
export function datadogSeries(p: Pipeline, points: readonly SignalPoint[], timestamp: number): { metric: string; type: "count" | "gauge"; tags: string[]; value: number; timestamp: number }[] {
  return points
    .filter((point) => point.datadog !== false)
    .map((point) => {
      const signal = p.signals[point.signal];
      const tags = { ...signal.matchers, ...point.labels };
      return {
        metric: signal.datadog,
        type: isCounter(point.signal) ? ("count" as const) : ("gauge" as const),
        tags: Object.keys(tags).sort().map((k) => `${k}:${tags[k]}`),
        value: point.value,
        timestamp: Math.floor(timestamp),
      };
    });
}

// ---------------------------------------------------------------------------------------
// Sinks.

export interface Sink {
  /** For warnings: what and where, never a secret. */
  describe: string;
  /** Local set-up before the first phase (loading a client): not counted in the phase budget. */
  prepare?(): Promise<void>;
  report(points: readonly SignalPoint[], at: number, signal: AbortSignal): Promise<void>;
}

function pushgatewaySink(p: Pipeline, target: PushgatewayTarget): Sink {
  return {
    describe: `pushgateway ${target.url}`,
    report: (points, _at, signal) => pushGroups(target, pushgatewayGroups(p, points), signal),
  };
}

function datadogSink(p: Pipeline, settings: { apiKey: string; site: string; host?: string }, timeoutMs: number): Sink {
  let intake: typeof import("../targets/datadog/metrics.js") | undefined;
  return {
    describe: `datadog ${settings.host ? redactUrl(settings.host) : settings.site}`,
    // Loaded only when Datadog is configured, and before the phases: loading is local work
    // (a few hundred ms), the phase budget is for waiting on the network.
    prepare: async () => {
      intake = await import("../targets/datadog/metrics.js");
      intake.loadIntakeClient();
    },
    report: async (points, at, signal) => {
      const { submitSeries } = intake ?? (await import("../targets/datadog/metrics.js"));
      await submitSeries(datadogSeries(p, points, at), { apiKey: settings.apiKey, site: settings.site, ...(settings.host ? { host: settings.host } : {}), signal, timeoutMs });
    },
  };
}

/** Sinks for the pipeline's targets: the Pushgateway feeds grafana and prometheus, the intake datadog. */
export function resolveSinks(project: Project, p: Pipeline, env: EnvLookup, timeoutMs: number): { sinks: Sink[]; notes: string[] } {
  const sinks: Sink[] = [];
  const notes: string[] = [];
  const configured = project.metrics?.pushgatewayUrl;
  const reference = configured ?? `\${${PUSHGATEWAY_URL_VARIABLE}}`;
  const url = expandReferences(reference, env);
  if (p.targets.includes("grafana") || p.targets.includes("prometheus")) {
    if (url.missing.length === 0 && url.value.trim() !== "") {
      try {
        sinks.push(pushgatewaySink(p, pushgatewayTarget(url.value.trim())));
      } catch (e) {
        notes.push(`pushgateway: ${(e as Error).message} (from ${configured ? "the config's metrics.pushgateway.url" : PUSHGATEWAY_URL_VARIABLE}): the run is not reported to Prometheus`);
      }
    } else if (configured) {
      notes.push(`pushgateway: metrics.pushgateway.url refers to \${${url.missing[0]}}, which is not set: the run is not reported to Prometheus`);
    }
  }
  if (p.targets.includes("datadog")) {
    const key = expandReferences(project.datadog.apiKey ?? "${DD_API_KEY}", env);
    if (key.missing.length === 0 && key.value.trim() !== "") {
      const site = project.datadog.site ? expandReferences(project.datadog.site, env).value : env("DD_SITE") || DATADOG_DEFAULT_SITE;
      const host = env("DD_HOST");
      sinks.push(datadogSink(p, { apiKey: key.value.trim(), site, ...(host ? { host } : {}) }, timeoutMs));
    }
  }
  if (sinks.length === 0 && notes.length === 0) {
    notes.push(`no metrics sink for ${p.name}: set metrics.pushgateway.url in the config (or ${PUSHGATEWAY_URL_VARIABLE}) and/or DD_API_KEY; the run is not reported`);
  }
  return { sinks, notes };
}

// ---------------------------------------------------------------------------------------
// The run.

/** Loads the specs and finds the pipeline and its sinks; nothing has run yet. */
export function prepareRun(request: RunRequest): RunPreparation {
  const load = loadPipelineSpecs(request);
  if (hasErrors(load.diagnostics)) return { ok: false, message: "the specs have errors: fix them (pipemon validate)", load };
  if (request.environment === undefined && load.environments.length > 0) {
    return { ok: false, message: `the config declares environments (${load.environments.join(", ")}): pass --env <name>, the environment this job runs in` };
  }
  const project = load.projects[0]!;
  const pipeline = project.pipelines.find((p) => p.name === request.pipeline);
  if (!pipeline) {
    const names = project.pipelines.map((p) => p.name);
    const shown = names.slice(0, 10).join(", ") + (names.length > 10 ? ", …" : "");
    return { ok: false, message: `no pipeline named '${request.pipeline}' in ${request.root}/${names.length ? ` (pipelines: ${shown})` : ""}` };
  }
  if (pipeline.type !== "batch") {
    return { ok: false, message: `'${pipeline.name}' is a ${pipeline.type} pipeline: pipemon run reports runs of batch jobs; a stream emits its own metrics (see the metric contract in the README)` };
  }
  const env: EnvLookup = (name) => request.env[name];
  const { sinks, notes } = resolveSinks(project, pipeline, env, request.sinkTimeoutMs);
  return { ok: true, run: { request, project, pipeline, sinks, notes } };
}

/**
 * The config and the spec files that define the pipeline: a job start must not pay for
 * parsing a whole estate (CI's `validate` checks every file). First the files named after
 * it (the usual layout, `<team>/<name>.yaml`), then every file that mentions its name; when
 * neither defines it, everything is loaded, so the error lists the pipelines there are.
 */
function loadPipelineSpecs(request: RunRequest): LoadResult {
  const environment = request.environment !== undefined ? { environment: request.environment } : {};
  const files = detectFiles(request.root);
  const attempt = (pipelines: string[]): LoadResult | undefined => {
    if (pipelines.length === 0 || pipelines.length === files.pipelines.length) return undefined;
    const narrowed = loadSpecs({ root: request.root, files: { ...files, pipelines }, ...environment });
    return narrowed.projects[0]?.pipelines.some((p) => p.name === request.pipeline) ? narrowed : undefined;
  };
  const named = files.pipelines.filter((f) => basename(f).replace(/\.ya?ml$/, "") === request.pipeline);
  const mentioning = (): string[] =>
    files.pipelines.filter((f) => {
      try {
        return readFileSync(f, "utf8").includes(request.pipeline);
      } catch {
        return true;
      }
    });
  return attempt(named) ?? attempt(mentioning()) ?? loadSpecs({ root: request.root, files, ...environment });
}

/** Reports to every sink, in parallel, within `timeoutMs` in total; returns the failures. */
export async function reportPhase(sinks: readonly Sink[], points: readonly SignalPoint[], at: number, timeoutMs: number): Promise<Map<Sink, string>> {
  const failures = new Map<Sink, string>();
  if (sinks.length === 0) return failures;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve("timeout");
    }, timeoutMs);
  });
  await Promise.all(sinks.map(async (sink) => {
    try {
      // The race bounds a sink that ignores the abort; the abort stops its requests.
      const outcome = await Promise.race([sink.report(points, at, controller.signal).then(() => "done" as const), deadline]);
      if (outcome === "timeout") failures.set(sink, `no answer within ${formatSeconds(timeoutMs)}`);
    } catch (e) {
      failures.set(sink, controller.signal.aborted ? `no answer within ${formatSeconds(timeoutMs)}` : oneLine(e));
    }
  }));
  clearTimeout(timer);
  return failures;
}

const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))}s`;
const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim().slice(0, 300);

/** One line per sink that failed, saying which phases were lost. */
export function sinkWarnings(sinks: readonly Sink[], start: Map<Sink, string>, end: Map<Sink, string> | undefined): string[] {
  const lines: string[] = [];
  for (const sink of sinks) {
    const s = start.get(sink);
    const e = end?.get(sink);
    if (!s && !e) continue;
    const lost = s && e ? "the run was not reported" : s ? "the run's start was not reported" : "the run's end was not reported, so it still shows as in progress";
    const reasons = s && e && s !== e ? `start: ${s}; end: ${e}` : (s ?? e)!;
    lines.push(`${sink.describe}: ${reasons}; ${lost} (the job itself is unaffected)`);
  }
  return lines;
}

const nowSeconds = (): number => Date.now() / 1000;

/**
 * Runs the job and reports it. Resolves once the job has ended and the end phase is over;
 * the caller exits with the job's code or re-raises its signal.
 */
export async function executeRun(run: PreparedRun): Promise<RunResult> {
  const { request } = run;
  const timeoutMs = request.sinkTimeoutMs;
  const warnings: string[] = [];
  const sinks: Sink[] = [];
  for (const sink of run.sinks) {
    try {
      await sink.prepare?.();
      sinks.push(sink);
    } catch (e) {
      warnings.push(`${sink.describe}: cannot load its client (${oneLine(e)}); the run is not reported there (the job itself is unaffected)`);
    }
  }
  // Signals that arrive before the job exists are kept and applied instead of starting it.
  let child: ChildProcess | undefined;
  let pendingSignal: NodeJS.Signals | undefined;
  const forward = (sig: NodeJS.Signals): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
    else if (!child) pendingSignal ??= sig;
  };
  for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);

  const statsDir = mkdtempSync(join(tmpdir(), "pipemon-run-"));
  const statsFile = join(statsDir, "stats.jsonl");
  writeFileSync(statsFile, "", { mode: 0o600 });
  try {
    const startedAt = nowSeconds();
    const startFailures = await reportPhase(sinks, startPoints({ startedAt }), startedAt, timeoutMs);

    let exit: { code: number | null; signal: NodeJS.Signals | null };
    let usage: UsagePeaks = { cpu: 0, memory: 0 };
    // The job's own duration: the start phase's wait for the sinks is not part of it.
    const clockStart = performance.now();
    if (pendingSignal) {
      exit = { code: null, signal: pendingSignal };
    } else {
      const spawned = spawn(request.command, [...request.args], { stdio: "inherit", env: { ...request.env, [STATS_FILE_VARIABLE]: statsFile } });
      child = spawned;
      const sampler = spawned.pid !== undefined ? sampleUsage(spawned.pid) : undefined;
      exit = await new Promise((resolve) => {
        spawned.once("error", (e: NodeJS.ErrnoException) => {
          // The command could not start: the shell's codes (127 not found, 126 not executable).
          warnings.push(`cannot run '${request.command}': ${e.code === "ENOENT" ? "command not found" : e.code === "EACCES" ? "permission denied" : e.message}`);
          resolve({ code: e.code === "ENOENT" ? 127 : 126, signal: null });
        });
        spawned.once("exit", (code, signal) => resolve({ code, signal }));
      });
      usage = sampler?.stop() ?? usage;
    }
    const endedAt = nowSeconds();
    const durationSeconds = (performance.now() - clockStart) / 1000;

    const stats = parseStats(readStats(statsFile, warnings), STATS_FILE_VARIABLE);
    warnings.push(...stats.warnings);
    const counts = stats.counts;
    counts.recordsProcessed += request.records ?? 0;

    const end: RunEnd = { startedAt, endedAt, durationSeconds, outcome: exit.code === 0 ? "success" : "failed", counts, usage };
    const endFailures = await reportPhase(sinks, endPoints(end), endedAt, timeoutMs);
    warnings.push(...sinkWarnings(sinks, startFailures, endFailures));
    return { ...exit, warnings };
  } finally {
    for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
    rmSync(statsDir, { recursive: true, force: true });
  }
}

/** A stats file is a few lines; a job that writes gigabytes there is not read whole. */
const MAX_STATS_BYTES = 16 * 1024 * 1024;

function readStats(file: string, warnings: string[]): string {
  try {
    if (statSync(file).size > MAX_STATS_BYTES) {
      warnings.push(`${STATS_FILE_VARIABLE} is larger than ${MAX_STATS_BYTES / 1024 / 1024} MiB: not read, the run's counts are not reported`);
      return "";
    }
    return readFileSync(file, "utf8");
  } catch {
    // The job removed or replaced the file: nothing to count.
    return "";
  }
}
