/** Which compiler output makes up generated/: shared by the main thread and the workers. */
import { datadogPipelineFiles } from "../compile/datadog/index.js";
import { grafanaPipelineFiles, grafanaSharedFiles, grafanaTeamFile, grafanaTeams } from "../compile/grafana/index.js";
import type { OutputFile } from "../compile/output.js";
import { runbookFile } from "../compile/runbooks/index.js";
import type { Pipeline, Project } from "../model/types.js";

/** Project-level files every pipeline contributes to (folders, contact points, policy). */
export function* sharedFiles(project: Project): Generator<OutputFile> {
  yield* grafanaSharedFiles(project);
}

/** Project-level files of one team each (the team overviews), with the pipelines they show. */
export function* teamFiles(project: Project): Generator<{ team: string; pipelines: readonly Pipeline[]; file: () => OutputFile }> {
  for (const [team, pipelines] of grafanaTeams(project)) yield { team, pipelines, file: () => grafanaTeamFile(project, team, pipelines) };
}

/** Files of one pipeline, on every target it uses. */
export function* pipelineFiles(project: Project, pipeline: Pipeline): Generator<OutputFile> {
  yield* grafanaPipelineFiles(project, pipeline);
  yield* datadogPipelineFiles(project, pipeline);
  yield runbookFile(project, pipeline);
}

/** A slice of the work: some pipelines of one project, written under `prefix`. */
export interface PipelineJob {
  prefix: string;
  project: Project;
}
