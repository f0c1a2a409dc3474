/**
 * Datadog target: the handlers plan/apply use for Datadog, built on the official
 * `@datadog/datadog-api-client` (the only place in pipemon that imports it).
 */
import { client, v1 } from "@datadog/datadog-api-client";
import { runSecrets } from "../../lib/scrub.js";
import type { KindHandler } from "../handler.js";
import { defaultRetryPolicy, type CircuitBreaker, type RetryPolicy } from "../resilience.js";
import { DatadogCaller } from "./calls.js";
import { PacedFetchHttpLibrary, type RequestObserver } from "./http.js";
import { DatadogMonitorHandler } from "./monitors.js";

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
  /** Non-fatal findings (duplicate monitors for one pipemon id). */
  onWarning?: (message: string) => void;
}

/** `api.datadoghq.eu`, `https://api.datadoghq.eu/` and `http://127.0.0.1:8126` all work. */
export function normaliseHost(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, "");
}


export function createDatadogHandlers(opts: DatadogHandlerOptions): KindHandler[] {
  // What these handlers send is secret, whoever built them.
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
  const caller = new DatadogCaller({ policy, breaker: opts.breaker });
  const monitors = new DatadogMonitorHandler({
    api: new v1.MonitorsApi(configuration),
    caller,
    ...(opts.environment ? { environment: opts.environment } : {}),
    variables: opts.variables ?? {},
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
  return [monitors];
}
