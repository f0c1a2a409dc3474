import { boundedUid } from "../lib/uid.js";
import type { AlertKey } from "./types.js";

/** Identity rules of DESIGN §5: everything live is found from names in the spec, never a state file. */
export const MANAGED_BY_LABEL = "managed_by";
export const MANAGED_BY_VALUE = "pipemon";

export const folderUid = (team: string): string => boundedUid(`pipemon-${team}`);
export const dashboardUid = (pipeline: string): string => boundedUid(`pm-${pipeline}`);
export const teamDashboardUid = (team: string): string => boundedUid(`pm-team-${team}`);
export const ruleGroupName = (pipeline: string): string => pipeline;
export const ruleUid = (pipeline: string, alert: AlertKey, level: "critical" | "warning"): string =>
  boundedUid(`pm-${pipeline}-${alert}-${level === "critical" ? "c" : "w"}`);
export const contactPointName = (channel: string): string => `pipemon-${channel}`;
export const contactPointUid = (channel: string): string => boundedUid(`pm-cp-${channel}`);
/** `pipemon-id:<pipeline>/<alert>`: the identity tag of a Datadog monitor. */
export const PIPEMON_ID_TAG_PREFIX = "pipemon-id:";
export const datadogIdTag = (pipeline: string, alert: AlertKey): string => `${PIPEMON_ID_TAG_PREFIX}${pipeline}/${alert}`;
/** Plan key of the managed notification-policy subtree (one per Grafana organisation). */
export const MANAGED_POLICY_KEY = "managed-subtree";

/**
 * Plan key of a monitor: its pipemon id, plus `@<env>` when environments are set (the same
 * pipeline/alert exists once per environment in one Datadog org).
 */
export function monitorKey(pipemonId: string, environment?: string): string {
  return environment ? `${pipemonId}@${environment}` : pipemonId;
}

/** The ownership marker on Datadog monitors (tag form of `managed_by=pipemon`). */
export const DATADOG_MANAGED_TAG = "managed-by:pipemon";

/** The runbook an alert links to: the spec's own, else the generated one. */
export function runbookUrl(pipeline: { name: string; runbookUrl?: string }, project: { environment?: string; runbookBaseUrl?: string }): string {
  if (pipeline.runbookUrl) return pipeline.runbookUrl;
  const rel = `${project.environment ? `${project.environment}/` : ""}runbooks/${pipeline.name}.md`;
  return project.runbookBaseUrl ? `${project.runbookBaseUrl}/${rel}` : `generated/${rel}`;
}

/** A literal http(s) URL with no credentials, `${ENV}` or `{{` in it: safe to write into generated files. */
const LITERAL_URL = /^https?:\/\/[^/@\s{}$]+(\/[^\s{}$]*)?$/;

/**
 * The Grafana URL that links in generated files (runbooks, monitor messages) start with:
 * `grafana.publicUrl`, else `grafana.url` when it is a literal URL. Undefined → no links:
 * a `${GRAFANA_URL}` left in a generated file is a dead link wherever it is read.
 */
export function grafanaLinkBase(grafana: { url?: string; publicUrl?: string }): string | undefined {
  if (grafana.publicUrl !== undefined) return grafana.publicUrl;
  return grafana.url !== undefined && LITERAL_URL.test(grafana.url) ? grafana.url.replace(/\/+$/, "") : undefined;
}

export function dashboardUrl(base: string, pipeline: string): string {
  return `${base}/d/${dashboardUid(pipeline)}`;
}

/** Link to one panel of a pipeline dashboard. */
export function panelUrl(base: string, pipeline: string, panelId: number): string {
  return `${dashboardUrl(base, pipeline)}?viewPanel=${panelId}`;
}


const stringsOf = (values: unknown): string[] => (Array.isArray(values) ? values.filter((t): t is string => typeof t === "string") : []);

/** `<pipeline>/<alert>` from a tag list's `pipemon-id:` tag (the smallest when, oddly, several). */
export function pipemonIdOfTags(tags: unknown): string | undefined {
  return stringsOf(tags)
    .filter((t) => t.startsWith(PIPEMON_ID_TAG_PREFIX))
    .map((t) => t.slice(PIPEMON_ID_TAG_PREFIX.length))
    .sort()[0];
}

/** Who a live resource belongs to, from its own data: never parsed out of a (possibly hashed) uid. */
export interface Owner {
  pipeline?: string;
  team?: string;
  /** The team folder it lives in: a team is found by `folderUid(team)` even when hashed. */
  folderUid?: string;
}

/** `team:<t>` and `pipeline:<p>` tags: what pipemon writes on dashboards and monitors. */
export function ownerFromTags(tags: unknown): Owner {
  const list = stringsOf(tags);
  const value = (key: string) => list.find((t) => t.startsWith(`${key}:`))?.slice(key.length + 1);
  const team = value("team");
  const pipeline = value("pipeline");
  return { ...(team ? { team } : {}), ...(pipeline ? { pipeline } : {}) };
}

/** The `team` and `pipeline` labels pipemon writes on every alert rule. */
export function ownerFromLabels(labels: unknown): Owner {
  if (typeof labels !== "object" || labels === null) return {};
  const { team, pipeline } = labels as Record<string, unknown>;
  return { ...(typeof team === "string" && team ? { team } : {}), ...(typeof pipeline === "string" && pipeline ? { pipeline } : {}) };
}

/** What `--select` names: pipelines by name, teams by `team:<name>`. */
export interface Selection {
  pipelines: ReadonlySet<string>;
  teams: ReadonlySet<string>;
}

/**
 * Whether a live resource is one `--select` covers: its pipeline is selected, or its team
 * is, by the team's name or by the uid of the team's folder it lives in. A resource that
 * names no owner (contact points, the policy subtree) belongs to no selection.
 */
export function ownerSelected(owner: Owner | undefined, selection: Selection): boolean {
  if (!owner) return false;
  if (owner.pipeline !== undefined && selection.pipelines.has(owner.pipeline)) return true;
  for (const team of selection.teams) if (owner.team === team || owner.folderUid === folderUid(team)) return true;
  return false;
}

/** Whether a pipeline is in a `--select` (everything is, without one). */
export function selects(selection: Selection | undefined, pipeline: string, team: string): boolean {
  return !selection || ownerSelected({ pipeline, team }, selection);
}

/**
 * Uid of the Grafana dashboard that is the apply lock of one environment. The `_` keeps it
 * out of both pipemon namespaces (folders `pipemon-<team>`, dashboards `pm-…`): it is never
 * listed, planned or pruned as a managed resource.
 */
export const grafanaApplyLockUid = (environment?: string): string => boundedUid(`pipemon_apply_lock${environment ? `_${environment}` : ""}`);
/** Tag of the Datadog monitors that are apply locks (`pipemon-lock:<environment|default>`). */
export const datadogApplyLockTag = (environment?: string): string => `pipemon-lock:${environment ?? "default"}`;
