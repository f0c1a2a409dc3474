/**
 * The Prometheus HTTP query API (`/api/v1/query_range`, `/api/v1/query`), as Prometheus,
 * Mimir, Cortex, Thanos, VictoriaMetrics and Grafana Cloud serve it: what `backtest` and
 * `report` read history through.
 *
 * - Where: `prometheus.url` of the config (or the environment's), else `PROMETHEUS_URL`.
 * - Auth: a bearer token or basic auth from `${ENV}` references, and `X-Scope-OrgID` for a
 *   Mimir/Cortex tenant. The values live only in the request headers; they are registered
 *   with the run's scrubber before anything is sent, so no message can show them.
 * - Range queries are cut into chunks of at most `maxPointsPerSeries` steps (Prometheus
 *   refuses more than 11,000 points per series), run with bounded concurrency shared by
 *   every call of the client, and retried like every other call (`withRetry`).
 * - Nothing partial is ever returned as complete: a refusal, a timeout, a truncated body,
 *   `warnings` (Thanos/Mimir partial responses), a `resultType` other than the one asked
 *   for or a malformed series all throw a `QueryApiError` with one clear line.
 */
import { expandReferences, referencedVariables, type EnvLookup } from "../../lib/env-ref.js";
import type { MatrixSeries } from "../../lib/prometheus-matrix.js";
import { boundedLine, runSecrets, urlCredentials, withoutCredentials } from "../../lib/scrub.js";
import type { PrometheusQuerySettings } from "../../model/types.js";
import { CircuitBreaker, CircuitOpenError, classifyStatus, defaultRetryPolicy, envNumber, isTransportFault, withRetry, type FaultVerdict, type RetryPolicy } from "../resilience.js";

/** Prometheus's own limit on the points of one series in a range query (`query_range`). */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Requests in flight at once, by default: enough to hide latency, little for a shared server. */
export const DEFAULT_QUERY_CONCURRENCY = 4;

/**
 * Requests in flight at once when the caller does not say: `PIPEMON_QUERY_CONCURRENCY` (a whole
 * number above 0; a store with more cores than a laptop's Prometheus answers more queries at
 * once), else DEFAULT_QUERY_CONCURRENCY. Every command that queries (backtest, report) reads it here.
 */
export function defaultQueryConcurrency(): number {
  const n = envNumber("PIPEMON_QUERY_CONCURRENCY", DEFAULT_QUERY_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_QUERY_CONCURRENCY;
}


/** One series of an instant query result: Prometheus's vector shape. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Where and how to query, resolved (values expanded): never printed. */
export interface QueryApiConnection {
  /** Base URL without trailing slash, without user:password; may carry a path prefix (`/prometheus`). */
  url: string;
  /** Authorization and X-Scope-OrgID as they are sent. */
  headers: Readonly<Record<string, string>>;
  /** How the URL was configured, for messages ("PROMETHEUS_URL", "the config's prometheus.url"). */
  source: string;
}

export interface QueryApiOptions {
  maxPointsPerSeries?: number;
  concurrency?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** A query that could not be answered completely: the message is one line, safe to print. */
export class QueryApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryApiError";
  }
}

/** A setting that cannot be resolved: one line naming the variable to set. */
export class QueryApiSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryApiSettingsError";
  }
}


/**
 * Resolves the query API's URL and auth headers, and registers every secret value with the
 * run's scrubber. Throws `QueryApiSettingsError` naming the variable to set.
 */
export function resolveQueryApiConnection(settings: PrometheusQuerySettings | undefined, env: EnvLookup): QueryApiConnection {
  const urlReference = settings?.url ?? "${PROMETHEUS_URL}";
  const source = settings?.url !== undefined ? `the config's prometheus.url (${JSON.stringify(settings.url)})` : "PROMETHEUS_URL";
  const expand = (reference: string, what: string): string => {
    const { value, missing } = expandReferences(reference, env);
    if (missing.length > 0 || value.trim() === "") {
      const variable = missing[0] ?? referencedVariables(reference)[0];
      throw new QueryApiSettingsError(variable !== undefined ? `${what} is not set: export ${variable}` : `${what} is empty`);
    }
    return value;
  };
  const secret = (reference: string, what: string): string => {
    for (const name of referencedVariables(reference)) runSecrets.add(env(name));
    const value = expand(reference, what);
    runSecrets.add(value);
    return value;
  };
  for (const name of referencedVariables(urlReference)) runSecrets.addUrlCredentials(env(name));
  if (settings?.url === undefined && (env("PROMETHEUS_URL") ?? "").trim() === "") {
    throw new QueryApiSettingsError("the Prometheus query URL is not set: set prometheus.url in the config, or export PROMETHEUS_URL");
  }
  const rawUrl = expand(urlReference, `the Prometheus query URL (${source})`);
  runSecrets.addUrlCredentials(rawUrl);
  if (!/^https?:\/\/[^\s]+$/.test(rawUrl)) throw new QueryApiSettingsError(`the Prometheus query URL from ${source} must be an http(s) URL, e.g. http://prometheus:9090`);
  const headers: Record<string, string> = {};
  const inUrl = urlCredentials(rawUrl);
  if (settings?.bearerToken !== undefined) {
    headers.authorization = `Bearer ${secret(settings.bearerToken, "prometheus.bearerToken")}`;
  } else if (settings?.basicAuth !== undefined) {
    const user = expand(settings.basicAuth.username, "prometheus.basicAuth.username");
    const password = secret(settings.basicAuth.password, "prometheus.basicAuth.password");
    runSecrets.add(`${user}:${password}`);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
  } else if (inUrl) {
    // user:password in the URL means what it means to curl: basic auth.
    headers.authorization = `Basic ${Buffer.from(`${inUrl.user}:${inUrl.password}`, "utf8").toString("base64")}`;
  }
  if (headers.authorization !== undefined) runSecrets.add(headers.authorization);
  if (inUrl && (settings?.bearerToken !== undefined || settings?.basicAuth !== undefined)) {
    throw new QueryApiSettingsError(`the Prometheus query URL from ${source} carries user:password (not shown) and prometheus.${settings?.bearerToken !== undefined ? "bearerToken" : "basicAuth"} is set too: use one`);
  }
  if (settings?.tenant !== undefined) headers["x-scope-orgid"] = expand(settings.tenant, "prometheus.tenant (X-Scope-OrgID)");
  return { url: withoutCredentials(rawUrl).replace(/\/+$/, ""), headers, source };
}

/** A counting semaphore: at most `limit` holders at once, served in arrival order. */
class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await op();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** An HTTP answer worth retrying (429, 5xx) or a body cut short: carries what the retry needs. */
class TransientAnswer extends Error {
  constructor(message: string, readonly verdict: FaultVerdict) {
    super(message);
  }
}

/** The steps of [start, end] at `step`, cut into runs of at most `maxPoints` steps. */
export function rangeChunks(start: number, end: number, step: number, maxPoints: number): Array<{ start: number; end: number }> {
  if (!(step > 0)) throw new QueryApiError(`range query step must be positive, got ${step}`);
  const chunks: Array<{ start: number; end: number }> = [];
  const span = (maxPoints - 1) * step;
  for (let from = start; from <= end; from += span + step) chunks.push({ start: from, end: Math.min(end, from + span) });
  return chunks;
}

const seriesKey = (metric: Record<string, string>): string => JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export class PrometheusQueryApi {
  private readonly limiter: Limiter;
  private readonly breaker = new CircuitBreaker("prometheus");
  private readonly policy: RetryPolicy;
  private readonly maxPoints: number;
  private readonly fetcher: typeof fetch;
  private requests = 0;
  private queries = 0;

  constructor(readonly connection: QueryApiConnection, private readonly options: QueryApiOptions = {}) {
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? defaultQueryConcurrency()));
    this.policy = options.retry ?? defaultRetryPolicy();
    this.maxPoints = Math.max(2, Math.min(MAX_POINTS_PER_SERIES, options.maxPointsPerSeries ?? MAX_POINTS_PER_SERIES));
    this.fetcher = options.fetch ?? fetch;
  }

  /** HTTP requests sent, retries included. */
  get requestCount(): number {
    return this.requests;
  }

  /** Queries answered or attempted (a chunk of a range query is one), retries not counted. */
  get queryCount(): number {
    return this.queries;
  }

  /**
   * `expr` at every `step` seconds over [start, end] (unix seconds): every chunk's series merged,
   * in time order. Throws `QueryApiError` when any chunk fails: never a part of the range.
   */
  async queryRange(expr: string, range: { start: number; end: number; step: number }): Promise<MatrixSeries[]> {
    const chunks = rangeChunks(range.start, range.end, range.step, this.maxPoints);
    const answers = await Promise.all(
      chunks.map((c) => this.call("query_range", "matrix", { query: expr, start: String(c.start), end: String(c.end), step: String(range.step) })),
    );
    const merged = new Map<string, { metric: MatrixSeries["metric"]; values: Array<readonly [number, string]> }>();
    for (const answer of answers) {
      for (const s of answer as MatrixSeries[]) {
        const key = seriesKey(s.metric);
        const into = merged.get(key);
        if (into) into.values.push(...s.values);
        else merged.set(key, { metric: s.metric, values: [...s.values] });
      }
    }
    return [...merged.values()];
  }

  /** `expr` at one instant (unix seconds). */
  async query(expr: string, time: number): Promise<VectorSample[]> {
    return (await this.call("query", "vector", { query: expr, time: String(time) })) as VectorSample[];
  }

  private call(endpoint: "query" | "query_range", expected: "matrix" | "vector", form: Record<string, string>): Promise<unknown[]> {
    this.queries++;
    const where = `${this.connection.url}/api/v1/${endpoint}`;
    const what = `prometheus query API (${this.connection.url})`;
    return this.limiter.run(async () => {
      let attempts = 0;
      try {
        return await withRetry(async (timeout) => {
          attempts++;
          this.requests++;
          // The retry's timeout signal lives its whole 30 s; the request listens to a signal of
          // its own, unhooked when the answer is in, so a finished request and its buffers are
          // not kept alive by a pending timer (thousands of queries held ~100 MB that way).
          const request = new AbortController();
          const abort = (): void => request.abort(timeout.reason);
          timeout.addEventListener("abort", abort, { once: true });
          let response: Response;
          let text: string;
          try {
            response = await this.fetcher(where, {
              method: "POST",
              headers: { ...this.connection.headers, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
              body: new URLSearchParams(form).toString(),
              signal: request.signal,
            });
            text = await response.text();
          } finally {
            timeout.removeEventListener("abort", abort);
          }
          if (response.status === 429 || response.status >= 500) {
            throw new TransientAnswer(`HTTP ${response.status}${serverError(text)}`, classifyStatus(response.status, response.headers));
          }
          if (response.status === 401 || response.status === 403) {
            throw new QueryApiError(`authentication refused (HTTP ${response.status})${serverError(text)}: check prometheus.bearerToken, prometheus.basicAuth and prometheus.tenant in the config`);
          }
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            if (!response.ok) throw new QueryApiError(`the server refused the query (HTTP ${response.status})${serverError(text)}`);
            // A body cut short (a proxy's timeout, a dropped connection) is worth another try.
            throw new TransientAnswer(`a truncated or non-JSON answer (HTTP ${response.status}, ${text.length} bytes)`, { transient: true });
          }
          return checkAnswer(body, response.status, expected);
        }, {
          policy: this.policy,
          breaker: this.breaker,
          classify: (e) => (e instanceof TransientAnswer ? e.verdict : e instanceof QueryApiError ? { transient: false } : { transient: isTransportFault(e) }),
          ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        });
      } catch (e) {
        const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
        if (e instanceof QueryApiError) throw new QueryApiError(boundedLine(`${what}: ${e.message}`, 400));
        if (e instanceof TransientAnswer) throw new QueryApiError(boundedLine(`${what}: ${e.message}${tries}; no result is shown rather than a partial one`, 400));
        if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) {
          throw new QueryApiError(boundedLine(`${what}: no answer within ${this.policy.timeoutMs / 1000}s${tries} (set PIPEMON_HTTP_TIMEOUT_MS to wait longer, or narrow --since/--select)`, 400));
        }
        if (e instanceof Error && isTransportFault(e)) {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          throw new QueryApiError(boundedLine(`${what}: cannot connect (${cause?.code ?? cause?.message ?? e.message})${tries}: is ${this.connection.source} right?`, 400));
        }
        if (e instanceof CircuitOpenError) throw new QueryApiError(boundedLine(`${what}: ${e.message}`, 400));
        throw e;
      }
    });
  }
}

/** `: <the server's error>` from a Prometheus error body, or the body's first line. */
function serverError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; errorType?: unknown };
    if (typeof body.error === "string") return `: ${typeof body.errorType === "string" ? `${body.errorType}: ` : ""}${body.error}`;
  } catch {
    // not JSON: quote the text itself
  }
  const line = text.trim().split("\n")[0] ?? "";
  return line ? `: ${line}` : "";
}

/** The result of a complete, well-formed answer; throws QueryApiError on anything else. */
function checkAnswer(body: unknown, status: number, expected: "matrix" | "vector"): unknown[] {
  const b = (body ?? {}) as { status?: unknown; data?: { resultType?: unknown; result?: unknown }; warnings?: unknown; error?: unknown; errorType?: unknown };
  if (b.status !== "success") {
    const detail = typeof b.error === "string" ? `${typeof b.errorType === "string" ? `${b.errorType}: ` : ""}${b.error}` : `status ${JSON.stringify(b.status)}`;
    throw new QueryApiError(`the server refused the query (HTTP ${status}): ${detail}`);
  }
  if (Array.isArray(b.warnings) && b.warnings.length > 0) {
    throw new QueryApiError(`the server answered with warnings, so the result may be partial: ${b.warnings.map(String).join("; ")}`);
  }
  if (b.data?.resultType !== expected) {
    throw new QueryApiError(`expected a ${expected} result, got ${JSON.stringify(b.data?.resultType ?? null)}: is the URL a Prometheus-compatible query API?`);
  }
  const result = b.data.result;
  if (!Array.isArray(result)) throw new QueryApiError(`the ${expected} result is not a list`);
  for (const s of result as Array<{ metric?: unknown; values?: unknown; value?: unknown }>) {
    const pointsOk = expected === "matrix" ? Array.isArray(s.values) && s.values.every(isPoint) : isPoint(s.value);
    if (s === null || typeof s.metric !== "object" || s.metric === null || !pointsOk) throw new QueryApiError(`a malformed series in the ${expected} result`);
  }
  return result;
}

function isPoint(p: unknown): p is [number, string] {
  return Array.isArray(p) && p.length === 2 && typeof p[0] === "number" && typeof p[1] === "string";
}
