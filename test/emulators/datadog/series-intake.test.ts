/**
 * The Datadog emulator's metrics intake, and what `pipemon run` sends through it.
 * - The copied contract still equals Datadog's OpenAPI document, and the intake enforces it.
 * - The series `pipemon run` submits (through the official client) are accepted, and their
 *   names, types and tags are exactly the ones the generated monitors query: for the repo's
 *   orders-etl (generated/) and for a pipeline whose spec overrides names and selectors.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { submitSeries } from "../../../src/targets/datadog/metrics.js";
import { parseMetricQuery } from "../../../src/lib/datadog-query.js";
import { REPO_ROOT, runCliAsync } from "../../support/cli.js";
import { startDatadogEmulator, type DatadogEmulator, type StoredSeries } from "./server.js";

/** Datadog's whole v1 document, as the repository holds it. */
const SOURCE = resolve(REPO_ROOT, "test/contracts/datadog/openapi-v1.yaml");
const COPY = resolve(REPO_ROOT, "test/contracts/datadog/series.openapi.yaml");

let dd: DatadogEmulator;
beforeAll(async () => {
  dd = await startDatadogEmulator();
});
afterAll(async () => {
  await dd.close();
});
beforeEach(() => dd.reset());

const now = () => Math.floor(Date.now() / 1000);

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { errors?: string[]; status?: string } }> {
  const r = await fetch(`${dd.url}/api/v1/series`, {
    method: "POST",
    headers: { "content-type": "text/json", "dd-api-key": dd.apiKey, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { errors?: string[]; status?: string } };
}

describe("the copied contract", () => {
  it("equals the operation and schemas of Datadog's v1 OpenAPI document", () => {
    const source = parse(readFileSync(SOURCE, "utf8")) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown>; responses: Record<string, unknown> } };
    const copy = parse(readFileSync(COPY, "utf8")) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown>; responses: Record<string, unknown> } };
    expect(copy.paths["/api/v1/series"]).toEqual(source.paths["/api/v1/series"]);
    for (const [name, schema] of Object.entries(copy.components.schemas)) expect(schema, name).toEqual(source.components.schemas[name]);
    for (const [name, response] of Object.entries(copy.components.responses)) expect(response, name).toEqual(source.components.responses[name]);
  });
});

describe("the emulator's intake", () => {
  it("accepts the contract's own example (with current timestamps): 202 {status: ok}", async () => {
    const r = await post({ series: [{ host: "test.example.com", metric: "system.load.1", points: [[now(), 0.7]], tags: ["environment:test"], type: "gauge" }] });
    expect(r).toEqual({ status: 202, body: { status: "ok" } });
    expect(dd.series).toMatchObject([{ metric: "system.load.1", type: "gauge", tags: ["environment:test"] }]);
  });

  it.each([
    ["a point that is not a pair", { series: [{ metric: "m", points: [[now(), 1, 2]] }] }, /points\/0 must NOT have more than 2 items/],
    ["no points", { series: [{ metric: "m" }] }, /must have required property 'points'/],
    ["a string value", { series: [{ metric: "m", points: [[now(), "1"]] }] }, /points\/0\/1 must be number/],
    ["no series", { metrics: [] }, /must have required property 'series'/],
    ["an unknown type", { series: [{ metric: "m", type: "histogram", points: [[now(), 1]] }] }, /type 'histogram' is not one of/],
    ["a point two hours old", { series: [{ metric: "m", points: [[now() - 7200, 1]] }] }, /is not current/],
    ["a point an hour ahead", { series: [{ metric: "m", points: [[now() + 3600, 1]] }] }, /is not current/],
  ])("rejects %s with a 400", async (_what, body, message) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]).toMatch(message);
    expect(dd.series).toEqual([]);
  });

  it("needs the API key (only: no application key) and says 403 otherwise", async () => {
    expect((await post({ series: [] }, { "dd-api-key": "wrong" })).status).toBe(403);
    expect((await post({ series: [] })).status).toBe(202);
  });

  it("takes what the official client sends; a rejected key is one line naming DD_API_KEY", async () => {
    const points = [{ metric: "pipeline.runs", type: "count" as const, tags: ["pipeline:x", "status:failed"], value: 1, timestamp: now() }];
    await submitSeries(points, { apiKey: dd.apiKey, host: dd.url, signal: AbortSignal.timeout(5000), timeoutMs: 5000 });
    expect(dd.series).toMatchObject([{ metric: "pipeline.runs", type: "count", tags: ["pipeline:x", "status:failed"], points: [[points[0]!.timestamp, 1]] }]);
    await expect(submitSeries(points, { apiKey: "not-the-key", host: dd.url, signal: AbortSignal.timeout(5000), timeoutMs: 5000 })).rejects.toThrow(
      /^the API key was rejected \(403 Forbidden\): check DD_API_KEY/,
    );
  });
});

interface QueriedMetric {
  metric: string;
  type: "count" | "gauge";
  scope: string[];
}

/** Every metric term of the pipeline's monitors: `.as_count()` reads a count, anything else a gauge. */
function monitorMetrics(file: string): QueriedMetric[] {
  const monitors = JSON.parse(readFileSync(file, "utf8")) as { query: string }[];
  return monitors.flatMap((m) => parseMetricQuery(m.query).terms.map((t) => ({ metric: t.metric, type: t.modifier === "as_count" ? ("count" as const) : ("gauge" as const), scope: t.scope })));
}

/** The series that a monitor term reads: same metric, every scope tag present. */
const reads = (q: QueriedMetric, s: StoredSeries): boolean => s.metric === q.metric && q.scope.every((tag) => s.tags.includes(tag));

async function runAndCheck(specs: string, args: string[], monitorsFile: string): Promise<void> {
  const env = { DD_API_KEY: dd.apiKey, DD_HOST: dd.url };
  const work = mkdtempSync(join(tmpdir(), "pipemon-run-dd-"));
  try {
    for (const [job, code] of [["exit 1", 1], ["echo '{\"records_processed\": 10, \"records_failed\": 1, \"errors\": {\"io\": 1}}' >> \"$PIPEMON_STATS_FILE\"", 0]] as const) {
      const r = await runCliAsync(["--specs", specs, "run", ...args, "--", "sh", "-c", job], work, env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(code);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const queried = monitorMetrics(monitorsFile);
  expect(queried.length).toBeGreaterThan(0);
  // Every metric a monitor reads is sent, with the monitor's tags and of the type it reads.
  for (const q of queried) {
    const matching = dd.series.filter((s) => reads(q, s));
    expect(matching.length, `${q.metric}{${q.scope.join(",")}} is sent`).toBeGreaterThan(0);
    expect([...new Set(matching.map((s) => s.type))], `${q.metric} is sent as ${q.type}`).toEqual([q.type]);
  }
  // Every series sent under a metric the monitors read is one of the series they read.
  const queriedNames = new Set(queried.map((q) => q.metric));
  for (const s of dd.series.filter((x) => queriedNames.has(x.metric))) {
    expect(queried.some((q) => reads(q, s)), `${s.metric}{${s.tags.join(",")}} is read by a monitor`).toBe(true);
  }
}

describe("pipemon run sends what the monitors query", () => {
  it("orders-etl: the generated/ monitors of production", async () => {
    await runAndCheck(join(REPO_ROOT, "specs"), ["orders-etl", "--env", "production"], join(REPO_ROOT, "generated/production/datadog/monitors/orders-etl.json"));
    // And nothing else than the contract's series: the default selector on every one.
    expect(dd.series.every((s) => s.tags.includes("pipeline:orders-etl"))).toBe(true);
  }, 60_000);

  it("a spec with its own metric names and selectors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pipemon-run-dd-specs-"));
    try {
      const specs = join(dir, "specs");
      mkdirSync(specs);
      writeFileSync(join(specs, "pipemon.yaml"), [
        "apiVersion: pipemon/v1",
        "kind: Config",
        "channels:",
        '  oncall: { type: webhook, url: "${ONCALL_URL}", datadog: "@webhook-oncall" }',
        "routing: { critical: [oncall], high: [oncall], medium: [oncall], low: [oncall] }",
        "defaults: { targets: [datadog] }",
        "",
      ].join("\n"));
      writeFileSync(join(specs, "legacy-orders.yaml"), [
        "apiVersion: pipemon/v1",
        "kind: Pipeline",
        "metadata: { name: legacy-orders, team: data }",
        "spec:",
        "  type: batch",
        '  schedule: "0 * * * *"',
        "  sla: { maxDuration: 30m, freshness: 2h }",
        "  thresholds: { failureRate: { critical: 5% }, minRecords: 100, errors: { critical: 5 }, cpu: { critical: 90% }, memory: { critical: 90% } }",
        "  metrics:",
        "    selector: { service: orders-loader }",
        "    signals:",
        "      runs: { datadog: orders.loader.runs }",
        "      recordsProcessed: { datadog: orders.loader.rows, selector: { service: orders-loader, stage: load } }",
        "",
      ].join("\n"));
      const gen = await runCliAsync(["--specs", specs, "generate", "--out", join(dir, "generated")], dir);
      expect(gen.code, gen.stderr).toBe(0);
      await runAndCheck(specs, ["legacy-orders"], join(dir, "generated/datadog/monitors/legacy-orders.json"));
      expect(dd.series.some((s) => s.metric === "orders.loader.rows" && s.tags.join(",") === "service:orders-loader,stage:load")).toBe(true);
      expect(dd.series.some((s) => s.metric.startsWith("pipeline.runs"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
