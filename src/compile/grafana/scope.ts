import type { Pipeline, Project } from "../../model/types.js";

/** The pipelines Grafana resources are generated for: those whose `targets` include it. */
export function grafanaPipelines(project: Project): Pipeline[] {
  return project.pipelines.filter((p) => p.targets.includes("grafana"));
}

/** Teams with at least one Grafana pipeline, sorted, each with its pipelines sorted by name. */
export function grafanaTeams(project: Project): Map<string, Pipeline[]> {
  const teams = new Map<string, Pipeline[]>();
  for (const p of grafanaPipelines(project)) {
    const members = teams.get(p.team);
    if (members) members.push(p);
    else teams.set(p.team, [p]);
  }
  const sorted = new Map<string, Pipeline[]>();
  for (const team of [...teams.keys()].sort(byCodePoint)) {
    sorted.set(team, teams.get(team)!.sort((a, b) => byCodePoint(a.name, b.name)));
  }
  return sorted;
}

/** Code-point order: generated output must not depend on the locale it was compiled in. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
