/**
 * Every PromQL expression pipemon generates must be accepted by Prometheus itself: the
 * expressions of the Grafana rules (query A, and A compared with each level's threshold as
 * the rule fires) are written to a rules file and checked with `promtool check rules`.
 * promtool comes from Debian's `prometheus` package; `make test` installs it when missing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { grafanaPipelineFiles } from "../../src/targets/grafana/compile/index.js";
import { loadSpecs } from "../../src/spec/index.js";
import type { Project } from "../../src/model/types.js";
import { REPO_ROOT } from "../support/cli.js";
import { batchPipeline, project, streamingPipeline } from "../fixtures/model.js";

interface GrafanaRule {
  uid: string;
  for: string;
  data: { refId: string; datasourceUid: string; model: { expr?: string; type?: string; conditions?: { evaluator: { type: string; params: number[] } }[] } }[];
}

function promtool(): string {
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("promtool is not installed: run 'make test-deps' (Debian package prometheus)");
  return found;
}

/** A Prometheus rule group per pipeline, from its compiled Grafana rule group. */
function prometheusRules(p: Project): { groups: unknown[]; count: number } {
  const groups: unknown[] = [];
  let count = 0;
  for (const pipeline of p.pipelines) {
    const file = grafanaPipelineFiles(p, pipeline).find((f) => f.path.startsWith("grafana/alert-rules/"));
    if (!file) continue;
    const group = JSON.parse(file.content) as { title: string; rules: GrafanaRule[] };
    const rules: unknown[] = [];
    for (const rule of group.rules) {
      const query = rule.data.find((d) => d.refId === "A")!.model.expr!;
      const threshold = rule.data.find((d) => d.model.type === "threshold")!.model.conditions![0]!.evaluator;
      const op = threshold.type === "gt" ? ">" : "<";
      // Environments share rule uids; the environment keeps promtool's duplicate lint quiet.
      const env = p.environment ?? "base";
      rules.push({ record: `pipemon:check:${env}:${rule.uid.replace(/-/g, "_")}`, expr: query });
      rules.push({ alert: `${env}-${rule.uid}`, expr: `(${query}) ${op} ${threshold.params[0]}`, for: rule.for });
      count += 2;
    }
    groups.push({ name: `${p.environment ?? "base"}-${group.title}`, rules });
  }
  return { groups, count };
}

const dir = mkdtempSync(join(tmpdir(), "pipemon-promtool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(name: string, projects: Project[]): void {
  const groups = projects.flatMap((p) => prometheusRules(p).groups);
  const count = projects.reduce((n, p) => n + prometheusRules(p).count, 0);
  expect(count).toBeGreaterThan(0);
  const file = join(dir, `${name}.rules.yml`);
  writeFileSync(file, stringify({ groups }));
  const r = spawnSync(promtool(), ["check", "rules", file], { encoding: "utf8" });
  // promtool prints its verdict on stdout or stderr depending on the version.
  expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${count} rules found`);
  expect(r.status).toBe(0);
}

describe("promtool check rules", () => {
  it("accepts every expression of the bundled estate, in every environment", () => {
    const loaded = loadSpecs({ root: join(REPO_ROOT, "specs") });
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    check("demo", loaded.projects);
  });

  it("accepts the expressions of hand-built batch and streaming models, including label values that need escaping", () => {
    const tricky = batchPipeline({ name: "quote-etl", labels: {} });
    const withEscapes = {
      ...tricky,
      signals: Object.fromEntries(Object.entries(tricky.signals).map(([k, s]) => [k, { ...s, matchers: { job: 'etl "blue"\\green' } }])) as unknown as typeof tricky.signals,
    };
    check("fixtures", [project([batchPipeline(), streamingPipeline(), withEscapes])]);
  });

  it("rejects a broken expression, so the check above can fail", () => {
    const file = join(dir, "broken.rules.yml");
    writeFileSync(file, stringify({ groups: [{ name: "broken", rules: [{ alert: "x", expr: "sum(rate(pipeline_runs_total[5m]) > " }] }] }));
    const r = spawnSync(promtool(), ["check", "rules", file], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });
});
