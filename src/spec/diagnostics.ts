/**
 * A problem found in the specs. Positions are resolved lazily: the fast parser has none, so a
 * diagnostic carries the document index and the path inside it, and `locate` (slow parser)
 * turns that into line and column only for files that have something to report.
 */
export type PathSegment = string | number;

export interface Diagnostic {
  /** A note informs (where alerts go) and never fails validation. */
  severity: "error" | "warning" | "note";
  /** Path as shown to the user (relative to the working directory). */
  file: string;
  /** Index of the YAML document in the file (0 for single-document files). */
  doc: number;
  /** Path inside the document; the diagnostic points at this node. */
  path: readonly PathSegment[];
  /** Point at the key of the last path segment instead of its value (unknown keys). */
  atKey?: boolean;
  message: string;
  /** Another place the message refers to; its position is appended as `(see file:line:col)`. */
  related?: { file: string; doc: number; path: readonly PathSegment[] };
  /** The value at the position is a secret: excerpts must not show it. */
  redact?: boolean;
  /** Already known position (YAML syntax errors), 1-based. */
  line?: number;
  col?: number;
}

export function error(file: string, doc: number, path: readonly PathSegment[], message: string, atKey = false): Diagnostic {
  return { severity: "error", file, doc, path, message, atKey };
}

export function warning(file: string, doc: number, path: readonly PathSegment[], message: string): Diagnostic {
  return { severity: "warning", file, doc, path, message };
}

export function note(file: string, doc: number, path: readonly PathSegment[], message: string): Diagnostic {
  return { severity: "note", file, doc, path, message };
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

/** Stable order: by file, then position, then message. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}
