/**
 * Alert rules and rule groups of the provisioning API (/api/v1/provisioning/alert-rules,
 * /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}): validation, `for`
 * normalisation, the fields the server adds to query models, the group replace semantics
 * (missing rules deleted, rules without uid created) and provenance.
 */
import { formatModelDuration, parseModelDuration } from "./durations.js";
import { type ApiRequest, type RouteTable, bodyObject, empty, fail, json, requestProvenance } from "./http.js";
import { provenanceAllows, provenanceChangeFailure, provenanceMismatch } from "./provenance.js";
import { type GrafanaState, type StoredAlertRule, MAX_UID_LENGTH, ORG_ID, UID_PATTERN, ruleGroupKey } from "./state.js";
import type { AlertQuery, AlertRuleGroup, AlertRuleNotificationSettings, ExecErrState, JsonObject, NoDataState, Provenance, ProvisionedAlertRule } from "./types.js";

const NO_DATA_STATES: readonly NoDataState[] = ["Alerting", "NoData", "OK", "KeepLast"];
const EXEC_ERR_STATES: readonly ExecErrState[] = ["OK", "Alerting", "Error", "KeepLast"];
/** Grafana's scheduler tick: group intervals must be a positive multiple of it. */
const BASE_INTERVAL_SECONDS = 10;
/** Interval of a group created by POSTing a single rule (Grafana's default evaluation interval). */
const DEFAULT_GROUP_INTERVAL_SECONDS = 60;
/** What Grafana's AlertQuery.PreSave writes into a query model that lacks them. */
export const DEFAULT_MODEL_INTERVAL_MS = 1000;
export const DEFAULT_MODEL_MAX_DATA_POINTS = 43200;
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** A validated rule as a client sent it, before the server assigns id, timestamps and provenance. */
export type RuleInput = Omit<StoredAlertRule, "id" | "uid" | "groupIndex" | "updated" | "provenance" | "version"> & { uid?: string };

function invalid(what: string): never {
  fail(400, `invalid alert rule: ${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) fail(400, "bad request data", { detail: `${field} must map strings to strings` });
  return { ...(value as Record<string, string>) };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? [...value] : undefined;
}

/** The model with the fields Grafana adds on save. */
function enrichModel(model: JsonObject): JsonObject {
  const enriched: JsonObject = { ...model };
  if (enriched.intervalMs === undefined) enriched.intervalMs = DEFAULT_MODEL_INTERVAL_MS;
  if (enriched.maxDataPoints === undefined) enriched.maxDataPoints = DEFAULT_MODEL_MAX_DATA_POINTS;
  return enriched;
}

/** One `data[]` item re-serialised through Grafana's AlertQuery struct (absent fields → zero values). */
function decodeQuery(raw: unknown): AlertQuery {
  if (!isObject(raw)) fail(400, "bad request data");
  const range = isObject(raw.relativeTimeRange) ? raw.relativeTimeRange : {};
  const model = isObject(raw.model) ? (structuredClone(raw.model) as JsonObject) : {};
  return {
    refId: typeof raw.refId === "string" ? raw.refId : "",
    queryType: typeof raw.queryType === "string" ? raw.queryType : "",
    relativeTimeRange: { from: typeof range.from === "number" ? range.from : 0, to: typeof range.to === "number" ? range.to : 0 },
    datasourceUid: typeof raw.datasourceUid === "string" ? raw.datasourceUid : "",
    model,
  };
}

/** `for` as model.Duration: a string ("0" and "5m" style); JSON numbers do not decode. */
function decodeFor(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "string") fail(400, "bad request data", { detail: "for must be a duration string" });
  const ms = parseModelDuration(value);
  if (ms instanceof Error) fail(400, "bad request data", { detail: ms.message });
  return ms;
}

/**
 * Validates one rule of a request. `group` forces folder and group (rule-group PUT takes
 * them from the path, whatever the rule says).
 */
export function parseRuleInput(state: GrafanaState, raw: unknown, group?: { folderUID: string; ruleGroup: string }): RuleInput {
  if (!isObject(raw)) fail(400, "bad request data");
  const forMs = decodeFor(raw.for);
  const uid = typeof raw.uid === "string" && raw.uid !== "" ? raw.uid : undefined;
  if (uid !== undefined) {
    if (uid.length > MAX_UID_LENGTH) invalid(`uid is too long, max ${MAX_UID_LENGTH} characters`);
    if (!UID_PATTERN.test(uid)) invalid("uid contains illegal characters");
  }
  const folderUID = group?.folderUID ?? (typeof raw.folderUID === "string" ? raw.folderUID : "");
  const ruleGroup = group?.ruleGroup ?? (typeof raw.ruleGroup === "string" ? raw.ruleGroup : "");
  const title = typeof raw.title === "string" ? raw.title : "";
  if (!title) invalid("title is empty");
  if (title.length > 190) invalid("title is longer than 190 characters");
  if (!folderUID) invalid("folderUID is empty");
  if (!ruleGroup) invalid("ruleGroup is empty");
  if (ruleGroup.length > 190) invalid("ruleGroup is longer than 190 characters");
  if (!state.folders.has(folderUID)) fail(400, "folder does not exist");

  if (!Array.isArray(raw.data) || raw.data.length === 0) invalid("no queries or expressions are found");
  const data = raw.data.map(decodeQuery);
  const refIds = data.map((q) => q.refId);
  for (const query of data) {
    if (!query.refId) invalid("refId is empty in a query");
    if (!query.datasourceUid) invalid(`query ${query.refId} has no datasourceUid`);
  }
  if (new Set(refIds).size !== refIds.length) invalid("refIds of queries must be unique");

  const record = isObject(raw.record) ? { metric: String(raw.record.metric ?? ""), from: String(raw.record.from ?? "") } : undefined;
  const condition = typeof raw.condition === "string" ? raw.condition : "";
  if (record) {
    if (!record.metric) invalid("record.metric is empty");
    if (!refIds.includes(record.from)) invalid(`record.from ${record.from} does not exist, must be one of [${refIds.join(" ")}]`);
  } else {
    if (!condition) invalid("condition is empty");
    if (!refIds.includes(condition)) invalid(`condition ${condition} does not exist, must be one of [${refIds.join(" ")}]`);
  }

  // Recording rules carry no alert states; Grafana fills the defaults for them.
  const noDataState = (raw.noDataState ?? (record ? "NoData" : undefined)) as NoDataState;
  const execErrState = (raw.execErrState ?? (record ? "Error" : undefined)) as ExecErrState;
  if (!NO_DATA_STATES.includes(noDataState)) invalid(`unknown no data state option ${String(raw.noDataState ?? "")}`);
  if (!EXEC_ERR_STATES.includes(execErrState)) invalid(`unknown exec error state option ${String(raw.execErrState ?? "")}`);

  const input: RuleInput = {
    ...(uid !== undefined ? { uid } : {}),
    folderUID,
    ruleGroup,
    title,
    condition,
    data,
    noDataState,
    execErrState,
    forMs,
    annotations: stringMap(raw.annotations, "annotations"),
    labels: stringMap(raw.labels, "labels"),
    isPaused: raw.isPaused === true,
  };
  if (record) input.record = record;
  if (isObject(raw.notification_settings)) input.notificationSettings = parseNotificationSettings(state, raw.notification_settings);
  return input;
}

function parseNotificationSettings(state: GrafanaState, raw: Record<string, unknown>): AlertRuleNotificationSettings {
  const receiver = typeof raw.receiver === "string" ? raw.receiver : "";
  if (!receiver) invalid("notification settings: receiver is required");
  if (!state.receiverNames().has(receiver)) invalid(`notification settings: receiver '${receiver}' does not exist`);
  const settings: AlertRuleNotificationSettings = { receiver };
  const groupBy = stringList(raw.group_by);
  if (groupBy?.length) {
    if (!groupBy.includes("...") && !(groupBy.includes("alertname") && groupBy.includes("grafana_folder"))) {
      invalid("notification settings: group by override must contain two required labels: 'alertname' and 'grafana_folder'");
    }
    settings.group_by = groupBy;
  }
  for (const field of ["group_wait", "group_interval", "repeat_interval"] as const) {
    const value = raw[field];
    if (typeof value === "string" && value !== "") {
      if (parseModelDuration(value) instanceof Error) invalid(`notification settings: invalid ${field} '${value}'`);
      settings[field] = value;
    }
  }
  for (const field of ["mute_time_intervals", "active_time_intervals"] as const) {
    const names = stringList(raw[field]);
    if (!names?.length) continue;
    const missing = names.find((n) => !state.muteTimings.has(n));
    if (missing !== undefined) invalid(`notification settings: time interval '${missing}' does not exist`);
    settings[field] = names;
  }
  return settings;
}

/** The stored rule as GET answers it (ProvisionedAlertRule, omitempty fields left out). */
export function ruleResponse(rule: StoredAlertRule): ProvisionedAlertRule {
  const answer: ProvisionedAlertRule = {
    id: rule.id,
    uid: rule.uid,
    orgID: ORG_ID,
    folderUID: rule.folderUID,
    ruleGroup: rule.ruleGroup,
    title: rule.title,
    condition: rule.condition,
    data: structuredClone(rule.data),
    updated: rule.updated,
    noDataState: rule.noDataState,
    execErrState: rule.execErrState,
    for: formatModelDuration(rule.forMs),
    isPaused: rule.isPaused,
  };
  // Insert in Go struct order so the JSON text reads like Grafana's.
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(answer)) {
    if (key === "isPaused") {
      if (Object.keys(rule.annotations).length) ordered.annotations = { ...rule.annotations };
      if (Object.keys(rule.labels).length) ordered.labels = { ...rule.labels };
      if (rule.provenance) ordered.provenance = rule.provenance;
    }
    ordered[key] = value;
  }
  if (rule.notificationSettings) ordered.notification_settings = structuredClone(rule.notificationSettings);
  if (rule.record) ordered.record = { ...rule.record };
  return ordered as unknown as ProvisionedAlertRule;
}

/** A rule of a group PUT body re-encoded through Grafana's struct: what the PUT answer echoes. */
function echoRule(raw: unknown): ProvisionedAlertRule {
  const r = isObject(raw) ? raw : {};
  const forText = typeof r.for === "string" ? parseModelDuration(r.for) : 0;
  const echo: Record<string, unknown> = {
    id: typeof r.id === "number" ? r.id : 0,
    uid: typeof r.uid === "string" ? r.uid : "",
    orgID: typeof r.orgID === "number" ? r.orgID : 0,
    folderUID: typeof r.folderUID === "string" ? r.folderUID : "",
    ruleGroup: typeof r.ruleGroup === "string" ? r.ruleGroup : "",
    title: typeof r.title === "string" ? r.title : "",
    condition: typeof r.condition === "string" ? r.condition : "",
    data: Array.isArray(r.data) ? r.data.map(decodeQuery) : [],
    updated: typeof r.updated === "string" ? r.updated : ZERO_TIME,
    noDataState: r.noDataState ?? "",
    execErrState: r.execErrState ?? "",
    for: formatModelDuration(forText instanceof Error ? 0 : forText),
  };
  if (isObject(r.annotations) && Object.keys(r.annotations).length) echo.annotations = r.annotations;
  if (isObject(r.labels) && Object.keys(r.labels).length) echo.labels = r.labels;
  if (typeof r.provenance === "string" && r.provenance) echo.provenance = r.provenance;
  echo.isPaused = r.isPaused === true;
  if (isObject(r.notification_settings)) echo.notification_settings = r.notification_settings;
  if (isObject(r.record)) echo.record = r.record;
  return echo as unknown as ProvisionedAlertRule;
}

/** The parts of a rule a save compares: Grafana only writes (and re-stamps) rules that changed. */
function ruleContent(rule: Omit<RuleInput, "uid"> & { groupIndex: number }): string {
  return JSON.stringify([
    rule.folderUID,
    rule.ruleGroup,
    rule.groupIndex,
    rule.title,
    rule.condition,
    rule.data.map((q) => ({ ...q, model: enrichModel(q.model) })),
    rule.noDataState,
    rule.execErrState,
    rule.forMs,
    rule.annotations,
    rule.labels,
    rule.isPaused,
    rule.notificationSettings ?? null,
    rule.record ?? null,
  ]);
}

/** Writes a rule (create or update) and returns it; `existing` keeps its id. */
export function storeRule(state: GrafanaState, input: RuleInput, provenance: Provenance, groupIndex: number, existing?: StoredAlertRule): StoredAlertRule {
  const uid = existing?.uid ?? input.uid ?? state.generateUid();
  const { uid: _ignored, ...fields } = input;
  const rule: StoredAlertRule = {
    ...fields,
    data: input.data.map((q) => ({ ...q, model: enrichModel(q.model) })),
    id: existing?.id ?? state.allocateRuleId(),
    uid,
    groupIndex,
    updated: state.now(),
    provenance,
    version: (existing?.version ?? 0) + 1,
  };
  state.alertRules.set(uid, rule);
  return rule;
}

function ensureGroup(state: GrafanaState, folderUID: string, title: string, intervalSeconds?: number): void {
  const key = ruleGroupKey(folderUID, title);
  const group = state.ruleGroups.get(key);
  if (!group) state.ruleGroups.set(key, { folderUID, title, intervalSeconds: intervalSeconds ?? DEFAULT_GROUP_INTERVAL_SECONDS });
  else if (intervalSeconds !== undefined) group.intervalSeconds = intervalSeconds;
}

export function groupResponse(state: GrafanaState, folderUID: string, title: string): AlertRuleGroup | undefined {
  const rules = state.rulesOfGroup(folderUID, title);
  const group = state.ruleGroups.get(ruleGroupKey(folderUID, title));
  if (!rules.length || !group) return undefined;
  return { title, folderUid: folderUID, interval: group.intervalSeconds, rules: rules.map(ruleResponse) };
}

function validateInterval(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) fail(400, "bad request data", { detail: "interval must be an integer number of seconds" });
  if (value <= 0 || value % BASE_INTERVAL_SECONDS !== 0) {
    fail(400, `invalid rule group: interval (${formatModelDuration(value * 1000)}) should be non-zero and divided exactly by scheduler interval: ${BASE_INTERVAL_SECONDS}s`);
  }
  return value;
}

/**
 * PUT of a whole group: rules missing from the payload are deleted, rules without (or with
 * an unknown) uid are created, the others updated in place — only if they changed.
 */
export function replaceRuleGroup(state: GrafanaState, folderUID: string, title: string, body: Record<string, unknown>, provenance: Provenance): void {
  const intervalSeconds = validateInterval(body.interval);
  if (!state.folders.has(folderUID)) fail(400, "folder does not exist");
  const rawRules = body.rules ?? [];
  if (!Array.isArray(rawRules)) fail(400, "bad request data");
  const inputs = rawRules.map((raw) => parseRuleInput(state, raw, { folderUID, ruleGroup: title }));
  const uids = inputs.flatMap((r) => (r.uid ? [r.uid] : []));
  if (new Set(uids).size !== uids.length) invalid("rule uids in a group must be unique");

  const previous = state.ruleGroups.get(ruleGroupKey(folderUID, title));
  const intervalChanged = previous !== undefined && previous.intervalSeconds !== intervalSeconds;
  const kept = new Set(uids);
  const deletions = state.rulesOfGroup(folderUID, title).filter((r) => !kept.has(r.uid));
  const updates = inputs.map((input, index) => ({ input, index, existing: input.uid ? state.alertRules.get(input.uid) : undefined }));
  // Check every provenance before writing anything: Grafana applies the delta in one transaction.
  for (const { existing } of updates) if (existing && !provenanceAllows(existing.provenance, provenance)) throw provenanceChangeFailure(existing.provenance, provenance);
  for (const rule of deletions) if (!provenanceAllows(rule.provenance, provenance)) throw provenanceChangeFailure(rule.provenance, provenance);

  for (const rule of deletions) state.alertRules.delete(rule.uid);
  ensureGroup(state, folderUID, title, intervalSeconds);
  for (const { input, index, existing } of updates) {
    const groupIndex = index + 1;
    if (existing && !intervalChanged && existing.provenance === provenance && ruleContent({ ...existing, groupIndex: existing.groupIndex }) === ruleContent({ ...input, groupIndex })) continue;
    storeRule(state, input, provenance, groupIndex, existing);
  }
  state.pruneEmptyGroups();
}

function deleteRuleGroup(state: GrafanaState, folderUID: string, title: string, provenance: Provenance): boolean {
  const rules = state.rulesOfGroup(folderUID, title);
  if (!rules.length) return false;
  for (const rule of rules) if (!provenanceAllows(rule.provenance, provenance)) throw provenanceMismatch(rule.provenance, provenance);
  for (const rule of rules) state.alertRules.delete(rule.uid);
  state.pruneEmptyGroups();
  return true;
}

export function registerAlertRuleRoutes(routes: RouteTable, state: GrafanaState): void {
  const groupParams = (req: ApiRequest) => ({ folderUID: req.params.folderUid ?? "", group: req.params.group ?? "" });

  routes
    .add("GET", "/api/v1/provisioning/alert-rules", () => json(200, [...state.alertRules.values()].sort((a, b) => a.id - b.id).map(ruleResponse)))
    .add("POST", "/api/v1/provisioning/alert-rules", (req) => {
      const input = parseRuleInput(state, bodyObject(req));
      if (input.uid && state.alertRules.has(input.uid)) {
        // Grafana maps its unique-constraint violation to 400 (409 is only for optimistic-lock conflicts).
        fail(400, "failed to save alert rule: a conflicting alert rule is found: rule UID under the same organisation should be unique");
      }
      ensureGroup(state, input.folderUID, input.ruleGroup);
      const groupIndex = state.rulesOfGroup(input.folderUID, input.ruleGroup).length + 1;
      return json(201, ruleResponse(storeRule(state, input, requestProvenance(req), groupIndex)));
    })
    .add("GET", "/api/v1/provisioning/alert-rules/{uid}", (req) => {
      const rule = state.alertRules.get(req.params.uid ?? "");
      return rule ? json(200, ruleResponse(rule)) : empty(404);
    })
    .add("PUT", "/api/v1/provisioning/alert-rules/{uid}", (req) => {
      const existing = state.alertRules.get(req.params.uid ?? "");
      if (!existing) return empty(404);
      const input = parseRuleInput(state, bodyObject(req));
      const provenance = requestProvenance(req);
      if (!provenanceAllows(existing.provenance, provenance)) throw provenanceChangeFailure(existing.provenance, provenance);
      const movesGroup = input.folderUID !== existing.folderUID || input.ruleGroup !== existing.ruleGroup;
      ensureGroup(state, input.folderUID, input.ruleGroup);
      const groupIndex = movesGroup ? state.rulesOfGroup(input.folderUID, input.ruleGroup).length + 1 : existing.groupIndex;
      const saved = storeRule(state, { ...input, uid: existing.uid }, provenance, groupIndex, existing);
      state.pruneEmptyGroups();
      return json(200, ruleResponse(saved));
    })
    .add("DELETE", "/api/v1/provisioning/alert-rules/{uid}", (req) => {
      const rule = state.alertRules.get(req.params.uid ?? "");
      if (rule) {
        const provenance = requestProvenance(req);
        if (!provenanceAllows(rule.provenance, provenance)) throw provenanceMismatch(rule.provenance, provenance);
        state.alertRules.delete(rule.uid);
        state.pruneEmptyGroups();
      }
      return empty(204);
    })
    .add("GET", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", (req) => {
      const { folderUID, group } = groupParams(req);
      const answer = groupResponse(state, folderUID, group);
      if (!answer) fail(404, "rule group does not exist");
      return json(200, answer);
    })
    .add("PUT", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", (req) => {
      const { folderUID, group } = groupParams(req);
      const body = bodyObject(req);
      replaceRuleGroup(state, folderUID, group, body, requestProvenance(req));
      // Grafana answers with the request body decoded and re-encoded, title and folder from the path.
      const echo: AlertRuleGroup = {
        title: group,
        folderUid: folderUID,
        interval: body.interval as number,
        rules: (Array.isArray(body.rules) ? body.rules : []).map(echoRule),
      };
      return json(200, echo);
    })
    .add("DELETE", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", (req) => {
      const { folderUID, group } = groupParams(req);
      if (!deleteRuleGroup(state, folderUID, group, requestProvenance(req))) fail(404, "rule group does not exist");
      return empty(204);
    });
}
