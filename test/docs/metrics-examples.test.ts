/**
 * The README's worked `spec.metrics` examples (docs/examples/metrics/) are real specs: they
 * validate without a finding, compile, their Prometheus rules pass `promtool check rules`
 * and read the exporters' metrics, and the README quotes each file exactly (so the two
 * cannot drift).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SIGNALS } from "../../src/model/signals.js";
import { SIGNAL_KEYS } from "../../src/model/types.js";
import { loadSpecs } from "../../src/spec/index.js";
import { run } from "../targets/prometheus/compile/tools.js";
import { REPO_ROOT, runCliAsync } from "../support/cli.js";

const EXAMPLES = join(REPO_ROOT, "docs/examples/metrics");
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml") && f !== "pipemon.yaml").sort();
const out = mkdtempSync(join(tmpdir(), "pipemon-metrics-examples-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The metrics each example must make its alerts read, per target. */
const READS: Record<string, { prometheus: string[]; datadog?: string[] }> = {
  "kafka-consumer-lag.yaml": { prometheus: ['kafka_consumergroup_lag{consumergroup="orders-enricher"}'], datadog: ["kafka.consumer_lag{consumer_group:orders-enricher}"] },
  "flink-job.yaml": {
    prometheus: ["flink_taskmanager_job_task_operator_numRecordsInPerSecond", "flink_taskmanager_job_task_operator_currentEmitEventTimeLag", "flink_taskmanager_Status_JVM_CPU_Load", "flink_taskmanager_Status_JVM_Memory_Heap_Used"],
  },
  "airflow-dag.yaml": { prometheus: ['airflow_dagrun_duration_count{dag_id="orders_daily",status="failed"}', 'airflow_ti_finish{dag_id="orders_daily",state="failed"}'] },
};

describe("the metric-contract examples", () => {
  it("cover the three exporters the README names", () => {
    expect(files).toEqual(Object.keys(READS).sort());
  });

  it("validate without a single finding", () => {
    const load = loadSpecs({ root: EXAMPLES });
    expect(load.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
    expect(load.projects[0]!.pipelines).toHaveLength(files.length);
  });

  it("compile, pass promtool check rules, and read the exporters' metrics", async () => {
    const gen = await runCliAsync(["--specs", EXAMPLES, "generate", "--out", out], REPO_ROOT);
    expect(gen.code, gen.stderr).toBe(0);
    const rulesDir = join(out, "prometheus/rules");
    const ruleFiles = readdirSync(rulesDir).map((f) => join(rulesDir, f));
    const check = run("promtool", ["check", "rules", ...ruleFiles]);
    expect(check.status, check.output).toBe(0);
    const rules = ruleFiles.map((f) => readFileSync(f, "utf8")).join("\n");
    const load = loadSpecs({ root: EXAMPLES });
    for (const file of files) {
      for (const metric of READS[file]!.prometheus) expect(rules, `${file}: a rule reads ${metric}`).toContain(metric);
      const name = load.projects[0]!.pipelines.find((p) => p.sourceFile === file)!.name;
      for (const metric of READS[file]!.datadog ?? []) {
        const monitors = readFileSync(join(out, "datadog/monitors", `${name}.json`), "utf8");
        expect(monitors, `${file}: a monitor reads ${metric}`).toContain(metric);
      }
    }
  }, 60_000);

  it("are quoted in the README exactly as they are in their files", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const quoted = new Map<string, string>();
    for (const m of readme.matchAll(/<!-- example: (docs\/examples\/metrics\/[a-z-]+\.yaml) -->\n```yaml\n([\s\S]*?)```\n/g)) quoted.set(m[1]!, m[2]!);
    expect([...quoted.keys()].sort()).toEqual(files.map((f) => `docs/examples/metrics/${f}`));
    for (const [path, text] of quoted) expect(text, path).toBe(readFileSync(join(REPO_ROOT, path), "utf8"));
  });
});

describe("the README's contract table", () => {
  it("names every signal of the model, under the model's names on both targets", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The metric contract"), readme.indexOf("**What a job must emit.**"));
    for (const key of SIGNAL_KEYS) {
      const row = section.split("\n").find((l) => l.includes(`(\`${key}\``) || l.includes(`\`${key}\`)`) || l.includes(`\`${key}\`,`));
      expect(row, `a row for ${key}`).toBeDefined();
      expect(row, key).toContain(`\`${SIGNALS[key].prometheus}`);
      // The last-success gauge has no Datadog metric of its own: the success count stands for it.
      if (key !== "lastSuccess") expect(row, key).toContain(`\`${SIGNALS[key].datadog}`);
    }
  });
});
