import { folderUid } from "../../../model/identity.js";
import type { Project } from "../../../model/types.js";
import { byCodePoint } from "../../../compile/teams.js";
import { grafanaTeams } from "./scope.js";
import type { GrafanaFolder } from "../wire.js";

/**
 * The folder title shown in Grafana. Prefixed so a team's managed folder never takes the
 * title a human already gave one of their own folders.
 */
export function folderTitle(team: string): string {
  return `pipemon: ${team}`;
}

/** One folder per team that has a Grafana pipeline, sorted by uid. */
export function folders(project: Project): GrafanaFolder[] {
  return [...grafanaTeams(project).keys()]
    .map((team) => ({ uid: folderUid(team), title: folderTitle(team) }))
    .sort((a, b) => byCodePoint(a.uid, b.uid));
}
