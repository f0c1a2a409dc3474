/** Grafana's desired live resources of one project: folders, contact points, the policy subtree, dashboards, rule groups. */
import { alertDefinitions } from "../../compile/alert-definitions.js";
import { dashboardUid, folderUid, MANAGED_POLICY_KEY, ruleGroupName, selects, teamDashboardUid, type Selection } from "../../model/identity.js";
import type { Project } from "../../model/types.js";
import type { DesiredResource } from "../../plan/resource.js";
import { plainJson } from "../json.js";
import { alertRuleGroup, contactPoints, folders, grafanaPipelines, grafanaTeams, notificationPolicy, pipelineDashboard, teamDashboard } from "./compile/index.js";

export function grafanaDesired(project: Project, selection?: Selection): DesiredResource[] {
  const out: DesiredResource[] = [];
  const teams = grafanaTeams(project);
  const selectedTeams = [...teams].filter(([team, pipelines]) => !selection || selection.teams.has(team) || pipelines.some((p) => selection.pipelines.has(p.name)));
  const folderByUid = new Map(folders(project).map((f) => [f.uid, f]));
  for (const [team] of selectedTeams) {
    const folder = folderByUid.get(folderUid(team));
    if (folder) out.push({ kind: "grafana-folder", key: folder.uid, body: plainJson(folder), team });
  }
  // Routing is project-wide: a selection narrows the pipelines, not who is told where.
  if (!selection) {
    for (const cp of contactPoints(project)) out.push({ kind: "grafana-contact-point", key: cp.name, body: plainJson(cp) });
    out.push({ kind: "grafana-notification-policy", key: MANAGED_POLICY_KEY, body: plainJson(notificationPolicy(project)) });
  }
  for (const [team, pipelines] of selectedTeams) {
    if (!selection || selection.teams.has(team)) out.push({ kind: "grafana-dashboard", key: teamDashboardUid(team), team, body: plainJson(teamDashboard(project, team, pipelines)) });
  }
  for (const pipeline of grafanaPipelines(project)) {
    if (!selects(selection, pipeline.name, pipeline.team)) continue;
    const defs = alertDefinitions(pipeline);
    const owner = { pipeline: pipeline.name, team: pipeline.team };
    out.push({ kind: "grafana-dashboard", key: dashboardUid(pipeline.name), ...owner, body: plainJson(pipelineDashboard(project, pipeline, defs)) });
    out.push({ kind: "grafana-rule-group", key: `${folderUid(pipeline.team)}/${ruleGroupName(pipeline.name)}`, ...owner, body: plainJson(alertRuleGroup(project, pipeline, defs)) });
  }
  return out;
}

