/**
 * Every Datadog call goes through here: `withRetry` (timeout, backoff honouring the server,
 * circuit breaker) around one official-client call, and failures turned into one-line,
 * secret-free errors a user can act on.
 */
import { client } from "@datadog/datadog-api-client";
import { boundedLine, scrubSecrets } from "../../lib/scrub.js";
import { CircuitOpenError, classifyStatus, isTransportFault, withRetry, type CircuitBreaker, type FaultVerdict, type RetryPolicy } from "../resilience.js";
import { TargetError } from "../handler.js";
import { callScope, type CallScope } from "./http.js";

/** A call's failure after its retries, with what the user needs to know. */
export class DatadogCallError extends TargetError {
  constructor(message: string, status: number | undefined, readonly transient: boolean) {
    super("datadog", message, status);
    this.name = "DatadogCallError";
  }
}

/** The one line for rejected credentials: names the variables, never their values. */
export function credentialsMessage(status: number): string {
  const reason = status === 401 ? "401 Unauthorized" : "403 Forbidden";
  return `datadog: the credentials were rejected (${reason}): check DD_API_KEY and DD_APP_KEY (valid keys for this site, and an application key allowed to read and write monitors)`;
}

/**
 * Datadog's `{"errors": [...]}` (or `{"errors": {"<id>": [...]}}`) as one short line, every
 * secret of the run taken out before it is cut (an answer may echo the request's keys).
 */
export function errorDetail(bodyText: string | undefined): string {
  if (!bodyText) return "";
  let text = bodyText;
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors)) text = errors.map(String).join("; ");
    else if (errors && typeof errors === "object") text = Object.values(errors).flat().map(String).join("; ");
  } catch {
    // Not JSON (a proxy's HTML page): quote its start.
  }
  return boundedLine(text, 300);
}

function transportDetail(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const code = (e as { code?: string; cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
  const message = scrubSecrets(e instanceof Error ? e.message : String(e));
  return code ? `${message} (${code})` : message;
}

export interface DatadogCallerOptions {
  policy: RetryPolicy;
  breaker: CircuitBreaker;
  sleep?: (ms: number) => Promise<void>;
}

export class DatadogCaller {
  constructor(private readonly options: DatadogCallerOptions) {}

  /**
   * Runs `fn` (one official-client call) with retries. `what` names the operation for the
   * error line ("create monitor orders-etl/stale"). Rejected credentials and other
   * non-transient answers fail at once; CircuitOpenError passes through unchanged.
   */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const scope: CallScope = {};
    let attempts = 0;
    const classify = (e: unknown): FaultVerdict => {
      if (e instanceof client.ApiException) {
        const last = scope.last && scope.last.status === e.code ? scope.last : undefined;
        const verdict = classifyStatus(e.code, last?.headers);
        // A 429 saying "reset in 0 s" means "within the second": do not spin on it.
        if (e.code === 429 && verdict.retryAfterMs !== undefined) return { transient: true, retryAfterMs: Math.max(verdict.retryAfterMs, 50) };
        return verdict;
      }
      return { transient: isTransportFault(e) };
    };
    try {
      return await withRetry(
        () => {
          attempts++;
          scope.last = undefined;
          return callScope.run(scope, fn);
        },
        { policy: this.options.policy, breaker: this.options.breaker, classify, ...(this.options.sleep ? { sleep: this.options.sleep } : {}) },
      );
    } catch (e) {
      if (e instanceof CircuitOpenError || e instanceof TargetError) throw e;
      const after = attempts > 1 ? ` after ${attempts} attempts` : "";
      if (e instanceof client.ApiException) {
        const status = e.code;
        if (status === 401 || status === 403) throw new DatadogCallError(credentialsMessage(status), status, false);
        const detail = errorDetail(scope.last?.status === status ? scope.last.bodyText : undefined);
        const transient = classify(e).transient;
        throw new DatadogCallError(`${what}: Datadog answered ${status}${after}${detail ? `: ${detail}` : ""}`, status, transient);
      }
      if (isTransportFault(e)) {
        throw new DatadogCallError(`${what}: ${transportDetail(e, this.options.policy.timeoutMs)}${after}`, undefined, true);
      }
      // The client refused a body or could not parse an answer: a bug or an unexpected shape.
      const message = e instanceof Error ? e.message : String(e);
      throw new DatadogCallError(`${what}: ${boundedLine(message, 300)}`, undefined, false);
    }
  }
}
