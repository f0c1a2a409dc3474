/**
 * The small HTTP vocabulary the Grafana emulator's handlers share: the parsed request, the
 * answer they return, and a route table matched by method and path pattern. Handlers return
 * answers (or throw `ApiError`) instead of writing to the socket, so every answer goes
 * through one place that sets headers the way Grafana does.
 */
import type { Provenance } from "./types.js";

export interface ApiRequest {
  method: string;
  /** Path without the query string, e.g. "/api/folders/abc". */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; undefined when the body was empty. */
  body: unknown;
  /** Path parameters captured by the route pattern (`{uid}` → params.uid), URL-decoded. */
  params: Record<string, string>;
}

/**
 * An answer: a JSON body, a ready-made text body (`text`, e.g. YAML exports; its
 * content-type in `headers`), or no body at all (e.g. 204 or the empty 404 of rules).
 */
export interface ApiResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer with an error status and body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "object" && body !== null && "message" in body ? String((body as { message: unknown }).message) : `HTTP ${status}`);
  }
}

/** Grafana's common error: `{"message": ...}`. */
export function fail(status: number, message: string, extra: Record<string, unknown> = {}): never {
  throw new ApiError(status, { message, ...extra });
}

export function json(status: number, body: unknown): ApiResponse {
  return { status, body };
}

export function empty(status: number): ApiResponse {
  return { status };
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

interface RouteEntry {
  method: string;
  pattern: RegExp;
  paramNames: string[];
  handler: Handler;
}

/** Method + path-template routing ("/api/folders/{uid}"); a parameter matches one path segment. */
export class RouteTable {
  private readonly entries: RouteEntry[] = [];

  add(method: string, template: string, handler: Handler): this {
    const paramNames: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
      paramNames.push(name);
      return "([^/]+)";
    });
    this.entries.push({ method, pattern: new RegExp(`^${source}/?$`), paramNames, handler });
    return this;
  }

  /** The handler and path parameters for a request, or undefined when no route matches. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const entry of this.entries) {
      if (entry.method !== method) continue;
      const m = entry.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      entry.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? "")));
      return { handler: entry.handler, params };
    }
    return undefined;
  }
}

/** Provenance a write gets: only the presence of X-Disable-Provenance matters, not its value. */
export function requestProvenance(req: ApiRequest): Provenance {
  return req.headers["x-disable-provenance"] !== undefined ? "" : "api";
}

/** The request body as an object, or 400 "bad request data" as Grafana's binding answers. */
export function bodyObject(req: ApiRequest): Record<string, unknown> {
  const body = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) fail(400, "bad request data");
  return body as Record<string, unknown>;
}

/** A positive integer query parameter with a default (Grafana treats junk and < 1 as the default). */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number.parseInt(raw, 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function paginate<T>(items: T[], limit: number, page: number): T[] {
  return items.slice((page - 1) * limit, page * limit);
}
