/**
 * The Grafana compiler: model → files under `generated/[<env>/]grafana/`. Pure functions;
 * only pipelines whose `targets` include grafana get Grafana resources.
 */
import { stableJson } from "../../../lib/stable-json.js";
import type { Pipeline, Project } from "../../../model/types.js";
import { alertDefinitions } from "../../../compile/alert-definitions.js";
import type { OutputFile } from "../../../compile/output.js";
import { alertRuleGroup } from "./alert-rules.js";
import { contactPoints } from "./contact-points.js";
import { pipelineDashboard } from "./dashboard.js";
import { folders } from "./folders.js";
import { notificationPolicy } from "./notification-policy.js";
import { grafanaTeams } from "./scope.js";
import { teamDashboard } from "./team-dashboard.js";

export { alertRuleGroup } from "./alert-rules.js";
export { contactPoints } from "./contact-points.js";
export { DASHBOARD_OWNER_TAG, pipelineDashboard } from "./dashboard.js";
export { folders, folderTitle } from "./folders.js";
export { grafanaRoute, notificationPolicy } from "./notification-policy.js";
export type { AlertRuleGroup, ContactPoint, GrafanaFolder, PolicyRoute, ProvisionedAlertRule } from "../wire.js";
export { grafanaPipelines, grafanaTeams } from "./scope.js";
export { teamDashboard } from "./team-dashboard.js";

export const grafanaPaths = {
  folders: "grafana/folders.json",
  contactPoints: "grafana/contact-points.json",
  notificationPolicy: "grafana/notification-policy.json",
  dashboard: (pipeline: string): string => `grafana/dashboards/${pipeline}.json`,
  teamDashboard: (team: string): string => `grafana/dashboards/team-${team}.json`,
  alertRules: (pipeline: string): string => `grafana/alert-rules/${pipeline}.json`,
} as const;

/**
 * Project-wide files: folders, contact points, the policy subtree, one overview per team.
 * Yielded one at a time: a team of 400 pipelines has a 3.6 MB overview, and building every
 * team's at once held ~90 MB of JSON on a 10,000-pipeline estate.
 */
export function* grafanaProjectFiles(project: Project): Generator<OutputFile> {
  yield* grafanaSharedFiles(project);
  for (const [team, pipelines] of grafanaTeams(project)) yield grafanaTeamFile(project, team, pipelines);
}

/** Files every Grafana pipeline contributes to: folders, contact points, the policy subtree. */
export function* grafanaSharedFiles(project: Project): Generator<OutputFile> {
  yield { path: grafanaPaths.folders, content: stableJson(folders(project)) };
  yield { path: grafanaPaths.contactPoints, content: stableJson(contactPoints(project)) };
  yield { path: grafanaPaths.notificationPolicy, content: stableJson(notificationPolicy(project)) };
}

/** A team's overview dashboard, which depends only on that team's pipelines. */
export function grafanaTeamFile(project: Project, team: string, pipelines: readonly Pipeline[]): OutputFile {
  return { path: grafanaPaths.teamDashboard(team), content: stableJson(teamDashboard(project, team, pipelines)) };
}

/** The files of one pipeline: its dashboard and its rule group; none when it skips Grafana. */
export function grafanaPipelineFiles(project: Project, pipeline: Pipeline): OutputFile[] {
  if (!pipeline.targets.includes("grafana")) return [];
  const defs = alertDefinitions(pipeline);
  return [
    { path: grafanaPaths.dashboard(pipeline.name), content: stableJson(pipelineDashboard(project, pipeline, defs)) },
    { path: grafanaPaths.alertRules(pipeline.name), content: stableJson(alertRuleGroup(project, pipeline, defs)) },
  ];
}
