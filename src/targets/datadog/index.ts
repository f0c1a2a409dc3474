/**
 * Datadog target: the handlers plan/apply use for Datadog, built on the official
 * `@datadog/datadog-api-client` (the only place in pipemon that imports it).
 */
import { client, v1 } from "@datadog/datadog-api-client";
import { runSecrets } from "../../lib/scrub.js";
import type { KindHandler } from "../handler.js";
import { CircuitBreaker, defaultRetryPolicy, type RetryPolicy } from "../resilience.js";
import type { TargetLock } from "../lock.js";
import { DatadogCaller } from "./calls.js";
import { DatadogApplyLock } from "./lock.js";
import { PacedFetchHttpLibrary, type RequestObserver } from "./http.js";
import { DatadogMonitorHandler, DEFAULT_LATE_COMMIT_WINDOW_MS } from "./monitors.js";

export { DatadogMonitorHandler, desiredMonitors, monitorKey, pipemonIdOf, LIST_PAGE_SIZE } from "./monitors.js";
export { normaliseMonitor, resolvePlaceholders } from "./normalise.js";
export { DatadogCallError, credentialsMessage } from "./calls.js";
export type { RequestObserver } from "./http.js";

export interface DatadogHandlerOptions {
  apiKey: string;
  appKey: string;
  /** DD_SITE: datadoghq.com (default), datadoghq.eu, us3.datadoghq.com, ... */
  site?: string;
  /** DD_HOST: the API base URL itself (private endpoints, emulators); wins over `site`. */
  host?: string;
  /** Only monitors tagged `env:<environment>` are listed, and keys get `@<environment>`. */
  environment?: string;
  breaker: CircuitBreaker;
  policy?: RetryPolicy;
  /** Called once per HTTP request (every attempt), with the templated route. */
  onRequest?: RequestObserver;
  /**
   * Values for `${NAME}` references in desired bodies, resolved in `normalise(…, "desired")`
   * and before writing; a reference left unresolved refuses the write. The caller owns the
   * environment: the handler never reads process.env.
   */
  variables?: Readonly<Record<string, string | undefined>>;
  /** How long a create whose answer was lost is looked for before it is resent (PIPEMON_LATE_COMMIT_MS). */
  lateCommitWindowMs?: number;
  /** Replaces the wait between retries (a 429's reset, a backoff): progress reporting, tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** `api.datadoghq.eu`, `https://api.datadoghq.eu/` and `http://127.0.0.1:8126` all work. */
export function normaliseHost(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, "");
}


/**
 * How long a lost create is looked for: PIPEMON_LATE_COMMIT_MS, else as long again as the
 * client waited for the answer (a server that was still busy at the timeout usually commits
 * within another timeout), at most DEFAULT_LATE_COMMIT_WINDOW_MS.
 */
function lateCommitWindow(policy: RetryPolicy): number {
  const raw = process.env.PIPEMON_LATE_COMMIT_MS;
  const n = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : Math.min(policy.timeoutMs, DEFAULT_LATE_COMMIT_WINDOW_MS);
}

/** The official client's monitors API over pipemon's paced HTTP, and the retrying caller. */
function monitorsApi(opts: DatadogHandlerOptions, breaker: CircuitBreaker): { api: v1.MonitorsApi; caller: DatadogCaller; policy: RetryPolicy } {
  // What these clients send is secret, whoever built them.
  runSecrets.add(opts.apiKey);
  runSecrets.add(opts.appKey);
  const policy = opts.policy ?? defaultRetryPolicy();
  const httpApi = new PacedFetchHttpLibrary({
    timeoutMs: policy.timeoutMs,
    maxWaitMs: policy.maxDelayMs,
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const configuration = client.createConfiguration({
    ...(opts.host ? { baseServer: new client.BaseServerConfiguration(normaliseHost(opts.host), {}) } : {}),
    authMethods: { apiKeyAuth: opts.apiKey, appKeyAuth: opts.appKey },
    httpApi,
    // withRetry retries (timeouts and resets included); the client's retry would double it.
    enableRetry: false,
  });
  if (!opts.host && opts.site) configuration.setServerVariables({ site: opts.site });
  return { api: new v1.MonitorsApi(configuration), caller: new DatadogCaller({ policy, breaker, ...(opts.sleep ? { sleep: opts.sleep } : {}) }), policy };
}

export function createDatadogHandlers(opts: DatadogHandlerOptions): KindHandler[] {
  const { api, caller, policy } = monitorsApi(opts, opts.breaker);
  const monitors = new DatadogMonitorHandler({
    api,
    caller,
    ...(opts.environment ? { environment: opts.environment } : {}),
    variables: opts.variables ?? {},
    lateCommitWindowMs: opts.lateCommitWindowMs ?? lateCommitWindow(policy),
  });
  return [monitors];
}

/** The apply lock of this org and environment (datadog/lock.ts). */
export function createDatadogLock(opts: DatadogHandlerOptions): TargetLock {
  // Its own breaker: a lock must still be released after the target's circuit opened.
  const { api, caller } = monitorsApi(opts, new CircuitBreaker("datadog"));
  return new DatadogApplyLock(api, caller, opts.environment);
}
