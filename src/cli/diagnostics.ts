import { excerptLines, REDACTED_EXCERPT, type Diagnostic } from "../spec/diagnostics.js";
import type { SourceFile } from "../spec/load.js";
import type { Style } from "./style.js";

const CONTEXT_LINES = 1;
const MAX_LINE_WIDTH = 120;

/**
 * `file:line:col: error: message`, then the YAML excerpt with a caret under the column,
 * the way compilers print it, so editors and CI annotate the right line. Every line of an
 * excerpt, context lines included, comes with secret values masked (`excerptLines`, computed
 * once per file).
 */
export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>, style: Style): string {
  const line = d.line ?? 1;
  const col = d.col ?? 1;
  const label = d.severity === "error" ? style.red("error") : d.severity === "warning" ? style.yellow("warning") : style.dim("note");
  const head = `${style.bold(`${d.file}:${line}:${col}:`)} ${label}: ${d.message}`;
  const source = sources.get(d.file);
  if (!source) return head;
  const lines = excerptLines(source);
  if (line > lines.length) return head;
  const from = Math.max(1, line - CONTEXT_LINES);
  const width = String(line).length;
  const out = [head];
  for (let n = from; n <= line; n++) {
    const raw = lines[n - 1] ?? "";
    // A diagnostic about a secret hides its line from the column on, whatever the masking found.
    const text = printable(n === line && d.redact ? `${raw.slice(0, col - 1)}${REDACTED_EXCERPT}` : raw);
    const marker = n === line ? ">" : " ";
    out.push(style.dim(` ${marker} ${String(n).padStart(width)} | `) + text);
  }
  out.push(style.dim(`   ${" ".repeat(width)} | `) + " ".repeat(Math.min(col - 1, MAX_LINE_WIDTH)) + style.red("^"));
  return out.join("\n");
}

/** Control characters and overlong lines would garble the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\r$/, "").replace(/\t/g, "→").replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > MAX_LINE_WIDTH ? `${clean.slice(0, MAX_LINE_WIDTH)}…` : clean;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function summarise(ds: readonly Diagnostic[]): string {
  const count = (severity: Diagnostic["severity"]) => ds.filter((d) => d.severity === severity).length;
  return (["error", "warning", "note"] as const)
    .filter((severity) => count(severity) > 0)
    .map((severity) => plural(count(severity), severity))
    .join(", ");
}
