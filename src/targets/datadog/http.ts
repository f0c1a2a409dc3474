/**
 * The transport under `@datadog/datadog-api-client`: the client builds and parses every
 * request, this library only moves bytes. It replaces the client's own fetch library for
 * three reasons the client cannot cover:
 * - a per-attempt timeout that starts when the request is actually sent (waiting for a
 *   rate-limit window must never count as a timeout);
 * - response headers are seen, so writes pace themselves on `X-RateLimit-Remaining` /
 *   `-Reset` instead of running into 429s, and a 429's wait comes from the server;
 * - every request is reported (`onRequest`) for request counts and debug output.
 * The client's own retry is off: `withRetry` retries around the whole call, including
 * timeouts and dropped connections that the client's retry never sees.
 *
 * Nothing here logs; credentials live only in the request headers the client set.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { client } from "@datadog/datadog-api-client";

/** What the last response of a call said: the client's ApiException keeps only status and body. */
export interface ResponseFacts {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
}

/**
 * One logical call (all attempts of one `withRetry`): the transport records the last
 * response here so the retry classification can read `Retry-After` / `X-RateLimit-Reset`
 * and error messages can quote Datadog's `errors`.
 */
export interface CallScope {
  last?: ResponseFacts;
}

export const callScope = new AsyncLocalStorage<CallScope>();

export type RequestObserver = (method: string, route: string, status: number | "error") => void;

/** `/api/v1/monitor/123` → `/api/v1/monitor/{id}`: counts group by route, not by monitor. */
export function routeOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split("?")[0] ?? url;
  }
  return path.replace(/\/\d+(?=\/|$)/g, "/{id}");
}

interface Bucket {
  /** From `X-RateLimit-Limit`; undefined until the first answer carrying it. */
  limit?: number;
  periodMs: number;
  /** Requests we may still send in the current window (server's count minus our in-flight). */
  remaining: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
  /** False after a local refill, until an answer of the new window confirms its end. */
  windowKnown: boolean;
  inflight: number;
  /** A 429 or Retry-After: nobody sends before this (epoch ms). */
  blockedUntil: number;
}

function headerNumber(headers: Record<string, string>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Client-side view of Datadog's fixed-window rate limits, one bucket per limit. Datadog
 * names its limits (`X-RateLimit-Name`), and several routes can share one (POST and PUT
 * monitor): a route is mapped to its bucket by the name the server gave it.
 *
 * Safety over speed: in-flight requests are always assumed to count against the window,
 * and a route nothing is known about yet sends one probe at a time until its first answer,
 * so even a limit smaller than the caller's concurrency is never overrun.
 */
export class RateLimitPacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly bucketOfRoute = new Map<string, string>();
  private waiters: Array<() => void> = [];

  constructor(private readonly maxWaitMs: number) {}

  private bucketFor(routeKey: string): Bucket {
    const name = this.bucketOfRoute.get(routeKey) ?? routeKey;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = { periodMs: 10_000, remaining: 0, resetAt: 0, windowKnown: false, inflight: 0, blockedUntil: 0 };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next answer, or after `ms` (whichever first). */
  private changedOrAfter(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      this.waiters.push(done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Waits until the route's bucket allows one more request and reserves it. */
  async acquire(routeKey: string): Promise<Bucket> {
    for (;;) {
      const bucket = this.bucketFor(routeKey);
      const now = Date.now();
      if (now < bucket.blockedUntil) {
        await sleep(Math.min(bucket.blockedUntil - now, this.maxWaitMs));
        continue;
      }
      if (bucket.limit === undefined) {
        // Nothing known about this limit yet: one probe at a time until an answer says.
        if (bucket.inflight === 0) {
          bucket.inflight++;
          return bucket;
        }
        await this.changedOrAfter(this.maxWaitMs);
        continue;
      }
      if (now >= bucket.resetAt) {
        // The window we knew about is over: a fresh one, minus what is still in flight.
        bucket.remaining = bucket.limit - bucket.inflight;
        bucket.resetAt = now + bucket.periodMs;
        bucket.windowKnown = false;
      }
      if (bucket.remaining > 0) {
        bucket.remaining--;
        bucket.inflight++;
        return bucket;
      }
      // Out of budget: wait for the window to end (an answer may also move it).
      await this.changedOrAfter(Math.min(bucket.resetAt - now + 5, this.maxWaitMs));
    }
  }

  /** Returns the reservation and learns from the answer's headers (none on a transport fault). */
  release(acquired: Bucket, routeKey: string, status: number | undefined, headers: Record<string, string> | undefined): void {
    acquired.inflight = Math.max(0, acquired.inflight - 1);
    if (headers) this.learn(acquired, routeKey, status, headers);
    this.notify();
  }

  private learn(acquired: Bucket, routeKey: string, status: number | undefined, headers: Record<string, string>): void {
    const now = Date.now();
    const name = headers["x-ratelimit-name"];
    let bucket = acquired;
    if (name) {
      this.bucketOfRoute.set(routeKey, name);
      bucket = this.bucketFor(routeKey);
      if (bucket !== acquired && this.buckets.get(routeKey) === acquired && acquired.inflight === 0) this.buckets.delete(routeKey);
    }
    const limit = headerNumber(headers, "x-ratelimit-limit");
    const period = headerNumber(headers, "x-ratelimit-period");
    const remaining = headerNumber(headers, "x-ratelimit-remaining");
    const reset = headerNumber(headers, "x-ratelimit-reset");
    if (period !== undefined && period > 0) bucket.periodMs = period * 1000;
    const serverResetAt = reset === undefined ? undefined : now + Math.min(reset * 1000, this.maxWaitMs);
    if (limit !== undefined && remaining !== undefined && serverResetAt !== undefined) {
      const firstAnswer = bucket.limit === undefined;
      bucket.limit = limit;
      // Others still in flight may be counted after this answer: assume they all will be.
      const budget = remaining - bucket.inflight;
      if (firstAnswer || serverResetAt > bucket.resetAt + 500) {
        // First answer, or an answer from a later window than the one we were tracking.
        bucket.resetAt = serverResetAt;
        bucket.remaining = budget;
      } else {
        if (!bucket.windowKnown) bucket.resetAt = serverResetAt;
        bucket.remaining = Math.min(bucket.remaining, budget);
      }
      bucket.windowKnown = true;
    }
    if (status === 429) {
      const retryAfter = headerNumber(headers, "retry-after");
      const waitMs = retryAfter !== undefined ? retryAfter * 1000 : reset !== undefined ? reset * 1000 : 1000;
      bucket.blockedUntil = Math.max(bucket.blockedUntil, now + Math.min(waitMs, this.maxWaitMs));
      bucket.remaining = 0;
    }
  }
}

export interface PacedFetchOptions {
  /** Per-attempt timeout, counted from the moment the request is sent. */
  timeoutMs: number;
  /** Longest single wait for a rate-limit window. */
  maxWaitMs: number;
  onRequest?: RequestObserver;
  /** For tests: a fetch other than the global one. */
  fetch?: typeof fetch;
}

/** The `httpApi` given to `client.createConfiguration`. */
export class PacedFetchHttpLibrary implements client.HttpLibrary {
  // The client copies its retry settings onto the library; retries are withRetry's job.
  enableRetry = false;
  debug = false;
  readonly pacer: RateLimitPacer;

  constructor(private readonly options: PacedFetchOptions) {
    this.pacer = new RateLimitPacer(options.maxWaitMs);
  }

  async send(request: client.RequestContext): Promise<client.ResponseContext> {
    const method = request.getHttpMethod().toString();
    const url = request.getUrl();
    const route = routeOf(url);
    const routeKey = `${method} ${route}`;
    const scope = callScope.getStore();
    const bucket = await this.pacer.acquire(routeKey);
    let facts: ResponseFacts | undefined;
    try {
      const outer = request.getHttpConfig().signal as AbortSignal | undefined;
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      const body = request.getBody();
      const doFetch = this.options.fetch ?? fetch;
      const response = await doFetch(url, {
        method,
        headers: request.getHeaders(),
        body: typeof body === "string" || Buffer.isBuffer(body) ? body : undefined,
        signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      // Read the body under the same timeout: a server that stalls mid-body is a fault too.
      const bodyText = await response.text();
      facts = { status: response.status, headers, bodyText };
    } catch (e) {
      this.pacer.release(bucket, routeKey, undefined, undefined);
      this.options.onRequest?.(method, route, "error");
      throw e;
    }
    this.pacer.release(bucket, routeKey, facts.status, facts.headers);
    if (scope) scope.last = facts;
    this.options.onRequest?.(method, route, facts.status);
    const text = facts.bodyText;
    return new client.ResponseContext(facts.status, facts.headers, {
      text: async () => text,
      binary: async () => Buffer.from(text, "utf8"),
    });
  }
}
