/**
 * Step 2 of loading (detect → load → map): turn spec files into plain documents.
 *
 * Two parsers, on purpose. js-yaml is about nine times faster than `yaml` but knows no source
 * positions, so valid input (the common case, and 10,000 files in the benchmark) takes the fast
 * path, and only a file that fails to parse, holds anchors/aliases, or has something to report
 * is parsed again with `yaml`, whose positions and messages name the line and column.
 */
import jsyaml from "js-yaml";
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import { error, type Diagnostic, type PathSegment } from "./diagnostics.js";

/** Spec files are hand-written; anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases expand data; `yaml` counts the expansion and stops an alias bomb at this budget. */
export const MAX_ALIAS_COUNT = 100;

/** An anchor or alias token (outside quoted strings) sends the file to the slow path. */
const MAY_HAVE_ANCHORS = /(?:^|[\s,[{:?-])[&*][^\s,\]}]/m;
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'/g;

export interface SourceFile {
  /** Path as shown to the user. */
  file: string;
  text: string;
}

export interface LoadedFile {
  source: SourceFile;
  /** The file's documents as plain values (empty documents dropped), or undefined when it did not parse. */
  docs?: { index: number; value: unknown }[];
  diagnostics: Diagnostic[];
}

/** Reads bytes into text, refusing what is not a small UTF-8 text file. */
export function decodeSpecFile(file: string, bytes: Uint8Array): SourceFile | Diagnostic {
  if (bytes.length > MAX_FILE_BYTES) {
    const mb = (bytes.length / (1024 * 1024)).toFixed(1);
    return { ...error(file, 0, [], `file is ${mb} MiB; spec files are limited to 1 MiB: split it into several files`), line: 1, col: 1 };
  }
  if (bytes.includes(0)) {
    return { ...error(file, 0, [], "file contains NUL bytes: this is a binary file, not a YAML spec"), line: 1, col: 1 };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ...error(file, 0, [], "file is not valid UTF-8 text: save it as UTF-8"), line: 1, col: 1 };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { file, text };
}

export function parseSpecFile(source: SourceFile): LoadedFile {
  if (!MAY_HAVE_ANCHORS.test(source.text.replace(QUOTED, '""'))) {
    try {
      const values = jsyaml.loadAll(source.text, undefined, { schema: jsyaml.CORE_SCHEMA });
      return { source, docs: nonEmpty(values), diagnostics: [] };
    } catch {
      // Fall through: the slow parser says where and what.
    }
  }
  return parseSlow(source);
}

function nonEmpty(values: unknown[]): { index: number; value: unknown }[] {
  const docs: { index: number; value: unknown }[] = [];
  values.forEach((value, index) => {
    if (value !== null && value !== undefined) docs.push({ index, value });
  });
  return docs;
}

interface SlowParse {
  documents: Document.Parsed[];
  lines: LineCounter;
}

const slowCache = new WeakMap<SourceFile, SlowParse>();

function slowParse(source: SourceFile): SlowParse {
  let parsed = slowCache.get(source);
  if (!parsed) {
    const lines = new LineCounter();
    const documents = parseAllDocuments(source.text, {
      lineCounter: lines,
      uniqueKeys: true,
      prettyErrors: false,
      schema: "core",
      merge: false,
      strict: true,
    });
    parsed = { documents: Array.isArray(documents) ? documents : [], lines };
    slowCache.set(source, parsed);
  }
  return parsed;
}

function parseSlow(source: SourceFile): LoadedFile {
  const { documents, lines } = slowParse(source);
  const diagnostics: Diagnostic[] = [];
  const values: unknown[] = [];
  documents.forEach((doc, index) => {
    // After the first syntax error a YAML parser reports cascades of the same mistake, so each
    // document reports its first problem only (the user fixes it and runs again).
    const problems = [...doc.errors, ...doc.warnings];
    const problem = problems[0];
    if (problem) {
      const [start] = problem.linePos ?? [lines.linePos(problem.pos[0])];
      const line = start?.line ?? 1;
      const text = source.text.split("\n", line)[line - 1] ?? "";
      diagnostics.push({
        ...error(source.file, index, [], yamlMessage(problem.code, problem.message, text)),
        line,
        col: start?.col ?? 1,
      });
    }
    if (problems.length > 0) return;
    try {
      values[index] = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const pos = lines.linePos(doc.range[0]);
      const message = /alias/i.test(String(e))
        ? `aliases expand beyond ${MAX_ALIAS_COUNT} nodes (an alias bomb?): write the values out instead`
        : `cannot read this document: ${e instanceof Error ? e.message : String(e)}`;
      diagnostics.push({ ...error(source.file, index, [], message), line: pos.line, col: pos.col });
    }
  });
  if (diagnostics.length > 0) return { source, diagnostics };
  return { source, docs: nonEmpty(values), diagnostics };
}

/** An unquoted `${NAME}` inside `{ }` opens a nested flow mapping: the commonest spec typo. */
const UNQUOTED_REF_IN_FLOW = /\{[^}]*:\s*\$\{/;

/** `yaml`'s messages are precise but terse; these say what to do. */
function yamlMessage(code: string, message: string, lineText: string): string {
  const first = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (UNQUOTED_REF_IN_FLOW.test(lineText)) {
    return `invalid YAML: ${first}: inside { } a value starting with \${ must be quoted, e.g. url: "\${GRAFANA_URL}"`;
  }
  switch (code) {
    case "DUPLICATE_KEY":
      return "duplicate key: each key may appear once in a mapping";
    case "TAB_AS_INDENT":
      return "tab used for indentation: YAML indents with spaces";
    case "TAG_RESOLVE_FAILED":
      return `${first}: specs use plain YAML without custom tags`;
    default:
      return `invalid YAML: ${first}`;
  }
}

/**
 * Line and column (1-based) of a path inside a document, found with the slow parser. When the
 * path does not exist (a missing key), the nearest existing ancestor is used.
 */
export function locate(source: SourceFile, docIndex: number, path: readonly PathSegment[], atKey = false): { line: number; col: number } {
  const { documents, lines } = slowParse(source);
  const doc = documents[docIndex];
  if (!doc) return { line: 1, col: 1 };
  for (let depth = path.length; depth >= 0; depth--) {
    const offset = nodeOffset(doc, path.slice(0, depth), atKey && depth === path.length);
    if (offset !== undefined) return lines.linePos(offset);
  }
  return lines.linePos(doc.range[0]);
}

function nodeOffset(doc: Document.Parsed, path: readonly PathSegment[], atKey: boolean): number | undefined {
  if (path.length === 0) return doc.contents?.range?.[0];
  if (atKey) {
    const parent = doc.getIn(path.slice(0, -1), true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const last = path[path.length - 1];
    const pair = parent?.items?.find((item) => item.key?.value === last);
    return pair?.key?.range?.[0];
  }
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range?.[0];
}
