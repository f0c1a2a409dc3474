/**
 * The desired live resources of one project (the base or one environment), compiled in
 * memory from the specs with the same compilers as `generate`: plan never trusts a possibly
 * stale `generated/`. Bodies keep secret references as `${ENV}` placeholders.
 */
import { ownerSelected, type Selection } from "../model/identity.js";
import type { Project } from "../model/types.js";
import type { DesiredResource, LiveResource, TargetName } from "../plan/resource.js";
import { LIVE_TARGETS } from "../targets/index.js";
import { closest } from "../lib/suggest.js";

export type { Selection };
export { selects } from "../model/identity.js";

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

export function desiredResources(project: Project, targets: readonly TargetName[], selection?: Selection): DesiredResource[] {
  return LIVE_TARGETS.filter((t) => targets.includes(t.name)).flatMap((t) => t.desired(project, selection));
}
