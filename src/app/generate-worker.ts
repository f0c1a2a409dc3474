/**
 * Worker thread of `generate`: compiles and writes the pipelines it is given. Started only
 * for large estates (see generate.ts), before the specs are loaded so that its module
 * loading overlaps the parsing; the task arrives as a message once validation passed.
 */
import { parentPort } from "node:worker_threads";
import { OutputTree } from "../lib/output-tree.js";
import { pipelineFiles, type PipelineJob } from "./files.js";

export interface WorkerTask {
  out: string;
  check: boolean;
  jobs: PipelineJob[];
}

export type WorkerResult =
  | { ok: true; units: { key: string; paths: string[] }[]; changes: { path: string; change: "created" | "updated" | "deleted" }[]; unchanged: number }
  | { ok: false; message: string; code?: string };

function run(task: WorkerTask): WorkerResult {
  try {
    const tree = new OutputTree(task.out, [], task.check);
    const units: { key: string; paths: string[] }[] = [];
    for (const { prefix, project } of task.jobs) {
      for (const pipeline of project.pipelines) {
        const paths: string[] = [];
        for (const file of pipelineFiles(project, pipeline)) {
          tree.write(prefix + file.path, file.content);
          paths.push(prefix + file.path);
        }
        units.push({ key: prefix + pipeline.name, paths });
      }
    }
    return { ok: true, units, changes: tree.report.changes, unchanged: tree.report.unchanged };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, message: err instanceof Error ? err.message : String(e), ...(err.code ? { code: err.code } : {}) };
  }
}

parentPort!.once("message", (task: WorkerTask) => parentPort!.postMessage(run(task)));
