/**
 * `preview --prometheus`: the panels' PromQL evaluated as range queries against a real
 * Prometheus (Debian's package) holding a backfilled hour of one pipeline's metrics, and the
 * minimal query client's handling of credentials and failures.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preview, prometheusQueryRange, PreviewFailure } from "../../src/app/preview.js";
import { runSecrets } from "../../src/lib/scrub.js";
import { binary, freePort, startPrometheus, stopAll } from "../live/processes.js";

const work = mkdtempSync(join(tmpdir(), "pipemon-preview-live-"));
const now = Math.floor(Date.now() / 1000);
/** The backfilled hour ends two minutes ago, one sample a minute. */
const end = now - 120;
const minutes = Array.from({ length: 61 }, (_, i) => end - (60 - i) * 60);
const cpu = (i: number): number => +(0.3 + i * 0.01).toFixed(2);

let url: string;

beforeAll(async () => {
  const lines: string[] = ["# TYPE pipeline_cpu_usage_ratio gauge"];
  minutes.forEach((t, i) => lines.push(`pipeline_cpu_usage_ratio{pipeline="orders-etl"} ${cpu(i)} ${t}`));
  lines.push("# TYPE pipeline_run_duration_seconds gauge");
  minutes.forEach((t, i) => lines.push(`pipeline_run_duration_seconds{pipeline="orders-etl"} ${1200 + i * 30} ${t}`));
  lines.push("# TYPE pipeline_errors counter");
  for (const type of ["timeout", "schema"]) minutes.forEach((t, i) => lines.push(`pipeline_errors_total{pipeline="orders-etl",error_type="${type}"} ${i * (type === "timeout" ? 2 : 1)} ${t}`));
  lines.push("# EOF", "");
  writeFileSync(join(work, "metrics.om"), lines.join("\n"));
  const backfill = spawnSync(binary("promtool"), ["tsdb", "create-blocks-from", "openmetrics", join(work, "metrics.om"), join(work, "prom-data")], { encoding: "utf8" });
  if (backfill.status !== 0) throw new Error(`promtool backfill failed:\n${backfill.stdout}${backfill.stderr}`);
  writeFileSync(join(work, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
  const port = await freePort();
  await startPrometheus(work, port, "1m");
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

interface PageData {
  relativeTime: boolean;
  panels: { id: number; x: number[]; series: { name: string; values: (number | null)[]; thresholds: { value: number | null }[] }[]; error?: string }[];
}

function pageData(file: string): PageData {
  const html = readFileSync(file, "utf8");
  const json = /<script type="application\/json" id="pipemon-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error(`no data in ${file}`);
  return JSON.parse(json) as PageData;
}

describe("preview --prometheus against a real Prometheus", () => {
  it("draws each panel from its PromQL over the window: the backfilled values, per series, in Unix time", async () => {
    const out = join(work, "site");
    const result = await preview({ root: "specs", out, sinceSeconds: 3600, environment: "production", live: { ...prometheusQueryRange(url), now } });
    expect(result.failedQueries).toEqual([]);
    expect(result.dashboards).toBe(12);
    const data = pageData(join(out, "production", "orders-etl.html"));
    expect(data.relativeTime).toBe(false);
    const byId = new Map(data.panels.map((p) => [p.id, p]));

    // CPU gauge (panel 7): max(pipeline_cpu_usage_ratio{pipeline="orders-etl"}) at each step.
    const cpuPanel = byId.get(7)!;
    expect(cpuPanel.x.every((t) => t >= now - 3600 - 15 && t <= now)).toBe(true);
    expect(cpuPanel.series.map((s) => s.name)).toEqual(["CPU"]);
    const cpuValues = cpuPanel.series[0]!.values;
    // Every step within the backfilled hour sees the sample of its minute (Prometheus's 5m lookback).
    cpuPanel.x.forEach((t, i) => {
      if (t < minutes[0]! || t > end) return;
      const minute = Math.floor((t - minutes[0]!) / 60);
      expect(cpuValues[i], `at ${t}`).toBe(cpu(minute));
    });
    expect(cpuValues.filter((v) => v !== null).length).toBeGreaterThan(200);
    expect(cpuPanel.series[0]!.thresholds.map((s) => s.value)).toEqual([null, 0.8, 0.95]);

    // Run duration (panel 3): the last run's duration; no run in progress, so "current run" has no series.
    const duration = byId.get(3)!;
    expect(duration.series.map((s) => s.name)).toEqual(["last run"]);
    expect(Math.max(...duration.series[0]!.values.filter((v): v is number => v !== null))).toBe(1200 + 60 * 30);

    // Errors (panel 9): one series per error_type, named by the legend format.
    expect(byId.get(9)!.series.map((s) => s.name).sort()).toEqual(["schema", "timeout", "total"]);

    // A pipeline with no data: its panels draw nothing, and no query failed.
    const quiet = pageData(join(out, "production", "warehouse-dbt-daily.html"));
    expect(quiet.panels.find((p) => p.id === 7)!.series).toEqual([]);
    expect(readFileSync(join(out, "production", "orders-etl.html"), "utf8")).toContain(`Live data from ${url}`);
  });
});

describe("the minimal range-query client", () => {
  it("sends credentials of the URL as basic auth and never shows them", async () => {
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [{ metric: { a: "1" }, values: [[60, "1.5"]] }] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const client = prometheusQueryRange(`http://reader:s%40cret@127.0.0.1:${port}/prom/`);
      expect(client.display).toBe(`http://127.0.0.1:${port}/prom`);
      expect(await client.queryRange("up", 0, 60, 15)).toEqual([{ metric: { a: "1" }, values: [[60, "1.5"]] }]);
      expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from("reader:s@cret").toString("base64")}`);
      expect(seen[0]!.url).toBe("/prom/api/v1/query_range?query=up&start=0&end=60&step=15");
    } finally {
      server.close();
    }
  });

  it("says in one line which Prometheus it cannot reach (without credentials), and writes nothing", async () => {
    const port = await freePort();
    const out = join(work, "unreachable");
    const attempt = preview({ root: "specs", out, sinceSeconds: 3600, environment: "production", live: { ...prometheusQueryRange(`http://u:hunter2@127.0.0.1:${port}`), now } });
    await expect(attempt).rejects.toThrow(PreviewFailure);
    await expect(attempt).rejects.toThrow(new RegExp(`^cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED$`));
    await attempt.catch((e: Error) => expect(e.message).not.toContain("hunter2"));
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => prometheusQueryRange("file:///etc/passwd")).toThrow(/must be an http\(s\) URL/);
    expect(() => prometheusQueryRange("not a url")).toThrow(/is not a URL/);
  });

  it("never echoes a --prometheus that is not a URL: a password holding a / escapes the userinfo scrub", () => {
    let message = "";
    try {
      prometheusQueryRange("http://u:se/cret@h:x");
    } catch (e) {
      expect(e).toBeInstanceOf(PreviewFailure);
      message = (e as Error).message;
    }
    expect(message).toBe("--prometheus is not a URL: pass the Prometheus base URL, e.g. http://localhost:9090");
  });

  it("registers the URL's credentials with the run's scrubber before anything can fail", () => {
    expect(() => prometheusQueryRange("ftp://reader:pa55word-x@127.0.0.1")).toThrow(/must be an http\(s\) URL/);
    expect(runSecrets.scrub("echoed pa55word-x and reader:pa55word-x")).toBe("echoed *** and ***");
  });
});
