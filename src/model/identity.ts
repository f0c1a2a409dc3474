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
export const datadogIdTag = (pipeline: string, alert: AlertKey): string => `pipemon-id:${pipeline}/${alert}`;
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
