/**
 * Worker thread of `generate`: compiles the pipelines it is given, compares their files with
 * the disk and stages the changed ones in the run's staging folder. It never writes into the
 * tree itself: the main thread renames what every thread staged into place once all of them
 * succeeded. Started only for large estates (see generate.ts), before the specs are loaded so
 * that its module loading overlaps the parsing; the task arrives as a message once
 * validation passed.
 */
import { parentPort } from "node:worker_threads";
import { OutputRefusal, StagingWriter, type Change, type StagedFile } from "../lib/output-tree.js";
import { CompileFailure, compileUnit, pipelineFiles, unitName, type PipelineJob } from "./files.js";

export interface WorkerTask {
  out: string;
  /** The run's staging folder; undefined in check mode. */
  staging: string | undefined;
  /** Prefix of this worker's staged file names, unique per thread. */
  tag: string;
  jobs: PipelineJob[];
}

export type WorkerResult =
  | { ok: true; units: { key: string; paths: string[] }[]; changes: Change[]; staged: StagedFile[]; unchanged: number }
  | { ok: false; kind: "compile" | "refusal" | "other"; message: string; code?: string; unit?: string; detail?: string };

function run(task: WorkerTask): WorkerResult {
  try {
    const writer = new StagingWriter(task.out, task.staging, task.tag);
    const units: { key: string; paths: string[] }[] = [];
    for (const { prefix, project } of task.jobs) {
      for (const pipeline of project.pipelines) {
        const paths: string[] = [];
        for (const file of compileUnit(unitName(`pipeline ${pipeline.name}`, project.environment), () => pipelineFiles(project, pipeline))) {
          writer.write(prefix + file.path, file.content);
          paths.push(prefix + file.path);
        }
        units.push({ key: prefix + pipeline.name, paths });
      }
    }
    return { ok: true, units, changes: writer.changes, staged: writer.staged, unchanged: writer.unchanged };
  } catch (e) {
    if (e instanceof CompileFailure) return { ok: false, kind: "compile", message: e.reason, unit: e.unit, ...(e.detail ? { detail: e.detail } : {}) };
    if (e instanceof OutputRefusal) return { ok: false, kind: "refusal", message: e.message };
    const err = e as NodeJS.ErrnoException;
    return { ok: false, kind: "other", message: err instanceof Error ? err.message : String(e), ...(err.code ? { code: err.code } : {}) };
  }
}

parentPort!.once("message", (task: WorkerTask) => parentPort!.postMessage(run(task)));
