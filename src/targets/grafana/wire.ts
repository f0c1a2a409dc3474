/**
 * Grafana's wire types, once: the bodies pipemon writes (compile/) and what it reads back
 * (client.ts). A live body carries more than pipemon writes (server-owned fields,
 * defaults), so the read side is the written type's identity fields plus any JSON.
 */
import type { Json } from "../../plan/resource.js";
import type { JsonObject } from "../json.js";

export interface RelativeTimeRange {
  /** Seconds before evaluation time. */
  from: number;
  to: number;
}

export interface AlertQuery {
  refId: string;
  relativeTimeRange: RelativeTimeRange;
  datasourceUid: string;
  model: Record<string, unknown>;
}

/** A rule without the server-owned fields (`id`, `orgID`, `updated`, `provenance`). */
export interface ProvisionedAlertRule {
  uid: string;
  folderUID: string;
  ruleGroup: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  noDataState: "Alerting" | "NoData" | "OK" | "KeepLast";
  execErrState: "OK" | "Alerting" | "Error" | "KeepLast";
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
}

export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  /** Evaluation interval, seconds. */
  interval: number;
  rules: ProvisionedAlertRule[];
}

export interface ContactPoint {
  uid: string;
  name: string;
  type: string;
  settings: Record<string, string | boolean>;
  disableResolveMessage: boolean;
}

/** Body of `POST /api/folders`. */
export interface GrafanaFolder {
  uid: string;
  title: string;
}

/** A Grafana route as the API sends it: omitted fields are inherited from the parent. */
export interface PolicyRoute {
  receiver?: string;
  group_by?: string[];
  object_matchers: [string, "=", string][];
  continue?: boolean;
  routes?: PolicyRoute[];
}

/** `GET /api/folders` item. */
export type FolderHit = GrafanaFolder & { id?: number; parentUid?: string };
/** `GET/POST/PUT /api/folders/{uid}` answer. */
export type Folder = FolderHit & { version?: number; url?: string };

/** `GET /api/v1/provisioning/alert-rules` item: the fields pipemon reads; the rest passes through. */
export type LiveAlertRule = JsonObject & Pick<ProvisionedAlertRule, "uid" | "folderUID" | "ruleGroup" | "title"> & { labels?: { [key: string]: string } };

/** `GET/PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}` body, rules as JSON. */
export type LiveAlertRuleGroup = Omit<AlertRuleGroup, "rules"> & { rules: JsonObject[] };

/** Contact point (one integration) as read back. */
export type LiveContactPoint = JsonObject & Pick<ContactPoint, "uid" | "name" | "type"> & { settings: JsonObject; disableResolveMessage?: boolean };

/** Notification policy route as read back (the root is one too). Unknown fields are kept as they are. */
export type LivePolicyRoute = JsonObject & Pick<PolicyRoute, "receiver"> & { routes?: LivePolicyRoute[]; object_matchers?: Json; matchers?: Json };
