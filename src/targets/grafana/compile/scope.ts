import type { Pipeline, Project } from "../../../model/types.js";
import { pipelinesByTeam } from "../../../compile/teams.js";

/** The pipelines Grafana resources are generated for: those whose `targets` include it. */
export function grafanaPipelines(project: Project): Pipeline[] {
  return project.pipelines.filter((p) => p.targets.includes("grafana"));
}

/** Teams with at least one Grafana pipeline, sorted, each with its pipelines sorted by name. */
export function grafanaTeams(project: Project): Map<string, Pipeline[]> {
  return pipelinesByTeam(grafanaPipelines(project));
}
