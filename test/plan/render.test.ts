import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planDocument } from "../../src/plan/document.js";
import { GITHUB_COMMENT_LIMIT, renderMarkdown, renderText, summaryLine } from "../../src/plan/render.js";
import type { Json, PlannedChange } from "../../src/plan/resource.js";
import { unifiedDiff } from "../../src/plan/unified-diff.js";

const plain = { red: (s: string) => s, yellow: (s: string) => s, green: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };

function update(key: string, before: Json, after: Json): PlannedChange {
  return { kind: "grafana-rule-group", key, action: "update", pipeline: key, before, after, liveFingerprint: "h1" };
}

describe("unifiedDiff", () => {
  it("shows the changed line with context, keys sorted so reordering is not a change", () => {
    const lines = unifiedDiff({ b: 1, a: { threshold: 0.05 } }, { a: { threshold: 0.1 }, b: 1 });
    expect(lines.map((l) => (l.sign === "@" ? l.text : `${l.sign}${l.text}`))).toEqual(["@@ -1,6 +1,6 @@", " {", '   "a": {', '-    "threshold": 0.05', '+    "threshold": 0.1', "   },", '   "b": 1', " }"]);
    expect(unifiedDiff({ b: 1, a: 2 }, { a: 2, b: 1 })).toEqual([]);
  });

  it("prints JSON as JSON.stringify does, with keys sorted, where no string holds a line break", () => {
    const sorted = (v: Json): Json => (Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k]!)])) : v);
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const v = [JSON.parse(JSON.stringify(raw)) as Json]; // -0 and friends as JSON has them; never a top-level null (no body)
        // JavaScript objects put integer-like keys first whatever the order they were set in;
        // the diff's own printer sorts them with the others.
        fc.pre(!JSON.stringify(v).includes("\\n") && !/"\d+":/.test(JSON.stringify(v)));
        const shown = unifiedDiff(null, v).slice(1).map((l) => l.text);
        expect(shown).toEqual(JSON.stringify(sorted(v), null, 2).split("\n"));
      }),
    );
  });
});

describe("renderText", () => {
  it("lists changes with a diff for updates and ends with the summary line", () => {
    const doc = planDocument({ targets: ["grafana"], select: [] }, [
      {
        environment: "production",
        targets: ["grafana"],
        warnings: [],
        changes: [
          update("pipemon-commerce/orders-etl", { t: 1 }, { t: 2 }),
          { kind: "grafana-dashboard", key: "pm-new", action: "create", before: null, after: {}, liveFingerprint: null },
          { kind: "grafana-dashboard", key: "pm-same", action: "no-op", before: {}, after: {}, liveFingerprint: "3" },
        ],
      },
    ]);
    expect(renderText(doc, plain)).toBe(
      [
        "grafana (production)",
        "  ~ grafana-rule-group pipemon-commerce/orders-etl update",
        "      @@ -1,3 +1,3 @@",
        "        {",
        '      -   "t": 1',
        '      +   "t": 2',
        "        }",
        "  + grafana-dashboard pm-new create",
        "",
        "Plan: 1 to create, 1 to update, 0 to delete, 1 unchanged.",
        "",
      ].join("\n"),
    );
    expect(summaryLine({ create: 0, update: 0, delete: 0, noop: 4, unowned: 0, orphan: 0, duplicate: 0 })).toBe("No changes. 4 resources are up to date.");
  });
});

describe("renderMarkdown", () => {
  it("folds each diff and keeps the whole summary under GitHub's comment limit", () => {
    // 400 rule groups, each with a diff of ~100 lines: far beyond 65,536 characters.
    const big = (v: number): Json => Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field${i}`, `value-${v}-${i}`]));
    const changes = Array.from({ length: 400 }, (_, i) => update(`pipemon-t/p${String(i).padStart(3, "0")}`, big(1), big(2)));
    const doc = planDocument({ targets: ["grafana"], select: [] }, [{ targets: ["grafana"], warnings: [], changes }]);
    const md = renderMarkdown(doc);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("Plan: 0 to create, 400 to update, 0 to delete, 0 unchanged.");
    expect(md).toContain("| grafana | 0 | 400 | 0 | 0 | 0 |");
    expect(md).toContain("- **update** grafana-rule-group `pipemon-t/p000`\n  <details><summary>diff (");
    expect(md).toMatch(/\d+ changes are listed without their diff \(GitHub's comment size limit\)/);
    // Every resource keeps its line, the last one included.
    expect(md).toContain("- **update** grafana-rule-group `pipemon-t/p399`\n");
    // Every opened fold is closed: truncation never cuts a block in half.
    expect(md.split("<details>").length).toBe(md.split("</details>").length);
  });

  it("a fence longer than any backtick run inside the diff keeps the block closed", () => {
    const doc = planDocument({ targets: ["datadog"], select: [] }, [{ targets: ["datadog"], warnings: [], changes: [update("a", { m: "```" }, { m: "````" })] }]);
    expect(renderMarkdown(doc)).toContain("`````diff");
  });
});
