/**
 * An emulator of the Datadog v1 monitors API (and the v1 metrics intake, series-intake.ts) on
 * 127.0.0.1, faithful to the recorded traffic in
 * test/contracts/datadog for the calls pipemon makes (create, get, update, delete, list,
 * search, validate, can_delete). Tests start it in-process with `startDatadogEmulator()`;
 * `main.ts` runs it as a process. Requests go through the shared fault injector first, then
 * Datadog's order: authentication (403), rate limit (429), the endpoint.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, handleControl, readBody } from "../faults.js";
import {
  ApiError,
  badRequest,
  checkGroupStates,
  FLOAT_SENTINEL,
  monitorView,
  MonitorStore,
  type Creator,
  type JsonObject,
  type SloReference,
  type StoredMonitor,
} from "./monitor-store.js";
import { RateLimiter, rateLimitNameFor, type RateLimit, type RateLimitName } from "./rate-limits.js";
import { acceptSeries, type StoredSeries } from "./series-intake.js";

export { ApiError, MonitorStore, RateLimiter };
export type { Creator, RateLimit, RateLimitName, SloReference, StoredMonitor, StoredSeries };

export interface DatadogEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The valid `DD-API-KEY` (default "emulator-api-key"). */
  apiKey?: string;
  /** The valid `DD-APPLICATION-KEY` (default "emulator-app-key"). */
  appKey?: string;
  /** Overrides of the recorded limits, e.g. `{ post_monitors: { limit: 3, periodSeconds: 0.5 } }`. */
  rateLimits?: Partial<Record<RateLimitName, Partial<RateLimit>>>;
  /** Latency added to every request. */
  latencyMs?: number;
  orgId?: number;
  /** The user that creates monitors through the API. */
  creator?: Creator;
  /** First monitor id handed out (default 1000). */
  firstMonitorId?: number;
}

export interface SeedMonitorInput {
  id?: number;
  name?: string;
  type?: string;
  query?: string;
  message?: string;
  tags?: string[];
  options?: JsonObject;
  priority?: number | null;
  creator?: Creator;
  overallState?: string;
}

export interface EmulatorStateSnapshot {
  monitors: JsonObject[];
  sloReferences: Record<string, SloReference[]>;
}

export interface DatadogEmulator {
  /** Base URL, e.g. `http://127.0.0.1:43123` (what `DD_HOST` / `baseServer` take). */
  url: string;
  apiKey: string;
  appKey: string;
  faults: FaultInjector;
  /** The live monitors and SLO references: read and change them directly in tests. */
  state: MonitorStore;
  rateLimiter: RateLimiter;
  /** Every series the metrics intake (`POST /api/v1/series`) accepted, in order; also `GET /__emulator/series`. */
  series: StoredSeries[];
  /** What `GET /__emulator/state` answers: every monitor as GET answers it, and SLO references. */
  snapshot(): EmulatorStateSnapshot;
  /** A pre-existing monitor, stored as given (no validation). */
  seedMonitor(input?: SeedMonitorInput): StoredMonitor;
  /** Someone else's monitor: another creator, no pipemon tags. */
  seedForeignMonitor(input?: SeedMonitorInput): StoredMonitor;
  /** A monitor with a `pipemon-id:<id>` tag but without the `managed-by:pipemon` marker. */
  seedUnmarkedPipemonMonitor(pipemonId: string, input?: SeedMonitorInput): StoredMonitor;
  /** Makes an SLO reference the monitor, so deleting it needs `force=true`. */
  seedSloReference(monitorId: number, slo?: Partial<SloReference>): SloReference;
  /** Forget all monitors, SLO references, rate-limit windows, faults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export const FOREIGN_CREATOR: Creator = { name: "Someone Else", handle: "someone.else@example.com", email: "someone.else@example.com", id: 7_000_001 };

/** Datadog's answer to a missing or wrong key (recorded, trailing newline included). */
const FORBIDDEN_BODY =
  JSON.stringify({
    status: "error",
    code: 403,
    errors: ["Forbidden"],
    statuspage: "http://status.datadoghq.com",
    twitter: "http://twitter.com/datadogops",
    email: "support@datadoghq.com",
  }) + "\n";

const MONITOR_ID_PATH = /^\/api\/v1\/monitor\/(\d+)$/;
const MONITOR_VALIDATE_PATH = /^\/api\/v1\/monitor\/(\d+)\/validate$/;

export async function startDatadogEmulator(opts: DatadogEmulatorOptions = {}): Promise<DatadogEmulator> {
  const apiKey = opts.apiKey ?? "emulator-api-key";
  const appKey = opts.appKey ?? "emulator-app-key";
  const faults = new FaultInjector();
  faults.latencyMs = opts.latencyMs ?? 0;
  const storeOptions = { orgId: opts.orgId, creator: opts.creator, firstId: opts.firstMonitorId };
  let store = new MonitorStore(storeOptions);
  const rateLimiter = new RateLimiter(opts.rateLimits);

  let sloCounter = 0;
  const emulator: DatadogEmulator = {
    url: "",
    apiKey,
    appKey,
    faults,
    get state() {
      return store;
    },
    rateLimiter,
    series: [],
    snapshot: () => ({
      monitors: [...store.monitors.values()].sort((a, b) => a.id - b.id).map((m) => monitorView(m, "get")),
      sloReferences: Object.fromEntries([...store.sloReferences].map(([id, refs]) => [String(id), refs])),
    }),
    seedMonitor: (input = {}) => seed(store, input),
    seedForeignMonitor: (input = {}) =>
      seed(store, { name: "Someone else's CPU monitor", tags: ["team:someone-else"], creator: FOREIGN_CREATOR, ...input }),
    seedUnmarkedPipemonMonitor: (pipemonId, input = {}) =>
      seed(store, { name: `[pipemon] ${pipemonId} (created by hand)`, tags: [`pipemon-id:${pipemonId}`], ...input }),
    seedSloReference: (monitorId, slo = {}) => {
      store.get(monitorId);
      const ref = { id: slo.id ?? `slo${String(++sloCounter).padStart(29, "0")}`, name: slo.name ?? `SLO ${sloCounter}` };
      store.addSloReference(monitorId, ref);
      return ref;
    },
    reset: () => {
      store = new MonitorStore(storeOptions);
      emulator.series.length = 0;
      rateLimiter.reset();
      faults.clear();
      faults.requests.length = 0;
    },
    close: () => Promise.resolve(),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [`emulator error: ${String(err)}`] });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path.startsWith("/__emulator/")) {
      if (await handleOwnControl(req, res, path)) return;
      await handleControl(faults, req, res, path);
      return;
    }
    if (await faults.intercept(req, res, path, url.search.replace(/^\?/, ""))) return;
    if (path === "/api/v1/series" && req.method === "POST") {
      // The intake needs only the API key (SubmitMetrics' security is apiKeyAuth alone).
      const raw = await readRawBody(req);
      if (req.headers["dd-api-key"] !== apiKey) {
        res.writeHead(403, { "content-type": "application/json" });
        res.end(FORBIDDEN_BODY);
        return;
      }
      const answer = acceptSeries(req.headers, raw, Date.now());
      if (answer.accepted) emulator.series.push(...answer.accepted);
      sendJson(res, answer.status, answer.body);
      return;
    }
    if (req.headers["dd-api-key"] !== apiKey || req.headers["dd-application-key"] !== appKey) {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(FORBIDDEN_BODY);
      return;
    }
    const method = req.method ?? "GET";
    const limit = rateLimiter.take(rateLimitNameFor(method, path));
    if (!limit.allowed) {
      sendJson(res, 429, { errors: ["Too many requests"] }, limit.headers);
      return;
    }
    try {
      const { status, body } = await route(method, path, url.searchParams, req);
      sendJson(res, status, body, limit.headers);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      sendJson(res, err.status, err.body, limit.headers);
    }
  }

  async function route(method: string, path: string, params: URLSearchParams, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const ok = (body: unknown) => ({ status: 200, body });
    if (path === "/api/v1/monitor") {
      if (method === "GET") return ok(store.list(params).map((m) => monitorView(m, "list")));
      if (method === "POST") return ok(monitorView(store.create(await readJsonObject(req)), "create"));
    }
    if (path === "/api/v1/monitor/search" && method === "GET") return ok(store.search(params));
    if (path === "/api/v1/monitor/validate" && method === "POST") return ok(store.validate(await readJsonObject(req)));
    if (path === "/api/v1/monitor/can_delete" && method === "GET") {
      const ids = (params.get("monitor_ids") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (ids.length === 0) throw badRequest("monitor_ids are required");
      if (ids.some((id) => !/^\d+$/.test(id))) throw badRequest("Invalid monitor_ids"); // unverified wording
      return store.canDelete(ids.map(Number));
    }
    const validateExisting = MONITOR_VALIDATE_PATH.exec(path);
    if (validateExisting && method === "POST") return ok(store.validate(await readJsonObject(req), Number(validateExisting[1])));
    const byId = MONITOR_ID_PATH.exec(path);
    if (byId) {
      const id = Number(byId[1]);
      if (method === "GET") {
        const monitor = store.get(id);
        const groupStates = params.get("group_states");
        if (groupStates !== null) checkGroupStates(groupStates);
        return ok(monitorView(monitor, "get", { withDowntimes: params.get("with_downtimes") === "true", withAssets: params.get("with_assets") === "true" }));
      }
      if (method === "PUT") return ok(monitorView(store.update(id, await readJsonObject(req)), "update"));
      if (method === "DELETE") return ok(store.delete(id, /^true$/i.test(params.get("force") ?? "")));
    }
    throw new ApiError(404, { errors: ["Not found"] });
  }

  /** The Datadog-specific control endpoints; the shared ones are in faults.ts. */
  async function handleOwnControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const route = `${req.method} ${path}`;
    if (route === "GET /__emulator/state") {
      sendJson(res, 200, emulator.snapshot());
    } else if (route === "GET /__emulator/series") {
      sendJson(res, 200, emulator.series);
    } else if (route === "POST /__emulator/monitors") {
      sendJson(res, 200, monitorView(seed(store, (await readJsonObject(req)) as SeedMonitorInput), "get"));
    } else if (route === "POST /__emulator/slo_references") {
      const body = await readJsonObject(req);
      sendJson(res, 200, emulator.seedSloReference(Number(body.monitor_id), body as Partial<SloReference>));
    } else if (route === "POST /__emulator/reset") {
      emulator.reset();
      sendJson(res, 200, { ok: true });
    } else {
      return false;
    }
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  emulator.url = `http://127.0.0.1:${port}`;
  emulator.close = () =>
    new Promise<void>((resolve) => {
      faults.releaseHung();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return emulator;
}

function seed(store: MonitorStore, input: SeedMonitorInput): StoredMonitor {
  const query = input.query ?? "avg(last_5m):avg:system.cpu.user{*} > 90";
  return store.seed({
    ...(input.id !== undefined ? { id: input.id } : {}),
    type: input.type ?? "query alert",
    query,
    name: input.name ?? query,
    message: input.message ?? "",
    tags: input.tags ?? [],
    options: input.options ?? { thresholds: { critical: 90 } },
    priority: input.priority ?? null,
    ...(input.creator ? { creator: input.creator } : {}),
    ...(input.overallState ? { overallState: input.overallState } : {}),
  });
}

function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readJsonObject(req: IncomingMessage): Promise<JsonObject> {
  const text = await readBody(req);
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest("Invalid JSON"); // unverified wording
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("Invalid JSON");
  return parsed as JsonObject;
}

/** Writes JSON, with threshold numbers as Python floats (`2.0`) as Datadog does. */
export function toDatadogJson(body: unknown): string {
  const sentinel = JSON.stringify(FLOAT_SENTINEL).slice(1, -1);
  return JSON.stringify(body).replace(new RegExp(`"${sentinel.replace(/\\/g, "\\\\")}([^"]+)"`, "g"), "$1");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(toDatadogJson(body));
}
