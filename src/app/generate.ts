/**
 * Use case: validate everything, compile everything, then write. Compilers are pure; this is
 * where their files meet the disk. Pipelines are compiled and compared one at a time, so
 * memory stays flat on estates of ten thousand pipelines; changed files are staged and only
 * renamed into place once every unit compiled (see lib/output-tree.ts), so an error midway
 * leaves the previous tree as it was. On large estates the pipelines are split between
 * worker threads so every core serialises and compares files.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { stableJson } from "../lib/stable-json.js";
import { OutputRefusal, OutputTree, type TreeReport } from "../lib/output-tree.js";
import type { Pipeline, Project } from "../model/types.js";
import { inputHash, UnitCache } from "../lib/unit-cache.js";
import { CompileFailure, compileUnit, pipelineFiles, sharedFiles, teamFiles, unitName, type PipelineJob } from "./files.js";
import type { OutputFile } from "../compile/output.js";
import type { WorkerResult, WorkerTask } from "./generate-worker.js";
import { hasErrors } from "../spec/diagnostics.js";
import { detectFiles, loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { SCHEMA } from "../spec/v1/schema.js";

export { OutputRefusal, MANIFEST } from "../lib/output-tree.js";
export { CompileFailure } from "./files.js";

import { SCHEMA_PATH } from "./output-layout.js";
export { SCHEMA_PATH };

/**
 * Every file an older pipemon (before the manifest) could have written besides the schema. A
 * folder without a manifest that holds the published schema and only such files is adopted
 * once as pipemon's (its stale files deleted, all recorded in the new manifest); a folder
 * that also holds any other file is refused.
 */
const LEGACY_FILE =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\/)?(?:grafana\/(?:folders|contact-points|notification-policy)\.json|grafana\/(?:dashboards|alert-rules)\/[^/]+\.json|datadog\/monitors\/[^/]+\.json|prometheus\/rules\/[^/]+\.yml|prometheus\/alertmanager\.yml|runbooks\/[^/]+\.md)$/;

export interface GenerateOptions extends LoadOptions {
  /** Output directory, `generated` by default. */
  out: string;
  /** Report stale files instead of writing. */
  check: boolean;
}

export interface GenerateResult {
  load: LoadResult;
  /** Undefined when the specs have errors (nothing was written). */
  tree?: TreeReport;
  fileCount: number;
}

/**
 * Below this many pipelines (summed over environments) a worker's start-up (~150 ms of
 * module loading each) costs more than the second core saves: measured on 2 cores, 1,000
 * pipelines ran slower with two workers (1.04 s) than without (0.87 s); 10,000 ran faster
 * (3.7 s against 5.5 s).
 */
const PARALLEL_MIN_PIPELINES = 2000;

/** Worker threads to use: PIPEMON_WORKERS overrides (0 or 1: none). */
function workerCount(pipelines: number): number {
  const configured = process.env.PIPEMON_WORKERS;
  if (configured !== undefined && /^\d+$/.test(configured)) return Number(configured) > 1 ? Number(configured) : 0;
  if (pipelines < PARALLEL_MIN_PIPELINES) return 0;
  const cores = availableParallelism();
  return cores > 1 ? Math.min(cores, 4) : 0;
}

interface Unit {
  key: string;
  input: string;
  prefix: string;
  project: Project;
  pipeline: Pipeline;
}

/** Splits the units into `n` contiguous slices of about equal size, grouped per project. */
function slices(units: readonly Unit[], n: number): PipelineJob[][] {
  const size = Math.ceil(units.length / n);
  const out: PipelineJob[][] = [];
  for (let i = 0; i < units.length; i += size) {
    const jobs: PipelineJob[] = [];
    for (const { project, pipeline, prefix } of units.slice(i, i + size)) {
      const last = jobs[jobs.length - 1];
      if (last && last.prefix === prefix) (last.project.pipelines as Pipeline[]).push(pipeline);
      else jobs.push({ prefix, project: { ...project, pipelines: [pipeline] } });
    }
    out.push(jobs);
  }
  return out;
}

function startWorker(): Worker {
  return new Worker(new URL("./generate-worker.js", import.meta.url), {
    // A small heap makes the worker collect its garbage instead of growing: its live set is
    // one pipeline's files at a time.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
  });
}

/** Runs a task; a worker's own failure (a compiler bug, a refusal) is its answer, not a rejection. */
function runOn(worker: Worker, task: WorkerTask): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    worker.once("message", (r: WorkerResult) => {
      void worker.terminate();
      resolve(r);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`generate worker exited with code ${code}`));
    });
    worker.postMessage(task);
  });
}

/** The error a worker's failure stands for, as the main thread would have thrown it. */
function workerError(r: Extract<WorkerResult, { ok: false }>): Error {
  if (r.kind === "compile") return new CompileFailure(r.unit ?? "a pipeline", r.message, r.detail);
  if (r.kind === "refusal") return new OutputRefusal(r.message);
  return Object.assign(new Error(r.message), r.code ? { code: r.code } : {});
}

/** The incremental cache of `out`, when enabled and this is a built pipemon (not src/ under test). */
async function openCache(out: string, check: boolean): Promise<UnitCache | undefined> {
  // --check compares real bytes: CI must never trust a cache.
  if (check || process.env.PIPEMON_CACHE === "0" || !existsSync("node_modules")) return undefined;
  const BUILD_ID_MODULE = "../build-id.js";
  // lint-allow-computed-import: dist/build-id.js exists only in the build (written by postbuild.mjs)
  const build = ((await import(BUILD_ID_MODULE).catch(() => undefined)) as { BUILD_ID?: string } | undefined)?.BUILD_ID;
  if (!build) return undefined;
  const absolute = resolve(out);
  return UnitCache.open(join("node_modules", ".cache", "pipemon", `generate-${inputHash(absolute).slice(0, 12)}.json`), build, absolute);
}

const SHARED_UNIT = "#shared";

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const files = detectFiles(options.root, options.paths);
  const cache = await openCache(options.out, options.check);
  // Without a cache every pipeline will be compiled: start the workers now, so their module
  // loading overlaps the parsing (one spec file holds about one pipeline: enough to decide;
  // environments multiply the work, and the pool grows to the real need after loading).
  const pool = cache?.isEmpty() !== false ? Array.from({ length: workerCount(files.pipelines.length) }, startWorker) : [];
  try {
    return await generateWith(options, files, cache, pool);
  } finally {
    // Whatever happened (an I/O error, invalid specs), no worker may outlive the run: an
    // idle one waits for a task forever and keeps the process alive.
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

async function generateWith(options: GenerateOptions, files: ReturnType<typeof detectFiles>, cache: UnitCache | undefined, pool: Worker[]): Promise<GenerateResult> {
  const load = loadSpecs({ ...options, files });
  if (hasErrors(load.diagnostics)) return { load, fileCount: 0 };

  // Refuses (writing nothing) an output folder pipemon must not write; with --env only that
  // environment's files are this run's to produce or delete.
  const tree = OutputTree.open(options.out, {
    check: options.check,
    ...(options.environment !== undefined && load.environments.length > 0 ? { scope: `${options.environment}/` } : {}),
    protect: [{ path: options.root, name: "specs folder" }],
    legacy: { signature: SCHEMA_PATH, accepts: (path) => LEGACY_FILE.test(path) },
  });
  try {
    const records = await compileInto(tree, options, load, cache, pool);
    const report = tree.finish();
    if (cache) {
      // Recorded once the files are in place: the cache notes their size and mtime.
      for (const [key, input, paths] of records) cache.record(key, input, options.out, paths);
      cache.save();
    }
    return { load, tree: report, fileCount: tree.producedCount };
  } catch (e) {
    tree.abandon();
    throw e;
  }
}

/**
 * Compiles every unit, comparing its files with the disk and staging the changed ones. Returns
 * what the cache should record for each unit compiled (key, input hash, paths).
 */
async function compileInto(tree: OutputTree, options: GenerateOptions, load: LoadResult, cache: UnitCache | undefined, pool: Worker[]): Promise<[string, string, string[]][]> {
  const records: [string, string, string[]][] = [];
  tree.write(SCHEMA_PATH, stableJson(SCHEMA));

  /** Writes a project-level unit unless the cache vouches for it. */
  const writeUnit = (key: string, name: string, input: string, files: () => Iterable<OutputFile>): void => {
    const fresh = cache?.fresh(key, input, options.out);
    if (fresh) return tree.skip(fresh.map((f) => f.path));
    const prefix = key.slice(0, key.indexOf("#"));
    const paths: string[] = [];
    for (const file of compileUnit(name, files)) {
      tree.write(prefix + file.path, file.content);
      paths.push(prefix + file.path);
    }
    records.push([key, input, paths]);
  };

  // A unit's input is everything its files are compiled from: the project's settings and the
  // pipeline. Only the cache reads it: without one (--check, PIPEMON_CACHE=0) it is not hashed.
  const unitInput = (text: () => string): string => (cache ? inputHash(text()) : "");
  const dirty: Unit[] = [];
  const projectUnits: (() => void)[] = [];
  const inputOf = new Map<Pipeline, string>();
  for (const project of load.projects) {
    const prefix = project.environment !== undefined ? `${project.environment}/` : "";
    const settings = JSON.stringify({ ...project, pipelines: [] });
    const inputs: string[] = [];
    for (const pipeline of project.pipelines) {
      const unit = { key: prefix + pipeline.name, input: unitInput(() => `${settings}\0${JSON.stringify(pipeline)}`), prefix, project, pipeline };
      inputs.push(unit.input);
      inputOf.set(pipeline, unit.input);
      const fresh = cache?.fresh(unit.key, unit.input, options.out);
      if (fresh) tree.skip(fresh.map((f) => f.path));
      else dirty.push(unit);
    }
    // Project-level units: the shared files depend on every pipeline, a team's overview or
    // rule file only on its own pipelines (so one changed spec rebuilds one of each, not all).
    projectUnits.push(() => {
      writeUnit(prefix + SHARED_UNIT, unitName("shared files", project.environment), unitInput(() => `${settings}\0${inputs.join(",")}`), () => sharedFiles(project));
      for (const { unit, pipelines, file } of teamFiles(project)) {
        writeUnit(`${prefix}#${unit}`, unitName(unit, project.environment), unitInput(() => `${settings}\0${pipelines.map((p) => inputOf.get(p)!).join(",")}`), () => [file()]);
      }
    });
  }

  // One slice per worker, and no more workers than slices: an idle worker waits for a task
  // forever and would keep the process alive.
  const parts = dirty.length > 0 ? slices(dirty, workerCount(dirty.length) || 1) : [];
  const useWorkers = parts.length > 1 || (parts.length === 1 && workerCount(dirty.length) > 0);
  // The pool array is the caller's: workers added here are terminated by its finally too.
  while (useWorkers && pool.length < parts.length) pool.push(startWorker());
  const unitPaths = new Map<string, string[]>();
  if (useWorkers) {
    const running = Promise.all(parts.map((jobs, i) => runOn(pool[i]!, { out: options.out, staging: tree.staging, tag: `w${i}-`, jobs })));
    // The project-level files (team overviews and rule files, shared files) are compiled here
    // while the workers compile the pipelines: compiled first, they kept the workers idle.
    try {
      for (const unit of projectUnits) unit();
    } catch (e) {
      // Whatever the main thread hit, the workers' outcome must not go unobserved (nor their
      // staged files be removed while they still write).
      await running.catch(() => undefined);
      throw e;
    }
    const results = await running;
    // Slices follow the units' order: the first failure reported is the first unit that failed.
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw workerError(failed);
    for (const r of results) {
      if (!r.ok) continue;
      tree.absorb(r.units.flatMap((u) => u.paths), r);
      for (const u of r.units) unitPaths.set(u.key, u.paths);
    }
  } else {
    for (const unit of projectUnits) unit();
    for (const { key, prefix, project, pipeline } of dirty) {
      const paths: string[] = [];
      for (const file of compileUnit(unitName(`pipeline ${pipeline.name}`, project.environment), () => pipelineFiles(project, pipeline))) {
        tree.write(prefix + file.path, file.content);
        paths.push(prefix + file.path);
      }
      unitPaths.set(key, paths);
    }
  }
  if (cache) for (const unit of dirty) records.push([unit.key, unit.input, unitPaths.get(unit.key) ?? []]);
  return records;
}
