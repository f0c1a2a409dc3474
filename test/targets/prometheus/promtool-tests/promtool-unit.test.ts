/**
 * The generated promtool unit tests run on Prometheus's own rule engine (`promtool test
 * rules`) for the bundled estate in both environments and for edge-case models, every case
 * must pass; and they must be able to fail: a rule whose threshold, `for` or selector is
 * tweaked is caught, by name.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPromtool, parsePromtoolFailures, PROMTOOL_INSTALL_HINT, testProjects, type ProjectTestResult } from "../../../../src/app/test-alerts.js";
import { stringify } from "yaml";
import { alertDefinitions } from "../../../../src/compile/alert-definitions.js";
import { alertExpression, prometheusAlertName } from "../../../../src/targets/prometheus/compile/index.js";
import { pipelineAlertTests } from "../../../../src/targets/prometheus/promtool-tests/index.js";
import { SCENARIOS } from "../../../../src/targets/prometheus/promtool-tests/scenarios.js";
import { ALERT_KEYS, type Project } from "../../../../src/model/types.js";
import { loadSpecs } from "../../../../src/spec/index.js";
import { REPO_ROOT } from "../../../support/cli.js";
import { batchPipeline, fullProject, project, streamingPipeline } from "../../../fixtures/model.js";

function promtool(): string {
  const found = findPromtool();
  if (!found) throw new Error(PROMTOOL_INSTALL_HINT);
  return found;
}

/**
 * Writes one pipeline's promtool tests, rewrites its rule file with `mutate` (which must
 * change it), and runs promtool on them: its exit status and the failed case names.
 */
async function runMutated(p: Project, dir: string, pipeline: string, mutate: (rules: string) => string): Promise<{ status: number | null; failed: string[] }> {
  const keep = join(dir, `${pipeline}-${Math.random().toString(36).slice(2)}`);
  await testProjects([p], { promtool: promtool(), keep, select: { pipelines: new Set([pipeline]), teams: new Set() } });
  const rulesFile = join(keep, "rules", `${pipeline}.yml`);
  const original = readFileSync(rulesFile, "utf8");
  const changed = mutate(original);
  expect(changed).not.toBe(original);
  writeFileSync(rulesFile, changed);
  const files = pipelineAlertTests(p, p.pipelines.find((x) => x.name === pipeline)!).tests.map((t) => t.path);
  const run = spawnSync(promtool(), ["test", "rules", ...files], { cwd: keep, encoding: "utf8" });
  return { status: run.status, failed: [...parsePromtoolFailures(`${run.stdout}${run.stderr}`).keys()] };
}

const failures = (r: ProjectTestResult): string[] => r.cases.filter((c) => !c.ok).map((c) => `${c.environment ?? ""}/${c.name}: ${c.title}\n${c.failure}`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("generated promtool unit tests", () => {
  it("have a scenario for every alert key", () => {
    for (const key of ALERT_KEYS) expect(SCENARIOS[key], key).toBeDefined();
  });

  it("pass for every pipeline of the bundled estate, in both environments", async () => {
    const loaded = loadSpecs({ root: join(REPO_ROOT, "specs") });
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.projects.map((p) => p.environment)).toEqual(["production", "staging"]);
    const r = await testProjects(loaded.projects, { promtool: promtool(), concurrency: 2 });
    expect(failures(r)).toEqual([]);
    expect(r.pipelineCount).toBe(18);
    expect(r.cases.length).toBeGreaterThan(500);
    // Every kind of case is exercised, and every key that the estate uses has a passing "past" case.
    for (const kind of ["past", "inside", "clock", "absent", "other-pipeline", "lifecycle"]) expect(r.cases.some((c) => c.kind === kind), kind).toBe(true);
    // Every lifecycle scenario (DESIGN §8) runs on the estate, for both kinds of job where they differ.
    const scenarios = new Set(r.cases.filter((c) => c.kind === "lifecycle").map((c) => `${c.alert} ${c.scenario}`));
    expect([...scenarios].sort()).toEqual([
      "dataQuality spike",
      "lowThroughput dead-stream",
      "pipelineFailed first-failure counters",
      "pipelineFailed first-failure gauge",
      "pipelineFailed rerun-fails counters",
      "pipelineFailed rerun-fails gauge",
      "pipelineFailed retry-succeeds counters",
      "pipelineFailed retry-succeeds gauge",
    ]);
    // A pipeline that never reported: only stale fires (each alert's `absent` case).
    const absent = r.cases.filter((c) => c.kind === "absent");
    expect(absent.filter((c) => c.title.startsWith("fires")).every((c) => c.alert === "stale")).toBe(true);
    expect(absent.some((c) => c.alert === "lowThroughput" && c.title.startsWith("silent"))).toBe(true);
    for (const key of ALERT_KEYS.filter((k) => k !== "stale")) expect(r.cases.some((c) => c.alert === key && c.kind === "past"), key).toBe(true);
    // Only whole-query overrides are not synthesised (ledger-stream's backlog).
    expect(r.skipped.map((s) => `${s.environment}/${s.pipeline}/${s.alert}`)).toEqual(["production/ledger-stream/highBacklog", "staging/ledger-stream/highBacklog"]);
  }, 240_000);

  it("pass for edge-case models: custom selectors, label collisions, weekly windows, sub-second and tiny thresholds", async () => {
    const tiny = streamingPipeline({
      name: "tiny-stream",
      thresholds: { latencyP95: { critical: 0.05 }, throughput: { critical: 0.5 }, backlog: { critical: 1 }, errorRate: { critical: 1e-7 } },
      alerts: { highLatency: { forSeconds: 90 }, lowThroughput: { forSeconds: 0 }, highBacklog: { forSeconds: 45 } },
    });
    const slow = batchPipeline({
      name: "slow-for",
      // `for` longer than the schedule window: a single failure can never fire it (reported as skipped).
      schedule: { cron: "*/10 * * * *", windowSeconds: 600 },
      sla: { maxDurationSeconds: 300, freshnessSeconds: 1800 },
      thresholds: { minRecords: 0.5, errors: { warning: 2.5, critical: 3 } },
      alerts: { pipelineFailed: { forSeconds: 900 }, stale: { forSeconds: 120 }, slaBreach: { forSeconds: 30 }, lowVolume: { severity: "low" } },
    });
    // `cost-center` (a label of the legacy fixture) is no Prometheus label name: see the next test.
    const pipelines = fullProject().pipelines.map((x) => (x.labels["cost-center"] ? { ...x, labels: { tier: "0", team: "not-the-team" } } : x));
    const fixtures: Project = { ...fullProject(), pipelines: [...pipelines, tiny, slow] };
    const r = await testProjects([fixtures], { promtool: promtool(), concurrency: 2 });
    expect(failures(r)).toEqual([]);
    expect(r.cases.length).toBeGreaterThan(150);
    const skipped = r.skipped.map((s) => `${s.pipeline}/${s.alert}${s.level ? `/${s.level}` : ""}`);
    expect(skipped).toContain("legacy-orders/cpu");
    expect(skipped).toContain("payments-stream/highBacklog");
    expect(skipped).toContain("slow-for/pipelineFailed");
    // The collided label keeps the identity value; the overridden selector's labels reach the stale alert of a silent pipeline.
    const legacy = pipelineAlertTests(fixtures, fixtures.pipelines.find((p) => p.name === "legacy-orders")!);
    const stale = legacy.tests.find((t) => t.path.endsWith("/stale.yml"))!.content;
    expect(stale).toContain("job: legacy_orders");
    expect(stale).toContain("team: payments");
    expect(stale).not.toContain("team: not-the-team");
  }, 240_000);
});

describe("the lifecycle cases fail on the rules before DESIGN §8", () => {
  const p = project([batchPipeline(), streamingPipeline()]);
  const dir = mkdtempSync(join(tmpdir(), "pipemon-lifecycle-"));
  dirs.push(dir);

  /** The failed lifecycle case names of one pipeline's tests after `mutate` rewrote its rule file. */
  async function failedAfter(pipeline: string, mutate: (rules: string) => string): Promise<string[]> {
    return (await runMutated(p, dir, pipeline, mutate)).failed.filter((n) => n.includes(" lifecycle "));
  }


  it("pipelineFailed as increase() over the window: misses the born counter, never resolves on a retry", async () => {
    const failed = await failedAfter("orders-etl", (r) =>
      r.replace(/expr: \(\(max\(pipeline_last_failure_timestamp_seconds.*\) > 0\n/, 'expr: (sum(increase(pipeline_runs_total{pipeline="orders-etl",status="failed"}[1h]))) > 0\n'));
    // "rerun-fails counters" holds on the old rule too: once the series moves from 1 to 2,
    // increase() sees it (and extrapolates the born 1 down to zero, reading 2).
    expect(failed.sort()).toEqual([
      "orders-etl pipelineFailed lifecycle first-failure counters",
      "orders-etl pipelineFailed lifecycle first-failure gauge",
      "orders-etl pipelineFailed lifecycle rerun-fails gauge",
      "orders-etl pipelineFailed lifecycle retry-succeeds counters",
      "orders-etl pipelineFailed lifecycle retry-succeeds gauge",
    ]);
  }, 60_000);

  it("dataQuality without a pending period: a spike shorter than it pages", async () => {
    expect(await failedAfter("orders-etl", (r) => r.replace(/(> 0\.05\n\s+for: )5m/, "$10s"))).toEqual(["orders-etl dataQuality lifecycle spike"]);
    expect(await failedAfter("clickstream", (r) => r.replace(/(> 0\.01\n\s+for: )5m/, "$10s"))).toEqual(["clickstream dataQuality lifecycle spike"]);
  }, 60_000);

  it("lowThroughput as a plain rate: a dead stream pages nobody", async () => {
    const failed = await failedAfter("clickstream", (r) =>
      r.replaceAll(/expr: \(sum\(rate\(stream_records_processed_total\{pipeline="clickstream"\}\[5m\]\) and .*\) ([<>])/g, 'expr: (sum(rate(stream_records_processed_total{pipeline="clickstream"}[5m]))) $1'));
    expect(failed).toEqual(["clickstream lowThroughput lifecycle dead-stream"]);
  }, 60_000);
});

describe("a dead stream whose throughput is a whole-query override", () => {
  // The generator cannot synthesise series for an override, so this history is written by hand.
  it("fires lowThroughput once the override's value is gone and the pending period has passed; never on a stream that never reported", () => {
    const base = streamingPipeline({ name: "custom-stream" });
    const p = streamingPipeline({
      name: "custom-stream",
      signals: { ...base.signals, throughput: { ...base.signals.throughput, promql: 'sum(rate(consumer_records_total{job="custom"}[5m]))' } },
    });
    const def = alertDefinitions(p).find((d) => d.key === "lowThroughput")!;
    expect(def.forSeconds).toBe(300);
    const dir = mkdtempSync(join(tmpdir(), "pipemon-override-"));
    dirs.push(dir);
    const rules = def.levels.map((l) => ({ alert: prometheusAlertName(def.key, l.level), expr: alertExpression(def, l), for: "5m" }));
    writeFileSync(join(dir, "rules.yml"), stringify({ groups: [{ name: "custom-stream", rules }] }));
    const fired = (at: string, firing: boolean) => rules.map((r) => ({ eval_time: at, alertname: r.alert, exp_alerts: firing ? [{ exp_labels: {} }] : [] }));
    writeFileSync(join(dir, "test.yml"), stringify({
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          name: "dead",
          interval: "1m",
          // 1000 records/s for 10 minutes, then the series goes away (stale marker at 11m).
          input_series: [{ series: 'consumer_records_total{job="custom"}', values: "0+60000x10 stale" }],
          // The 5m rate reads the last samples, falling, until 14m (below warning from 14m); no
          // rate from 15m, so 0/s: every level pending by 15m and firing by 20m, and still a day later.
          alert_rule_test: [...fired("10m", false), ...fired("18m", false), ...fired("20m", true), ...fired("1d", true)],
        },
        { name: "never reported", interval: "1m", input_series: [], alert_rule_test: fired("30m", false) },
      ],
    }));
    const run = spawnSync(promtool(), ["test", "rules", "test.yml"], { cwd: dir, encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).toContain("SUCCESS");
    expect(run.status).toBe(0);
  }, 60_000);
});

describe("the generated tests can fail", () => {
  it("fail every case of a pipeline whose rule file promtool rejects (a label name Prometheus does not allow)", async () => {
    const legacy = fullProject().pipelines.find((x) => x.name === "legacy-orders")!;
    const r = await testProjects([project([legacy])], { promtool: promtool() });
    expect(r.cases.length).toBeGreaterThan(0);
    expect(r.cases.every((c) => !c.ok && /invalid label name: cost-center/.test(c.failure ?? ""))).toBe(true);
  }, 60_000);

  const p = project([batchPipeline(), streamingPipeline()]);
  const dir = mkdtempSync(join(tmpdir(), "pipemon-mutation-"));
  dirs.push(dir);

  /** Runs one pipeline's tests after `mutate` rewrote its rule file; returns the failed case names. */
  async function mutated(pipeline: string, mutate: (rules: string) => string): Promise<string[]> {
    const run = await runMutated(p, dir, pipeline, mutate);
    expect(run.status).not.toBe(0);
    return run.failed;
  }


  it("catches a critical threshold moved up (fires too late)", async () => {
    const failed = await mutated("orders-etl", (r) => r.replace(/\) > 10\n/, ") > 11\n"));
    expect(failed).toEqual(["orders-etl errors critical past"]);
  }, 60_000);

  it("catches a warning threshold moved down (fires too early)", async () => {
    const failed = await mutated("clickstream", (r) => r.replace(/\) > 0\.5\n/, ") > 0.49\n"));
    expect(failed).toContain("clickstream highLatency warning inside");
  }, 60_000);

  it("catches a shortened `for`", async () => {
    const failed = await mutated("orders-etl", (r) => r.replace("for: 5m", "for: 4m"));
    expect(failed).toEqual(expect.arrayContaining(["orders-etl slaBreach critical past", "orders-etl slaBreach critical clock"]));
  }, 60_000);

  it("catches a selector that also matches other pipelines", async () => {
    const failed = await mutated("orders-etl", (r) => r.replaceAll('pipeline_errors_total{pipeline="orders-etl"}', 'pipeline_errors_total{pipeline=~"orders-etl.*"}'));
    expect(failed).toEqual(["orders-etl errors other-pipeline"]);
  }, 60_000);

  it("catches a stale rule that stays silent on a pipeline that never reported", async () => {
    const failed = await mutated("orders-etl", (r) => r.replace(/ or on \(\) \(absent\(pipeline_last_success_timestamp_seconds\{pipeline="orders-etl"\}\) \* Inf\)/, ""));
    expect(failed).toEqual(expect.arrayContaining(["orders-etl stale absent", "orders-etl stale other-pipeline"]));
  }, 60_000);

  it("catches a missing identity label and a wrong runbook", async () => {
    expect(await mutated("orders-etl", (r) => r.replace("managed_by: pipemon", "managed_by: someone"))).toContain("orders-etl pipelineFailed critical past");
    expect(await mutated("orders-etl", (r) => r.replace(/runbook_url: \S+/g, "runbook_url: https://elsewhere.example.com"))).not.toEqual([]);
  }, 60_000);
});
