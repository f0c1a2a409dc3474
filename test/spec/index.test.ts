/** The detect → load → map orchestration: which files are read, and what loadSpecs returns. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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
