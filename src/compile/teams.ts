/** Code-point order: generated output must not depend on the locale it was compiled in. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pipelines grouped by team, teams sorted, each team's pipelines sorted by name. */
export function pipelinesByTeam<P extends { team: string; name: string }>(pipelines: readonly P[]): Map<string, P[]> {
  const teams = new Map<string, P[]>();
  for (const p of pipelines) {
    const members = teams.get(p.team);
    if (members) members.push(p);
    else teams.set(p.team, [p]);
  }
  const sorted = new Map<string, P[]>();
  for (const team of [...teams.keys()].sort(byCodePoint)) sorted.set(team, teams.get(team)!.sort((a, b) => byCodePoint(a.name, b.name)));
  return sorted;
}
