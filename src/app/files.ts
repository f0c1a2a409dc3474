/** Which compiler output makes up generated/: shared by the main thread and the workers. */
import { datadogPipelineFiles } from "../compile/datadog/index.js";
import { grafanaPipelineFiles, grafanaSharedFiles, grafanaTeamFile, grafanaTeams } from "../compile/grafana/index.js";
import type { OutputFile } from "../compile/output.js";
import { prometheusRuleFile, prometheusSharedFiles, prometheusTeams } from "../compile/prometheus/index.js";
import { runbookFile } from "../compile/runbooks/index.js";
import type { Pipeline, Project } from "../model/types.js";

/** Project-level files every pipeline contributes to (folders, contact points, policy, alertmanager.yml). */
export function* sharedFiles(project: Project): Generator<OutputFile> {
  yield* grafanaSharedFiles(project);
  yield* prometheusSharedFiles(project);
}

/**
 * Project-level files of one team each (the team overviews, the Prometheus rule files), with
 * the pipelines they are compiled from. `unit` names the cache unit: unique per project.
 */
export function* teamFiles(project: Project): Generator<{ unit: string; pipelines: readonly Pipeline[]; file: () => OutputFile }> {
  for (const [team, pipelines] of grafanaTeams(project)) yield { unit: `team:${team}`, pipelines, file: () => grafanaTeamFile(project, team, pipelines) };
  for (const [team, pipelines] of prometheusTeams(project)) yield { unit: `prometheus-rules:${team}`, pipelines, file: () => prometheusRuleFile(project, team, pipelines) };
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
