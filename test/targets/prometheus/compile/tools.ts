/**
 * The real engines behind the Prometheus target's tests: promtool (Debian package
 * `prometheus`) and amtool (Debian package `prometheus-alertmanager`). A missing tool fails
 * the test with the command that installs it; nothing is skipped.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sharedFiles, teamFiles, pipelineFiles } from "../../../../src/app/files.js";
import type { Channel, Pipeline, Project, Target } from "../../../../src/model/types.js";
import { batchPipeline, fullProject, overriddenBatchPipeline, streamingPipeline } from "../../../fixtures/model.js";

export function tool(name: "promtool" | "amtool"): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  const pkg = name === "promtool" ? "prometheus" : "prometheus-alertmanager";
  if (!found) throw new Error(`${name} is not installed: run 'make test-deps' (Debian package ${pkg}: apt-get install ${pkg})`);
  return found;
}

export interface ToolResult {
  status: number | null;
  /** stdout and stderr. */
  output: string;
  stdout: string;
}

export function run(name: "promtool" | "amtool", args: string[]): ToolResult {
  const r = spawnSync(tool(name), args, { encoding: "utf8" });
  // Both tools print their verdict on stdout or stderr depending on the version.
  return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** The receivers an alert with these labels reaches, in tree order (Alertmanager's own routing code). */
export function routesTest(configFile: string, labels: Record<string, string>): string[] {
  const args = ["config", "routes", "test", `--config.file=${configFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const r = run("amtool", args);
  if (r.status !== 0) throw new Error(`amtool ${args.join(" ")}: ${r.output}`);
  // stderr warns that --config.file overrides --alertmanager.url; the receivers are on stdout.
  return r.stdout.trim().split(",").map((s) => s.trim()).filter(Boolean);
}

/** A fresh scratch directory; files written under it by `writeTree`. */
export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pipemon-${prefix}-`));
}

export function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Every file `generate` writes for one project, path (under the project's tree) → content. */
export function compileProject(project: Project): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of sharedFiles(project)) out.set(f.path, f.content);
  for (const t of teamFiles(project)) {
    const f = t.file();
    out.set(f.path, f.content);
  }
  for (const p of project.pipelines) for (const f of pipelineFiles(project, p)) out.set(f.path, f.content);
  return out;
}

const ALL: readonly Target[] = ["grafana", "datadog", "prometheus"];

const EXTRA_CHANNELS: Record<string, Channel> = {
  "payments-oncall": { name: "payments-oncall", type: "pagerduty", datadog: "@pagerduty-payments", settings: { integrationKey: "${PD_PAYMENTS_KEY}" } },
  "ml-hook": { name: "ml-hook", type: "webhook", datadog: "@webhook-ml-hook", settings: { url: "${ML_HOOK_URL:-https://hooks.example.com/ml}" } },
  "ops-email": { name: "ops-email", type: "email", datadog: "@ops@example.com", settings: { addresses: ["ops@example.com", "oncall@example.com"] } },
  "growth-slack": { name: "growth-slack", type: "slack", datadog: "@slack-growth", settings: { webhookUrl: "${SLACK_GROWTH_WEBHOOK}", channel: "#growth \"alerts\"" } },
};

/**
 * Edge-case models on every target: the fixture estate (batch and streaming, warning levels,
 * overridden severities and metrics, a severity routed nowhere, a pipeline with every alert
 * disabled, a weekly job), plus pipelines whose routing differs from their team's (a
 * pipeline route), every channel type, a low-severity alert whose warning level is low too,
 * and one pipeline left off the Prometheus target. In two environments.
 */
export function edgeProjects(): Project[] {
  const base = fullProject();
  const pipelines: Pipeline[] = base.pipelines.map((p) => ({
    ...p,
    targets: ALL,
    // Spec labels are Prometheus label names (the schema says so); the fixture's
    // `cost-center` is not one and would be rejected by Prometheus, not by Grafana.
    labels: Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [k.replace(/-/g, "_"), v])),
  }));
  pipelines.push(
    batchPipeline({
      name: "low-etl",
      team: "commerce",
      alerts: { cpu: { severity: "low" }, memory: { severity: "critical", forSeconds: 0 }, dataQuality: { severity: "high" } },
      routing: { critical: ["ml-hook", "ops-email"], high: ["growth-slack"], medium: [], low: ["ops-email", "data-email"] },
      targets: ALL,
    }),
    streamingPipeline({
      name: "hook-stream",
      team: "growth",
      alerts: { lowThroughput: { severity: "critical", forSeconds: 30 } },
      routing: { critical: ["ml-hook"], high: ["growth-slack", "ml-hook"], medium: ["growth-slack"], low: [] },
      targets: ALL,
    }),
    overriddenBatchPipeline({ name: "grafana-only", team: "payments", labels: {}, targets: ["grafana", "datadog"] }),
  );
  pipelines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const project: Project = { ...base, channels: { ...base.channels, ...EXTRA_CHANNELS }, pipelines };
  const staging: Project = {
    ...project,
    environment: "staging",
    pipelines: pipelines.map((p) => ({ ...p, routing: { ...p.routing, critical: ["data-alerts"] }, alerts: { ...p.alerts, stale: { ...p.alerts.stale, severity: "medium" } } })),
  };
  return [{ ...project, environment: "production" }, staging];
}
