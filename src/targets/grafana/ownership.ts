/**
 * How pipemon recognises its own resources in Grafana (DESIGN §5). Identity says "this is
 * the thing the spec means"; the ownership marker says "pipemon may change or delete it".
 *
 * - Folder: identity and marker are the uid prefix `pipemon-` (folderUid(team)). Grafana
 *   generates short random uids, so a folder in that namespace was made by pipemon. Folders
 *   carry no tags or labels; deleting one is further guarded by its content (folders.ts).
 * - Dashboard: identity is a uid starting `pm-`; marker the tag DASHBOARD_OWNER_TAG. A
 *   dashboard with the tag but another uid is a "Save as" copy (Grafana copies tags) and is
 *   the user's, not pipemon's: it is not listed at all, so prune can never delete it.
 * - Rule group: identity is `<folderUid>/<group>` of any group holding a rule labelled
 *   managed_by=pipemon or living in a pipemon folder; owned when EVERY rule carries the label,
 *   because a PUT replaces the whole group and would delete a rule someone added by hand.
 * - Contact point: identity the name `pipemon-<channel>`; owned when every integration under
 *   that name has uid `pm-cp-<channel>` of the same channel.
 * - Notification policy: the top-level route whose matchers are exactly managed_by=pipemon.
 */
import { contactPointUid, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../model/identity.js";
import type { Json } from "../../plan/resource.js";
import { isJsonObject } from "../json.js";

/** Must equal DASHBOARD_OWNER_TAG of src/compile/grafana/dashboard.ts (a test pins it; targets may not import compile). */
export const DASHBOARD_OWNER_TAG = "managed-by-pipemon";
export const FOLDER_UID_PREFIX = "pipemon-";
export const DASHBOARD_UID_PREFIX = "pm-";
export const CONTACT_POINT_NAME_PREFIX = "pipemon-";

export const isPipemonFolderUid = (uid: string): boolean => uid.startsWith(FOLDER_UID_PREFIX);
export const isPipemonDashboardUid = (uid: string): boolean => uid.startsWith(DASHBOARD_UID_PREFIX);

export function hasOwnerTag(tags: Json | undefined): boolean {
  return Array.isArray(tags) && tags.includes(DASHBOARD_OWNER_TAG);
}

export function hasManagedLabel(labels: Json | undefined): boolean {
  return isJsonObject(labels) && labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** The uid must be the one pipemon derives from the name (contactPointUid of the channel). */
export function contactPointUidMatchesName(uid: string, name: string): boolean {
  if (!name.startsWith(CONTACT_POINT_NAME_PREFIX)) return false;
  return uid === contactPointUid(name.slice(CONTACT_POINT_NAME_PREFIX.length));
}

/** `[["managed_by","=","pipemon"]]` or the string form `managed_by="pipemon"`, and nothing else. */
export function isManagedRoute(route: Json | undefined): boolean {
  if (!isJsonObject(route)) return false;
  const objectMatchers = Array.isArray(route.object_matchers) ? route.object_matchers : [];
  const stringMatchers = Array.isArray(route.matchers) ? route.matchers : [];
  const all = [
    ...objectMatchers.map((m) => (Array.isArray(m) ? m.join("\u0000") : "")),
    ...stringMatchers.map((m) => (typeof m === "string" ? parseMatcher(m)?.join("\u0000") ?? "" : "")),
  ];
  return all.length === 1 && all[0] === [MANAGED_BY_LABEL, "=", MANAGED_BY_VALUE].join("\u0000");
}

/** `name="value"`, `name=~"re"`, `name != value` → [name, op, value]. */
export function parseMatcher(text: string): [string, string, string] | undefined {
  const m = /^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  let value = m[3]!;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      value = value.slice(1, -1);
    }
  }
  return [m[1]!, m[2]!, value];
}
