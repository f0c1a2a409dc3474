/**
 * Datadog's metrics intake for `pipemon run`: `POST /api/v1/series` (`SubmitMetrics` of the
 * v1 OpenAPI document; only the API key is needed) through the official client. Counts are
 * deltas (`type: count`): Datadog sums them per query window, so nothing is read back.
 */
import { client, v1 } from "@datadog/datadog-api-client";
import { CircuitBreaker } from "../resilience.js";
import { DatadogCallError, DatadogCaller } from "./calls.js";
import { PacedFetchHttpLibrary } from "./http.js";
import { normaliseHost } from "./index.js";

export interface SeriesPoint {
  metric: string;
  type: "count" | "gauge";
  /** `key:value` tags. */
  tags: readonly string[];
  value: number;
  /** Unix seconds. */
  timestamp: number;
}

export interface MetricsIntakeOptions {
  apiKey: string;
  /** DD_SITE: datadoghq.com (default), datadoghq.eu, … */
  site?: string;
  /** DD_HOST: the API base URL itself (private endpoints, emulators); wins over `site`. */
  host?: string;
  /** Aborts the submission (the run's per-phase budget). */
  signal: AbortSignal;
  /** Per-attempt timeout; the signal bounds the whole call anyway. */
  timeoutMs: number;
}

/** The v1 body: one series per point, as the intake expects (`points: [[ts, value]]`). */
export function seriesPayload(points: readonly SeriesPoint[]): v1.MetricsPayload {
  return {
    series: points.map((p) => ({ metric: p.metric, type: p.type, points: [[p.timestamp, p.value]], tags: [...p.tags] })),
  };
}

/** Submits the points; rejects with a one-line, secret-free DatadogCallError. */
export async function submitSeries(points: readonly SeriesPoint[], opts: MetricsIntakeOptions): Promise<void> {
  const httpApi = new PacedFetchHttpLibrary({ timeoutMs: opts.timeoutMs, maxWaitMs: opts.timeoutMs });
  const configuration = client.createConfiguration({
    ...(opts.host ? { baseServer: new client.BaseServerConfiguration(normaliseHost(opts.host), {}) } : {}),
    authMethods: { apiKeyAuth: opts.apiKey },
    httpApi,
    httpConfig: { signal: opts.signal },
    enableRetry: false,
  });
  if (!opts.host && opts.site) configuration.setServerVariables({ site: opts.site });
  const api = new v1.MetricsApi(configuration);
  // One brief retry: the run's budget is seconds, not the minutes plan/apply may wait.
  const caller = new DatadogCaller({ policy: { attempts: 2, baseDelayMs: 200, maxDelayMs: 200, timeoutMs: opts.timeoutMs }, breaker: new CircuitBreaker("datadog") });
  try {
    await caller.call("submit metrics", () => api.submitMetrics({ body: seriesPayload(points) }));
  } catch (e) {
    if (e instanceof DatadogCallError && (e.status === 401 || e.status === 403)) {
      throw new DatadogCallError("the API key was rejected (403 Forbidden): check DD_API_KEY (a valid key for this site)", e.status, false);
    }
    throw e;
  }
}
