/** Which compiler output makes up generated/: shared by the main thread and the workers. */
import { datadogPipelineFiles } from "../compile/datadog/index.js";
import { grafanaPipelineFiles, grafanaProjectFiles } from "../compile/grafana/index.js";
import type { OutputFile } from "../compile/output.js";
import { runbookFile } from "../compile/runbooks/index.js";
import type { Pipeline, Project } from "../model/types.js";

/** Files that depend on the whole project: folders, contact points, policy, team overviews. */
export function* projectLevelFiles(project: Project): Generator<OutputFile> {
  yield* grafanaProjectFiles(project);
}

/** Files of one pipeline, on every target it uses. */
export function* pipelineFiles(project: Project, pipeline: Pipeline): Generator<OutputFile> {
  yield* grafanaPipelineFiles(project, pipeline);
  yield* datadogPipelineFiles(project, pipeline);
  yield runbookFile(project, pipeline);
}

/** Every file of one project, relative to its `[<env>/]` directory. */
export function* projectFiles(project: Project): Generator<OutputFile> {
  yield* projectLevelFiles(project);
  for (const pipeline of project.pipelines) yield* pipelineFiles(project, pipeline);
}

/** A slice of the work: some pipelines of one project, written under `prefix`. */
export interface PipelineJob {
  prefix: string;
  project: Project;
}
