import { describe, expect, it } from "vitest";
import { alertDefinitions, describeLevel } from "../../../src/compile/alert-definitions.js";
import { monitorQuery } from "../../../src/compile/datadog/index.js";
import { ERROR_CLASSES, RECOVERY_ACTION, renderRunbook, runbookFile } from "../../../src/compile/runbooks/index.js";
import { panelUrl } from "../../../src/model/identity.js";
import type { Pipeline, Project } from "../../../src/model/types.js";
import { alertsDisabledPipeline, batchPipeline, fullProject, overriddenBatchPipeline, streamingPipeline } from "../../fixtures/model.js";

const proj = fullProject();
const byName = (name: string): Pipeline => proj.pipelines.find((p) => p.name === name)!;

/** The markdown of one alert's section, from its heading to the next alert's anchor. */
function section(md: string, key: string): string {
  const start = md.indexOf(`<a id="alert-${key.toLowerCase()}"></a>`);
  if (start === -1) throw new Error(`no section for ${key}`);
  const next = md.indexOf('<a id="alert-', start + 1);
  return md.slice(start, next === -1 ? undefined : next);
}
function subsection(text: string, heading: string): string {
  const start = text.indexOf(`### ${heading}`);
  if (start === -1) throw new Error(`no subsection ${heading}`);
  const next = text.indexOf("\n### ", start + 1);
  return text.slice(start, next === -1 ? undefined : next);
}

describe("runbookFile", () => {
  it("writes runbooks/<pipeline>.md for every pipeline, whatever its targets", () => {
    expect(runbookFile(proj, batchPipeline()).path).toBe("runbooks/orders-etl.md");
    expect(runbookFile(proj, batchPipeline({ targets: ["grafana"] })).path).toBe("runbooks/orders-etl.md");
    expect(runbookFile(proj, batchPipeline({ targets: ["datadog"] })).path).toBe("runbooks/orders-etl.md");
  });

  it.each(proj.pipelines.map((p) => [p.name, p] as const))("%s matches its snapshot", async (name, p) => {
    await expect(runbookFile(proj, p).content).toMatchFileSnapshot(`./__snapshots__/${name}.md`);
  });

  it("is deterministic and carries no timestamps", () => {
    for (const p of proj.pipelines) {
      const md = renderRunbook(proj, p);
      expect(renderRunbook(proj, p)).toBe(md);
      expect(md).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
      expect(md.endsWith("\n")).toBe(true);
      expect(md.endsWith("\n\n")).toBe(false);
    }
  });
});

describe("header", () => {
  const md = renderRunbook(proj, byName("orders-etl"));

  it("describes the pipeline", () => {
    expect(md.startsWith("# Runbook: orders-etl\n")).toBe(true);
    for (const row of [
      "| Pipeline | `orders-etl` |",
      "| Team | commerce |",
      "| Type | batch |",
      "| Schedule | `0 * * * *` (counts are per 1h, the longest gap between runs) |",
      "| SLA | max duration 45m, freshness 2h |",
      "| Description | Hourly load of orders from Postgres into the warehouse |",
      "| Dashboard | [pm-orders-etl](${GRAFANA_URL}/d/pm-orders-etl) |",
      "| Spec | `specs/commerce/orders-etl.yaml` |",
      "| Labels | `tier=1` |",
    ]) {
      expect(md).toContain(row);
    }
  });

  it("shows the routing with Datadog handles", () => {
    expect(md).toContain("| critical | data-oncall (pagerduty, `@pagerduty-data-oncall`), data-alerts (slack, `@slack-data-alerts`) |");
    expect(md).toContain("| low | data-email (email, `@data-team@example.com`) |");
  });

  it("keeps user text from breaking the tables", () => {
    const legacy = renderRunbook(proj, byName("legacy-orders"));
    expect(legacy).toContain("| Description | Nightly \\| legacy orders export to the finance warehouse |");
    expect(legacy).toContain("| high | no channel |");
  });

  it("describes streaming pipelines without a schedule", () => {
    const s = renderRunbook(proj, streamingPipeline());
    expect(s).toContain("| Schedule | continuous (streaming) |");
    expect(s).toContain("| SLA | none set |");
  });

  it("points at the team's own runbook when the spec has one", () => {
    const s = renderRunbook(proj, batchPipeline({ runbookUrl: "https://wiki.example.com/orders-etl" }));
    expect(s).toContain("Alerts link to the team's own runbook, https://wiki.example.com/orders-etl;");
  });
});

describe("per alert", () => {
  const cases = proj.pipelines.flatMap((p) => alertDefinitions(p).map((def) => [`${p.name}/${def.key}`, p, def] as const));

  it.each(cases)("%s: meaning, three checks with panel and queries, recovery, escalation", (_name, p, def) => {
    const md = renderRunbook(proj, p);
    const s = section(md, def.key);
    expect(s).toContain(`## ${def.title} (\`${def.key}\`)`);

    const meaning = subsection(s, "What it means");
    expect(meaning).toContain(def.description);
    for (const level of def.levels) {
      expect(meaning).toContain(`| ${level.level} | ${def.comparator} ${describeLevel(def, level)} | ${level.severity} |`);
      for (const ch of level.channels) expect(meaning).toContain(`${ch} (\`${proj.channels[ch]!.datadog}\`)`);
    }

    const checks = subsection(s, "First checks");
    expect(checks.match(/^\d\. \*\*/gm)).toEqual(["1. **", "2. **", "3. **"]);
    const first = checks.slice(checks.indexOf("1. **"), checks.indexOf("2. **"));
    expect(first).toContain(`(${panelUrl(proj.grafana.url, p.name, def.panelId)})`);
    expect(first).toContain(["```promql", def.promql, "```"].map((l) => `   ${l}`).join("\n"));
    expect(first).toContain(["```text", monitorQuery(def), "```"].map((l) => `   ${l}`).join("\n"));
    // Checks 2 and 3 carry their own panel links and queries.
    for (const n of [2, 3]) {
      const start = checks.indexOf(`${n}. **`);
      const check = checks.slice(start, n === 2 ? checks.indexOf("3. **") : undefined);
      expect(check).toMatch(/Panels?: \[.+\]\(\$\{GRAFANA_URL\}\/d\/pm-[a-z0-9-]+\?viewPanel=\d+\)/);
      expect(check).toContain("```promql");
      expect(check).toContain("```text");
    }

    const recovery = subsection(s, "Recovery by error class");
    for (const cls of ERROR_CLASSES) expect(recovery).toMatch(new RegExp(`^\\| ${cls} \\| .+ \\| \\*\\*${RECOVERY_ACTION[cls]}\\*\\*: .+ \\|$`, "m"));

    const escalation = subsection(s, "Escalation");
    expect(escalation).toContain(`Owner: team **${p.team}**`);
    for (const level of def.levels) {
      for (const ch of level.channels) expect(escalation).toContain(`\`${proj.channels[ch]!.datadog}\``);
    }
  });

  it("names the recovery actions of DESIGN §4", () => {
    expect(Object.values(RECOVERY_ACTION)).toEqual([
      "Retry with backoff",
      "Quarantine bad records",
      "Reduce batch size",
      "Schema change",
      "Manual intervention",
    ]);
  });

  it("tailors checks and recovery to the alert", () => {
    const md = renderRunbook(proj, byName("orders-etl"));
    expect(subsection(section(md, "pipelineFailed"), "First checks")).toContain("sum by (error_type) ((increase(pipeline_errors_total{pipeline=\"orders-etl\"}[1h]) and pipeline_errors_total{pipeline=\"orders-etl\"} offset 1h)");
    expect(subsection(section(md, "stale"), "First checks")).toContain("the scheduler (`0 * * * *`) is paused");
    expect(subsection(section(md, "lowVolume"), "Recovery by error class")).toContain("lower `minRecords` in the spec");
    const stream = renderRunbook(proj, byName("clickstream"));
    expect(subsection(section(stream, "highBacklog"), "First checks")).toContain("Throughput at zero: the consumer is down or stuck");
  });

  it("escalates one severity up, or says it is already the top", () => {
    const md = renderRunbook(proj, byName("orders-etl"));
    expect(subsection(section(md, "stale"), "Escalation")).toContain(
      "escalate as critical, to data-oncall (`@pagerduty-data-oncall`), data-alerts (`@slack-data-alerts`).",
    );
    expect(subsection(section(md, "pipelineFailed"), "Escalation")).toContain("Already the highest severity.");
    expect(subsection(section(md, "pipelineFailed"), "Escalation")).toContain("Datadog re-notifies every 60m");
  });

  it("shows the Datadog condition, which for stale counts successful runs", () => {
    const md = renderRunbook(proj, byName("orders-etl"));
    expect(subsection(section(md, "stale"), "What it means")).toContain("critical < 1 successful run in the last 2h");
  });

  it("uses overridden metric names and whole-query overrides", () => {
    const md = renderRunbook(proj, overriddenBatchPipeline());
    expect(md).toContain('avg(rate(container_cpu_usage_seconds_total{pod=~"legacy-orders-.*"}[5m]))');
    expect(md).toContain("avg:kubernetes.cpu.usage.pct{kube_deployment:legacy-orders}");
    expect(md).toContain("sum:etl.job.runs{job:legacy_orders,env:prod} by {status}.as_count()");
  });
});

describe("targets and disabled alerts", () => {
  it("says when no alert is enabled and why each one is missing", () => {
    const md = renderRunbook(proj, alertsDisabledPipeline());
    expect(md).toContain("No alert is enabled for this pipeline.");
    expect(md).toContain("- Pipeline run failed (`pipelineFailed`): disabled in the spec (`alerts.pipelineFailed.enabled: false`)");
    expect(md).not.toContain("### First checks");
  });

  it("lists alerts left out for a missing threshold", () => {
    expect(renderRunbook(proj, streamingPipeline())).toContain("- High CPU usage (`cpu`): no `thresholds.cpu`");
  });

  it("shows only Prometheus queries and panels for a Grafana-only pipeline", () => {
    const md = renderRunbook(proj, batchPipeline({ targets: ["grafana"] }));
    expect(md).toContain("```promql");
    expect(md).not.toContain("```text");
    expect(md).not.toContain("Datadog");
  });

  it("shows no panel links or PromQL for a Datadog-only pipeline", () => {
    const p: Pipeline = batchPipeline({ targets: ["datadog"] });
    const md = renderRunbook(proj, p);
    expect(md).not.toContain("viewPanel=");
    expect(md).not.toContain("```promql");
    expect(md).toContain("| Dashboard | none (the pipeline does not target Grafana) |");
    expect(md).toContain("sum(last_1h):sum:pipeline.runs{pipeline:orders-etl,status:failed}.as_count() > 0");
  });

  it("names the environment of an overlay", () => {
    const staging: Project = { ...proj, environment: "staging" };
    const md = renderRunbook(staging, batchPipeline());
    expect(md).toContain("| Environment | staging |");
    expect(md).toContain("Datadog monitor tagged `pipemon-id:orders-etl/pipelineFailed`");
  });
});
