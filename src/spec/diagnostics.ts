/**
 * A problem found in the specs. Positions are resolved lazily: the fast parser has none, so a
 * diagnostic carries the document index and the path inside it, and `locate` (slow parser)
 * turns that into line and column only for files that have something to report.
 */
import { CST, Parser } from "yaml";
import { hideUrlCredentials, runSecrets } from "../lib/scrub.js";
import { PATTERNS, SCHEMA } from "./v1/schema.js";

export type PathSegment = string | number;

/** A spec file as read (defined here, below load.ts, so the two do not import each other). */
export interface SourceFile {
  /** Path as shown to the user. */
  file: string;
  text: string;
}

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

// ---------------------------------------------------------------------------------------
// Excerpts without secrets.

/** What an excerpt shows instead of a secret field's literal value. */
export const REDACTED_EXCERPT = "<redacted>";

type Schema = { [key: string]: unknown };

interface SecretFields {
  /** Where the schema puts a secret: key paths, `*` for any key or list index. */
  paths: readonly (readonly string[])[];
  /** Keys that are secret wherever the schema has them: secret even when misplaced. */
  anywhere: ReadonlySet<string>;
}

let secretFields: SecretFields | undefined;

/**
 * Where secrets are, read from the schema (every property that must be an `${ENV}`
 * reference): one definition of what is secret. A key that is only ever a secret
 * (`integrationKey`, `token`, ...) is one wherever it appears, since a misindented secret is
 * still a secret; a key that is also an ordinary setting elsewhere (`url`: a webhook's is a
 * secret, Grafana's is not) only where the schema puts a secret.
 */
export function secretFieldsOfSchema(): SecretFields {
  if (secretFields) return secretFields;
  const definitions = (SCHEMA.definitions ?? {}) as Record<string, Schema>;
  const paths: string[][] = [];
  const secretNames = new Set<string>();
  const plainNames = new Set<string>();
  const walk = (node: unknown, path: string[], seen: ReadonlySet<string>): void => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return;
    const schema = node as Schema;
    const ref = typeof schema.$ref === "string" ? schema.$ref.replace("#/definitions/", "") : undefined;
    if (ref !== undefined) {
      if (!seen.has(ref)) walk(definitions[ref], path, new Set([...seen, ref]));
      return;
    }
    if (schema.pattern === PATTERNS.envRef) paths.push(path);
    for (const [name, sub] of Object.entries((schema.properties ?? {}) as Schema)) {
      ((sub as Schema | null)?.pattern === PATTERNS.envRef ? secretNames : plainNames).add(name);
      walk(sub, [...path, name], seen);
    }
    for (const key of ["additionalProperties", "items"]) walk(schema[key], [...path, "*"], seen);
    for (const key of ["allOf", "anyOf", "oneOf"]) for (const sub of (Array.isArray(schema[key]) ? schema[key] : []) as unknown[]) walk(sub, path, seen);
    for (const key of ["then", "else"]) walk(schema[key], path, seen);
  };
  walk(SCHEMA, [], new Set());
  secretFields = { paths, anywhere: new Set([...secretNames].filter((name) => !plainNames.has(name))) };
  return secretFields;
}

/** The length of a value's source; to the end of its line when it is too deep to print. */
function sourceLength(token: CST.Token, text: string): number {
  try {
    return CST.stringify(token).trimEnd().length;
  } catch {
    const end = text.indexOf("\n", token.offset);
    return (end < 0 ? text.length : end) - token.offset;
  }
}

/** A key path as a chain (a deeply nested hostile file must not cost depth² to walk). */
interface KeyPath {
  key: string;
  depth: number;
  parent?: KeyPath;
}

function isSecretPath(at: KeyPath, fields: SecretFields): boolean {
  if (fields.anywhere.has(at.key)) return true;
  return fields.paths.some((p) => {
    if (p.length !== at.depth) return false;
    let node: KeyPath | undefined = at;
    for (let i = p.length - 1; i >= 0 && node; i--, node = node.parent) if (p[i] !== "*" && p[i] !== node.key) return false;
    return true;
  });
}

const ENV_REF = new RegExp(PATTERNS.envRef);
const ignore = (): void => undefined;
const maskedCache = new WeakMap<SourceFile, string[]>();
const MAX_REGISTERED_LITERALS = 500;

/**
 * The file's lines as excerpts may show them: the value of every secret key that is not a
 * plain `${ENV}` reference replaced (every line of a multi-line value, the line count kept),
 * and user:password of any URL taken out. Read with YAML's concrete syntax tree, which
 * exists even for a file that does not parse, so the line above a syntax error is masked
 * too. The literal values are also registered with the run's scrubber: no message may
 * quote them either.
 */
export function excerptLines(source: SourceFile): string[] {
  const cached = maskedCache.get(source);
  if (cached) return cached;
  const text = source.text;
  const spans: Array<[number, number]> = [];
  const fields = secretFieldsOfSchema();
  const keyOf = (token: CST.Token | null | undefined): string | undefined => (token && CST.isScalar(token) ? CST.resolveAsScalar(token, false, ignore)?.value : undefined);
  // Iterative: a hostile file nests thousands of levels deep.
  const pending: Array<{ token: CST.Token; at?: KeyPath }> = [];
  for (const token of new Parser().parse(text)) if (token.type === "document" && token.value) pending.push({ token: token.value });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, at: parent } = next;
    if (!("items" in token) || !Array.isArray(token.items)) continue;
    for (const item of token.items as CST.CollectionItem[]) {
      const key = token.type === "block-seq" || (token.type === "flow-collection" && !item.key && !item.sep) ? "*" : keyOf(item.key);
      if (key === undefined || !item.value) continue;
      const at: KeyPath = { key, depth: (parent?.depth ?? 0) + 1, ...(parent ? { parent } : {}) };
      if (!isSecretPath(at, fields)) {
        pending.push({ token: item.value, at });
        continue;
      }
      const value = CST.isScalar(item.value) ? CST.resolveAsScalar(item.value, false, ignore)?.value : undefined;
      if (value !== undefined && ENV_REF.test(value.trim())) continue;
      // Enough to cover what can be printed (200 diagnostics); a hostile file holds thousands.
      if (value !== undefined && spans.length < MAX_REGISTERED_LITERALS) runSecrets.add(value.trim());
      spans.push([item.value.offset, item.value.offset + sourceLength(item.value, text)]);
    }
  }
  // One pass over the text: a hostile file may hold thousands of spans.
  const pieces: string[] = [];
  let from = 0;
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
    if (start < from) continue;
    pieces.push(text.slice(from, start), text.slice(start, end).split("\n").map((segment) => (segment.trim() === "" ? segment : `${segment.match(/^\s*/)![0]}${REDACTED_EXCERPT}`)).join("\n"));
    from = end;
  }
  pieces.push(text.slice(from));
  const masked = pieces.join("");
  const lines = hideUrlCredentials(masked).split("\n");
  maskedCache.set(source, lines);
  return lines;
}
