/**
 * `pipemon report` as a user runs it (the compiled CLI): its html from the bundle with uPlot
 * inlined, and the mistakes said in one line with exit 1 and nothing on stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "node-html-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../live/processes.js";
import { runCliAsync } from "../support/cli.js";
import { startHistoryPrometheus, type HistoryPrometheus, type Timeline } from "../support/history.js";

const HOUR = 3600;
const TIMELINE: Timeline = {
  duration: 6 * HOUR,
  scrapeSeconds: 60,
  pipelines: [{ type: "batch", name: "orders-etl", runs: Array.from({ length: 6 }, (_, h) => ({ start: h * HOUR, duration: 600 + h * 60, status: h === 3 ? "failed" as const : "success" as const, records: 5000, cpu: 0.5 + h / 20 })) }],
};

let prom: HistoryPrometheus;
let dir: string;
beforeAll(async () => {
  prom = await startHistoryPrometheus(TIMELINE);
  dir = mkdtempSync(join(tmpdir(), "pipemon-report-cli-"));
  writeFileSync(join(dir, "pipemon.yaml"), [
    "apiVersion: pipemon/v1", "kind: Config", "grafana: { datasource: { type: prometheus, uid: prometheus } }",
    "channels: { mail: { type: email, addresses: [a@example.com], datadog: \"@a@example.com\" } }",
    "routing: { critical: [mail], high: [mail], medium: [mail], low: [mail] }", "",
  ].join("\n"));
  writeFileSync(join(dir, "orders-etl.yaml"), [
    "apiVersion: pipemon/v1", "kind: Pipeline", "metadata: { name: orders-etl, team: commerce }",
    "spec:", "  type: batch", '  schedule: "0 * * * *"', "  sla: { maxDuration: 45m, freshness: 2h }", "  thresholds: { cpu: { warning: 60%, critical: 70% } }", "",
  ].join("\n"));
}, 120_000);
afterAll(async () => {
  await prom?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const period = (): string[] => ["--since", String(prom.origin + HOUR), "--until", String(prom.origin + TIMELINE.duration)];

describe("pipemon report", () => {
  it("writes one html page with uPlot and the charts' data inlined, from the bundle", async () => {
    const r = await runCliAsync(["--specs", dir, "report", ...period(), "--format", "html"], dir, { PROMETHEUS_URL: prom.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const page = parse(r.stdout, { blockTextElements: { script: true, style: true } });
    expect(page.querySelectorAll("script").some((s) => s.textContent.includes("uPlot"))).toBe(true);
    expect(page.querySelectorAll("[src], link")).toHaveLength(0);
    const data = JSON.parse(page.querySelector("#pipemon-data")!.textContent) as { charts: { title: string; thresholds: { label: string }[] }[] };
    expect(data.charts.map((c) => c.title)).toEqual(["run duration (at each run's end)", "CPU usage"]);
    expect(data.charts[1]!.thresholds.map((t) => t.label)).toEqual(["thresholds.cpu.critical", "thresholds.cpu.warning"]);
    expect(page.querySelectorAll("li.critical").map((li) => li.textContent)).toContainEqual(expect.stringContaining("CPU peak 75% > 70% (thresholds.cpu.critical) at orders-etl.yaml:8:"));
  });

  it("without a query URL, names the variable to set in one line", async () => {
    const r = await runCliAsync(["--specs", dir, "report"], dir, {});
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^pipemon report: .*export PROMETHEUS_URL/)]);
  });

  it("with an unreachable query API, says so in one line and shows no partial report", async () => {
    const port = await freePort();
    const r = await runCliAsync(["--specs", dir, "report"], dir, { PROMETHEUS_URL: `http://127.0.0.1:${port}`, PIPEMON_HTTP_ATTEMPTS: "1" });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^pipemon report: prometheus query API .*cannot connect/)]);
  });

  it("refuses a period that ends before it starts, in report and backtest alike", async () => {
    for (const command of ["report", "backtest"]) {
      const r = await runCliAsync(["--specs", dir, command, "--since", "2026-05-08T00:00:00Z", "--until", "2026-05-01T00:00:00Z"], dir, { PROMETHEUS_URL: prom.url });
      expect(r).toMatchObject({ code: 1, stdout: "" });
      expect(r.stderr.trim().split("\n")).toEqual([`pipemon ${command}: --since must be before --until (got 2026-05-08T00:00:00.000Z → 2026-05-01T00:00:00.000Z)`]);
    }
  });

  it("names a --select that matches nothing, with the pipelines there are", async () => {
    const r = await runCliAsync(["--specs", dir, "report", "--select", "orders-elt"], dir, { PROMETHEUS_URL: prom.url });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toMatch(/^pipemon report: --select orders-elt \(did you mean orders-etl\?\) matches no pipeline or team.*; pipelines: orders-etl;/);
  });
});
