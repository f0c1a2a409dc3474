/**
 * Wire shapes of the Grafana 11.4 HTTP API subset the emulator serves, written from
 * test/contracts/grafana (swagger definitions corrected by the fixtures where the
 * README says the swagger is wrong: policy matchers are strings, object_matchers triples).
 * The foundation SDK's types are not used on purpose: they carry those same wire errors.
 */

/** Any JSON value; dashboards and query models are opaque documents to the API. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `provenance` of alerting resources: "" (none, editable in the UI), "api" or "file". */
export type Provenance = "" | "api" | "file";

// ---------------------------------------------------------------- folders and dashboards

/** swagger `Folder`, as answered by GET/POST/PUT /api/folders[/{uid}]. */
export interface FolderResponse {
  id: number;
  uid: string;
  orgId: number;
  title: string;
  url: string;
  hasAcl: boolean;
  canSave: boolean;
  canEdit: boolean;
  canAdmin: boolean;
  canDelete: boolean;
  createdBy: string;
  created: string;
  updatedBy: string;
  updated: string;
  version: number;
  parentUid?: string;
}

/** swagger `FolderSearchHit`, the items of GET /api/folders. */
export interface FolderSearchHit {
  id: number;
  uid: string;
  title: string;
  parentUid?: string;
}

/** swagger `DashboardMeta` (the fields Grafana 11.4 fills for a database dashboard). */
export interface DashboardMeta {
  type: "db";
  canSave: boolean;
  canEdit: boolean;
  canAdmin: boolean;
  canStar: boolean;
  canDelete: boolean;
  slug: string;
  url: string;
  expires: string;
  created: string;
  updated: string;
  updatedBy: string;
  createdBy: string;
  version: number;
  hasAcl: boolean;
  isFolder: boolean;
  folderId: number;
  folderUid: string;
  folderTitle: string;
  folderUrl: string;
  provisioned: boolean;
  provisionedExternalId: string;
  annotationsPermissions: {
    dashboard: { canAdd: boolean; canEdit: boolean; canDelete: boolean };
    organization: { canAdd: boolean; canEdit: boolean; canDelete: boolean };
  };
  publicDashboardEnabled: boolean;
}

/** GET /api/dashboards/uid/{uid}. */
export interface DashboardFullWithMeta {
  dashboard: JsonObject;
  meta: DashboardMeta;
}

/** The body of POST /api/dashboards/db. */
export interface SaveDashboardCommand {
  dashboard?: JsonObject;
  folderUid?: string;
  /** Legacy numeric folder id; accepted, folderUid wins. */
  folderId?: number;
  overwrite?: boolean;
  message?: string;
}

/** The 200 answer of POST /api/dashboards/db. */
export interface SaveDashboardResponse {
  id: number;
  uid: string;
  url: string;
  status: "success";
  version: number;
  slug: string;
  folderUid: string;
}

/** swagger `Hit`: one result of GET /api/search. Folder fields are omitempty (root dashboards lack them). */
export interface SearchHit {
  id: number;
  uid: string;
  title: string;
  uri: string;
  url: string;
  slug: string;
  type: "dash-db" | "dash-folder";
  tags: string[];
  isStarred: boolean;
  folderId?: number;
  folderUid?: string;
  folderTitle?: string;
  folderUrl?: string;
  sortMeta: number;
  isDeleted: boolean;
}

// ---------------------------------------------------------------- alert rules

/** swagger `RelativeTimeRange`: seconds before now. */
export interface RelativeTimeRange {
  from: number;
  to: number;
}

/** swagger `AlertQuery`. */
export interface AlertQuery {
  refId: string;
  queryType: string;
  relativeTimeRange: RelativeTimeRange;
  datasourceUid: string;
  model: JsonObject;
}

/** swagger `AlertRuleNotificationSettings` (simplified routing on a rule). */
export interface AlertRuleNotificationSettings {
  receiver: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
}

/** swagger `Record`: makes the rule a recording rule. */
export interface AlertRuleRecord {
  metric: string;
  from: string;
}

export type NoDataState = "Alerting" | "NoData" | "OK" | "KeepLast";
export type ExecErrState = "OK" | "Alerting" | "Error" | "KeepLast";

/** swagger `ProvisionedAlertRule` as Grafana answers it (annotations, labels, provenance,
 * notification_settings and record are omitempty; `updated` is RFC 3339). */
export interface ProvisionedAlertRule {
  id: number;
  uid: string;
  orgID: number;
  folderUID: string;
  ruleGroup: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  updated: string;
  noDataState: NoDataState;
  execErrState: ExecErrState;
  /** Prometheus model.Duration text, normalised ("5m", "1d", "0s"). */
  for: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  provenance?: Provenance;
  isPaused: boolean;
  notification_settings?: AlertRuleNotificationSettings;
  record?: AlertRuleRecord;
}

/** swagger `AlertRuleGroup`: GET/PUT /api/v1/provisioning/folder/{f}/rule-groups/{g}. `interval` in seconds. */
export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  interval: number;
  rules: ProvisionedAlertRule[];
}

// ---------------------------------------------------------------- notifications

/** swagger `EmbeddedContactPoint`: one integration; integrations sharing a `name` form one receiver. */
export interface EmbeddedContactPoint {
  uid: string;
  name: string;
  type: string;
  settings: JsonObject;
  disableResolveMessage: boolean;
  provenance?: Provenance;
}

/** Matcher triple `[label, op, value]` of `object_matchers`. */
export type ObjectMatcher = [string, "=" | "!=" | "=~" | "!~", string];

/** swagger `Route` corrected by the fixtures: `matchers` are strings, `object_matchers` triples. */
export interface Route {
  receiver?: string;
  group_by?: string[];
  continue?: boolean;
  object_matchers?: ObjectMatcher[];
  matchers?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
  provenance?: Provenance;
}

/** `{"message": ...}`, Grafana's usual error body (some add status, messageId, statusCode). */
export interface ErrorBody {
  message: string;
  status?: string;
  messageId?: string;
  statusCode?: number;
}
