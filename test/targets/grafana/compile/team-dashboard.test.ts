import { describe, expect, it } from "vitest";
import type { Dashboard, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import { teamDashboard } from "../../../../src/targets/grafana/compile/team-dashboard.js";
import { stableJson } from "../../../../src/lib/stable-json.js";
import type { Pipeline } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { validator } from "./contract.js";

function build(team: string, pipelines: Pipeline[]): Dashboard {
  return JSON.parse(stableJson(teamDashboard(project(pipelines), team, pipelines))) as Dashboard;
}

const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === "row";
const stats = (d: Dashboard): Panel[] => (d.panels ?? []).filter((p): p is Panel => !isRow(p));
const byId = (d: Dashboard, id: number): Panel => stats(d).find((p) => p.id === id)!;
const expr = (p: Panel): string | undefined => (p.targets?.[0] as { expr?: string } | undefined)?.expr;

const orders = batchPipeline();
const refunds = batchPipeline({ name: "refunds-etl", description: "", sla: { freshnessSeconds: 86400 } });
const mixed = [orders, refunds, streamingPipeline({ team: "commerce", name: "returns-stream" })];

describe("team dashboard", () => {
  it("validates against the contract's Dashboard schema", () => {
    const validate = validator("dashboard", "Dashboard");
    const ok = validate(build("commerce", mixed));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("is identified by team, tagged as pipemon's, without server-owned fields", () => {
    const d = build("commerce", mixed);
    expect(d).toMatchObject({ uid: "pm-team-commerce", title: "commerce: pipeline overview", tags: ["pipemon", "managed-by-pipemon", "team:commerce"] });
    expect(d).not.toHaveProperty("id");
    expect(d).not.toHaveProperty("version");
  });

  it("has a row per pipeline, in the given order, with ids derived from the position (no SLA panel without maxDuration)", () => {
    const d = build("commerce", mixed);
    expect((d.panels ?? []).map((p) => [p.id, p.type === "row" ? `row ${p.title}` : p.title])).toEqual([
      [10, "row orders-etl — Hourly load of orders from Postgres into the warehouse"],
      [11, "Run status (1h)"],
      [12, "Since last success"],
      [13, "Successful runs (7d)"],
      [14, "Within 45m (7d)"],
      [20, "row refunds-etl"],
      [21, "Run status (1h)"],
      [22, "Since last success"],
      [23, "Successful runs (7d)"],
      [30, "row returns-stream — Kafka to Flink clickstream sessionisation"],
      [31, "Latency p95"],
      [32, "Throughput"],
      [33, "Backlog"],
      [34, "Error rate"],
    ]);
  });

  it("links every status panel to its pipeline's dashboard", () => {
    const d = build("commerce", mixed);
    expect(byId(d, 11).links!.map((l) => l.url)).toEqual(["/d/pm-orders-etl"]);
    expect(byId(d, 23).links!.map((l) => l.url)).toEqual(["/d/pm-refunds-etl"]);
    expect(byId(d, 33).links!.map((l) => l.url)).toEqual(["/d/pm-returns-stream"]);
    expect(d.links?.[0]).toMatchObject({ type: "dashboards", tags: ["pipemon", "team:commerce"], asDropdown: true });
  });

  it("judges each pipeline against its own spec", () => {
    const d = build("commerce", mixed);
    expect(byId(d, 12).fieldConfig?.defaults.thresholds?.steps).toEqual([{ value: null, color: "green" }, { value: 7200, color: "red" }]);
    expect(byId(d, 22).fieldConfig?.defaults.thresholds?.steps).toEqual([{ value: null, color: "green" }, { value: 86400, color: "red" }]);
    expect(expr(byId(d, 14))).toBe('avg_over_time((max(pipeline_run_duration_seconds{pipeline="orders-etl"}) <= bool 2700)[7d:5m])');
    expect(expr(byId(d, 13))).toBe(
      'sum(increase(pipeline_runs_total{pipeline="orders-etl",status="success"}[7d])) / sum(increase(pipeline_runs_total{pipeline="orders-etl"}[7d]))',
    );
    expect(byId(d, 32).fieldConfig?.defaults.thresholds?.steps).toEqual([
      { value: null, color: "red" },
      { value: 100, color: "orange" },
      { value: 500, color: "green" },
    ]);
  });

  it("shows no SLA compliance for a pipeline without maxDuration", () => {
    const d = build("commerce", [batchPipeline({ sla: { freshnessSeconds: 3600 } })]);
    expect(stats(d).map((p) => p.title)).toEqual(["Run status (1h)", "Since last success", "Successful runs (7d)"]);
  });

  it("reads status with instant queries on the project's datasource", () => {
    for (const p of stats(build("commerce", mixed))) {
      for (const t of p.targets ?? []) expect(t).toMatchObject({ instant: true, range: false, datasource: { type: "prometheus", uid: "prometheus" } });
    }
  });

  it("is deterministic", () => {
    expect(stableJson(teamDashboard(project(mixed), "commerce", mixed))).toBe(stableJson(teamDashboard(project(mixed), "commerce", mixed)));
  });
});
