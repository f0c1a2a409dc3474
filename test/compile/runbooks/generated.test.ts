/**
 * What people read under generated/: links that work where the file is read (GitHub, a
 * Datadog notification), runbooks that name the dashboard's panels as the dashboard does,
 * and no sentence said twice. Reads the committed generated/ tree of the demo.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repeatedSentences } from "./prose.js";

const ROOT = join(import.meta.dirname, "../../..");
const GENERATED = join(ROOT, "generated");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(GENERATED).filter((f) => !f.includes(`${join(GENERATED, "schema")}`));
const runbooks = files.filter((f) => /\/runbooks\/[^/]+\.md$/.test(f) && !f.endsWith("/playbook.md"));

/** Markdown link targets, reference definitions and bare URLs in a file's text (JSON strings unescaped first). */
function linkTargets(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]*)\)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:https?:\/\/|\$\{[A-Za-z_]+\}\/)\S*/g)) out.push(m[0]);
  return out;
}

function readable(file: string): string {
  const raw = readFileSync(file, "utf8");
  // Datadog messages and annotations are JSON strings: read them as the notification shows them.
  return file.endsWith(".json") ? raw.replace(/\\n/g, "\n").replace(/\\"/g, '"') : raw;
}

describe("generated/", () => {
  it("has runbooks to check", () => {
    expect(runbooks.length).toBeGreaterThan(0);
  });

  it("holds no ${...} in any link or URL (runbooks, monitor messages, annotations)", () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const target of linkTargets(readable(f))) if (target.includes("${")) bad.push(`${relative(ROOT, f)}: ${target}`);
    }
    expect(bad).toEqual([]);
  });

  it("names every runbook panel as its dashboard titles it", () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const rb of runbooks) {
      const md = readFileSync(rb, "utf8");
      const dashboard = join(rb, "../../grafana/dashboards", rb.split("/").pop()!.replace(/\.md$/, ".json"));
      let titles: Map<number, string>;
      try {
        const json = JSON.parse(readFileSync(dashboard, "utf8")) as { panels: { id: number; title: string }[] };
        titles = new Map(json.panels.map((p) => [p.id, p.title]));
      } catch {
        continue; // No Grafana target: the runbook has no panel links (checked in runbook.test.ts).
      }
      // Inline links `[title](...viewPanel=N)` and reference links `[title][pN]`.
      const refs = [...md.matchAll(/\[([^\]]+)\]\([^)]*viewPanel=(\d+)\)/g), ...md.matchAll(/\[([^\]]+)\]\[p(\d+)\]/g)];
      for (const m of refs) {
        checked++;
        const title = titles.get(Number(m[2]));
        if (title !== m[1]) mismatches.push(`${relative(ROOT, rb)}: "${m[1]}" links panel ${m[2]}, titled "${String(title)}"`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  it("repeats no sentence within a runbook", () => {
    const repeated: string[] = [];
    for (const rb of [...runbooks, ...files.filter((f) => f.endsWith("/playbook.md"))]) {
      for (const s of repeatedSentences(readFileSync(rb, "utf8"))) repeated.push(`${relative(ROOT, rb)}: ${s}`);
    }
    expect(repeated).toEqual([]);
  });
});
