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

/** Keys sorted: the diff shows content changes, never a reordering of keys. */
function sortedJson(value: Json): string {
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") {
      const out: Record<string, Json> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort(v[k]!);
      return out;
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

export function unifiedDiff(before: Json | null, after: Json | null): DiffLine[] {
  const a = before === null ? "" : sortedJson(before);
  const b = after === null ? "" : sortedJson(after);
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
