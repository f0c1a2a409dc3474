/**
 * The query API client against a scripted local HTTP server: chunking under the point limit,
 * retries of 429/5xx and truncated bodies, and a clear one-line error for every answer that
 * is not complete (refusal, timeout, warnings, wrong result type), never a partial result.
 * Auth: the headers are sent, the secrets never appear in an error.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runSecrets } from "../../src/lib/scrub.js";
import {
  defaultQueryConcurrency,
  MAX_POINTS_PER_SERIES,
  PrometheusQueryApi,
  QueryApiError,
  QueryApiSettingsError,
  rangeChunks,
  resolveQueryApiConnection,
  type QueryApiConnection,
} from "../../src/targets/prometheus/query-api.js";

interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  form: URLSearchParams;
}

type Handler = (seen: Seen, res: ServerResponse, index: number) => void;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function server(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const one = { path: req.url ?? "", headers: req.headers, form: new URLSearchParams(body) };
      seen.push(one);
      handler(one, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

/** A matrix answer for the asked range: one series whose value is the timestamp. */
function matrixFor(form: URLSearchParams): unknown {
  const start = Number(form.get("start"));
  const end = Number(form.get("end"));
  const step = Number(form.get("step"));
  const values: [number, string][] = [];
  for (let t = start; t <= end; t += step) values.push([t, String(t)]);
  return { status: "success", data: { resultType: "matrix", result: [{ metric: { pipeline: "a" }, values }] } };
}

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 };
const connection = (url: string, headers: Record<string, string> = {}): QueryApiConnection => ({ url, headers, source: "PROMETHEUS_URL" });

describe("range chunks", () => {
  it("cuts a range into runs of at most the point limit, covering every step once", () => {
    const chunks = rangeChunks(0, 60 * 25_000, 60, MAX_POINTS_PER_SERIES);
    const steps = chunks.flatMap((c) => Array.from({ length: (c.end - c.start) / 60 + 1 }, (_, i) => c.start + i * 60));
    expect(chunks.every((c) => (c.end - c.start) / 60 + 1 <= MAX_POINTS_PER_SERIES)).toBe(true);
    expect(steps).toEqual(Array.from({ length: 25_001 }, (_, i) => i * 60));
  });
});

describe("the query API client", () => {
  it("sends chunks under the limit and merges them into one complete series", async () => {
    const { url, seen } = await server((s, res) => {
      const points = (Number(s.form.get("end")) - Number(s.form.get("start"))) / Number(s.form.get("step")) + 1;
      if (points > 100) return json(res, 400, { status: "error", errorType: "bad_data", error: "exceeded maximum resolution of 100 points per timeseries" });
      json(res, 200, matrixFor(s.form));
    });
    const api = new PrometheusQueryApi(connection(url), { maxPointsPerSeries: 100, retry: fast });
    const result = await api.queryRange("up", { start: 1000, end: 1000 + 60 * 349, step: 60 });
    expect(seen.length).toBe(4);
    expect(result).toHaveLength(1);
    expect(result[0]!.values.map((v) => v[0])).toEqual(Array.from({ length: 350 }, (_, i) => 1000 + i * 60));
    expect(api.queryCount).toBe(4);
  });

  it("names the server's refusal of too many points in one line", async () => {
    const { url } = await server((_s, res) => json(res, 400, { status: "error", errorType: "bad_data", error: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)" }));
    const api = new PrometheusQueryApi(connection(url), { retry: fast });
    const e = await api.queryRange("up", { start: 0, end: 600, step: 60 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QueryApiError);
    expect((e as Error).message).toMatch(/refused the query \(HTTP 400\): bad_data: exceeded maximum resolution of 11,000 points/);
    expect((e as Error).message).not.toContain("\n");
  });

  it("retries 429 and 5xx, then answers", async () => {
    const { url, seen } = await server((s, res, i) => {
      if (i === 0) return json(res, 429, { status: "error", error: "slow down" });
      if (i === 1) return json(res, 503, { status: "error", error: "unavailable" });
      json(res, 200, matrixFor(s.form));
    });
    const api = new PrometheusQueryApi(connection(url), { retry: fast });
    const result = await api.queryRange("up", { start: 0, end: 120, step: 60 });
    expect(seen).toHaveLength(3);
    expect(result[0]!.values).toHaveLength(3);
    expect(api.requestCount).toBe(3);
  });

  it("gives up on a server that keeps failing with one line, and nothing partial", async () => {
    const { url } = await server((_s, res) => json(res, 502, { status: "error", error: "bad gateway" }));
    const api = new PrometheusQueryApi(connection(url), { retry: fast });
    await expect(api.queryRange("up", { start: 0, end: 120, step: 60 })).rejects.toThrow(/HTTP 502: bad gateway \(after 3 attempts\); no result is shown rather than a partial one/);
  });

  it("fails the whole range when one chunk fails", async () => {
    const { url } = await server((s, res) => (Number(s.form.get("start")) > 0 ? json(res, 500, { status: "error", error: "boom" }) : json(res, 200, matrixFor(s.form))));
    const api = new PrometheusQueryApi(connection(url), { retry: fast, maxPointsPerSeries: 10 });
    await expect(api.queryRange("up", { start: 0, end: 60 * 30, step: 60 })).rejects.toThrow(QueryApiError);
  });

  it("times out a server that does not answer", async () => {
    const { url } = await server(() => undefined);
    const api = new PrometheusQueryApi(connection(url), { retry: { ...fast, attempts: 2, timeoutMs: 200 } });
    await expect(api.queryRange("up", { start: 0, end: 60, step: 60 })).rejects.toThrow(/no answer within 0.2s \(after 2 attempts\)/);
  });

  it("retries a truncated body and refuses it when it stays truncated", async () => {
    const { url, seen } = await server((_s, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"val'));
    const api = new PrometheusQueryApi(connection(url), { retry: fast });
    await expect(api.queryRange("up", { start: 0, end: 60, step: 60 })).rejects.toThrow(/truncated or non-JSON answer.*after 3 attempts/);
    expect(seen).toHaveLength(3);
  });

  it("refuses an answer with warnings (a partial response) and a wrong result type", async () => {
    const { url } = await server((s, res) => {
      if (s.form.get("query") === "warn") return json(res, 200, { ...(matrixFor(s.form) as object), warnings: ["partial response: store gateway 3 unavailable"] });
      json(res, 200, { status: "success", data: { resultType: "vector", result: [] } });
    });
    const api = new PrometheusQueryApi(connection(url), { retry: fast });
    await expect(api.queryRange("warn", { start: 0, end: 60, step: 60 })).rejects.toThrow(/warnings, so the result may be partial: partial response: store gateway 3 unavailable/);
    await expect(api.queryRange("other", { start: 0, end: 60, step: 60 })).rejects.toThrow(/expected a matrix result, got "vector"/);
  });
});

describe("authentication", () => {
  const token = "tok-bearer-9f8e7d6c5b4a";
  const password = "pw-basic-1a2b3c4d5e6f";

  it("sends the bearer token and the tenant, and no error shows the token", async () => {
    const { url, seen } = await server((_s, res) => json(res, 401, { status: "error", error: `invalid token ${token}` }));
    const env = { PROM_URL: url, PROM_TOKEN: token, TENANT: "team-a" } as Record<string, string>;
    const conn = resolveQueryApiConnection({ url: "${PROM_URL}", bearerToken: "${PROM_TOKEN}", tenant: "${TENANT}" }, (n) => env[n]);
    const api = new PrometheusQueryApi(conn, { retry: fast });
    const e = (await api.query("up", 0).catch((x: unknown) => x)) as Error;
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(seen[0]!.headers["x-scope-orgid"]).toBe("team-a");
    expect(e.message).toMatch(/authentication refused \(HTTP 401\)/);
    expect(e.message).toContain("invalid token ***");
    expect(e.message).not.toContain(token);
  });

  it("sends basic auth and never shows the password", async () => {
    const { url, seen } = await server((_s, res) => json(res, 403, { status: "error", error: `denied for user:${password}` }));
    const env = { PROM_USER: "12345", PROM_PASSWORD: password } as Record<string, string>;
    const conn = resolveQueryApiConnection({ url, basicAuth: { username: "${PROM_USER}", password: "${PROM_PASSWORD}" } }, (n) => env[n]);
    const e = (await new PrometheusQueryApi(conn, { retry: fast }).query("up", 0).catch((x: unknown) => x)) as Error;
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`12345:${password}`).toString("base64")}`);
    expect(e.message).not.toContain(password);
    expect(runSecrets.scrub(JSON.stringify(conn))).not.toContain(password);
  });

  it("names the variable to set, never a value", () => {
    expect(() => resolveQueryApiConnection(undefined, () => undefined)).toThrow(QueryApiSettingsError);
    expect(() => resolveQueryApiConnection(undefined, () => undefined)).toThrow(/export PROMETHEUS_URL/);
    // One sentence naming both ways to set it (it used to read "…in the config or is not set: …").
    expect(() => resolveQueryApiConnection(undefined, () => undefined)).toThrow(/^the Prometheus query URL is not set: set prometheus\.url in the config, or export PROMETHEUS_URL$/);
    expect(() => resolveQueryApiConnection({ url: "http://x:9090", bearerToken: "${T}" }, () => undefined)).toThrow(/prometheus.bearerToken is not set: export T/);
  });
});

describe("defaultQueryConcurrency", () => {
  it("reads PIPEMON_QUERY_CONCURRENCY for every command, a whole number above 0, else 4", () => {
    const saved = process.env.PIPEMON_QUERY_CONCURRENCY;
    try {
      delete process.env.PIPEMON_QUERY_CONCURRENCY;
      expect(defaultQueryConcurrency()).toBe(4);
      process.env.PIPEMON_QUERY_CONCURRENCY = "12";
      expect(defaultQueryConcurrency()).toBe(12);
      for (const bad of ["0", "2.5", "-3", "many"]) {
        process.env.PIPEMON_QUERY_CONCURRENCY = bad;
        expect(defaultQueryConcurrency()).toBe(4);
      }
    } finally {
      if (saved === undefined) delete process.env.PIPEMON_QUERY_CONCURRENCY;
      else process.env.PIPEMON_QUERY_CONCURRENCY = saved;
    }
  });
});
