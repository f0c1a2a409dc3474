/**
 * The desired live resources of one project (the base or one environment), compiled in
 * memory from the specs with the same compilers as `generate`: plan never trusts a possibly
 * stale `generated/`. Bodies keep secret references as `${ENV}` placeholders.
 */
import { alertDefinitions } from "../compile/alert-definitions.js";
import { datadogMonitors } from "../targets/datadog/compile/index.js";
import {
  alertRuleGroup,
  contactPoints,
  folders,
  grafanaPipelines,
  grafanaTeams,
  notificationPolicy,
  pipelineDashboard,
  teamDashboard,
} from "../targets/grafana/compile/index.js";
import { dashboardUid, folderUid, MANAGED_POLICY_KEY, monitorKey, ownerSelected, pipemonIdOfTags, ruleGroupName, teamDashboardUid, type Selection } from "../model/identity.js";
import type { Pipeline, Project } from "../model/types.js";
import type { DesiredResource, Json, LiveResource, TargetName } from "../plan/resource.js";
import { closest } from "../lib/suggest.js";

export type { Selection };

/** `--select` values, repeatable and comma-separated; undefined when nothing narrows. */
export function parseSelection(selectors: readonly string[] | undefined): Selection | undefined {
  const parts = (selectors ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const pipelines = new Set<string>();
  const teams = new Set<string>();
  for (const s of parts) {
    if (s.startsWith("team:")) teams.add(s.slice(5));
    else pipelines.add(s);
  }
  return { pipelines, teams };
}

export function selects(selection: Selection | undefined, pipeline: string, team: string): boolean {
  return !selection || ownerSelected({ pipeline, team }, selection);
}

/** How many known names the error lists before saying how many more there are. */
const NAMES_LISTED = 12;

const listed = (names: ReadonlySet<string>, prefix = ""): string => {
  const sorted = [...names].sort().map((n) => `${prefix}${n}`);
  return sorted.length === 0 ? "none" : `${sorted.slice(0, NAMES_LISTED).join(", ")}${sorted.length > NAMES_LISTED ? ` (and ${sorted.length - NAMES_LISTED} more)` : ""}`;
};

/**
 * Why a `--select` cannot be planned: one line naming every selector that matches nothing,
 * with a "did you mean" when one is close, and the pipelines and teams there are. A
 * selector matches when the specs have that pipeline or team, or when a live resource
 * pipemon owns names it (a pipeline deleted from the specs is still selected, to prune it).
 * Undefined when every selector matches.
 */
export function selectionProblem(selection: Selection, projects: readonly Project[], live: readonly LiveResource[]): string | undefined {
  const pipelines = new Set(projects.flatMap((p) => p.pipelines.map((x) => x.name)));
  const teams = new Set(projects.flatMap((p) => p.pipelines.map((x) => x.team)));
  const owners = live.filter((l) => l.owned && l.owner).map((l) => l.owner!);
  for (const o of owners) {
    if (o.pipeline !== undefined) pipelines.add(o.pipeline);
    if (o.team !== undefined) teams.add(o.team);
  }
  const none = new Set<string>();
  const matchesLive = (one: Selection) => owners.some((o) => ownerSelected(o, one));
  const unmatched: string[] = [];
  for (const name of selection.pipelines) {
    if (pipelines.has(name) || matchesLive({ pipelines: new Set([name]), teams: none })) continue;
    const near = closest(name, [...pipelines]) ?? (teams.has(name) ? `team:${name}` : undefined);
    unmatched.push(`${name}${near !== undefined ? ` (did you mean ${near}?)` : ""}`);
  }
  for (const team of selection.teams) {
    if (teams.has(team) || matchesLive({ pipelines: none, teams: new Set([team]) })) continue;
    const near = closest(team, [...teams]);
    unmatched.push(`team:${team}${near !== undefined ? ` (did you mean team:${near}?)` : ""}`);
  }
  if (unmatched.length === 0) return undefined;
  const what = unmatched.length === 1 ? "matches no pipeline or team" : "match no pipeline or team";
  return `--select ${unmatched.join(", ")} ${what} in the specs or among pipemon's live resources; pipelines: ${listed(pipelines)}; teams: ${listed(teams, "team:")}`;
}

/** Plain JSON: the SDK's builders return class-free objects, but undefined fields must go. */
const json = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

export function grafanaDesired(project: Project, selection?: Selection): DesiredResource[] {
  const out: DesiredResource[] = [];
  const teams = grafanaTeams(project);
  const selectedTeams = [...teams].filter(([team, pipelines]) => !selection || selection.teams.has(team) || pipelines.some((p) => selection.pipelines.has(p.name)));
  const folderByUid = new Map(folders(project).map((f) => [f.uid, f]));
  for (const [team] of selectedTeams) {
    const folder = folderByUid.get(folderUid(team));
    if (folder) out.push({ kind: "grafana-folder", key: folder.uid, body: json(folder), team });
  }
  // Routing is project-wide: a selection narrows the pipelines, not who is told where.
  if (!selection) {
    for (const cp of contactPoints(project)) out.push({ kind: "grafana-contact-point", key: cp.name, body: json(cp) });
    out.push({ kind: "grafana-notification-policy", key: MANAGED_POLICY_KEY, body: json(notificationPolicy(project)) });
  }
  for (const [team, pipelines] of selectedTeams) {
    if (!selection || selection.teams.has(team)) out.push({ kind: "grafana-dashboard", key: teamDashboardUid(team), team, body: json(teamDashboard(project, team, pipelines)) });
  }
  for (const pipeline of grafanaPipelines(project)) {
    if (!selects(selection, pipeline.name, pipeline.team)) continue;
    const defs = alertDefinitions(pipeline);
    const owner = { pipeline: pipeline.name, team: pipeline.team };
    out.push({ kind: "grafana-dashboard", key: dashboardUid(pipeline.name), ...owner, body: json(pipelineDashboard(project, pipeline, defs)) });
    out.push({ kind: "grafana-rule-group", key: `${folderUid(pipeline.team)}/${ruleGroupName(pipeline.name)}`, ...owner, body: json(alertRuleGroup(project, pipeline, defs)) });
  }
  return out;
}

/** Bodies as generated: links come from grafana.publicUrl, so no message holds a placeholder. */
export function datadogDesired(project: Project, selection?: Selection): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const pipeline of project.pipelines as Pipeline[]) {
    if (!pipeline.targets.includes("datadog") || !selects(selection, pipeline.name, pipeline.team)) continue;
    for (const monitor of datadogMonitors(project, pipeline)) {
      out.push({ kind: "datadog-monitor", key: monitorKey(pipemonIdOfTags(monitor.tags) ?? "", project.environment), pipeline: pipeline.name, team: pipeline.team, body: json(monitor) });
    }
  }
  return out;
}

export function desiredResources(project: Project, targets: readonly TargetName[], selection?: Selection): DesiredResource[] {
  return [
    ...(targets.includes("grafana") ? grafanaDesired(project, selection) : []),
    ...(targets.includes("datadog") ? datadogDesired(project, selection) : []),
  ];
}
