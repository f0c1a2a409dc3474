/** Which compiler output makes up generated/: shared by the main thread and the workers. */
import type { OutputFile } from "../compile/output.js";
import { playbookFile, runbookFile } from "../compile/runbooks/index.js";
import type { Pipeline, Project } from "../model/types.js";
import { RUNBOOK_DATADOG_QUERIES, TARGETS, type TeamFile } from "../targets/index.js";

/** Project-level files every pipeline contributes to (folders, contact points, policy, alertmanager.yml, the runbooks' playbook). */
export function* sharedFiles(project: Project): Generator<OutputFile> {
  for (const target of TARGETS) yield* target.sharedFiles(project);
  yield playbookFile(project);
}

/**
 * Project-level files of one team each (the team overviews, the Prometheus rule files), with
 * the pipelines they are compiled from. `unit` names the cache unit: unique per project.
 */
export function* teamFiles(project: Project): Generator<TeamFile> {
  for (const target of TARGETS) yield* target.teamFiles(project);
}

/** Files of one pipeline, on every target it uses, and its runbook. */
export function* pipelineFiles(project: Project, pipeline: Pipeline): Generator<OutputFile> {
  for (const target of TARGETS) yield* target.pipelineFiles(project, pipeline);
  yield runbookFile(project, pipeline, RUNBOOK_DATADOG_QUERIES);
}

/**
 * A compiler threw: a bug in pipemon, not a mistake in the specs. Says what was being compiled;
 * the stack (which does not cross from a worker thread) is kept for PIPEMON_DEBUG.
 */
export class CompileFailure extends Error {
  override readonly name = "CompileFailure";
  constructor(
    readonly unit: string,
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(`internal error compiling ${unit}: ${reason}`);
  }
}

/** What a unit of work is called in a CompileFailure: "pipeline orders-etl (environment staging)". */
export const unitName = (what: string, environment: string | undefined): string => (environment === undefined ? what : `${what} (environment ${environment})`);

/**
 * A unit's files, all compiled before any is compared or staged, so that a compiler that
 * throws is told apart from a failing disk and named.
 */
export function compileUnit(unit: string, files: () => Iterable<OutputFile>): OutputFile[] {
  try {
    return [...files()];
  } catch (e) {
    throw new CompileFailure(unit, e instanceof Error ? e.message : String(e), e instanceof Error ? e.stack : undefined);
  }
}

/** A slice of the work: some pipelines of one project, written under `prefix`. */
export interface PipelineJob {
  prefix: string;
  project: Project;
}
