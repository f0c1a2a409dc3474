import { describe, expect, it } from "vitest";
import type { Dashboard, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import { alertDefinitions } from "../../../../src/compile/alert-definitions.js";
import { pipelineDashboard } from "../../../../src/targets/grafana/compile/dashboard.js";
import { stableJson } from "../../../../src/lib/stable-json.js";
import { PANEL } from "../../../../src/model/panels.js";
import type { Pipeline } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { validator } from "./contract.js";

function build(p: Pipeline): Dashboard {
  // Through JSON, as Grafana receives it (drops the SDK's function members).
  return JSON.parse(stableJson(pipelineDashboard(project([p]), p, alertDefinitions(p)))) as Dashboard;
}

const isRow = (panel: Panel | RowPanel): panel is RowPanel => panel.type === "row";
const panels = (d: Dashboard): Panel[] => (d.panels ?? []).filter((p): p is Panel => !isRow(p));

function panel(d: Dashboard, id: number): Panel {
  const found = panels(d).find((p) => p.id === id);
  if (!found) throw new Error(`no panel ${id}`);
  return found;
}

const steps = (p: Panel) => p.fieldConfig?.defaults.thresholds?.steps ?? [];
const exprs = (p: Panel) => (p.targets ?? []).map((t) => (t as { expr?: string }).expr);
const thresholdsStyle = (p: Panel) => (p.fieldConfig?.defaults.custom as { thresholdsStyle?: { mode: string } } | undefined)?.thresholdsStyle?.mode;

const batch = batchPipeline();
const streaming = streamingPipeline();

describe("pipeline dashboard", () => {
  it.each([
    ["batch", batch],
    ["streaming", streaming],
    ["batch without thresholds or SLA", batchPipeline({ name: "bare", thresholds: {}, sla: {}, labels: {} })],
  ])("validates against the contract's Dashboard schema (%s)", (_label, p) => {
    const validate = validator("dashboard", "Dashboard");
    const ok = validate(build(p));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("validates each panel's options, field config and queries against the panel schemas", () => {
    const options: Record<string, string> = { stat: "stat", gauge: "gauge", timeseries: "timeseries" };
    const query = validator("prometheus", "Dataquery");
    for (const p of [batch, streaming]) {
      for (const panel of panels(build(p))) {
        const schema = options[panel.type];
        expect(schema, panel.type).toBeDefined();
        const opts = validator(schema!, "Options");
        expect(opts(panel.options), `${p.name}#${panel.id} options: ${JSON.stringify(opts.errors)}`).toBe(true);
        if (panel.type === "timeseries") {
          const custom = validator("timeseries", "FieldConfig");
          expect(custom(panel.fieldConfig?.defaults.custom), JSON.stringify(custom.errors)).toBe(true);
        }
        for (const target of panel.targets ?? []) expect(query(target), JSON.stringify(query.errors)).toBe(true);
      }
    }
  });

  it("identifies and tags the dashboard by pipeline, without server-owned fields", () => {
    const d = build(batch);
    expect(d.uid).toBe("pm-orders-etl");
    expect(d.title).toBe("orders-etl");
    expect(d.tags).toEqual(["pipemon", "managed-by-pipemon", "team:commerce", "pipeline:orders-etl"]);
    expect(d).not.toHaveProperty("id");
    expect(d).not.toHaveProperty("version");
  });

  it("gives a batch dashboard the batch panels at their fixed ids", () => {
    const ids = panels(build(batch)).map((p) => [p.id, p.type]);
    expect(ids).toEqual([
      [PANEL.runStatus, "stat"],
      [PANEL.lastSuccess, "stat"],
      [PANEL.duration, "timeseries"],
      [PANEL.records, "timeseries"],
      [PANEL.failureRatio, "timeseries"],
      [PANEL.volume, "timeseries"],
      [PANEL.cpu, "gauge"],
      [PANEL.memory, "gauge"],
      [PANEL.errors, "timeseries"],
    ]);
  });

  it("gives a streaming dashboard the stream panels at their fixed ids", () => {
    const ids = panels(build(streaming)).map((p) => [p.id, p.type]);
    expect(ids).toEqual([
      [PANEL.latency, "timeseries"],
      [PANEL.throughput, "timeseries"],
      [PANEL.backlog, "timeseries"],
      [PANEL.streamErrorRate, "timeseries"],
      [PANEL.cpu, "gauge"],
      [PANEL.memory, "gauge"],
    ]);
  });

  it("keeps row ids apart from panel ids, and every id unique", () => {
    for (const p of [batch, streaming]) {
      const all = build(p).panels ?? [];
      const rowIds = all.filter(isRow).map((r) => r.id);
      expect(Math.min(...rowIds)).toBeGreaterThan(Math.max(...Object.values(PANEL)));
      const ids = all.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("lays panels out on the 24-column grid without overlaps", () => {
    for (const p of [batch, streaming]) {
      const boxes = (build(p).panels ?? []).map((x) => x.gridPos!);
      for (const [i, a] of boxes.entries()) {
        expect(a.x + a.w).toBeLessThanOrEqual(24);
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap).toBe(false);
        }
      }
    }
  });

  it("draws the spec's batch thresholds on their panels", () => {
    const d = build(batch);
    expect(steps(panel(d, PANEL.duration))).toEqual([{ value: null, color: "green" }, { value: 2700, color: "red" }]);
    expect(thresholdsStyle(panel(d, PANEL.duration))).toBe("line");
    expect(steps(panel(d, PANEL.lastSuccess))).toEqual([{ value: null, color: "green" }, { value: 7200, color: "red" }]);
    expect(steps(panel(d, PANEL.failureRatio))).toEqual([
      { value: null, color: "green" },
      { value: 0.01, color: "orange" },
      { value: 0.05, color: "red" },
    ]);
    // minRecords alerts BELOW: red under the line.
    expect(steps(panel(d, PANEL.records))).toEqual([{ value: null, color: "red" }, { value: 1000, color: "green" }]);
    expect(thresholdsStyle(panel(d, PANEL.records))).toBe("line+area");
    expect(steps(panel(d, PANEL.cpu))).toEqual([
      { value: null, color: "green" },
      { value: 0.8, color: "orange" },
      { value: 0.95, color: "red" },
    ]);
    expect(steps(panel(d, PANEL.memory)).map((s) => s.value)).toEqual([null, 0.8, 0.95]);
    expect(steps(panel(d, PANEL.errors))).toEqual([{ value: null, color: "green" }, { value: 10, color: "red" }]);
  });

  it("draws the spec's stream thresholds, colouring throughput red below critical", () => {
    const d = build(streaming);
    expect(steps(panel(d, PANEL.latency)).map((s) => s.value)).toEqual([null, 0.5, 2]);
    expect(steps(panel(d, PANEL.throughput))).toEqual([
      { value: null, color: "red" },
      { value: 100, color: "orange" },
      { value: 500, color: "green" },
    ]);
    expect(steps(panel(d, PANEL.backlog)).map((s) => s.value)).toEqual([null, 10000, 100000]);
    expect(steps(panel(d, PANEL.streamErrorRate)).map((s) => s.value)).toEqual([null, 0.001, 0.01]);
  });

  it("draws no threshold line where the spec has no threshold", () => {
    const d = build(batchPipeline({ name: "bare", thresholds: {}, sla: {} }));
    for (const id of [PANEL.duration, PANEL.records, PANEL.failureRatio, PANEL.errors, PANEL.volume]) {
      expect(thresholdsStyle(panel(d, id)), `panel ${id}`).toBe("off");
      expect(steps(panel(d, id)), `panel ${id}`).toEqual([{ value: null, color: "green" }]);
    }
    expect(steps(panel(d, PANEL.cpu))).toEqual([{ value: null, color: "green" }]);
    expect(steps(panel(d, PANEL.lastSuccess))).toEqual([{ value: null, color: "green" }]);
  });

  it("shows on each alert's panel the very query the alert evaluates", () => {
    for (const p of [batch, streaming]) {
      const d = build(p);
      for (const def of alertDefinitions(p)) {
        // slaBreach combines two series the panel shows apart.
        if (def.key === "slaBreach") continue;
        expect(exprs(panel(d, PANEL[def.panel])), `${p.name} ${def.key}`).toContain(def.promql);
      }
    }
  });

  it("queries the project's datasource through the pipeline's signals", () => {
    const p = batchPipeline();
    const custom: Pipeline = {
      ...p,
      signals: {
        ...p.signals,
        cpu: { ...p.signals.cpu, promql: 'avg(container_cpu_ratio{job="orders"})' },
        errors: { ...p.signals.errors, prometheus: "etl_errors_total", matchers: { job: "orders" } },
      },
    };
    const pr = { ...project([custom]), grafana: { ...project().grafana, datasource: { type: "prometheus", uid: "mimir" } } };
    const d = JSON.parse(stableJson(pipelineDashboard(pr, custom, alertDefinitions(custom)))) as Dashboard;
    expect(exprs(panel(d, PANEL.cpu))).toEqual(['avg(container_cpu_ratio{job="orders"})']);
    expect(exprs(panel(d, PANEL.errors))).toEqual([
      'sum by (error_type) ((increase(etl_errors_total{job="orders"}[1h]) and present_over_time(etl_errors_total{job="orders"}[1h] offset 1h)) or (etl_errors_total{job="orders"} unless present_over_time(etl_errors_total{job="orders"}[1h] offset 1h)))',
      'sum((increase(etl_errors_total{job="orders"}[1h]) and present_over_time(etl_errors_total{job="orders"}[1h] offset 1h)) or (etl_errors_total{job="orders"} unless present_over_time(etl_errors_total{job="orders"}[1h] offset 1h)))',
    ]);
    for (const x of panels(d)) {
      expect(x.datasource).toEqual({ type: "prometheus", uid: "mimir" });
      for (const t of x.targets ?? []) expect((t as { datasource?: unknown }).datasource).toEqual({ type: "prometheus", uid: "mimir" });
    }
  });

  it("links to the team overview and to the published runbook", () => {
    const links = build(batch).links ?? [];
    expect(links.map((l) => l.url)).toEqual([
      "/d/pm-team-commerce",
      "https://github.com/example/data-platform/blob/main/generated/runbooks/orders-etl.md",
    ]);
  });

  it("links no repository-relative runbook path", () => {
    const p = batchPipeline();
    const pr = { ...project([p]), runbookBaseUrl: undefined };
    const d = pipelineDashboard(pr, p, alertDefinitions(p));
    expect((d.links ?? []).map((l) => l.url)).toEqual(["/d/pm-team-commerce"]);
  });

  it("is deterministic", () => {
    const p = batchPipeline();
    const a = stableJson(pipelineDashboard(project([p]), p, alertDefinitions(p)));
    const b = stableJson(pipelineDashboard(project([p]), p, alertDefinitions(p)));
    expect(a).toBe(b);
  });

});
