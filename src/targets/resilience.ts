/**
 * How pipemon survives flaky APIs: per-request timeouts, retries with backoff that honours
 * the server's `Retry-After` / `X-RateLimit-Reset`, and a circuit breaker per target so a
 * target that keeps failing is stopped instead of hammered. Shared by every target client.
 */
import type { TargetName } from "../plan/resource.js";

/** What a breaker guards: a target pipemon writes to, or the query API history is read from. */
export type BreakerTarget = TargetName | "prometheus";

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  attempts: number;
  /** First backoff; doubles each retry (with jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A request taking longer is aborted and counts as a transient fault. */
  timeoutMs: number;
}

/** A number of 0 or more from the environment variable `name`, else `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Defaults suit real APIs; the env knobs let tests and slow networks tune them. */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    attempts: envNumber("PIPEMON_HTTP_ATTEMPTS", 6),
    baseDelayMs: envNumber("PIPEMON_HTTP_BACKOFF_MS", 500),
    maxDelayMs: envNumber("PIPEMON_HTTP_MAX_BACKOFF_MS", 30_000),
    timeoutMs: envNumber("PIPEMON_HTTP_TIMEOUT_MS", 30_000),
  };
}

/** What a failed attempt means for the next one. */
export interface FaultVerdict {
  transient: boolean;
  /** Server-requested wait (Retry-After, X-RateLimit-Reset), milliseconds. */
  retryAfterMs?: number;
}

/** Transient: 429, 5xx, and transport faults (timeout, reset, refused, dropped). */
export function classifyStatus(status: number, headers?: { get(name: string): string | null } | Record<string, string | undefined>): FaultVerdict {
  const transient = status === 429 || status >= 500;
  if (!transient || !headers) return { transient };
  const get = (n: string): string | null | undefined =>
    typeof (headers as { get?: unknown }).get === "function" ? (headers as { get(name: string): string | null }).get(n) : (headers as Record<string, string | undefined>)[n.toLowerCase()];
  const after = retryAfterMs(get("retry-after") ?? undefined) ?? secondsHeader(get("x-ratelimit-reset") ?? undefined);
  return after === undefined ? { transient } : { transient, retryAfterMs: after };
}

function secondsHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = secondsHeader(value);
  if (seconds !== undefined) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const TRANSPORT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "EAI_AGAIN"]);

/** A thrown error from fetch/undici or an abort: transient when it is a transport fault. */
export function isTransportFault(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === "AbortError" || e.name === "TimeoutError") return true;
  const code = (e as NodeJS.ErrnoException).code ?? ((e as { cause?: NodeJS.ErrnoException }).cause?.code);
  if (code && TRANSPORT_CODES.has(code)) return true;
  return /fetch failed|socket hang up|other side closed|terminated/i.test(e.message);
}

export class CircuitOpenError extends Error {
  constructor(readonly target: BreakerTarget, failures: number) {
    super(`${target}: stopped after ${failures} consecutive failed requests (circuit open); nothing more was sent to ${target}`);
    this.name = "CircuitOpenError";
  }
}

/**
 * Opens after `threshold` consecutive requests that failed even after their retries; once
 * open, every call fails fast. A success closes it again. One per target per run.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private open = false;
  constructor(readonly target: BreakerTarget, readonly threshold = envNumber("PIPEMON_CIRCUIT_THRESHOLD", 5)) {}
  guard(): void {
    if (this.open) throw new CircuitOpenError(this.target, this.consecutive);
  }
  succeeded(): void {
    this.consecutive = 0;
  }
  failed(): void {
    this.consecutive += 1;
    if (this.consecutive >= this.threshold) this.open = true;
  }
  get isOpen(): boolean {
    return this.open;
  }
}

export interface RetryContext {
  policy: RetryPolicy;
  breaker: CircuitBreaker;
  /** How a thrown error should be treated; transport faults are transient by default. */
  classify(e: unknown): FaultVerdict;
  sleep?(ms: number): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `op` with a per-attempt timeout (the signal aborts it), retrying transient faults.
 * The breaker counts a call as failed only when its last attempt failed.
 */
export async function withRetry<T>(op: (signal: AbortSignal) => Promise<T>, ctx: RetryContext): Promise<T> {
  const sleep = ctx.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    ctx.breaker.guard();
    try {
      const result = await op(AbortSignal.timeout(ctx.policy.timeoutMs));
      ctx.breaker.succeeded();
      return result;
    } catch (e) {
      const verdict = ctx.classify(e);
      if (!verdict.transient || attempt >= ctx.policy.attempts) {
        if (verdict.transient) ctx.breaker.failed();
        throw e;
      }
      const backoff = Math.min(ctx.policy.maxDelayMs, ctx.policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      // The server's own answer wins, but never wait longer than the cap.
      const delay = Math.min(ctx.policy.maxDelayMs, verdict.retryAfterMs ?? jittered);
      await sleep(delay);
    }
  }
}
