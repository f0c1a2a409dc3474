/**
 * How a plan reads: text for a terminal (a unified diff per changed resource, then one
 * summary line), markdown for a pull-request comment, JSON for machines. Pure: returns
 * strings, prints nothing.
 */
import { scrubSecrets } from "../lib/scrub.js";
import { hasChanges, type PlanSummary } from "./compute.js";
import type { PlanDocument, ProjectPlan } from "./document.js";
import type { Action, PlannedChange } from "./resource.js";
import { unifiedDiff } from "./unified-diff.js";

export interface TextStyle {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const SYMBOL: Record<Action, string> = { create: "+", update: "~", delete: "-", "no-op": " ", unowned: "!" };

export function summaryLine(s: PlanSummary, prune = true): string {
  if (!hasChanges(s) && s.unowned === 0) return `No changes. ${s.noop} resources are up to date.`;
  const duplicates = s.duplicate > 0 ? ` (${s.duplicate} duplicate ${s.duplicate === 1 ? "copy" : "copies"})` : "";
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete${duplicates}${s.delete > s.duplicate && !prune ? " (with --prune)" : ""}`, `${s.noop} unchanged`];
  if (s.unowned > 0) parts.push(`${s.unowned} not owned by pipemon (left alone)`);
  return `Plan: ${parts.join(", ")}.`;
}

const projectTitle = (p: ProjectPlan): string => `${p.targets.join(" + ")}${p.environment ? ` (${p.environment})` : ""}`;

function colourFor(action: Action, style: TextStyle): (s: string) => string {
  switch (action) {
    case "create": return style.green;
    case "update": return style.yellow;
    case "delete": return style.red;
    case "unowned": return style.bold;
    case "no-op": return style.dim;
  }
}

/** Terraform-style: only what changes is listed; `verbose` lists unchanged resources too. */
export function renderText(doc: PlanDocument, style: TextStyle, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  for (const project of doc.projects) {
    out.push(style.bold(projectTitle(project)));
    for (const w of project.warnings) out.push(`  ${style.yellow("warning:")} ${w}`);
    const shown = project.changes.filter((c) => options.verbose || c.action !== "no-op");
    if (shown.length === 0) out.push(style.dim("  no changes"));
    for (const c of shown) {
      const colour = colourFor(c.action, style);
      out.push(`  ${colour(`${SYMBOL[c.action]} ${c.kind} ${c.key}`)} ${style.dim(c.action)}${c.note ? style.dim(`: ${c.note}`) : ""}`);
      if (c.action !== "update" && c.action !== "unowned") continue;
      for (const line of unifiedDiff(c.before, c.after)) {
        const text = `      ${line.sign === "@" ? line.text : `${line.sign} ${line.text}`}`;
        out.push(line.sign === "+" ? style.green(text) : line.sign === "-" ? style.red(text) : line.sign === "@" ? style.dim(text) : text);
      }
    }
    out.push("");
  }
  out.push(style.bold(summaryLine(doc.summary)));
  return `${out.join("\n")}\n`;
}

/** GitHub refuses comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

const fence = (lines: string[]): string => {
  // A diff line holding ``` would close the fence early: use a longer fence than any run inside.
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))));
  const f = "`".repeat(longest + 1);
  return `${f}diff\n${lines.join("\n")}\n${f}`;
};

const escapeMd = (s: string): string => s.replace(/[|<>`*_[\]]/g, (c) => `\\${c}`);

/**
 * A pull-request comment: the summary table first (always whole), then one folded diff per
 * changed resource. Kept under GitHub's limit by truncating a long diff, then by listing the
 * remaining resources without their diffs, never by dropping the summary.
 */
export function renderMarkdown(doc: PlanDocument, limit = GITHUB_COMMENT_LIMIT): string {
  const head: string[] = ["### pipemon plan", "", summaryLine(doc.summary), ""];
  head.push("| target | create | update | delete | unchanged | not owned |", "|---|---:|---:|---:|---:|---:|");
  for (const p of doc.projects) {
    const count = (a: Action) => p.changes.filter((c) => c.action === a).length;
    head.push(`| ${escapeMd(projectTitle(p))} | ${count("create")} | ${count("update")} | ${count("delete")} | ${count("no-op")} | ${count("unowned")} |`);
  }
  for (const p of doc.projects) for (const w of p.warnings) head.push("", `> **warning** (${escapeMd(projectTitle(p))}): ${escapeMd(w)}`);
  const changed: Array<{ project: ProjectPlan; change: PlannedChange }> = doc.projects.flatMap((project) => project.changes.filter((c) => c.action !== "no-op").map((change) => ({ project, change })));
  let body = `${head.join("\n")}\n`;
  // Room kept for the closing note about what did not fit.
  const reserve = 400;
  let shown = 0;
  for (const { project, change } of changed) {
    const title = `${SYMBOL[change.action]} ${change.action} <code>${escapeMd(change.kind)} ${escapeMd(change.key)}</code>${project.environment ? ` (${escapeMd(project.environment)})` : ""}`;
    // Scrubbed before the comment's size limit cuts anything.
    const lines = change.action === "update" || change.action === "unowned" ? unifiedDiff(change.before, change.after).map((l) => scrubSecrets(l.sign === "@" ? l.text : `${l.sign}${l.text}`)) : [];
    const note = change.note ? `\n\n${escapeMd(change.note)}` : "";
    let block = lines.length ? `<details><summary>${title}</summary>${note}\n\n${fence(lines)}\n\n</details>\n` : `- ${title}${note.replace(/\n\n/, " — ")}\n`;
    const room = limit - reserve - body.length;
    if (block.length > room) {
      // Truncate this diff to fit when a useful part fits; otherwise stop listing diffs.
      const kept: string[] = [];
      let size = title.length + 200;
      for (const l of lines) {
        if (size + l.length + 1 > room) break;
        kept.push(l);
        size += l.length + 1;
      }
      if (kept.length < 5) break;
      block = `<details><summary>${title}</summary>${note}\n\n${fence([...kept, `… ${lines.length - kept.length} more lines (run pipemon plan locally for the whole diff)`])}\n\n</details>\n`;
    }
    body += block;
    shown++;
  }
  const rest = changed.slice(shown);
  if (rest.length > 0) {
    let tail = `\n${rest.length} more changed resources are not shown in full (comment size limit):\n`;
    let listed = 0;
    for (const { change } of rest) {
      const line = `- ${SYMBOL[change.action]} ${escapeMd(change.kind)} ${escapeMd(change.key)}\n`;
      if (body.length + tail.length + line.length + 120 > limit) break;
      tail += line;
      listed++;
    }
    if (listed < rest.length) tail += `- … and ${rest.length - listed} more: run \`pipemon plan\` for the full list\n`;
    body += tail;
  }
  return body;
}

/** For machines: the document, stable key order by construction. */
export function renderJson(doc: PlanDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
