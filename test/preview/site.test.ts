/**
 * The pure half of the preview: reading compiled dashboards, the synthetic walks, the HTML
 * (escaping), determinism. The browser tests (browser.test.ts) check what a reader sees.
 */
import { describe, expect, it } from "vitest";
import { readDashboard, seriesName, seriesSettings, type PanelSpec, type ThresholdStep } from "../../src/preview/dashboard.js";
import { escapeHtml, scriptJson } from "../../src/lib/html.js";
import { hrefTo } from "../../src/preview/html.js";
import { renderSite, type DashboardPage, type PipelineInfo, type SiteInput } from "../../src/preview/site.js";
import { syntheticPanel, walk } from "../../src/preview/synthetic.js";
import { grafanaPipelineFiles, grafanaTeamFile, grafanaTeams } from "../../src/targets/grafana/compile/index.js";
import { loadSpecs } from "../../src/spec/index.js";

const [project] = loadSpecs({ root: "specs", environment: "production" }).projects;
if (!project) throw new Error("the demo specs do not load");

/** Every dashboard generate writes for the demo's production environment. */
const dashboards = [
  ...project.pipelines.flatMap((p) => grafanaPipelineFiles(project, p).filter((f) => f.path.startsWith("grafana/dashboards/"))),
  ...[...grafanaTeams(project)].map(([team, members]) => grafanaTeamFile(project, team, members)),
].map((f) => ({ path: f.path, json: JSON.parse(f.content) as { panels: { type: string; id: number; fieldConfig?: { defaults?: { thresholds?: { steps: ThresholdStep[] } } } }[] } }));

/** Which level a value is at under the steps: the colour of the last step it reaches. */
function colourAt(steps: readonly ThresholdStep[], v: number): string {
  let colour = steps[0]!.color;
  for (const s of steps) if (s.value !== null && v >= s.value) colour = s.color;
  return colour;
}

describe("reading a compiled dashboard", () => {
  it("keeps every drawable panel of every demo dashboard, with its thresholds, in reading order", () => {
    expect(dashboards.length).toBe(12);
    for (const { json } of dashboards) {
      const spec = readDashboard(json);
      const drawable = json.panels.filter((p) => p.type !== "row");
      expect(spec.panels.filter((p) => p.type !== "row").map((p) => p.id).sort()).toEqual(drawable.map((p) => p.id).sort());
      for (const p of drawable) {
        const read = spec.panels.find((s) => s.id === p.id)!;
        expect(read.thresholds).toEqual(p.fieldConfig?.defaults?.thresholds?.steps ?? []);
        expect(read.targets.length).toBeGreaterThan(0);
      }
      const order = spec.panels.map((p) => p.gridPos.y * 100 + p.gridPos.x);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("applies overrides by series name: the failed-runs stat turns red at one failure, failed records draw no threshold line", () => {
    const orders = readDashboard(dashboards.find((d) => d.path.endsWith("/orders-etl.json"))!.json);
    const runs = orders.panels.find((p) => p.id === 1)!;
    expect(seriesSettings(runs, "succeeded").thresholds).toEqual([{ value: null, color: "green" }]);
    expect(seriesSettings(runs, "failed").thresholds).toEqual([{ value: null, color: "green" }, { value: 1, color: "red" }]);
    const records = orders.panels.find((p) => p.id === 4)!;
    expect(seriesSettings(records, "processed").thresholdsStyle).toBe("line+area");
    expect(seriesSettings(records, "failed")).toMatchObject({ thresholdsStyle: "off", color: "red" });
  });

  it("names series from the legend format and the labels, as Grafana does", () => {
    const target = { refId: "A", expr: "x", legendFormat: "{{error_type}} on {{ pipeline }}" };
    expect(seriesName(target, { error_type: "timeout", pipeline: "a" })).toBe("timeout on a");
    expect(seriesName({ ...target, legendFormat: "" }, { __name__: "up", job: "j", a: "1" })).toBe('up{a="1", job="j"}');
  });
});

describe("synthetic series", () => {
  const panels = dashboards.flatMap(({ json }) => readDashboard(json).panels.filter((p) => p.type !== "row"));

  it("walk every series with levels from healthy through each level to critical, in that order", () => {
    let walked = 0;
    for (const panel of panels) {
      const data = syntheticPanel(panel, 6 * 3600);
      expect(data.x).toHaveLength(121);
      expect(data.x.at(-1)).toBe(0);
      for (const s of data.series) {
        if (s.thresholdsStyle === "off" && panel.thresholdsStyle !== "off") continue;
        const colours = s.thresholds.map((t) => t.color);
        if (new Set(colours).size < 2) continue;
        // The colours the walk shows, in order, without repeats.
        const seen = s.values.map((v) => colourAt(s.thresholds, v!)).filter((c, i, all) => i === 0 || all[i - 1] !== c);
        const rank = (c: string): number => (c.includes("red") ? 2 : c.includes("orange") || c.includes("yellow") ? 1 : 0);
        expect(seen.map(rank), `${panel.title} / ${s.name}: ${seen.join(" → ")}`).toEqual([...new Set(colours.map(rank))].sort());
        walked++;
      }
    }
    expect(walked).toBeGreaterThan(40);
  });

  it("stay inside the panel's min and max, and are the same every time", () => {
    for (const panel of panels) {
      const a = syntheticPanel(panel, 3600);
      expect(syntheticPanel(panel, 3600)).toEqual(a);
      for (const s of a.series) {
        for (const v of s.values) {
          expect(Number.isFinite(v)).toBe(true);
          if (panel.min !== undefined) expect(v!).toBeGreaterThanOrEqual(panel.min);
          if (panel.max !== undefined) expect(v!).toBeLessThanOrEqual(panel.max);
        }
      }
    }
  });

  it("walk below-is-bad signals downwards (throughput) and whole-number counts in whole numbers", () => {
    const panel: PanelSpec = { id: 1, type: "timeseries", title: "", description: "", gridPos: { x: 0, y: 0, w: 1, h: 1 }, unit: "cps", thresholds: [], thresholdsStyle: "line", graphMode: "none", targets: [], overrides: [] };
    const below = walk([{ value: null, color: "red" }, { value: 100, color: "orange" }, { value: 500, color: "green" }], panel, 60, 0);
    expect(below[0]!).toBeGreaterThan(500);
    expect(below.at(-1)!).toBeLessThan(100);
    const failures = walk([{ value: null, color: "green" }, { value: 1, color: "red" }], { ...panel, unit: "none" }, 20, 0);
    expect(new Set(failures)).toEqual(new Set([0, 1]));
  });
});

describe("HTML", () => {
  const hostile = `</script><script>alert(1)</script><img src=x onerror="alert(2)"> & 'q' \u2028`;

  it("escapes text and attribute values, and JSON cannot close its script element", () => {
    expect(escapeHtml(hostile)).not.toMatch(/[<>"']/);
    const json = scriptJson({ s: hostile });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: hostile });
    expect(hrefTo("production/a.html", "index.html")).toBe("../index.html");
    expect(hrefTo("index.html", "staging/team-x.html")).toBe("staging/team-x.html");
  });

  it("renders hostile spec strings as text on every page, never as markup", () => {
    const orders = readDashboard(dashboards.find((d) => d.path.endsWith("/orders-etl.json"))!.json);
    const dashboard = { ...orders, title: hostile, description: hostile, panels: orders.panels.map((p) => ({ ...p, title: hostile, description: hostile, targets: p.targets.map((t) => ({ ...t, expr: hostile, legendFormat: hostile })) })) };
    const pipeline: PipelineInfo = {
      name: hostile, team: hostile, description: hostile, type: "batch", targets: ["grafana"], runbook: `javascript:${hostile}`,
      alerts: [{ key: hostile, title: hostile, for: "5m", panelId: 1, levels: [{ level: "critical", severity: hostile, condition: hostile, channels: [{ target: hostile, channels: [hostile] }] }] }],
      routing: { scope: "pipeline", severities: [{ severity: hostile, channels: [{ name: hostile, type: hostile }] }] },
    };
    const page: DashboardPage = { path: "x.html", kind: "pipeline", team: hostile, dashboard, data: new Map(dashboard.panels.map((p) => [p.id, syntheticPanel(p, 3600)])), pipeline };
    const input: SiteInput = { source: { kind: "live", since: hostile, prometheus: hostile }, pages: [page, { ...page, path: "team-x.html", kind: "team", members: [pipeline] }], undrawn: [{ ...pipeline, environment: hostile }], uplot: { js: "", css: "" } };
    for (const file of renderSite(input).filter((f) => f.path.endsWith(".html"))) {
      expect(file.content, file.path).not.toContain("<script>alert");
      expect(file.content, file.path).not.toContain("<img");
      expect(file.content, file.path).not.toContain('onerror="');
      expect(file.content, file.path).not.toMatch(/href="\s*javascript:/i);
      // Exactly the page's own script elements.
      expect(file.content.match(/<script/g)?.length ?? 0, file.path).toBe(file.path === "index.html" ? 0 : 3);
    }
  });

  it("links an alert to its panel on the same page, also for a page under an environment folder", () => {
    const dashboard = readDashboard(dashboards.find((d) => d.path.endsWith("/orders-etl.json"))!.json);
    const pipeline: PipelineInfo = {
      name: "orders-etl", team: "data", description: "", type: "batch", targets: ["grafana"], runbook: "",
      alerts: [{ key: "failed", title: "Failed runs", for: "5m", panelId: 1, levels: [{ level: "critical", severity: "page", condition: "x", channels: [] }] }],
      routing: { scope: "team", severities: [] },
    };
    const page: DashboardPage = { path: "production/orders-etl.html", kind: "pipeline", team: "data", environment: "production", dashboard, data: new Map(dashboard.panels.map((p) => [p.id, syntheticPanel(p, 3600)])), pipeline };
    const html = renderSite({ source: { kind: "synthetic", since: "1h" }, pages: [page], undrawn: [], uplot: { js: "", css: "" } }).find((f) => f.path === page.path)!.content;
    const links = [...html.matchAll(/<a href="([^"]*)">panel<\/a>/g)].map((m) => m[1]);
    expect(links).toEqual(["#panel-1"]);
    expect(html).toContain('id="panel-1"');
  });

  it("is deterministic: the same input renders the same bytes", () => {
    const pages = dashboards.slice(0, 3).map(({ path, json }): DashboardPage => {
      const dashboard = readDashboard(json);
      return { path: path.replace(/^.*\//, "").replace(".json", ".html"), kind: "team", team: "t", dashboard, data: new Map(dashboard.panels.map((p) => [p.id, syntheticPanel(p, 3600)])) };
    });
    const input: SiteInput = { source: { kind: "synthetic", since: "1h" }, pages, undrawn: [], uplot: { js: "js", css: "css" } };
    expect(renderSite(input)).toEqual(renderSite(input));
  });
});
