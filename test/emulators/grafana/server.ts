/**
 * The Grafana HTTP API emulator: a node:http server on 127.0.0.1 serving the endpoints
 * pipemon uses, as test/contracts/grafana/README.md describes them. Test code only.
 *
 * Every request passes, in order: the `/__emulator/*` control endpoints (state dump, seed,
 * reset, then the shared fault controls), the shared fault injector, authentication (not for
 * /api/health), and the route table. Tests can also drive everything in-process through the
 * returned object.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, handleControl, readBody } from "../faults.js";
import { registerAlertRuleExportRoutes } from "./alert-rule-exports.js";
import { parseRuleInput, registerAlertRuleRoutes, replaceRuleGroup, storeRule } from "./alert-rules.js";
import { type AuthConfig, type ForbiddenRule, DEFAULT_TOKEN, checkAccess } from "./auth.js";
import { type NewDashboard, type NewFolder, createFolder, registerFolderAndDashboardRoutes, saveDashboard } from "./folders-dashboards.js";
import { ApiError, type ApiRequest, type ApiResponse, RouteTable } from "./http.js";
import { createContactPoint, registerNotificationRoutes, validatePolicyTree } from "./notifications.js";
import { type GrafanaStateSnapshot, type StoredAlertRule, type StoredContactPoint, type StoredDashboard, type StoredFolder, GrafanaState, ruleGroupKey } from "./state.js";
import type { Provenance, Route } from "./types.js";

export { DEFAULT_TOKEN } from "./auth.js";
export type { GrafanaState } from "./state.js";

/** The version GET /api/health reports: the contract's Grafana release. */
export const EMULATED_GRAFANA_VERSION = "11.4.0";
const EMULATED_COMMIT = "b58701869e1a11b696010a6f28bd96b68a2cf0d0";

export interface GrafanaEmulatorOptions {
  /** 0 or absent: an ephemeral port. */
  port?: number;
  /** Accepted bearer token (default DEFAULT_TOKEN). */
  token?: string;
  /** Latency added to every API request. */
  latencyMs?: number;
  /** Accepted basic-auth credentials; default admin/admin as a fresh Grafana. */
  basic?: { user: string; password: string };
  /** Clock for server timestamps (created/updated), for tests that pin them. */
  clock?: () => Date;
}

/** A rule to seed: a ProvisionedAlertRule-shaped object (folderUID and ruleGroup required). */
export interface SeedAlertRule {
  rule: Record<string, unknown>;
  provenance?: Provenance;
  /** Interval of the rule's group when the group is new (seconds, default 60). */
  groupIntervalSeconds?: number;
}

export interface SeedRuleGroup {
  folderUid: string;
  title: string;
  interval: number;
  rules: Array<Record<string, unknown>>;
  provenance?: Provenance;
}

export interface SeedContactPoint {
  contactPoint: Record<string, unknown>;
  provenance?: Provenance;
}

/** Everything `POST /__emulator/seed` accepts (each part optional, applied in this order). */
export interface SeedDocument {
  folders?: NewFolder[];
  dashboards?: NewDashboard[];
  muteTimings?: string[];
  contactPoints?: SeedContactPoint[];
  ruleGroups?: SeedRuleGroup[];
  alertRules?: SeedAlertRule[];
  policies?: { tree: Route; provenance?: Provenance };
}

export interface GrafanaEmulator {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The accepted bearer token. */
  token: string;
  faults: FaultInjector;
  state: GrafanaState;
  /** Mutable auth settings (token, basic credentials, forbidden requests). */
  auth: AuthConfig;
  seedFolder(folder: NewFolder): StoredFolder;
  /** Saves a dashboard as someone else would (overwrite); `provisioned` marks it file-provisioned. */
  seedDashboard(dashboard: NewDashboard): StoredDashboard;
  seedAlertRule(rule: Record<string, unknown>, options?: { provenance?: Provenance; groupIntervalSeconds?: number }): StoredAlertRule;
  seedRuleGroup(group: SeedRuleGroup): StoredAlertRule[];
  seedContactPoint(contactPoint: Record<string, unknown>, provenance?: Provenance): StoredContactPoint;
  /** Replaces the policy tree (validated like a PUT: receivers and mute timings must exist). */
  seedPolicyTree(tree: Route, provenance?: Provenance): void;
  seedMuteTiming(name: string): void;
  seed(document: SeedDocument): void;
  /** Back to a fresh Grafana (default contact point and tree); faults are left alone. */
  reset(): void;
  /** Answer 403 to matching requests (every request when the rule is empty). */
  forbid(rule?: ForbiddenRule): void;
  /** Make /api/health answer 503 `database: failing` (false) or 200 (true). */
  setDatabaseHealthy(healthy: boolean): void;
  snapshot(): GrafanaStateSnapshot;
  close(): Promise<void>;
}

export async function startGrafanaEmulator(opts: GrafanaEmulatorOptions = {}): Promise<GrafanaEmulator> {
  const state = new GrafanaState(opts.clock);
  const faults = new FaultInjector();
  faults.latencyMs = opts.latencyMs ?? 0;
  const auth: AuthConfig = { token: opts.token ?? DEFAULT_TOKEN, basic: opts.basic ?? { user: "admin", password: "admin" }, forbidden: [] };
  let databaseHealthy = true;

  const routes = new RouteTable();
  registerFolderAndDashboardRoutes(routes, state);
  // Before the rule routes: ".../alert-rules/export" would otherwise match ".../alert-rules/{uid}".
  registerAlertRuleExportRoutes(routes, state);
  registerAlertRuleRoutes(routes, state);
  registerNotificationRoutes(routes, state);

  const seedAlertRule = (rule: Record<string, unknown>, options: { provenance?: Provenance; groupIntervalSeconds?: number } = {}): StoredAlertRule => {
    const input = parseRuleInput(state, rule);
    const key = ruleGroupKey(input.folderUID, input.ruleGroup);
    if (!state.ruleGroups.has(key)) state.ruleGroups.set(key, { folderUID: input.folderUID, title: input.ruleGroup, intervalSeconds: options.groupIntervalSeconds ?? 60 });
    const existing = input.uid ? state.alertRules.get(input.uid) : undefined;
    const index = existing?.groupIndex ?? state.rulesOfGroup(input.folderUID, input.ruleGroup).length + 1;
    return storeRule(state, input, options.provenance ?? "", index, existing);
  };
  const seedRuleGroup = (group: SeedRuleGroup): StoredAlertRule[] => {
    replaceRuleGroup(state, group.folderUid, group.title, { interval: group.interval, rules: group.rules }, group.provenance ?? "");
    return state.rulesOfGroup(group.folderUid, group.title);
  };
  const seedContactPoint = (contactPoint: Record<string, unknown>, provenance: Provenance = "") => createContactPoint(state, contactPoint, provenance);
  const seedPolicyTree = (tree: Route, provenance: Provenance = "") => {
    state.policies = { root: validatePolicyTree(state, tree), provenance };
  };
  const seed = (document: SeedDocument) => {
    for (const folder of document.folders ?? []) createFolder(state, folder);
    for (const dashboard of document.dashboards ?? []) saveDashboard(state, { ...dashboard, overwrite: true });
    for (const name of document.muteTimings ?? []) state.muteTimings.add(name);
    for (const cp of document.contactPoints ?? []) seedContactPoint(cp.contactPoint, cp.provenance);
    for (const group of document.ruleGroups ?? []) seedRuleGroup(group);
    for (const rule of document.alertRules ?? []) seedAlertRule(rule.rule, rule);
    if (document.policies) seedPolicyTree(document.policies.tree, document.policies.provenance);
  };

  /** The emulator's own control endpoints; the shared ones (faults, latency, requests) go to handleControl. */
  const handleEmulatorControl = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const route = `${req.method} ${path}`;
    const own = ["GET /__emulator/state", "POST /__emulator/seed", "POST /__emulator/reset"];
    if (!own.includes(route)) return handleControl(faults, req, res, path);
    try {
      if (route === "GET /__emulator/state") {
        writeAnswer(res, { status: 200, body: state.snapshot() });
      } else if (route === "POST /__emulator/seed") {
        const text = await readBody(req);
        seed((text ? JSON.parse(text) : {}) as SeedDocument);
        writeAnswer(res, { status: 200, body: { ok: true } });
      } else {
        state.reset();
        writeAnswer(res, { status: 200, body: { ok: true } });
      }
    } catch (error) {
      writeAnswer(res, errorAnswer(error));
    }
    return true;
  };

  const server = createServer((req, res) => {
    void handleRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) writeAnswer(res, errorAnswer(error));
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (path.startsWith("/__emulator/")) {
      await handleEmulatorControl(req, res, path);
      return;
    }
    if (await faults.intercept(req, res, path, url.search.replace(/^\?/, ""))) return;

    const text = await readBody(req);
    const method = (req.method ?? "GET").toUpperCase();
    const apiRequest: ApiRequest = { method, path, query: url.searchParams, headers: req.headers, body: undefined, params: {} };

    if (method === "GET" && path === "/api/health") {
      const body = { commit: EMULATED_COMMIT, database: databaseHealthy ? "ok" : "failing", version: EMULATED_GRAFANA_VERSION };
      writeAnswer(res, { status: databaseHealthy ? 200 : 503, body });
      return;
    }
    const denied = checkAccess(auth, apiRequest);
    if (denied) {
      writeAnswer(res, denied);
      return;
    }
    const matched = routes.match(method, path);
    if (!matched) {
      writeAnswer(res, { status: 404, body: { message: "Not found" } });
      return;
    }
    if (text.trim() !== "") {
      try {
        apiRequest.body = JSON.parse(text) as unknown;
      } catch {
        writeAnswer(res, { status: 400, body: { message: "bad request data" } });
        return;
      }
    }
    apiRequest.params = matched.params;
    let answer: ApiResponse;
    try {
      answer = await matched.handler(apiRequest);
    } catch (error) {
      answer = errorAnswer(error);
    }
    writeAnswer(res, answer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return auth.token;
    },
    faults,
    state,
    auth,
    seedFolder: (folder) => createFolder(state, folder),
    seedDashboard: (dashboard) => saveDashboard(state, { ...dashboard, overwrite: true }),
    seedAlertRule,
    seedRuleGroup,
    seedContactPoint,
    seedPolicyTree,
    seedMuteTiming: (name) => void state.muteTimings.add(name),
    seed,
    reset: () => state.reset(),
    forbid: (rule = {}) => void auth.forbidden.push(rule),
    setDatabaseHealthy: (healthy) => {
      databaseHealthy = healthy;
    },
    snapshot: () => state.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        faults.releaseHung();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function errorAnswer(error: unknown): ApiResponse {
  if (error instanceof ApiError) return { status: error.status, body: error.body };
  return { status: 500, body: { message: `emulator error: ${error instanceof Error ? error.message : String(error)}` } };
}

function writeAnswer(res: ServerResponse, answer: ApiResponse): void {
  if (answer.text !== undefined) {
    res.writeHead(answer.status, { "content-length": String(Buffer.byteLength(answer.text)), ...answer.headers });
    res.end(answer.text);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, { "content-length": "0", ...answer.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...answer.headers });
  res.end(text);
}
