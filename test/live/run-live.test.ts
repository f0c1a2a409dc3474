/**
 * The live run of `pipemon run`: jobs wrapped by the built CLI report to Debian's real
 * prometheus-pushgateway (configured through the spec's `metrics.pushgateway.url`), which
 * the real Prometheus scrapes (honor_labels) and evaluates with the rules pipemon generates
 * from the same specs; the real Alertmanager routes with the generated tree, every receiver
 * rewritten to a recording webhook (resolutions sent too).
 *
 * - a job that exits 1 raises pipelineFailed, delivered to the channels its severity routes
 *   to; the next successful run resolves it, long before its 1h schedule window ends;
 * - a run whose pipemon is killed (SIGKILL) stays "in progress", and slaBreach fires for it;
 * - the records the job wrote to $PIPEMON_STATS_FILE are what lowVolume's query reads.
 *
 * Shortened for a run of seconds: rules evaluate every second and slaBreach waits `for: 1s`
 * (both in the way alerts-live.test.ts does); everything else is as generated.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertDefinitions } from "../../src/compile/alert-definitions.js";
import { alertmanagerConfig, prometheusAlertName, prometheusRuleFile, prometheusTeams, type AlertmanagerConfig } from "../../src/targets/prometheus/compile/index.js";
import type { Pipeline, Project, Severity } from "../../src/model/types.js";
import { loadSpecs } from "../../src/spec/index.js";
import { PIPEMON_BIN, runCliAsync } from "../support/cli.js";
import { startPushgateway, type Pushgateway } from "../support/pushgateway.js";
import { freePort, sleep, startAlertmanager, startPrometheus, startWebhooks, stopAll, writeCheckedAlertmanagerConfig, type Webhooks } from "./processes.js";

const dir = mkdtempSync(join(tmpdir(), "pipemon-run-live-"));
const specs = join(dir, "specs");
let pgw: Pushgateway;
let webhooks: Webhooks;
let promUrl = "";
let project: Project;
const orphans: ChildProcess[] = [];

const CONFIG = `apiVersion: pipemon/v1
kind: Config
metrics:
  pushgateway: { url: "\${LIVE_PUSHGATEWAY_URL}" }
channels:
  data-oncall: { type: webhook, url: "\${ONCALL_URL}", datadog: "@webhook-oncall" }
  data-alerts: { type: webhook, url: "\${ALERTS_URL}", datadog: "@webhook-alerts" }
routing: { critical: [data-oncall, data-alerts], high: [data-alerts], medium: [data-alerts], low: [data-alerts] }
defaults: { targets: [prometheus] }
`;

const PIPELINES: Record<string, string> = {
  "failing-load": 'spec: { type: batch, schedule: "0 * * * *" }',
  "hung-load": 'spec: { type: batch, schedule: "0 * * * *", sla: { maxDuration: 3s }, alerts: { slaBreach: { for: 1s } } }',
  "volume-load": 'spec: { type: batch, schedule: "0 * * * *", thresholds: { minRecords: 1000 } }',
};

/** Every channel becomes a webhook of the recording server, resolutions included; routes as generated, only faster. */
function rewriteForTest(config: AlertmanagerConfig, webhookPort: number): AlertmanagerConfig {
  return {
    ...config,
    route: { ...config.route, group_wait: "1s", group_interval: "1s", repeat_interval: "1h" } as AlertmanagerConfig["route"],
    receivers: config.receivers.map((r) => {
      if (!r.name.startsWith("pipemon-") || r.name === "pipemon-default") return { name: r.name };
      return { name: r.name, webhook_configs: [{ url: `http://127.0.0.1:${webhookPort}/${r.name.slice("pipemon-".length)}`, send_resolved: true }] };
    }),
  };
}

beforeAll(async () => {
  mkdirSync(specs);
  writeFileSync(join(specs, "pipemon.yaml"), CONFIG);
  for (const [name, spec] of Object.entries(PIPELINES)) {
    writeFileSync(join(specs, `${name}.yaml`), `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: ${name}, team: data }\n${spec}\n`);
  }
  const load = loadSpecs({ root: specs });
  expect(load.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  project = { ...load.projects[0]!, grafana: { ...load.projects[0]!.grafana, ruleIntervalSeconds: 1 } };

  pgw = await startPushgateway();
  webhooks = await startWebhooks();
  writeCheckedAlertmanagerConfig(dir, rewriteForTest(alertmanagerConfig(project), webhooks.port));
  mkdirSync(join(dir, "rules"));
  for (const [team, pipelines] of prometheusTeams(project)) {
    writeFileSync(join(dir, "rules", `${team}.yml`), prometheusRuleFile(project, team, pipelines).content);
  }

  const amPort = await freePort();
  const promPort = await freePort();
  writeFileSync(join(dir, "prometheus.yml"), stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [join(dir, "rules", "*.yml")],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
    // honor_labels: the pushed job label is the pipeline's group, not the scrape job's name.
    scrape_configs: [{ job_name: "pushgateway", honor_labels: true, static_configs: [{ targets: [new URL(pgw.url).host] }] }],
  }));
  await startAlertmanager(dir, amPort);
  await startPrometheus(dir, promPort, "1s");
  promUrl = `http://127.0.0.1:${promPort}`;
}, 90_000);

afterAll(async () => {
  for (const c of orphans) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await stopAll();
  await webhooks?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ LIVE_PUSHGATEWAY_URL: pgw.url });
const pipeline = (name: string): Pipeline => project.pipelines.find((p) => p.name === name)!;

interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing" | "inactive";
}

async function firing(name: string, alert: Parameters<typeof prometheusAlertName>[0]): Promise<PromAlert[]> {
  const r = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return r.data.alerts.filter((a) => a.state === "firing" && a.labels.pipeline === name && a.labels.alertname === prometheusAlertName(alert, "critical"));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Channels Alertmanager delivered this pipeline's alert to, with that status. */
function deliveredTo(name: string, alert: Parameters<typeof prometheusAlertName>[0], status: "firing" | "resolved"): string[] {
  const alertname = prometheusAlertName(alert, "critical");
  return [...new Set(webhooks.deliveries.filter((d) => d.labels.pipeline === name && d.labels.alertname === alertname && d.status === status).map((d) => d.channel))].sort();
}

const routedTo = (p: Pipeline, severity: Severity): string[] => [...new Set(p.routing[severity])].sort();

describe("pipemon run on the real Pushgateway, Prometheus and Alertmanager", () => {
  it("a failed run raises pipelineFailed to its channels; the next successful run resolves it", async () => {
    const p = pipeline("failing-load");
    const failed = await runCliAsync(["--specs", specs, "run", "failing-load", "--", "sh", "-c", "exit 1"], dir, env());
    expect(failed).toMatchObject({ code: 1, stderr: "" });
    const [alert] = await until("pipelineFailed firing", async () => ((await firing(p.name, "pipelineFailed")).length ? firing(p.name, "pipelineFailed") : undefined));
    expect(alert!.labels.severity).toBe("critical");
    const channels = await until("pipelineFailed delivered", async () => (deliveredTo(p.name, "pipelineFailed", "firing").length === routedTo(p, "critical").length ? deliveredTo(p.name, "pipelineFailed", "firing") : undefined));
    expect(channels).toEqual(routedTo(p, "critical"));

    const began = Date.now();
    const retried = await runCliAsync(["--specs", specs, "run", "failing-load", "--", "true"], dir, env());
    expect(retried).toMatchObject({ code: 0, stderr: "" });
    await until("pipelineFailed resolved", async () => ((await firing(p.name, "pipelineFailed")).length === 0 ? true : undefined));
    // Resolved by the success, not by the failure leaving the schedule window (1h).
    expect(Date.now() - began).toBeLessThan(60_000);
    expect(p.schedule!.windowSeconds).toBe(3600);
    const resolved = await until("resolution delivered", async () => (deliveredTo(p.name, "pipelineFailed", "resolved").length === channels.length ? deliveredTo(p.name, "pipelineFailed", "resolved") : undefined));
    expect(resolved).toEqual(channels);
  }, 120_000);

  it("a run whose pipemon is killed with SIGKILL stays in progress, and slaBreach fires for the hung run", async () => {
    const p = pipeline("hung-load");
    const pidFile = join(dir, "hung-job.pid");
    const pipemon = spawn(process.execPath, [PIPEMON_BIN, "--specs", specs, "run", "hung-load", "--", "sh", "-c", `echo $$ > ${pidFile}; exec sleep 120`], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...env() },
      stdio: "ignore",
    });
    orphans.push(pipemon);
    await until("the run in progress", async () => ((await pgw.value("pipeline_run_in_progress", { job: "pipemon", pipeline: p.name })) === 1 ? true : undefined));
    pipemon.kill("SIGKILL");
    await new Promise<void>((r) => (pipemon.exitCode !== null || pipemon.signalCode !== null ? r() : pipemon.once("exit", () => r())));
    // The job outlives pipemon (as it would under a killed wrapper); this test ends it.
    const job = Number(readFileSync(pidFile, "utf8"));
    const [alert] = await until("slaBreach firing", async () => ((await firing(p.name, "slaBreach")).length ? firing(p.name, "slaBreach") : undefined));
    process.kill(job, "SIGKILL");
    expect(await pgw.value("pipeline_run_in_progress", { job: "pipemon", pipeline: p.name })).toBe(1);
    expect(await pgw.value("pipeline_run_duration_seconds", { job: "pipemon", pipeline: p.name })).toBeUndefined();
    const severity = alert!.labels.severity as Severity;
    const channels = await until("slaBreach delivered", async () => (deliveredTo(p.name, "slaBreach", "firing").length === routedTo(p, severity).length ? deliveredTo(p.name, "slaBreach", "firing") : undefined));
    expect(channels).toEqual(routedTo(p, severity));
  }, 120_000);

  it("records written to $PIPEMON_STATS_FILE are what lowVolume's query reads", async () => {
    const p = pipeline("volume-load");
    const job = 'echo \'{"records_processed": 150}\' >> "$PIPEMON_STATS_FILE"; echo \'{"records_processed": 50, "records_failed": 2}\' >> "$PIPEMON_STATS_FILE"';
    const r = await runCliAsync(["--specs", specs, "run", "volume-load", "--", "sh", "-c", job], dir, env());
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const lowVolume = alertDefinitions(p).find((d) => d.key === "lowVolume")!;
    const value = await until("lowVolume's query to read the run", async () => {
      const q = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(lowVolume.promql)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      const v = q.data.result[0] ? Number(q.data.result[0].value[1]) : undefined;
      return v !== undefined && v > 0 ? v : undefined;
    });
    expect(value).toBe(200);
    // 200 < minRecords 1000: the alert fires on that value.
    const [alert] = await until("lowVolume firing", async () => ((await firing(p.name, "lowVolume")).length ? firing(p.name, "lowVolume") : undefined));
    expect(alert!.labels.alert).toBe("lowVolume");
  }, 120_000);
});
