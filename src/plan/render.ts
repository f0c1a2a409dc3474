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

const SYMBOL: Record<Action, string> = { create: "+", update: "~", delete: "-", "no-op": " ", unowned: "!", orphan: "?" };

export function summaryLine(s: PlanSummary): string {
  if (!hasChanges(s) && s.unowned === 0 && s.orphan === 0) return `No changes. ${s.noop} resources are up to date.`;
  const duplicates = s.duplicate > 0 ? ` (${s.duplicate} duplicate ${s.duplicate === 1 ? "copy" : "copies"})` : "";
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete${duplicates}`, `${s.noop} unchanged`];
  if (s.orphan > 0) parts.push(`${s.orphan} no longer in the specs, left in place (plan and apply with --prune delete them)`);
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
    case "orphan": return style.yellow;
    case "no-op": return style.dim;
  }
}

/** Whether a change is shown with its diff: what is compared, not what is made or removed whole. */
const hasDiff = (c: PlannedChange): boolean => c.action === "update" || c.action === "unowned";

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
      if (!hasDiff(c)) continue;
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

/** A fenced diff block, every line indented by `indent` (the list item it belongs to). */
const fence = (lines: string[], indent: string): string => {
  // A diff line holding ``` would close the fence early: use a longer fence than any run inside.
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))));
  const f = "`".repeat(longest + 1);
  return [`${f}diff`, ...lines, f].map((l) => (l === "" ? "" : `${indent}${l}`)).join("\n");
};

const escapeMd = (s: string): string => s.replace(/[|<>`*_[\]\\]/g, (c) => `\\${c}`);

/** Inline code holding any text: a backtick run longer than any inside, padded when needed. */
const codeSpan = (s: string): string => {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${f}${pad}${s}${pad}${f}`;
};

/** The order groups are listed in, each under its action word. */
const MARKDOWN_ORDER: readonly Action[] = ["create", "update", "delete", "orphan", "unowned"];
/** A group longer than this is folded: a first apply of 300 creates must not bury the one delete. */
export const FOLD_AFTER = 10;

/**
 * A pull-request comment as GitHub-flavoured Markdown renders it: the summary and a table per
 * environment first (always whole), then per environment a heading and, per action, one list
 * item per resource that starts with the action word in bold; an update's diff is folded in
 * its item as a code block; a group of more than FOLD_AFTER items is folded as a whole.
 * Kept under GitHub's limit by truncating a long diff, then by listing the remaining
 * resources without their diffs, then by counting the rest, never by dropping the summary.
 */
export function renderMarkdown(doc: PlanDocument, limit = GITHUB_COMMENT_LIMIT): string {
  const withOrphans = doc.summary.orphan > 0;
  const columns: Array<[string, Action]> = [["create", "create"], ["update", "update"], ["delete", "delete"], ["unchanged", "no-op"], ...(withOrphans ? [["left in place", "orphan"] as [string, Action]] : []), ["not owned", "unowned"]];
  const head: string[] = ["### pipemon plan", "", summaryLine(doc.summary), ""];
  head.push(`| target | ${columns.map(([name]) => name).join(" | ")} |`, `|---|${columns.map(() => "---:").join("|")}|`);
  for (const p of doc.projects) head.push(`| ${escapeMd(projectTitle(p))} | ${columns.map(([, a]) => p.changes.filter((c) => c.action === a).length).join(" | ")} |`);
  for (const p of doc.projects) for (const w of p.warnings) head.push("", `> **warning** (${escapeMd(projectTitle(p))}): ${escapeMd(w)}`);
  let body = `${head.join("\n")}\n`;
  // Room kept for closing an open fold and for the closing note about what did not fit.
  const reserve = 400;
  const fits = (block: string): boolean => body.length + block.length + reserve <= limit;
  let mode: "full" | "brief" | "count" = "full";
  let brief = 0;
  let omitted = 0;
  // Diffs get only the room the one-line items of everything after them leave: every
  // resource is listed before any diff is shown whole.
  let briefLeft = doc.projects.reduce((n, p) => n + p.changes.reduce((m, c) => m + (c.action === "no-op" ? 0 : itemLine(c).length), 0), 0);
  for (const project of doc.projects) {
    const changed = project.changes.filter((c) => c.action !== "no-op");
    if (changed.length === 0) continue;
    const heading = `\n#### ${project.environment ? `${escapeMd(project.environment)}: ` : ""}${escapeMd(project.targets.join(" + "))}\n`;
    if (mode === "count" || !fits(heading)) {
      mode = "count";
      omitted += changed.length;
      continue;
    }
    body += heading;
    for (const action of MARKDOWN_ORDER) {
      const group = changed.filter((c) => c.action === action);
      if (group.length === 0) continue;
      if (mode === "count") {
        omitted += group.length;
        continue;
      }
      const folded = group.length > FOLD_AFTER;
      body += folded ? `\n<details><summary><b>${action}</b>: ${group.length} resources</summary>\n\n` : "\n";
      for (const [i, change] of group.entries()) {
        const line = itemLine(change);
        briefLeft -= line.length;
        const full = mode === "full" && hasDiff(change) ? itemWithDiff(change, line, limit - reserve - briefLeft - body.length) : undefined;
        if (full !== undefined) body += full;
        else if (fits(line)) {
          body += line;
          if (hasDiff(change)) {
            brief++;
            mode = "brief";
          }
        } else {
          mode = "count";
          omitted += group.length - i;
          break;
        }
      }
      if (folded) body += "\n</details>\n";
    }
  }
  if (brief + omitted > 0) {
    const parts = [...(brief > 0 ? [`${brief} ${brief === 1 ? "change is" : "changes are"} listed without ${brief === 1 ? "its" : "their"} diff`] : []), ...(omitted > 0 ? [`${omitted} more ${omitted === 1 ? "change is" : "changes are"} not listed`] : [])];
    body += `\n${parts.join(" and ")} (GitHub's comment size limit): run \`pipemon plan\` for the whole plan.\n`;
  }
  return body;
}

/** One resource as one list item: the action word in bold, what it is, why (a note). */
const itemLine = (change: PlannedChange): string => `- **${change.action}** ${change.kind} ${codeSpan(change.key)}${change.note ? ` — ${escapeMd(change.note)}` : ""}\n`;

/**
 * The item with its diff folded inside, in at most `room` characters: the diff truncated to
 * fit when a useful part of it does; undefined when not.
 */
function itemWithDiff(change: PlannedChange, line: string, room: number): string | undefined {
  // Scrubbed before the comment's size limit cuts anything.
  const lines = unifiedDiff(change.before, change.after).map((l) => scrubSecrets(l.sign === "@" ? l.text : `${l.sign}${l.text}`));
  const block = (shown: string[]) => `${line}  <details><summary>diff (${lines.length} lines)</summary>\n\n${fence(shown, "  ")}\n\n  </details>\n\n`;
  const whole = block(lines);
  if (whole.length <= room) return whole;
  const kept: string[] = [];
  let size = line.length + 200;
  for (const l of lines) {
    if (size + l.length + 3 > room) break;
    kept.push(l);
    size += l.length + 3;
  }
  return kept.length < 5 ? undefined : block([...kept, `… ${lines.length - kept.length} more lines (run pipemon plan locally for the whole diff)`]);
}

/** For machines: the document, stable key order by construction. */
export function renderJson(doc: PlanDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
