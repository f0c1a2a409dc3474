/**
 * The markdown plan as GitHub shows it: rendered with a GitHub-flavoured Markdown parser
 * (micromark with its GFM extension, raw HTML allowed as GitHub allows <details>), then
 * read as HTML. What a reviewer sees on the pull request is what is asserted, not the text.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { parse, type HTMLElement } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { planDocument, type PlanDocument } from "../../src/plan/document.js";
import { GITHUB_COMMENT_LIMIT, renderMarkdown, renderText } from "../../src/plan/render.js";
import type { Json, PlannedChange } from "../../src/plan/resource.js";

// `blockTextElements` without `pre`: a code block's lines are parsed as the HTML they are.
const html = (md: string): HTMLElement => parse(micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true }), { blockTextElements: { script: true, style: true } });

const monitor = (message: string): Json => ({ name: "orders-etl is stale", message, options: { thresholds: { critical: 3600 } } });
const OLD_MESSAGE = "{{#is_alert}}\nNo successful run for an hour.\nRunbook: https://example.com/orders-etl\n{{/is_alert}}\n@pagerduty-data";
const NEW_MESSAGE = "{{#is_alert}}\nNo successful run for two hours.\nRunbook: https://example.com/orders-etl\n{{/is_alert}}\n@pagerduty-data";

/** A first apply of a team (many creates), one edited monitor message, one removed pipeline. */
function doc(): PlanDocument {
  const creates: PlannedChange[] = Array.from({ length: 30 }, (_, i) => ({ kind: "grafana-dashboard", key: `pm-new-${String(i).padStart(2, "0")}`, action: "create", before: null, after: { uid: `pm-new-${i}` }, liveFingerprint: null }));
  const changes: PlannedChange[] = [
    ...creates,
    { kind: "datadog-monitor", key: "orders-etl/stale@production", action: "update", pipeline: "orders-etl", before: monitor(OLD_MESSAGE), after: monitor(NEW_MESSAGE), liveFingerprint: "m1" },
    { kind: "grafana-rule-group", key: "pipemon-commerce/returns-etl", action: "delete", pipeline: "returns-etl", before: { rules: [] }, after: null, liveFingerprint: "r1" },
    { kind: "grafana-dashboard", key: "pm-same", action: "no-op", before: null, after: null, liveFingerprint: "3" },
  ];
  return planDocument({ environment: "production", targets: ["grafana", "datadog"], select: [] }, [{ environment: "production", targets: ["grafana", "datadog"], warnings: [], changes }]);
}

const changedCount = 32;
const text = (e: HTMLElement): string => e.textContent.replace(/\s+/g, " ").trim();
/** The item's own line: its text without what is folded inside it (the diff). */
const ownText = (li: HTMLElement): string => text(li).split(/\bdiff\b/)[0]!.trim();

describe("the markdown plan on GitHub", () => {
  const root = html(renderMarkdown(doc()));
  const items = root.querySelectorAll("li");

  it("gives each changed resource one list item that starts with its action word", () => {
    expect(items).toHaveLength(changedCount);
    const actions = items.map((li) => /^(create|update|delete)\b/.exec(ownText(li))?.[1]);
    expect(actions.filter((a) => a === "create")).toHaveLength(30);
    expect(actions.filter((a) => a === "update")).toHaveLength(1);
    expect(actions.filter((a) => a === "delete")).toHaveLength(1);
    // The action word is shown bold, so it reads apart from the resource's name.
    expect(items.every((li) => ["create", "update", "delete"].includes(li.querySelector("strong")?.textContent ?? ""))).toBe(true);
    expect(items.some((li) => text(li).includes("pipemon-commerce/returns-etl") && ownText(li).startsWith("delete"))).toBe(true);
  });

  it("never nests a list in a list", () => {
    expect(root.querySelectorAll("li ul, li ol")).toHaveLength(0);
  });

  it("names the environment once, in a heading, not on every resource", () => {
    const headings = root.querySelectorAll("h2, h3, h4").map(text);
    expect(headings.some((h) => h.includes("production"))).toBe(true);
    expect(items.filter((li) => ownText(li).includes("(production)"))).toEqual([]);
  });

  it("folds a long list in <details> and leaves a short one open", () => {
    const folded = root.querySelectorAll("details").filter((d) => d.querySelectorAll("li").length > 0);
    expect(folded).toHaveLength(1);
    expect(folded[0]!.querySelectorAll("li")).toHaveLength(30);
    expect(text(folded[0]!.querySelector("summary")!)).toMatch(/30/);
    const outside = items.filter((li) => !folded[0]!.querySelectorAll("li").includes(li));
    expect(outside.map((li) => ownText(li).split(" ")[0])).toEqual(["update", "delete"]);
  });

  it("shows a diff as a code block, a multi-line message as one diff line per line", () => {
    const update = items.find((li) => ownText(li).startsWith("update"))!;
    const code = update.querySelector("pre > code");
    expect(code?.getAttribute("class")).toBe("language-diff");
    const lines = code!.textContent.split("\n");
    expect(lines.filter((l) => l.startsWith("-"))).toEqual([expect.stringMatching(/^-\s+No successful run for an hour\.$/)]);
    expect(lines.filter((l) => l.startsWith("+"))).toEqual([expect.stringMatching(/^\+\s+No successful run for two hours\.$/)]);
    // Its unchanged neighbours are context lines of their own, never `\n` escapes.
    expect(lines.some((l) => /^ \s+\{\{#is_alert\}\}$/.test(l))).toBe(true);
    expect(code!.textContent).not.toContain("\\n");
  });

  it("keeps the same structure when the comment limit cuts diffs short: every fold closed, nothing nested", () => {
    const big = (v: number): Json => ({ message: Array.from({ length: 200 }, (_, i) => `line ${i} of version ${v}`).join("\n") });
    const changes: PlannedChange[] = Array.from({ length: 300 }, (_, i) => ({ kind: "datadog-monitor", key: `p${String(i).padStart(3, "0")}/stale`, action: "update", before: big(1), after: big(2), liveFingerprint: "x" }));
    const md = renderMarkdown(planDocument({ targets: ["datadog"], select: [] }, [{ targets: ["datadog"], warnings: [], changes }]));
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const cut = html(md);
    expect(cut.querySelectorAll("li ul, li ol")).toHaveLength(0);
    expect(md.split("<details>").length).toBe(md.split("</details>").length);
    expect(text(cut)).toContain("Plan: 0 to create, 300 to update, 0 to delete, 0 unchanged.");
    // Every resource is still listed, by one item each; the diffs that did not fit are left out.
    const listed = cut.querySelectorAll("li").filter((li) => ownText(li).startsWith("update"));
    expect(listed).toHaveLength(300);
    expect(cut.querySelectorAll("li pre").length).toBeGreaterThan(0);
    expect(text(cut)).toMatch(/\d+ changes are listed without their diff \(GitHub's comment size limit\)/);
  });
});

describe("the text plan", () => {
  it("shows a multi-line message line by line too", () => {
    const plain = { red: (s: string) => s, yellow: (s: string) => s, green: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };
    const lines = renderText(doc(), plain).split("\n");
    // Diff lines are indented by six, under their resource's line.
    expect(lines.filter((l) => /^ {6}- /.test(l))).toEqual([expect.stringMatching(/^ {6}-\s+No successful run for an hour\.$/)]);
    expect(lines.filter((l) => /^ {6}\+ /.test(l))).toEqual([expect.stringMatching(/^ {6}\+\s+No successful run for two hours\.$/)]);
  });
});
