/**
 * The preview as a reader sees it: every page of the demo specs' site opened from file:// in
 * Debian's Chromium (driven by playwright-core, one launch for the whole file). No console
 * error, no request other than the site's own files, every panel drawn (its canvas not
 * blank), every threshold of the dashboard JSON drawn. `make test` installs chromium.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchChromium, offlinePage, photograph } from "../../src/app/preview-browser.js";
import { preview, type QueryRange } from "../../src/app/preview.js";
import { uplotAssets } from "../../src/lib/uplot-assets.js";
import { readDashboard } from "../../src/preview/dashboard.js";
import { renderSite, type SiteInput } from "../../src/preview/site.js";
import { syntheticPanel } from "../../src/preview/synthetic.js";

const work = mkdtempSync(join(tmpdir(), "pipemon-preview-test-"));
const site = join(work, "site");
let browser: Browser;

beforeAll(async () => {
  const result = await preview({ root: "specs", out: site, sinceSeconds: 6 * 3600 });
  expect(result.tree).toBeDefined();
  browser = await launchChromium(chromiumPath());
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  problems: string[];
  blocked: string[];
}

let tab: Visit | undefined;

/**
 * Opens a page of a site in the one tab of the file (a new browser context per page cost more
 * than the page), recording console errors and warnings, page errors, failed requests,
 * dialogs and every request that is not a file of the site.
 */
async function visit(url: string, ready = true): Promise<Visit> {
  if (!tab) {
    const blocked: string[] = [];
    const page = await offlinePage(browser, blocked);
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    tab = { page, problems, blocked };
  }
  tab.problems.length = 0;
  tab.blocked.length = 0;
  await tab.page.goto(url);
  if (ready) await tab.page.waitForSelector("body[data-ready='1']", { timeout: 20_000 });
  return tab;
}

// The shapes of the DOM objects read inside the page (the project compiles without the DOM library).
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageElement {
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): ArrayLike<unknown>;
}

/** Per panel: drawn flag, thresholds it drew, and how many canvas pixels are painted. */
async function panelsOf(page: Page): Promise<{ id: number; type: string; drawn: boolean; thresholds: number[]; painted: number; cells: number }[]> {
  return page.$$eval(".panel", (sections) =>
    sections.map((s) => {
      const el = s as unknown as PageElement;
      let painted = 0;
      for (const canvas of Array.from(el.querySelectorAll("canvas")) as PageCanvas[]) {
        const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        // Counting stops well past the bar the test sets: enough to tell drawn from blank.
        for (let i = 3; i < pixels.length && painted < 5000; i += 4) if (pixels[i] !== 0) painted++;
      }
      return {
        id: Number(el.dataset.panelId),
        type: el.dataset.type ?? "",
        drawn: el.dataset.drawn === "1",
        thresholds: JSON.parse(el.dataset.thresholds ?? "null") as number[],
        painted,
        cells: el.querySelectorAll("td").length,
      };
    }),
  );
}

type Steps = { value: number | null; color: string }[];
interface JsonPanel {
  id: number;
  type: string;
  targets?: unknown[];
  fieldConfig?: { defaults?: { thresholds?: { steps: Steps }; custom?: { thresholdsStyle?: { mode: string } } }; overrides?: { properties: { id: string; value: { steps?: Steps; mode?: string } }[] }[] };
}

/**
 * The threshold values a panel must draw, from the dashboard JSON generate writes: the steps
 * of its defaults and of its overrides; for a time series only those whose style shows them.
 */
function expectedThresholds(p: JsonPanel): number[] {
  const values = new Set<number>();
  const add = (steps: Steps | undefined): void => steps?.forEach((s) => s.value !== null && values.add(s.value));
  const defaults = p.fieldConfig?.defaults;
  const lines = p.type === "timeseries" || p.type === "barchart";
  if (!lines || (defaults?.custom?.thresholdsStyle?.mode ?? "off") !== "off") add(defaults?.thresholds?.steps);
  for (const o of p.fieldConfig?.overrides ?? []) {
    const style = o.properties.find((x) => x.id === "custom.thresholdsStyle")?.value.mode;
    if (lines && style === "off") continue;
    add(o.properties.find((x) => x.id === "thresholds")?.value.steps);
  }
  return [...values].sort((a, b) => a - b);
}

const pages = ["production", "staging"].flatMap((env) => readdirSync(join("generated", env, "grafana", "dashboards")).map((f) => ({ env, name: f.replace(/\.json$/, "") })));

describe("the demo site in Chromium", () => {
  it("has one page per dashboard generate writes", () => {
    const written = ["production", "staging"].flatMap((env) => readdirSync(join(site, env)).filter((f) => f.endsWith(".html")).map((f) => `${env}/${f}`));
    expect(written.sort()).toEqual(pages.map((p) => `${p.env}/${p.name}.html`).sort());
    expect(pages.length).toBe(24);
  });

  it("index: loads from file:// without errors or network, and links every dashboard", async () => {
    const { page, problems, blocked } = await visit(pathToFileURL(join(site, "index.html")).href, false);
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    const links = await page.$$eval("a", (as) => as.map((a) => a.getAttribute("href")));
    for (const p of pages) expect(links).toContain(`${p.env}/${p.name}.html`);
  });

  it("every dashboard page: no console error, no network request, every panel drawn with its thresholds", async () => {
    for (const { env, name } of pages) {
      const where = `${env}/${name}`;
      const { page, problems, blocked } = await visit(pathToFileURL(join(site, env, `${name}.html`)).href);
      expect(problems, where).toEqual([]);
      expect(blocked, where).toEqual([]);
      const dashboard = JSON.parse(readFileSync(join("generated", env, "grafana", "dashboards", `${name}.json`), "utf8")) as { panels: JsonPanel[] };
      const json = dashboard.panels.filter((p) => p.type !== "row");
      const drawn = await panelsOf(page);
      expect(drawn.map((p) => p.id).sort(), where).toEqual(json.map((p) => p.id).sort());
      for (const p of json) {
        const seen = drawn.find((d) => d.id === p.id)!;
        expect(seen.drawn, `${where} panel ${p.id}`).toBe(true);
        // Non-blank: a drawn panel paints hundreds of pixels at least (a stat showing "1"); a blank canvas none.
        if (p.type === "table") expect(seen.cells, `${where} panel ${p.id}`).toBeGreaterThan(0);
        else expect(seen.painted, `${where} panel ${p.id} (${p.type})`).toBeGreaterThan(500);
        expect(seen.thresholds, `${where} panel ${p.id} (${p.type})`).toEqual(expectedThresholds(p));
      }
      // A pipeline page lists its alerts (a row per level); every page shows routing per severity.
      if (!name.startsWith("team-")) expect(await page.locator("section.alerts tr[data-alert]").count(), where).toBeGreaterThan(0);
      else expect(await page.locator("section.members tbody tr").count(), where).toBe(3);
      expect(await page.locator("section.routing td .sev").count(), where).toBe(4);
    }
  });

  it("a threshold line is painted in its colour at its value (pixel check on orders-etl's Run duration)", async () => {
    const { page } = await visit(pathToFileURL(join(site, "production", "orders-etl.html")).href);
    // Panel 3: the SLA (45m = 2700 s) as a red line (#f2495c) across the plot.
    const hits = await page.$eval("#panel-3 canvas", (canvas) => {
      const c = canvas as unknown as PageCanvas;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      const rows = new Map<number, number>();
      for (let y = 0; y < c.height; y++) {
        let n = 0;
        for (let x = 0; x < c.width; x++) {
          const i = (y * c.width + x) * 4;
          if (Math.abs(d[i]! - 0xf2) < 8 && Math.abs(d[i + 1]! - 0x49) < 8 && Math.abs(d[i + 2]! - 0x5c) < 8) n++;
        }
        if (n > 0) rows.set(y, n);
      }
      return { width: c.width, longest: Math.max(0, ...rows.values()) };
    });
    // A horizontal red line spans most of the plot's width.
    expect(hits.longest).toBeGreaterThan(hits.width * 0.5);
  });

  it("--png: photographs a dashboard as a PNG the size of its panels", async () => {
    const { page } = await visit("about:blank", false);
    const png = await photograph(page, pathToFileURL(join(site, "production", "orders-etl.html")).href);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBeGreaterThan(1000);
    expect(png.readUInt32BE(20)).toBeGreaterThan(600);
  });
});

describe("live data and the panel types the demo does not use, in Chromium", () => {
  it("live data: Unix-time axes, failed queries shown in their panel, empty and infinite values drawn without error", async () => {
    const now = 1_750_000_000;
    const queryRange: QueryRange = async (expr, start, end, step) => {
      if (expr.includes("pipeline_cpu_usage_ratio")) throw new Error("bad_data: 1:1: parse error");
      if (expr.includes("pipeline_records_processed_total")) return [];
      const values: [number, string][] = [];
      for (let t = start, i = 0; t <= end; t += step, i++) values.push([t, i % 17 === 5 ? "NaN" : i === 3 ? "+Inf" : String(1 + (i % 7))]);
      return [{ metric: { error_type: "timeout" }, values }, { metric: { error_type: "schema" }, values: values.slice(10) }];
    };
    const out = join(work, "live-site");
    const result = await preview({ root: "specs", out, sinceSeconds: 3600, environment: "production", live: { queryRange, display: "http://prometheus.test", now } });
    expect(result.failedQueries.filter((f) => f.page === "production/orders-etl.html").map((f) => f.panel)).toEqual(["CPU"]);
    for (const file of ["production/orders-etl.html", "production/team-commerce.html", "production/ledger-stream.html"]) {
      const { page, problems, blocked } = await visit(pathToFileURL(join(out, file)).href);
      expect(problems, file).toEqual([]);
      expect(blocked, file).toEqual([]);
      const panels = await panelsOf(page);
      for (const p of panels) {
        if (file.endsWith("orders-etl.html") && p.id === 7) continue;
        expect(p.drawn, `${file} panel ${p.id}`).toBe(true);
      }
      if (file.endsWith("orders-etl.html")) {
        expect(await page.locator("#panel-7[data-error='1'] .error").textContent()).toBe("query failed: bad_data: 1:1: parse error");
        // The x axis is Unix time over the window (uPlot's time scale), not offsets from its end.
        const data = JSON.parse((await page.locator("#pipemon-data").textContent()) ?? "{}") as { relativeTime: boolean; panels: { x: number[] }[] };
        expect(data.relativeTime).toBe(false);
        // The window ends at the last whole step (15 s) before now.
        expect(data.panels[0]!.x.at(-1)).toBe(now - (now % 15));
      }
    }
  });

  it("bar charts and tables draw with their thresholds", async () => {
    const steps = { mode: "absolute", steps: [{ value: null, color: "green" }, { value: 50, color: "orange" }, { value: 80, color: "red" }] };
    const panel = (id: number, type: string, x: number) => ({
      id, type, title: `${type} panel`, gridPos: { x, y: 0, w: 12, h: 8 },
      targets: [{ refId: "A", expr: "a", legendFormat: "first" }, { refId: "B", expr: "b", legendFormat: "second" }],
      fieldConfig: { defaults: { unit: "short", thresholds: steps, custom: { thresholdsStyle: { mode: "dashed" } } }, overrides: [] },
    });
    const dashboard = readDashboard({ uid: "x", title: "other panels", panels: [panel(1, "barchart", 0), panel(2, "table", 12)] });
    const input: SiteInput = {
      source: { kind: "synthetic", since: "1h" },
      pages: [{ path: "other.html", kind: "team", team: "t", dashboard, data: new Map(dashboard.panels.map((p) => [p.id, syntheticPanel(p, 3600, 12)])) }],
      undrawn: [],
      uplot: uplotAssets(),
    };
    const out = join(work, "other-panels");
    for (const f of renderSite(input)) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), f.content);
    }
    const { page, problems, blocked } = await visit(pathToFileURL(join(out, "other.html")).href);
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    const [bars, table] = await panelsOf(page);
    expect(bars).toMatchObject({ type: "barchart", drawn: true, thresholds: [50, 80] });
    expect(bars!.painted).toBeGreaterThan(500);
    expect(table).toMatchObject({ type: "table", drawn: true, thresholds: [50, 80] });
    expect(table!.cells).toBe(8);
  });
});

describe("the network guard the checks above rely on", () => {
  it("records and refuses a page's request to a web URL", async () => {
    const file = join(work, "leaky.html");
    writeFileSync(file, '<!doctype html><link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>leak</p>');
    const { blocked, problems } = await visit(pathToFileURL(file).href, false);
    expect(blocked).toEqual(["http://127.0.0.1:9/x.css"]);
    expect(problems.length).toBeGreaterThan(0);
  });
});

describe("hostile spec strings in Chromium", () => {
  it("stay text: no script runs, no element is injected, the description reads as written", async () => {
    const specs = join(work, "hostile-specs");
    cpSync("specs/pipemon.yaml", join(specs, "pipemon.yaml"));
    const description = `</script><script>window.PWNED=1</script><img src=x onerror="window.PWNED=2"> & 'quotes'`;
    writeFileSync(
      join(specs, "evil.yaml"),
      [
        "apiVersion: pipemon/v1",
        "kind: Pipeline",
        "metadata:",
        "  name: evil-etl",
        "  team: red-team",
        `  description: ${JSON.stringify(description)}`,
        "spec:",
        "  type: batch",
        "  targets: [grafana, prometheus]",
        '  schedule: "0 * * * *"',
        "  sla: { maxDuration: 45m, freshness: 2h }",
        "  thresholds: { cpu: { warning: 80%, critical: 95% } }",
        "  metrics:",
        `    selector: { app: ${JSON.stringify('</script><img src=x onerror="window.PWNED=4">')} }`,
      ].join("\n"),
    );
    const out = join(work, "hostile-site");
    await preview({ root: specs, out, sinceSeconds: 3600, environment: "production" });
    for (const file of ["production/evil-etl.html", "production/team-red-team.html", "index.html"]) {
      const { page, problems, blocked } = await visit(pathToFileURL(join(out, file)).href, file !== "index.html");
      expect(problems, file).toEqual([]);
      expect(blocked, file).toEqual([]);
      expect(await page.evaluate(() => (globalThis as { PWNED?: number }).PWNED), file).toBeUndefined();
      expect(await page.locator("img").count(), file).toBe(0);
      expect(await page.locator("script").count(), file).toBe(file === "index.html" ? 0 : 3);
      if (file !== "index.html") expect(await page.locator("text=window.PWNED=2").count(), file).toBeGreaterThan(0);
    }
  });
});
