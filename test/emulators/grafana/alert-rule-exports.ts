/**
 * The alert-rule exports: GET /api/v1/provisioning/alert-rules/export (filters folderUid,
 * group, ruleUid) and GET .../folder/{folderUid}/rule-groups/{group}/export, in the file
 * provisioning format of fixtures/post-rulegroup-101-export.json. The export is the only
 * list that carries each group's interval, which is why clients read it.
 */
import { stringify as toYaml } from "yaml";
import { formatModelDuration } from "./durations.js";
import { type ApiRequest, type ApiResponse, type RouteTable, fail } from "./http.js";
import { type GrafanaState, type StoredAlertRule, ORG_ID, type StoredRuleGroup, ruleGroupKey } from "./state.js";

/** swagger AlertQueryExport: like AlertQuery, `queryType` omitempty. */
interface AlertQueryExport {
  refId: string;
  queryType?: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: unknown;
}

/** swagger AlertRuleExport (11.4): `for` and the optional fields are omitempty. */
interface AlertRuleExport {
  uid: string;
  title: string;
  condition?: string;
  data: AlertQueryExport[];
  noDataState?: string;
  execErrState?: string;
  for?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  isPaused: boolean;
  notification_settings?: unknown;
  record?: unknown;
}

interface AlertRuleGroupExport {
  orgId: number;
  name: string;
  /** The folder's title, not its uid. */
  folder: string;
  interval: string;
  rules: AlertRuleExport[];
}

interface AlertingFileExport {
  apiVersion: 1;
  groups: AlertRuleGroupExport[];
}

function ruleExport(rule: StoredAlertRule): AlertRuleExport {
  // Built in Go struct order; isPaused is (re)assigned below so it lands after the optional fields.
  const answer: Omit<AlertRuleExport, "isPaused"> & { isPaused?: boolean } = {
    uid: rule.uid,
    title: rule.title,
    ...(rule.record ? {} : { condition: rule.condition }),
    data: rule.data.map((q) => ({
      refId: q.refId,
      ...(q.queryType ? { queryType: q.queryType } : {}),
      relativeTimeRange: { ...q.relativeTimeRange },
      datasourceUid: q.datasourceUid,
      model: structuredClone(q.model),
    })),
  };
  if (!rule.record) {
    answer.noDataState = rule.noDataState;
    answer.execErrState = rule.execErrState;
  }
  if (rule.forMs) answer.for = formatModelDuration(rule.forMs);
  if (Object.keys(rule.annotations).length) answer.annotations = { ...rule.annotations };
  if (Object.keys(rule.labels).length) answer.labels = { ...rule.labels };
  answer.isPaused = rule.isPaused;
  if (rule.notificationSettings) answer.notification_settings = structuredClone(rule.notificationSettings);
  if (rule.record) answer.record = { ...rule.record };
  return answer as AlertRuleExport;
}

function groupExport(state: GrafanaState, group: StoredRuleGroup, rules: StoredAlertRule[]): AlertRuleGroupExport {
  return {
    orgId: ORG_ID,
    name: group.title,
    folder: state.folders.get(group.folderUID)?.title ?? "",
    interval: formatModelDuration(group.intervalSeconds * 1000),
    rules: rules.map(ruleExport),
  };
}

/** Groups in a stable order: by folder title, folder uid, then group name. */
function exportedGroups(state: GrafanaState, folderUids: string[]): AlertRuleGroupExport[] {
  const groups = [...state.ruleGroups.values()].filter((g) => !folderUids.length || folderUids.includes(g.folderUID));
  const key = (g: StoredRuleGroup) => [state.folders.get(g.folderUID)?.title ?? "", g.folderUID, g.title];
  groups.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as string) < (kb[i] as string) ? -1 : 1;
    return 0;
  });
  return groups.map((g) => groupExport(state, g, state.rulesOfGroup(g.folderUID, g.title))).filter((g) => g.rules.length);
}

/** JSON when asked for (format=json or an Accept with "json"), YAML otherwise, as Grafana decides. */
function exportAnswer(req: ApiRequest, document: AlertingFileExport): ApiResponse {
  const format = req.query.get("format");
  const accept = String(req.headers.accept ?? "");
  const asJson = format === "json" || (format !== "yaml" && accept.includes("json"));
  if (format === "hcl") fail(400, "the emulator does not export HCL");
  return asJson ? { status: 200, body: document } : { status: 200, text: toYaml(document), headers: { "content-type": "text/yaml" } };
}

export function registerAlertRuleExportRoutes(routes: RouteTable, state: GrafanaState): void {
  const groupExportAnswer = (req: ApiRequest, folderUID: string, title: string): ApiResponse => {
    const group = state.ruleGroups.get(ruleGroupKey(folderUID, title));
    const rules = state.rulesOfGroup(folderUID, title);
    if (!group || !rules.length) fail(404, "rule group does not exist");
    return exportAnswer(req, { apiVersion: 1, groups: [groupExport(state, group, rules)] });
  };

  routes
    .add("GET", "/api/v1/provisioning/alert-rules/export", (req) => {
      const folderUids = req.query.getAll("folderUid").filter((uid) => uid !== "");
      const group = req.query.get("group") ?? "";
      const ruleUid = req.query.get("ruleUid") ?? "";
      if (ruleUid) {
        if (group || folderUids.length) fail(400, "group and folder should not be specified when a single rule is requested");
        const rule = state.alertRules.get(ruleUid);
        if (!rule) fail(404, "could not find alert rule");
        const stored = state.ruleGroups.get(ruleGroupKey(rule.folderUID, rule.ruleGroup));
        if (!stored) fail(404, "could not find alert rule");
        return exportAnswer(req, { apiVersion: 1, groups: [groupExport(state, stored, [rule])] });
      }
      if (group) {
        if (folderUids.length !== 1) fail(400, `group name must be specified together with a single folder_uid parameter. Got ${folderUids.length}`);
        return groupExportAnswer(req, folderUids[0] as string, group);
      }
      const groups = exportedGroups(state, folderUids);
      // No rule at all: an empty 404, as Grafana answers.
      if (!groups.length) return { status: 404 };
      return exportAnswer(req, { apiVersion: 1, groups });
    })
    .add("GET", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}/export", (req) => groupExportAnswer(req, req.params.folderUid ?? "", req.params.group ?? ""));
}
