/**
 * A readable diff of two normalised resources: both sides printed as stable, indented JSON,
 * compared line by line (jsdiff), shown as unified hunks with three lines of context.
 */
import { structuredPatch } from "diff";
import type { Json } from "./resource.js";

export interface DiffLine {
  sign: " " | "+" | "-" | "@";
  text: string;
}

const INDENT = "  ";

/**
 * The JSON text the diff compares: `JSON.stringify(v, null, 2)` with keys sorted (a diff
 * shows content changes, never a reordering of keys), except that a string holding line
 * breaks (a Datadog monitor `message`) is printed as a block, one line per line, below
 * `"key": |`: an edited sentence of a message is then one changed line, not one line of
 * `\n` escapes. Display only: nothing parses this text back.
 */
function jsonLines(value: Json, indent: string, prefix: string, suffix: string, out: string[]): void {
  if (typeof value === "string" && value.includes("\n")) {
    out.push(`${indent}${prefix}|`);
    for (const line of value.split("\n")) out.push(line === "" ? "" : `${indent}${INDENT}${line}`);
    return;
  }
  if (value === null || typeof value !== "object") {
    out.push(`${indent}${prefix}${JSON.stringify(value)}${suffix}`);
    return;
  }
  const entries: Array<[string, Json]> = Array.isArray(value) ? value.map((v) => ["", v]) : Object.keys(value).sort().map((k) => [`${JSON.stringify(k)}: `, value[k]!]);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    out.push(`${indent}${prefix}${open}${close}${suffix}`);
    return;
  }
  out.push(`${indent}${prefix}${open}`);
  entries.forEach(([key, v], i) => jsonLines(v, indent + INDENT, key, i < entries.length - 1 ? "," : "", out));
  out.push(`${indent}${close}${suffix}`);
}

function diffText(value: Json): string {
  const out: string[] = [];
  jsonLines(value, "", "", "", out);
  return `${out.join("\n")}\n`;
}

export function unifiedDiff(before: Json | null, after: Json | null): DiffLine[] {
  const a = before === null ? "" : diffText(before);
  const b = after === null ? "" : diffText(after);
  if (a === b) return [];
  const patch = structuredPatch("live", "desired", a, b, "", "", { context: 3 });
  const lines: DiffLine[] = [];
  for (const h of patch.hunks) {
    lines.push({ sign: "@", text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const l of h.lines) {
      if (l.startsWith("\\")) continue; // "\ No newline at end of file": never the case here
      lines.push({ sign: l[0] as DiffLine["sign"], text: l.slice(1) });
    }
  }
  return lines;
}
