/**
 * What `report` asks the query API: the series of each pipeline through the rules' own PromQL
 * builders, so a spec's `metrics` overrides (names, selectors, whole queries) are read as the
 * alerts read them. Run on the README's metric-override examples with a recording client.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { report, type RangeQueries } from "../../src/app/report.js";
import { renderReportText } from "../../src/history/report-render.js";
import type { MatrixSeries } from "../../src/history/report-series.js";

function recording(): { client: RangeQueries; asked: { expr: string; start: number; end: number; step: number }[] } {
  const asked: { expr: string; start: number; end: number; step: number }[] = [];
  return { asked, client: { queryRange: async (expr, range) => (asked.push({ expr, ...range }), []) } };
}

describe("report's queries", () => {
  const until = 1_800_000_000;

  it("reads overridden metric names, selectors and whole queries as the rules do", async () => {
    const { client, asked } = recording();
    const r = await report({ root: "docs/examples/metrics", since: until - 7 * 86400, until, suggest: true, env: () => undefined, queryApi: () => client });
    expect(r.problem).toBeUndefined();
    const exprs = asked.map((a) => a.expr);
    // Airflow: runs are the DAG timer's _count, errors the failed task instances.
    expect(exprs).toContain('airflow_dagrun_duration_count{dag_id="orders_daily"}');
    expect(exprs).toContain('airflow_ti_finish{dag_id="orders_daily",state="failed"}');
    // Kafka: the backlog is the whole-query override, as highBacklog reads it.
    expect(exprs).toContain('sum(kafka_consumergroup_lag{consumergroup="orders-enricher"})');
    expect(exprs.some((e) => e.includes("pipeline_runs_total") || e.includes('stream_backlog_records{pipeline="orders-enricher"}'))).toBe(false);
    // The Flink job overrides throughput, latency, CPU and memory, not the backlog: its selector applies.
    expect(exprs).toContain('max(stream_backlog_records{job_name="clickstream-sessions"})');
    // Every query on the rule interval's grid; suggestions start their rule's `for` earlier.
    expect(new Set(asked.map((a) => a.step))).toEqual(new Set([60]));
    expect(Math.min(...asked.map((a) => a.start))).toBeLessThan(until - 7 * 86400);
    expect(new Set(asked.map((a) => a.end))).toEqual(new Set([until - (until % 60)]));
  });

  it("asks each expression once: a suggestion reads the report's series, from its warm-up on", async () => {
    const { client, asked } = recording();
    await report({ root: "docs/examples/metrics", since: until - 7 * 86400, until, suggest: true, env: () => undefined, queryApi: () => client });
    expect(asked.length).toBe(new Set(asked.map((a) => a.expr)).size);
  });

  it("reports a pipeline with no series as such, without inventing figures", async () => {
    const { client } = recording();
    const r = await report({ root: "docs/examples/metrics", since: until - 86400, until, env: () => undefined, queryApi: () => client, select: ["orders-daily-dag"] });
    const [entry] = r.document!.pipelines;
    expect(entry).toMatchObject({ pipeline: "orders-daily-dag", noHistory: true, batch: { runs: 0, successRate: null, duration: null }, cpu: null, memory: null });
    expect(renderReportText(r.document!)).toContain("history                        no series of this pipeline in the period: check its metric names (spec.metrics) and the query URL");
  });

  it("points a flag at the config line that sets the threshold when the pipeline does not (a team's defaults)", async () => {
    // settlement-recon (team payments) takes failureRate from teams.payments.defaults: 1% of
    // records fail. Its weekday schedule's window is 3 days: a week holds two full windows.
    const since = until - 7 * 86400;
    const counter = (perHour: number): MatrixSeries[] => [{ metric: {}, values: Array.from({ length: 7 * 1440 + 1 }, (_, i) => [since + i * 60, String(Math.floor(i / 60) * perHour)] as [number, string]) }];
    const client: RangeQueries = {
      queryRange: async (expr) => (expr === 'pipeline_records_processed_total{pipeline="settlement-recon"}' ? counter(10_000) : expr === 'pipeline_records_failed_total{pipeline="settlement-recon"}' ? counter(100) : []),
    };
    const r = await report({ root: "specs", since, until: since + 7 * 86400, env: () => undefined, queryApi: () => client, select: ["settlement-recon"], environment: "production" });
    expect(r.document!.pipelines[0]!.batch!.recordsPerWindow!.windows).toBe(2);
    const flag = r.document!.pipelines[0]!.flags.find((f) => f.threshold.startsWith("thresholds.failureRate"))!;
    const config = readFileSync("specs/pipemon.yaml", "utf8").split("\n");
    const line = config.findIndex((l) => l.includes("thresholds: { failureRate: { warning: 0.1%, critical: 0.5% } }")) + 1;
    expect(flag).toMatchObject({ threshold: "thresholds.failureRate.critical", value: 0.01, limit: 0.005 });
    expect(flag.location).toMatch(new RegExp(`^specs/pipemon\\.yaml:${line}:\\d+$`));
  });
});
