/**
 * Prometheus and Alertmanager accept what pipemon generates: `promtool check rules` on every
 * rule file and `amtool check-config` on every alertmanager.yml, of the committed demo
 * estate (both environments) and of edge-case models. promtool and amtool come from Debian's
 * `prometheus` and `prometheus-alertmanager` packages; a missing one fails these tests.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { alertDefinitions } from "../../../../src/compile/alert-definitions.js";
import { REPO_ROOT } from "../../../support/cli.js";
import { compileProject, edgeProjects, run, scratch, tool, writeTree } from "./tools.js";

const GENERATED = join(REPO_ROOT, "generated");
const dir = scratch("prometheus-check");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The edge-case models' output, written under dir/<env>/. */
const edge = edgeProjects().map((project) => {
  const out = compileProject(project);
  writeTree(join(dir, project.environment!), out);
  return { project, out };
});

/** Committed files under generated/<env>/prometheus/, absolute paths. */
function committed(pattern: RegExp): string[] {
  return readdirSync(GENERATED, { recursive: true, encoding: "utf8" })
    .filter((p) => pattern.test(p))
    .sort()
    .map((p) => join(GENERATED, p));
}

function ruleCount(file: string): number {
  const doc = parse(readFileSync(file, "utf8")) as { groups: { rules: unknown[] }[] };
  return doc.groups.reduce((n, g) => n + g.rules.length, 0);
}

function expectRulesAccepted(files: string[]): number {
  expect(files.length).toBeGreaterThan(0);
  const r = run("promtool", ["check", "rules", ...files]);
  let total = 0;
  for (const file of files) {
    const count = ruleCount(file);
    total += count;
    expect(r.output).toContain(`Checking ${file}\n  SUCCESS: ${count} rules found`);
  }
  expect(r.status, r.output).toBe(0);
  return total;
}

function expectConfigAccepted(file: string): void {
  const r = run("amtool", ["check-config", file]);
  expect(r.output).toContain("SUCCESS");
  expect(r.status, r.output).toBe(0);
}

describe("the tools are installed (a missing tool fails, never skips)", () => {
  it("promtool", () => expect(tool("promtool")).toMatch(/promtool$/));
  it("amtool", () => expect(tool("amtool")).toMatch(/amtool$/));
});

describe("promtool check rules", () => {
  it("accepts every committed rule file of the demo estate, in both environments", () => {
    const files = committed(/^[^/]+\/prometheus\/rules\/[^/]+\.yml$/);
    expect(files.map((f) => f.slice(GENERATED.length + 1))).toEqual([
      "production/prometheus/rules/commerce.yml",
      "production/prometheus/rules/growth.yml",
      "production/prometheus/rules/payments.yml",
      "staging/prometheus/rules/commerce.yml",
      "staging/prometheus/rules/growth.yml",
      "staging/prometheus/rules/payments.yml",
    ]);
    expect(expectRulesAccepted(files)).toBe(176);
  });

  it("accepts the rule files of the edge-case models, with one rule per level of every alert", () => {
    const files: string[] = [];
    let expected = 0;
    for (const { project, out } of edge) {
      files.push(...[...out.keys()].filter((p) => p.startsWith("prometheus/rules/")).map((p) => join(dir, project.environment!, p)));
      for (const p of project.pipelines) if (p.targets.includes("prometheus")) expected += alertDefinitions(p).reduce((n, d) => n + d.levels.length, 0);
    }
    expect(expectRulesAccepted(files.sort())).toBe(expected);
  });

  it("accepts a group whose pipeline has every alert disabled (it keeps its empty group)", () => {
    const commerce = parse(edge[0]!.out.get("prometheus/rules/commerce.yml")!) as { groups: { name: string; rules: unknown[] }[] };
    expect(commerce.groups.find((g) => g.name === "quiet-etl")?.rules).toEqual([]);
  });

  it("rejects a broken rule file, so the checks above can fail", () => {
    const file = join(dir, "broken.yml");
    writeFileSync(file, "groups:\n  - name: x\n    rules:\n      - alert: orders-etl stale\n        expr: (sum(rate(x[5m])) > 1\n");
    expect(run("promtool", ["check", "rules", file]).status).not.toBe(0);
  });
});

describe("amtool check-config", () => {
  it("accepts every committed alertmanager.yml of the demo estate", () => {
    const files = committed(/^[^/]+\/prometheus\/alertmanager\.yml$/);
    expect(files.map((f) => f.slice(GENERATED.length + 1))).toEqual(["production/prometheus/alertmanager.yml", "staging/prometheus/alertmanager.yml"]);
    for (const file of files) expectConfigAccepted(file);
  });

  it("accepts the alertmanager.yml of the edge-case models (every channel type)", () => {
    for (const { project } of edge) {
      const file = join(dir, project.environment!, "prometheus/alertmanager.yml");
      expectConfigAccepted(file);
      const text = readFileSync(file, "utf8");
      for (const kind of ["pagerduty_configs", "slack_configs", "email_configs", "webhook_configs"]) expect(text).toContain(kind);
    }
  });

  it("rejects a broken configuration, so the checks above can fail", () => {
    const file = join(dir, "broken-am.yml");
    writeFileSync(file, "route:\n  receiver: nobody\nreceivers:\n  - name: somebody\n");
    expect(run("amtool", ["check-config", file]).status).not.toBe(0);
  });
});
