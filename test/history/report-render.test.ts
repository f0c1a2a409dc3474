/**
 * The report's outputs as their readers see them: markdown rendered the way GitHub renders a
 * comment (micromark + GFM, raw HTML allowed for <details>), the html page parsed as a
 * browser would, and the JSON parsed back.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { uplotAssets } from "../../src/lib/uplot-assets.js";
import { renderReportHtml, thin, type ReportChart } from "../../src/history/report-html.js";
import { GITHUB_COMMENT_LIMIT, renderReportJson, renderReportMarkdown, renderReportText, type ReportDocument, type ReportEntry } from "../../src/history/report-render.js";

const gfmHtmlOf = (md: string) => parse(micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true }));

function entry(i: number, flagged: boolean): ReportEntry {
  return {
    pipeline: `etl-${String(i).padStart(4, "0")}`, team: `team-${i % 7}`, type: "batch", source: `specs/t/etl-${i}.yaml`,
    batch: {
      runs: 720, succeeded: 700, failed: 20, successRate: 700 / 720, timedRuns: 720, duration: { p50: 600, p95: 1500, max: 2400 }, slaCompliance: 0.99,
      longestInProgress: null, longestSuccessGap: { seconds: 14400, from: 1_700_000_000, to: 1_700_014_400 }, windowSeconds: 3600,
      recordsPerWindow: { windows: 720, min: 200, median: 5000, belowMinRecords: 3 }, failureRatio: { overall: 0.002, worstWindow: 0.08 }, errorsPerWindow: null,
    },
    cpu: { peak: 0.97, p95: 0.6 }, memory: null,
    flags: flagged ? [{ figure: "CPU peak", threshold: "thresholds.cpu.critical", level: "critical", comparator: ">", value: 0.97, limit: 0.95, unit: "ratio", specPath: ["spec", "thresholds", "cpu", "critical"], location: `specs/t/etl-${i}.yaml:12:17` }] : [],
    suggestions: [{ alert: "cpu", threshold: "thresholds.cpu", levelled: true, unit: "ratio", comparator: ">", samples: 43200, levels: [{ level: "critical", statistic: "p99 × 1.2", basis: 0.7, suggested: 0.84, current: 0.95, pages: 2, currentPages: 1 }] }],
  };
}
const doc = (n: number): ReportDocument => ({ since: 1_700_000_000, until: 1_702_592_000, step: 60, pipelines: Array.from({ length: n }, (_, i) => entry(i, i % 3 === 0)) });

describe("markdown report", () => {
  it("fits one pull-request comment however many pipelines, folding each in <details> and naming what it left out", () => {
    const big = doc(3000);
    const md = renderReportMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const root = gfmHtmlOf(md);
    const rows = root.querySelector("table")!.querySelectorAll("tbody tr");
    const details = root.querySelectorAll("details");
    expect(rows.length).toBeGreaterThan(100);
    expect(details.length).toBeGreaterThan(10);
    // Flagged pipelines come first, open; what did not fit is counted in a sentence.
    expect(details[0]!.getAttribute("open")).toBe("");
    expect(rows[0]!.textContent).toContain("critical: thresholds.cpu.critical");
    expect(root.textContent).toMatch(new RegExp(`${(3000 - rows.length).toLocaleString("en-US")} pipelines not listed`));
    expect(root.textContent).toMatch(/pipelines not detailed to fit one comment/);
  });

  it("shows a small report whole: figures table, bottleneck with its spec line, suggestion with page counts", () => {
    const root = gfmHtmlOf(renderReportMarkdown(doc(2)));
    const summary = root.querySelector("table")!;
    expect(summary.querySelector("th")!.textContent).toBe("pipeline");
    expect(summary.querySelectorAll("tbody tr").map((r) => r.querySelector("td")!.textContent)).toEqual(["etl-0000", "etl-0001"]);
    expect(root.querySelectorAll("details")).toHaveLength(2);
    const text = root.textContent;
    expect(text).toContain("critical: CPU peak 97% > 95% (thresholds.cpu.critical) at specs/t/etl-0.yaml:12:17");
    expect(text).toContain("thresholds.cpu.critical: 95% → 84% (p99 × 1.2 of 70% over 43,200 evaluations), would have paged 2 times (now 1)");
    expect(text).not.toMatch(/not listed|not detailed/);
  });
});

describe("html report", () => {
  const charts: ReportChart[][] = [[{ title: "CPU usage", unit: "ratio", x: [1, 2, 3], y: [0.2, null, 0.97], thresholds: [{ label: "thresholds.cpu.critical", value: 0.95 }] }], []];
  const page = renderReportHtml(doc(2), charts, uplotAssets());
  const root = parse(page, { blockTextElements: { script: true, style: true } });

  it("is one self-contained page: uPlot inlined, nothing loaded from the network", () => {
    expect(root.querySelectorAll("[src], link[href]")).toHaveLength(0);
    const hrefs = root.querySelectorAll("[href]").map((a) => a.getAttribute("href")!);
    expect(hrefs.every((h) => h.startsWith("#"))).toBe(true);
    expect(page).not.toMatch(/(?:src|href)\s*=\s*["']?https?:/i);
    const scripts = root.querySelectorAll("script").map((s) => s.textContent);
    expect(scripts.some((s) => s.includes(uplotAssets().js.slice(0, 200)))).toBe(true);
    expect(root.querySelector("style")!.textContent).toContain(".uplot");
  });

  it("embeds each chart's data and thresholds, and one chart element per chart", () => {
    const data = JSON.parse(root.querySelector("#pipemon-data")!.textContent) as { charts: ReportChart[] };
    expect(data.charts).toEqual(charts[0]);
    expect(root.querySelectorAll("[data-chart]")).toHaveLength(1);
    expect(root.querySelectorAll("section")).toHaveLength(2);
  });

  it("cannot be broken out of by a name: text is escaped and script data cannot close its element", () => {
    const evil = doc(1);
    evil.pipelines[0]!.team = "</script><img src=http://x>";
    const html = renderReportHtml(evil, [[{ ...charts[0]![0]!, title: "</script><b>" }]], { js: "", css: "" });
    const r = parse(html, { blockTextElements: { script: true, style: true } });
    expect(r.querySelectorAll("img")).toHaveLength(0);
    expect(JSON.parse(r.querySelector("#pipemon-data")!.textContent).charts[0].title).toBe("</script><b>");
  });
});

describe("chart thinning", () => {
  it("keeps at most the limit and keeps each run's most alarming value", () => {
    const x = Array.from({ length: 10_000 }, (_, i) => i);
    const y = x.map((i) => (i === 4321 ? 99 : i === 777 ? -5 : 1));
    const high = thin(x, y, "max", 1000);
    expect(high.x.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...(high.y as number[]))).toBe(99);
    expect(high.x[high.y.indexOf(99)]).toBe(4321);
    expect(Math.min(...(thin(x, y, "min", 1000).y as number[]))).toBe(-5);
  });
});

describe("json and text", () => {
  it("json parses back with ISO times and every figure", () => {
    const json = JSON.parse(renderReportJson(doc(1))) as { since: string; stepSeconds: number; pipelines: { batch: { longestSuccessGap: { from: string } }; flags: { location: string }[] }[] };
    expect(json.since).toBe("2023-11-14T22:13:20Z");
    expect(json.stepSeconds).toBe(60);
    expect(json.pipelines[0]!.batch.longestSuccessGap.from).toBe("2023-11-14T22:13:20Z");
    expect(json.pipelines[0]!.flags[0]!.location).toBe("specs/t/etl-0.yaml:12:17");
  });

  it("text lists every figure on its own line and the bottlenecks", () => {
    const text = renderReportText(doc(1));
    expect(text).toMatch(/^\s+duration\s+p50 10m, p95 25m, max 40m$/m);
    expect(text).toMatch(/^\s+longest gap between successes\s+4h \(2023-11-14T22:13:20Z → 2023-11-15T02:13:20Z\)$/m);
    expect(text).toContain("1 pipeline with bottlenecks out of 1");
  });
});
