/**
 * pipemon's own Grafana HTTP client: typed bodies for exactly the endpoints plan and apply
 * use (see test/contracts/grafana/README.md), over Node's global fetch. Every request
 * goes through `withRetry` and the target's circuit breaker; failures become one-line,
 * secret-free `TargetError`s a user can act on.
 */
import { boundedLine, runSecrets, scrubSecrets, urlCredentials, withoutCredentials } from "../../lib/scrub.js";
import type { Json } from "../../plan/resource.js";
import { TargetError } from "../handler.js";
import type { JsonObject } from "../json.js";
import { CircuitOpenError, classifyStatus, defaultRetryPolicy, isTransportFault, withRetry, type CircuitBreaker, type FaultVerdict, type RetryPolicy } from "../resilience.js";

// ---------------------------------------------------------------------------------------
// Wire types: folders, rules, contact points and policy routes are in wire.ts (shared with compile/).
export type { Folder, FolderHit } from "./wire.js";
import type { Folder, FolderHit, LiveAlertRule, LiveAlertRuleGroup, LiveContactPoint, LivePolicyRoute } from "./wire.js";


/** `GET /api/search` hit. */
export type SearchHit = {
  id?: number;
  uid: string;
  title: string;
  type: "dash-db" | "dash-folder" | string;
  tags?: string[];
  folderUid?: string;
  folderTitle?: string;
};

export interface SearchQuery {
  type?: "dash-db" | "dash-folder";
  folderUids?: string[];
  limit: number;
  /** From 1. */
  page: number;
}

/** `GET /api/dashboards/uid/{uid}` answer. */
export type DashboardWithMeta = {
  dashboard: JsonObject & { uid?: string; version?: number; id?: number | null; tags?: Json };
  meta: JsonObject & { folderUid?: string; version?: number; provisioned?: boolean };
};

/** `POST /api/dashboards/db` body and answer. */
export type SaveDashboardRequest = { dashboard: JsonObject; folderUid: string; overwrite: boolean; message?: string };
export type SaveDashboardResult = { id?: number; uid: string; url?: string; status?: string; version: number; folderUid?: string };



/** `GET /api/v1/provisioning/alert-rules/export?format=json` answer (groups carry the interval). */
export type AlertingFileExport = {
  apiVersion?: number;
  groups?: { orgId?: number; name: string; folder?: string; interval: string | number; rules: (JsonObject & { uid?: string })[] }[];
};



export type HealthStatus = { database: string; version?: string; commit?: string };

// ---------------------------------------------------------------------------------------

/** Route templates: the request log counts by these, never by concrete paths. */
export type GrafanaRoute =
  | "/api/health"
  | "/api/folders"
  | "/api/folders/{uid}"
  | "/api/search"
  | "/api/dashboards/db"
  | "/api/dashboards/uid/{uid}"
  | "/api/v1/provisioning/alert-rules"
  | "/api/v1/provisioning/alert-rules/export"
  | "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}"
  | "/api/v1/provisioning/contact-points"
  | "/api/v1/provisioning/contact-points/{uid}"
  | "/api/v1/provisioning/policies";

export type RequestObserver = (method: string, route: GrafanaRoute, status: number | "error") => void;

export interface GrafanaClientOptions {
  url: string;
  token: string;
  /** The variable the token came from (e.g. GRAFANA_TOKEN), named in auth errors. */
  tokenVariable: string;
  /** Send `X-Disable-Provenance: true` on writes so resources stay editable in the UI. */
  allowUiEdits: boolean;
  breaker: CircuitBreaker;
  policy?: RetryPolicy;
  /** Called once per HTTP attempt (retries included), with the route template. */
  onRequest?: RequestObserver;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number) => Promise<void>;
}

/** A Grafana answer pipemon did not expect; `status` is the HTTP status. */
export class GrafanaRequestError extends TargetError {
  constructor(
    message: string,
    status: number,
    readonly method: string,
    readonly route: GrafanaRoute,
    /** Grafana's own `status` field (`version-mismatch`, `not-found`, ...), when present. */
    readonly grafanaStatus: string | undefined,
  ) {
    super("grafana", message, status);
    this.name = "GrafanaRequestError";
  }
}

/** Grafana could not be reached at all (refused, reset, timed out on every attempt). */
export class GrafanaUnreachableError extends TargetError {
  constructor(message: string) {
    super("grafana", message);
    this.name = "GrafanaUnreachableError";
  }
}

/** A 429/5xx answer inside the retry loop: thrown so withRetry sees it, mapped after. */
class TransientStatus extends Error {
  constructor(readonly status: number, readonly verdict: FaultVerdict, readonly text: string) {
    super(`HTTP ${status}`);
  }
}

interface CallOptions {
  params?: Record<string, string>;
  query?: [string, string][];
  body?: unknown;
  /** Statuses that are an answer, not an error (2xx always are). */
  accept?: number[];
  /** Resolved secrets sent in this request: registered with the run's scrubber first. */
  secrets?: string[];
}

interface Answer {
  status: number;
  body: unknown;
}

const WRITE_METHODS = new Set(["POST", "PUT", "DELETE"]);

export class GrafanaClient {
  /** The URL without credentials: fetch refuses URLs carrying them, and messages must not show them. */
  readonly displayUrl: string;
  /** `user:password` from the URL, used as Basic auth only when there is no token. */
  private readonly basic: string | undefined;
  private readonly policy: RetryPolicy;

  constructor(private readonly opts: GrafanaClientOptions) {
    const base = opts.url.replace(/\/+$/, "");
    const credentials = urlCredentials(base);
    this.displayUrl = withoutCredentials(base).replace(/\/+$/, "");
    this.basic = credentials ? `${credentials.user}:${credentials.password}` : undefined;
    // What this client sends is secret, whoever built it.
    runSecrets.add(opts.token);
    // user:password, and its base64 as the Basic header carries it.
    runSecrets.addUrlCredentials(base);
    this.policy = opts.policy ?? defaultRetryPolicy();
  }

  // --- health and folders -------------------------------------------------------------

  /** `GET /api/health`: no auth; 503 when Grafana's database is failing. */
  async health(): Promise<HealthStatus> {
    return (await this.call("GET", "/api/health")).body as HealthStatus;
  }

  async listFoldersPage(page: number, limit: number): Promise<FolderHit[]> {
    const answer = await this.call("GET", "/api/folders", { query: [["limit", String(limit)], ["page", String(page)]] });
    return expectArray<FolderHit>(answer.body, "GET /api/folders");
  }

  async getFolder(uid: string): Promise<Folder | undefined> {
    const answer = await this.call("GET", "/api/folders/{uid}", { params: { uid }, accept: [404] });
    return answer.status === 404 ? undefined : (answer.body as Folder);
  }

  /** 409 (the uid exists) is returned as undefined so a retried create can converge. */
  async createFolder(body: { uid: string; title: string }): Promise<Folder | undefined> {
    const answer = await this.call("POST", "/api/folders", { body, accept: [409] });
    return answer.status === 409 ? undefined : (answer.body as Folder);
  }

  async updateFolder(uid: string, body: { title: string; version: number }): Promise<Folder> {
    return (await this.call("PUT", "/api/folders/{uid}", { params: { uid }, body })).body as Folder;
  }

  /** Without forceDeleteRules: Grafana refuses (400) a folder that still holds alert rules. */
  async deleteFolder(uid: string): Promise<"deleted" | "absent"> {
    const answer = await this.call("DELETE", "/api/folders/{uid}", { params: { uid }, accept: [404] });
    return answer.status === 404 ? "absent" : "deleted";
  }

  // --- dashboards ---------------------------------------------------------------------

  async search(q: SearchQuery): Promise<SearchHit[]> {
    const query: [string, string][] = [];
    if (q.type) query.push(["type", q.type]);
    for (const uid of q.folderUids ?? []) query.push(["folderUIDs", uid]);
    query.push(["limit", String(q.limit)], ["page", String(q.page)]);
    const answer = await this.call("GET", "/api/search", { query });
    return expectArray<SearchHit>(answer.body, "GET /api/search");
  }

  async getDashboard(uid: string): Promise<DashboardWithMeta | undefined> {
    const answer = await this.call("GET", "/api/dashboards/uid/{uid}", { params: { uid }, accept: [404] });
    if (answer.status === 404) return undefined;
    const body = answer.body as DashboardWithMeta;
    if (!isObject(body) || !isObject(body.dashboard)) throw unexpectedShape("GET /api/dashboards/uid/{uid}");
    return body;
  }

  async saveDashboard(body: SaveDashboardRequest): Promise<SaveDashboardResult> {
    return (await this.call("POST", "/api/dashboards/db", { body })).body as SaveDashboardResult;
  }

  async deleteDashboard(uid: string): Promise<"deleted" | "absent"> {
    const answer = await this.call("DELETE", "/api/dashboards/uid/{uid}", { params: { uid }, accept: [404] });
    return answer.status === 404 ? "absent" : "deleted";
  }

  // --- alert rules ----------------------------------------------------------------------

  async listAlertRules(): Promise<LiveAlertRule[]> {
    const answer = await this.call("GET", "/api/v1/provisioning/alert-rules");
    return expectArray<LiveAlertRule>(answer.body, "GET /api/v1/provisioning/alert-rules");
  }

  /** The export is the only list that carries each group's evaluation interval. */
  async exportAlertRules(folderUids: string[]): Promise<AlertingFileExport> {
    const query: [string, string][] = [["format", "json"]];
    for (const uid of folderUids) query.push(["folderUid", uid]);
    const answer = await this.call("GET", "/api/v1/provisioning/alert-rules/export", { query });
    if (!isObject(answer.body)) throw unexpectedShape("GET /api/v1/provisioning/alert-rules/export");
    return answer.body as AlertingFileExport;
  }

  async getRuleGroup(folderUid: string, group: string): Promise<LiveAlertRuleGroup | undefined> {
    const answer = await this.call("GET", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", { params: { folderUid, group }, accept: [404] });
    return answer.status === 404 ? undefined : (answer.body as LiveAlertRuleGroup);
  }

  /** Replaces the whole group: rules missing from `body` are deleted by Grafana. */
  async putRuleGroup(folderUid: string, group: string, body: LiveAlertRuleGroup): Promise<void> {
    await this.call("PUT", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", { params: { folderUid, group }, body });
  }

  async deleteRuleGroup(folderUid: string, group: string): Promise<"deleted" | "absent"> {
    const answer = await this.call("DELETE", "/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}", { params: { folderUid, group }, accept: [404] });
    return answer.status === 404 ? "absent" : "deleted";
  }

  // --- contact points -----------------------------------------------------------------

  async listContactPoints(): Promise<LiveContactPoint[]> {
    const answer = await this.call("GET", "/api/v1/provisioning/contact-points");
    return expectArray<LiveContactPoint>(answer.body, "GET /api/v1/provisioning/contact-points");
  }

  /** `secrets`: the resolved values in `body`, scrubbed from any error message. */
  async createContactPoint(body: LiveContactPoint, secrets: string[]): Promise<void> {
    await this.call("POST", "/api/v1/provisioning/contact-points", { body, secrets });
  }

  async updateContactPoint(uid: string, body: LiveContactPoint, secrets: string[]): Promise<void> {
    await this.call("PUT", "/api/v1/provisioning/contact-points/{uid}", { params: { uid }, body, secrets });
  }

  async deleteContactPoint(uid: string): Promise<"deleted" | "absent"> {
    const answer = await this.call("DELETE", "/api/v1/provisioning/contact-points/{uid}", { params: { uid }, accept: [404] });
    return answer.status === 404 ? "absent" : "deleted";
  }

  // --- notification policy ------------------------------------------------------------

  async getPolicyTree(): Promise<LivePolicyRoute> {
    const answer = await this.call("GET", "/api/v1/provisioning/policies");
    if (!isObject(answer.body)) throw unexpectedShape("GET /api/v1/provisioning/policies");
    return answer.body as LivePolicyRoute;
  }

  /** Replaces the whole tree (Grafana has no partial policy write). */
  async putPolicyTree(tree: LivePolicyRoute): Promise<void> {
    await this.call("PUT", "/api/v1/provisioning/policies", { body: tree });
  }

  // --- the one request path -------------------------------------------------------------

  private async call(method: string, route: GrafanaRoute, options: CallOptions = {}): Promise<Answer> {
    const url = this.urlFor(route, options);
    const headers: Record<string, string> = { accept: "application/json" };
    // Health needs no credentials; sending none keeps the token off that request entirely.
    if (route !== "/api/health" && this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    else if (route !== "/api/health" && this.basic) headers.authorization = `Basic ${Buffer.from(this.basic).toString("base64")}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (WRITE_METHODS.has(method) && this.opts.allowUiEdits) headers["x-disable-provenance"] = "true";
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (const secret of options.secrets ?? []) runSecrets.add(secret);

    let answer: Answer;
    try {
      answer = await withRetry(
        async (signal) => {
          let response: Response;
          let text: string;
          try {
            response = await fetch(url, { method, headers, body: payload, signal });
            text = await response.text();
          } catch (e) {
            this.opts.onRequest?.(method, route, "error");
            throw e;
          }
          this.opts.onRequest?.(method, route, response.status);
          const verdict = classifyStatus(response.status, response.headers);
          if (verdict.transient) throw new TransientStatus(response.status, verdict, text);
          return { status: response.status, body: parseBody(text) };
        },
        {
          policy: this.policy,
          breaker: this.opts.breaker,
          classify: (e) => (e instanceof TransientStatus ? e.verdict : { transient: isTransportFault(e) }),
          sleep: this.opts.sleep,
        },
      );
    } catch (e) {
      if (e instanceof CircuitOpenError) throw e;
      if (e instanceof TransientStatus) {
        const detail = serverMessage(parseBody(e.text));
        throw new GrafanaRequestError(
          scrubSecrets(`grafana: ${method} ${route} kept failing with ${e.status}${detail ? ` ${detail}` : ""} after ${this.policy.attempts} attempts`),
          e.status,
          method,
          route,
          grafanaStatus(parseBody(e.text)),
        );
      }
      throw new GrafanaUnreachableError(scrubSecrets(`grafana: cannot reach ${this.displayUrl}: ${transportReason(e, this.policy.timeoutMs)} (${method} ${route}, ${this.policy.attempts} attempts)`));
    }

    if ((answer.status >= 200 && answer.status < 300) || options.accept?.includes(answer.status)) return answer;
    throw this.rejection(method, route, answer);
  }

  private rejection(method: string, route: GrafanaRoute, answer: Answer): GrafanaRequestError {
    const detail = serverMessage(answer.body);
    const said = `${answer.status}${detail ? ` ${detail}` : ""}`;
    const status = grafanaStatus(answer.body);
    let message: string;
    if (answer.status === 401) {
      message = `grafana: ${this.opts.tokenVariable} was rejected (${said}): set a valid service account token`;
    } else if (answer.status === 403 && /quota/i.test(detail)) {
      message = `grafana: ${method} ${route} refused: quota reached (${said})`;
    } else if (answer.status === 403) {
      message = `grafana: the token in ${this.opts.tokenVariable} lacks permission for ${method} ${route} (${said}): give its service account the Editor role or the matching permission`;
    } else {
      message = `grafana: ${method} ${route} was rejected (${said})`;
    }
    return new GrafanaRequestError(scrubSecrets(message), answer.status, method, route, status);
  }

  private urlFor(route: GrafanaRoute, options: CallOptions): string {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`grafana client: no value for {${name}} in ${route}`);
      return encodeURIComponent(value);
    });
    const query = options.query?.length ? `?${new URLSearchParams(options.query).toString()}` : "";
    return `${this.displayUrl}${path}${query}`;
  }
}

// ---------------------------------------------------------------------------------------

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectArray<T>(body: unknown, what: string): T[] {
  if (!Array.isArray(body)) throw unexpectedShape(what);
  return body as T[];
}

function unexpectedShape(what: string): TargetError {
  return new TargetError("grafana", `grafana: ${what} answered with an unexpected body (is the URL a Grafana server?)`);
}

/** Grafana's `message` (or a short text body), on one line and bounded, scrubbed before it is cut. */
function serverMessage(body: unknown): string {
  const raw = isObject(body) ? (typeof body.message === "string" ? body.message : typeof body.error === "string" ? body.error : "") : typeof body === "string" ? body : "";
  return boundedLine(raw, 200);
}

function grafanaStatus(body: unknown): string | undefined {
  return isObject(body) && typeof body.status === "string" ? body.status : undefined;
}

function transportReason(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = e instanceof Error ? ((e as { cause?: unknown }).cause ?? e) : e;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const text = cause instanceof Error ? cause.message : String(cause);
  return (code && !text.includes(code) ? `${code} ${text}` : text).replace(/\s+/g, " ").trim();
}
