/** The detect → load → map orchestration: which files are read, and what loadSpecs returns. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { detectFiles, loadSpecs } from "../../src/spec/index.js";
import { REPO_ROOT } from "../support/cli.js";

const CONFIG = `apiVersion: pipemon/v1
kind: Config
channels:
  data-alerts: { type: slack, webhookUrl: "\${SLACK_WEBHOOK}", datadog: "@slack-data-alerts" }
routing:
  critical: [data-alerts]
`;
const pipelineYaml = (name: string) => `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: ${name}, team: commerce }
spec: { type: streaming }
`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-index-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe("detectFiles", () => {
  it("finds .yaml and .yml at any depth, skipping hidden directories and node_modules, sorted", () => {
    write({
      "pipemon.yaml": CONFIG,
      "b/two.yml": "",
      "a/one.yaml": "",
      "a/deeper/three.yaml": "",
      ".hidden/x.yaml": "",
      "node_modules/pkg/y.yaml": "",
      "a/notes.md": "",
      "a/data.json": "",
    });
    const found = detectFiles(root);
    expect(found.config).toBe(join(root, "pipemon.yaml"));
    expect(found.pipelines).toEqual([join(root, "a/deeper/three.yaml"), join(root, "a/one.yaml"), join(root, "b/two.yml")]);
  });

  it("a pipemon.yaml below the root is a pipeline file", () => {
    write({ "pipemon.yaml": CONFIG, "team/pipemon.yaml": "" });
    expect(detectFiles(root).pipelines).toEqual([join(root, "team/pipemon.yaml")]);
  });

  it("given paths, reads only those (and the config)", () => {
    write({ "pipemon.yaml": CONFIG, "a/one.yaml": "", "b/two.yaml": "" });
    const found = detectFiles(root, [join(root, "b")]);
    expect(found).toEqual({ config: join(root, "pipemon.yaml"), pipelines: [join(root, "b/two.yaml")], missing: [] });
  });

  it("no config", () => {
    write({ "a/one.yaml": "" });
    expect(detectFiles(root)).toEqual({ pipelines: [join(root, "a/one.yaml")], missing: [] });
  });
});

describe("loadSpecs", () => {
  it("returns projects, sources, environments and the file count for valid specs", () => {
    write({ "pipemon.yaml": `${CONFIG}environments:\n  staging: {}\n  production: {}\n`, "a.yaml": pipelineYaml("alpha"), "b.yaml": `${pipelineYaml("beta")}---\n${pipelineYaml("gamma")}` });
    const r = loadSpecs({ root });
    expect(r.diagnostics).toEqual([]);
    expect(r.environments).toEqual(["production", "staging"]);
    expect(r.fileCount).toBe(3);
    expect(r.projects.map((p) => p.environment)).toEqual(["production", "staging"]);
    expect(r.projects[0]!.pipelines.map((p) => [p.name, p.sourceFile])).toEqual([
      ["alpha", "a.yaml"],
      ["beta", "b.yaml"],
      ["gamma", "b.yaml"],
    ]);
  });

  it("builds only the environment asked for, and names the declared ones when it does not exist", () => {
    write({ "pipemon.yaml": `${CONFIG}environments:\n  staging: {}\n  production: {}\n`, "a.yaml": pipelineYaml("alpha") });
    expect(loadSpecs({ root, environment: "staging" }).projects.map((p) => p.environment)).toEqual(["staging"]);
    const r = loadSpecs({ root, environment: "qa" });
    expect(r.projects).toEqual([]);
    expect(r.diagnostics.map((d) => [d.message, d.line, d.col])).toEqual([["unknown environment 'qa': the config declares production, staging", 8, 3]]);
  });

  it("errors leave no projects, and diagnostics come sorted with positions", () => {
    write({ "pipemon.yaml": CONFIG, "b.yaml": pipelineYaml("Beta"), "a.yaml": `${pipelineYaml("alpha")}specs: {}\n` });
    const r = loadSpecs({ root });
    expect(r.projects).toEqual([]);
    expect(r.diagnostics.map((d) => [d.file.endsWith("a.yaml") ? "a.yaml" : "b.yaml", d.line, d.col, d.message])).toEqual([
      ["a.yaml", 5, 1, "unknown key 'specs': did you mean 'spec'?"],
      ["b.yaml", 3, 19, "'name' is 'Beta': expected a name of lowercase letters, digits and '-', like orders-etl"],
    ]);
  });

  it("leaves Object.prototype alone when specs hold __proto__ keys", () => {
    const r = loadSpecs({ root: join(REPO_ROOT, "test/fixtures/invalid/47-proto-keys/specs") });
    expect(r.diagnostics.map((d) => [d.line, d.col])).toEqual([
      [3, 1],
      [9, 5],
      [14, 5],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Object.prototype).not.toHaveProperty("0");
  });
});

describe("loadSpecs reports every stage's errors in one run (issue 11, item 8)", () => {
  const batch = (name: string, team: string, spec: string) => `apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: ${name}, team: ${team} }
spec:
  type: batch
  schedule: "0 * * * *"
${spec}`;
  const messages = () =>
    loadSpecs({ root })
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => `${basename(d.file)}: ${d.message}`);

  it("a mapping error in one file is reported next to a rule error in another and a schema error in a third", () => {
    write({
      "pipemon.yaml": CONFIG.replace("critical: [data-alerts]", "critical: [data-alert]"),
      "a.yaml": batch("a", "commerce", "  sla: { freshness: 32d }\n"),
      "b.yaml": batch("b", "commerce", "  alerts: { lowVolume: { enabled: true } }\n"),
      "c.yaml": batch("c", "commerce", "  sla: { freshness: 10 }\n"),
    });
    expect(messages()).toEqual([
      "a.yaml: sla.freshness 32d is longer than Datadog's longest monitor window (1w): shorten it, or set targets: [grafana] for this pipeline",
      "b.yaml: alert 'lowVolume' is enabled but thresholds.minRecords is not set: set it, or remove enabled",
      expect.stringMatching(/^c\.yaml: 'freshness' /),
      "pipemon.yaml: routing to undefined channel 'data-alert': did you mean 'data-alerts'?",
    ]);
  });

  it("a pipeline with an error of its own is not mapped: no second error about the same value", () => {
    // Mapped, the 1000y would also be "longer than Datadog's longest monitor window".
    write({ "pipemon.yaml": CONFIG, "a.yaml": batch("a", "commerce", "  thresholds: { cpu: { critical: 90% } }\n  alerts: { cpu: { for: 1000y } }\n") });
    expect(messages()).toEqual(["a.yaml: alerts.cpu.for 1000y is longer than 1y, the longest duration pipemon accepts: shorten it"]);
  });

  it("an error in a team's defaults stops mapping that team's pipelines only", () => {
    write({
      "pipemon.yaml": `${CONFIG}teams:\n  commerce:\n    defaults: { thresholds: { cpu: { critical: 90% } }, alerts: { cpu: { for: 1000y } } }\n`,
      "a.yaml": batch("a", "commerce", ""),
      "b.yaml": batch("b", "growth", "  sla: { freshness: 32d }\n"),
    });
    expect(messages()).toEqual([
      "b.yaml: sla.freshness 32d is longer than Datadog's longest monitor window (1w): shorten it, or set targets: [grafana] for this pipeline",
      "pipemon.yaml: alerts.cpu.for 1000y is longer than 1y, the longest duration pipemon accepts: shorten it",
    ]);
  });

  it("a config that fails its schema does not hide the pipelines' own rule errors, nor invent channel errors", () => {
    write({
      "pipemon.yaml": CONFIG.replace("channels:", "chanels:"),
      "a.yaml": batch("a", "commerce", "  thresholds: { failureRate: { warning: 5%, critical: 1% } }\n  routing: { critical: [nowhere] }\n"),
    });
    expect(messages()).toEqual([
      "a.yaml: warning 5% must be below critical 1% for failureRate: warning must trigger before critical",
      "pipemon.yaml: missing required key 'channels'",
      "pipemon.yaml: unknown key 'chanels': did you mean 'channels'?",
    ]);
  });
});
