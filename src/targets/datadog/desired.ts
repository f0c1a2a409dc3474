/** Datadog's desired live resources of one project: the monitors of its Datadog pipelines. */
import { monitorKey, pipemonIdOfTags, selects, type Selection } from "../../model/identity.js";
import type { Pipeline, Project } from "../../model/types.js";
import type { DesiredResource } from "../../plan/resource.js";
import { plainJson } from "../json.js";
import { datadogMonitors } from "./compile/index.js";

/** Bodies as generated: links come from grafana.publicUrl, so no message holds a placeholder. */
export function datadogDesired(project: Project, selection?: Selection): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const pipeline of project.pipelines as Pipeline[]) {
    if (!pipeline.targets.includes("datadog") || !selects(selection, pipeline.name, pipeline.team)) continue;
    for (const monitor of datadogMonitors(project, pipeline)) {
      out.push({ kind: "datadog-monitor", key: monitorKey(pipemonIdOfTags(monitor.tags) ?? "", project.environment), pipeline: pipeline.name, team: pipeline.team, body: plainJson(monitor) });
    }
  }
  return out;
}

