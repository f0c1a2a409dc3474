/**
 * Contact points and the notification policy tree of the provisioning API: secret
 * redaction per integration type, "[REDACTED]" kept on PUT, references between policies,
 * rules and receivers, provenance, and the default tree of a fresh Grafana.
 */
import { parseModelDuration } from "./durations.js";
import { type RouteTable, bodyObject, fail, json, requestProvenance } from "./http.js";
import { provenanceAllows, provenanceMismatch } from "./provenance.js";
import { type GrafanaState, type StoredContactPoint, MAX_UID_LENGTH, UID_PATTERN, defaultPolicyTree } from "./state.js";
import type { EmbeddedContactPoint, JsonObject, JsonValue, Provenance, Route } from "./types.js";

export const REDACTED = "[REDACTED]";

interface IntegrationType {
  /** Settings Grafana stores encrypted and never returns ("a.b" = nested). */
  secrets: string[];
  /** The validation error of a settings object, or undefined when valid. */
  missing?: (settings: JsonObject) => string | undefined;
}

const requireAll =
  (...fields: string[]) =>
  (settings: JsonObject): string | undefined => {
    const absent = fields.find((f) => settings[f] === undefined || settings[f] === "");
    return absent === undefined ? undefined : `could not find ${absent} property in settings`;
  };

const TLS_SECRETS = ["tlsConfig.caCertificate", "tlsConfig.clientCertificate", "tlsConfig.clientKey"];

/**
 * Grafana 11.4's integrations, keyed by lower-cased type. Secret lists follow Grafana's
 * notifier definitions (checked against fixtures/all-integrations.json).
 */
export const INTEGRATION_TYPES: Record<string, IntegrationType> = {
  "prometheus-alertmanager": { secrets: ["basicAuthPassword"], missing: requireAll("url") },
  dingding: { secrets: ["url"], missing: requireAll("url") },
  discord: { secrets: ["url"], missing: requireAll("url") },
  email: { secrets: [], missing: (s) => (typeof s.addresses === "string" && s.addresses.trim() ? undefined : "could not find addresses in settings") },
  googlechat: { secrets: ["url"], missing: requireAll("url") },
  jira: { secrets: ["user", "password", "api_token"], missing: requireAll("api_url", "project", "issue_type") },
  kafka: { secrets: ["password"], missing: requireAll("kafkaRestProxy", "kafkaTopic") },
  line: { secrets: ["token"], missing: requireAll("token") },
  mqtt: { secrets: ["password", ...TLS_SECRETS], missing: requireAll("brokerUrl", "topic") },
  oncall: { secrets: ["password", "authorization_credentials"], missing: requireAll("url") },
  opsgenie: { secrets: ["apiKey"], missing: requireAll("apiKey") },
  pagerduty: { secrets: ["integrationKey"], missing: (s) => (s.integrationKey ? undefined : "could not find integration key property in settings") },
  pushover: { secrets: ["apiToken", "userKey"], missing: requireAll("userKey", "apiToken") },
  sensugo: { secrets: ["apikey"], missing: requireAll("url", "apikey") },
  slack: {
    secrets: ["token", "url"],
    missing: (s) => {
      if (!s.url && !s.token) return "token must be specified when using the Slack chat API";
      if (!s.url && !s.recipient) return "recipient must be specified when using the Slack chat API";
      return undefined;
    },
  },
  sns: { secrets: ["sigv4.access_key", "sigv4.secret_key"], missing: (s) => (s.topic_arn || s.target_arn || s.phone_number ? undefined : "must specify topicArn, targetArn or phone number") },
  teams: { secrets: [], missing: requireAll("url") },
  telegram: { secrets: ["bottoken"], missing: requireAll("bottoken", "chatid") },
  threema: { secrets: ["api_secret"], missing: requireAll("gateway_id", "recipient_id", "api_secret") },
  victorops: { secrets: ["url"], missing: requireAll("url") },
  webex: { secrets: ["bot_token"], missing: requireAll("room_id") },
  webhook: { secrets: ["password", "authorization_credentials", ...TLS_SECRETS, "hmacConfig.secret"], missing: requireAll("url") },
  wecom: { secrets: ["url", "secret"], missing: (s) => (s.url || (s.secret && s.corp_id && s.agent_id) ? undefined : "either url or secret, corp_id and agent_id must be specified") },
};

function integrationType(type: string): IntegrationType | undefined {
  return INTEGRATION_TYPES[type.toLowerCase()];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readPath(settings: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = settings;
  for (const key of path.split(".")) {
    if (!isObject(node)) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}

function writePath(settings: JsonObject, path: string, value: JsonValue): void {
  const keys = path.split(".");
  let node: JsonObject = settings;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isObject(next)) return;
    node = next as JsonObject;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Settings as Grafana answers them: every secret that has a value becomes "[REDACTED]". */
export function redactSettings(type: string, settings: JsonObject): JsonObject {
  const copy = structuredClone(settings);
  for (const path of integrationType(type)?.secrets ?? []) {
    const value = readPath(copy, path);
    if (value !== undefined && value !== null && value !== "") writePath(copy, path, REDACTED);
  }
  return copy;
}

export function contactPointResponse(cp: StoredContactPoint): EmbeddedContactPoint {
  const answer: EmbeddedContactPoint = {
    uid: cp.uid,
    name: cp.name,
    type: cp.type,
    settings: redactSettings(cp.type, cp.settings),
    disableResolveMessage: cp.disableResolveMessage,
  };
  if (cp.provenance) answer.provenance = cp.provenance;
  return answer;
}

/** Validates a POST/PUT body into a stored contact point (secrets restored by the caller on PUT). */
function parseContactPoint(raw: Record<string, unknown>, uid: string, provenance: Provenance, stored?: StoredContactPoint): StoredContactPoint {
  const name = typeof raw.name === "string" ? raw.name.trim() : "";
  const type = typeof raw.type === "string" ? raw.type : "";
  if (!name) fail(400, "invalid object specification: name is missing");
  if (!type) fail(400, "invalid object specification: type is missing");
  const definition = integrationType(type);
  if (!definition) fail(400, `invalid object specification: type '${type}' is not supported`);
  if (!isObject(raw.settings)) fail(400, "invalid object specification: settings should not be empty");
  const settings = structuredClone(raw.settings) as JsonObject;
  if (stored) {
    // A PUT that sends "[REDACTED]" means "keep what you have".
    for (const path of definition.secrets) {
      if (readPath(settings, path) === REDACTED) {
        const previous = readPath(stored.settings, path);
        if (previous !== undefined) writePath(settings, path, previous);
      }
    }
  }
  const problem = definition.missing?.(settings);
  if (problem) fail(400, `failed to validate integration "${name}" (UID ${uid}) of type "${type}": ${problem}`);
  return { uid, name, type, settings, disableResolveMessage: raw.disableResolveMessage === true, provenance };
}

/** Receiver names referenced anywhere in a policy tree. */
function receiversInTree(route: Route, into = new Set<string>()): Set<string> {
  if (route.receiver) into.add(route.receiver);
  for (const child of route.routes ?? []) receiversInTree(child, into);
  return into;
}

function renameReceiverInTree(route: Route, from: string, to: string): void {
  if (route.receiver === from) route.receiver = to;
  for (const child of route.routes ?? []) renameReceiverInTree(child, from, to);
}

function receiverIsReferenced(state: GrafanaState, name: string): "policy" | "rule" | undefined {
  if (receiversInTree(state.policies.root).has(name)) return "policy";
  for (const rule of state.alertRules.values()) if (rule.notificationSettings?.receiver === name) return "rule";
  return undefined;
}

const MATCH_OPERATORS = new Set(["=", "!=", "=~", "!~"]);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Validates a policy tree as Grafana's PUT does and returns it normalised the way Go's
 * `omitempty` serialises it (no empty lists, no false `continue`, no provenance below the root).
 */
export function validatePolicyTree(state: GrafanaState, root: unknown): Route {
  if (!isObject(root)) fail(400, "bad request data");
  if (!root.receiver) fail(400, "invalid object specification: root route must specify a default receiver");
  for (const key of ["object_matchers", "matchers", "match", "match_re"] as const) {
    const value = root[key];
    if ((Array.isArray(value) && value.length) || (isObject(value) && Object.keys(value).length)) {
      fail(400, "invalid object specification: root route must not have any matchers");
    }
  }
  const receivers = state.receiverNames();
  const visit = (node: unknown): Route => {
    if (!isObject(node)) fail(400, "bad request data");
    const route: Route = {};
    if (node.receiver !== undefined && node.receiver !== "") {
      if (typeof node.receiver !== "string") fail(400, "bad request data");
      if (!receivers.has(node.receiver)) fail(400, `invalid object specification: receiver '${node.receiver}' does not exist`);
      route.receiver = node.receiver;
    }
    const groupBy = node.group_by;
    if (Array.isArray(groupBy) && groupBy.length) {
      if (!groupBy.every((l): l is string => typeof l === "string")) fail(400, "bad request data");
      if (new Set(groupBy).size !== groupBy.length) fail(400, `invalid object specification: duplicated label in group_by: ${groupBy.join(",")}`);
      if (groupBy.includes("...") && groupBy.length > 1) fail(400, "invalid object specification: cannot have wildcard group_by (`...`) and other other labels at the same time");
      const bad = groupBy.find((l) => l !== "..." && !LABEL_NAME.test(l));
      if (bad !== undefined) fail(400, `invalid object specification: invalid label name "${bad}" in group_by list`);
      route.group_by = [...groupBy];
    }
    if (Array.isArray(node.object_matchers) && node.object_matchers.length) {
      for (const m of node.object_matchers) {
        if (!Array.isArray(m) || m.length !== 3 || !m.every((p) => typeof p === "string") || !MATCH_OPERATORS.has(m[1] as string)) {
          fail(400, "bad request data", { detail: "object_matchers must be [label, operator, value] triples" });
        }
      }
      route.object_matchers = node.object_matchers.map((m) => [...(m as string[])]) as Route["object_matchers"];
    }
    if (Array.isArray(node.matchers) && node.matchers.length) route.matchers = node.matchers.map(String);
    if (isObject(node.match) && Object.keys(node.match).length) route.match = { ...(node.match as Record<string, string>) };
    if (isObject(node.match_re) && Object.keys(node.match_re).length) route.match_re = { ...(node.match_re as Record<string, string>) };
    for (const field of ["mute_time_intervals", "active_time_intervals"] as const) {
      const names = node[field];
      if (!Array.isArray(names) || !names.length) continue;
      const missing = names.find((n) => !state.muteTimings.has(String(n)));
      if (missing !== undefined) fail(400, `invalid object specification: ${field === "mute_time_intervals" ? "mute" : "active"} time interval '${String(missing)}' does not exist`);
      route[field] = names.map(String);
    }
    if (node.continue === true) route.continue = true;
    for (const field of ["group_wait", "group_interval", "repeat_interval"] as const) {
      const value = node[field];
      if (value === undefined || value === null || value === "") continue;
      if (typeof value !== "string" || parseModelDuration(value) instanceof Error) fail(400, `invalid object specification: invalid ${field} '${String(value)}'`);
      route[field] = value;
    }
    if (Array.isArray(node.routes) && node.routes.length) route.routes = node.routes.map(visit);
    return route;
  };
  return visit(root);
}

function policyTreeResponse(state: GrafanaState): Route {
  const tree = structuredClone(state.policies.root);
  return state.policies.provenance ? { ...tree, provenance: state.policies.provenance } : tree;
}

export function sortedContactPoints(state: GrafanaState): StoredContactPoint[] {
  return [...state.contactPoints.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/** Creates a contact point (POST and the seed helper share it). */
export function createContactPoint(state: GrafanaState, raw: Record<string, unknown>, provenance: Provenance): StoredContactPoint {
  const uid = typeof raw.uid === "string" && raw.uid !== "" ? raw.uid : state.generateUid();
  if (uid.length > MAX_UID_LENGTH || !UID_PATTERN.test(uid)) fail(400, `invalid object specification: uid '${uid}' is not valid`);
  if (state.contactPoints.has(uid)) fail(400, `contact point with uid '${uid}' already exists`);
  const cp = parseContactPoint(raw, uid, provenance);
  state.contactPoints.set(uid, cp);
  return cp;
}

export function registerNotificationRoutes(routes: RouteTable, state: GrafanaState): void {
  routes
    .add("GET", "/api/v1/provisioning/contact-points", (req) => {
      const name = req.query.get("name");
      const points = sortedContactPoints(state).filter((cp) => name === null || cp.name === name);
      return json(200, points.map(contactPointResponse));
    })
    .add("POST", "/api/v1/provisioning/contact-points", (req) => {
      const cp = createContactPoint(state, bodyObject(req), requestProvenance(req));
      return json(202, contactPointResponse(cp));
    })
    .add("PUT", "/api/v1/provisioning/contact-points/{uid}", (req) => {
      const uid = req.params.uid ?? "";
      const stored = state.contactPoints.get(uid);
      if (!stored) fail(404, "contact point not found");
      const provenance = requestProvenance(req);
      if (!provenanceAllows(stored.provenance, provenance)) throw provenanceMismatch(stored.provenance, provenance);
      const updated = parseContactPoint(bodyObject(req), uid, provenance, stored);
      state.contactPoints.set(uid, updated);
      if (updated.name !== stored.name && !state.receiverNames().has(stored.name)) {
        // The receiver was renamed: Grafana carries the new name into routes and rules.
        renameReceiverInTree(state.policies.root, stored.name, updated.name);
        for (const rule of state.alertRules.values()) {
          if (rule.notificationSettings?.receiver === stored.name) rule.notificationSettings.receiver = updated.name;
        }
      }
      return json(202, { message: "contactpoint updated" });
    })
    .add("DELETE", "/api/v1/provisioning/contact-points/{uid}", (req) => {
      const stored = state.contactPoints.get(req.params.uid ?? "");
      if (stored) {
        const provenance = requestProvenance(req);
        if (!provenanceAllows(stored.provenance, provenance)) throw provenanceMismatch(stored.provenance, provenance);
        const lastOfReceiver = [...state.contactPoints.values()].filter((cp) => cp.name === stored.name).length === 1;
        const usedBy = lastOfReceiver ? receiverIsReferenced(state, stored.name) : undefined;
        if (usedBy) {
          fail(409, `contact point '${stored.name}' is currently used by ${usedBy === "policy" ? "a notification policy" : "an alert rule"}`, {
            messageId: "alerting.notifications.contact-points.referenced",
            statusCode: 409,
          });
        }
        state.contactPoints.delete(stored.uid);
      }
      return json(202, { message: "contactpoint deleted" });
    })
    .add("GET", "/api/v1/provisioning/policies", () => json(200, policyTreeResponse(state)))
    .add("PUT", "/api/v1/provisioning/policies", (req) => {
      const provenance = requestProvenance(req);
      if (!provenanceAllows(state.policies.provenance, provenance)) throw provenanceMismatch(state.policies.provenance, provenance);
      const root = validatePolicyTree(state, bodyObject(req));
      state.policies = { root, provenance };
      return json(202, { message: "policies updated" });
    })
    .add("DELETE", "/api/v1/provisioning/policies", () => {
      state.policies = { root: defaultPolicyTree(), provenance: "" };
      return json(202, policyTreeResponse(state));
    });
}
