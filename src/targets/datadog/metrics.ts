/**
 * Datadog's metrics intake for `pipemon run`: `POST /api/v1/series` (`SubmitMetrics` of the
 * v1 OpenAPI document; only the API key is needed) through the official client. Counts are
 * deltas (`type: count`): Datadog sums them per query window, so nothing is read back.
 *
 * Only the client's common part and its v1 MetricsApi are loaded, not the package's index:
 * the index loads every v1 and v2 model (seconds on a small machine, before every job),
 * these two a tenth of that. Same pinned package, same classes. The transport is a plain
 * fetch under the run's AbortSignal: one request per phase needs none of plan/apply's pacing.
 */
import { createRequire } from "node:module";
import type { client, v1 } from "@datadog/datadog-api-client";

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

/** A failed submission, as one secret-free line. */
export class MetricsIntakeError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "MetricsIntakeError";
  }
}

const PACKAGE = "@datadog/datadog-api-client/dist/packages";
interface ClientParts {
  common: typeof client;
  MetricsApi: typeof v1.MetricsApi;
}
let parts: ClientParts | undefined;

/** Loads the two parts of the client the intake needs (once). */
export function loadIntakeClient(): ClientParts {
  if (!parts) {
    // lint-allow-computed-import: loads two files of @datadog/datadog-api-client, inside its target folder
    const load = createRequire(import.meta.url);
    parts = {
      common: load(`${PACKAGE}/datadog-api-client-common/index.js`) as typeof client,
      MetricsApi: (load(`${PACKAGE}/datadog-api-client-v1/apis/MetricsApi.js`) as { MetricsApi: typeof v1.MetricsApi }).MetricsApi,
    };
  }
  return parts;
}

/** The v1 body: one series per point, as the intake expects (`points: [[ts, value]]`). */
export function seriesPayload(points: readonly SeriesPoint[]): v1.MetricsPayload {
  return {
    series: points.map((p) => ({ metric: p.metric, type: p.type, points: [[p.timestamp, p.value]], tags: [...p.tags] })),
  };
}

/** `api.datadoghq.eu`, `https://api.datadoghq.eu/` and `http://127.0.0.1:8126` all work. */
function baseUrl(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, "");
}

function transport(common: typeof client, signal: AbortSignal, timeoutMs: number): client.HttpLibrary {
  return {
    async send(request: client.RequestContext): Promise<client.ResponseContext> {
      const body = request.getBody();
      const response = await fetch(request.getUrl(), {
        method: request.getHttpMethod().toString(),
        headers: request.getHeaders(),
        body: typeof body === "string" || Buffer.isBuffer(body) ? body : undefined,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const text = await response.text();
      return new common.ResponseContext(response.status, headers, { text: async () => text, binary: async () => Buffer.from(text, "utf8") });
    },
  };
}

/** Datadog's `{"errors": [...]}` as one short line. */
function detail(body: unknown): string {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const text = Array.isArray(errors) ? errors.map(String).join("; ") : typeof body === "string" ? body : "";
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

function describe(e: unknown, common: typeof client): MetricsIntakeError {
  if (e instanceof common.ApiException) {
    if (e.code === 401 || e.code === 403) return new MetricsIntakeError(`the API key was rejected (${e.code} ${e.code === 401 ? "Unauthorized" : "Forbidden"}): check DD_API_KEY (a valid key for this site)`, e.code);
    const why = detail(e.body);
    return new MetricsIntakeError(`Datadog answered ${e.code}${why ? `: ${why}` : ""}`, e.code);
  }
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return new MetricsIntakeError("no answer within the timeout");
  if (err?.cause?.code === "ECONNREFUSED") return new MetricsIntakeError("connection refused");
  return new MetricsIntakeError(err?.cause?.code ?? (err?.message ?? String(e)).replace(/\s+/g, " ").slice(0, 300));
}

const transient = (e: MetricsIntakeError): boolean => e.status === undefined || e.status === 429 || e.status >= 500;
const RETRY_DELAY_MS = 200;

/** Submits the points; one brief retry on a transient fault; rejects with a MetricsIntakeError. */
export async function submitSeries(points: readonly SeriesPoint[], opts: MetricsIntakeOptions): Promise<void> {
  const { common, MetricsApi } = loadIntakeClient();
  const configuration = common.createConfiguration({
    ...(opts.host ? { baseServer: new common.BaseServerConfiguration(baseUrl(opts.host), {}) } : {}),
    authMethods: { apiKeyAuth: opts.apiKey },
    httpApi: transport(common, opts.signal, opts.timeoutMs),
    enableRetry: false,
  });
  if (!opts.host && opts.site) configuration.setServerVariables({ site: opts.site });
  const api = new MetricsApi(configuration);
  const body = seriesPayload(points);
  for (let attempt = 1; ; attempt++) {
    try {
      await api.submitMetrics({ body });
      return;
    } catch (e) {
      const fault = describe(e, common);
      if (!transient(fault) || attempt >= 2 || opts.signal.aborted) throw fault;
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    }
  }
}
