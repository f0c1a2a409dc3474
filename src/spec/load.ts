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
import { error, type Diagnostic, type PathSegment, type SourceFile } from "./diagnostics.js";

export type { SourceFile };

/** Spec files are hand-written; anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases expand data; `yaml` counts the expansion and stops an alias bomb at this budget. */
export const MAX_ALIAS_COUNT = 100;

/**
 * js-yaml expands aliases without a limit (it shares the nodes, so an alias bomb parses in
 * microseconds and explodes later, in whatever walks the result). The fast path therefore
 * accepts a file only when js-yaml saw no anchor at all; a document with anchors goes to
 * `yaml`, which counts alias expansion. js-yaml reports each node to this listener, so the
 * check is exact: no guessing from the text, which a stray quote once fooled.
 */
class AnchorSeen extends Error {}
// @types/js-yaml leaves State empty; `anchor` is the node's anchor name, null without one.
const refuseAnchors = (event: jsyaml.EventType, state: jsyaml.State): void => {
  const anchor = (state as { anchor?: string | null }).anchor;
  if (event === "close" && anchor !== null && anchor !== undefined) throw new AnchorSeen();
};

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
    return { ...error(file, 0, [], `file is ${bytes.length} bytes (${mb} MiB); spec files are limited to 1 MiB (${MAX_FILE_BYTES} bytes): split it into several files`), line: 1, col: 1 };
  }
  // UTF-16 text is full of NUL bytes; name it rather than calling it binary.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ...error(file, 0, [], "file is UTF-16 text: save it as UTF-8"), line: 1, col: 1 };
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
  try {
    const values = jsyaml.loadAll(source.text, undefined, { schema: jsyaml.CORE_SCHEMA, listener: refuseAnchors });
    return { source, docs: nonEmpty(values), diagnostics: [] };
  } catch {
    // Anchors, or a mistake: the slow parser counts aliases and says where and what.
    return parseSlow(source);
  }
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
      const text = lineAt(source.text, line);
      const explained = yamlMessage(problem.code, problem.message, text);
      diagnostics.push({
        ...error(source.file, index, [], explained.message),
        line,
        col: explained.col ?? start?.col ?? 1,
      });
    }
    if (problems.length > 0) return;
    try {
      values[index] = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const pos = lines.linePos(doc.range[0]);
      const text = e instanceof Error ? e.message : String(e);
      const message = /alias/i.test(text)
        ? `aliases expand beyond ${MAX_ALIAS_COUNT} nodes (an alias bomb?): write the values out instead`
        : /call stack/i.test(text)
          ? "nesting too deep: a spec nests a few levels, not thousands"
          : `cannot read this document: ${text.slice(0, 200)}`;
      diagnostics.push({ ...error(source.file, index, [], message), line: pos.line, col: pos.col });
    }
  });
  if (diagnostics.length > 0) return { source, diagnostics };
  return { source, docs: nonEmpty(values), diagnostics };
}

/** The text of a 1-based line, without splitting the whole file. */
function lineAt(text: string, line: number): string {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf("\n", start);
    if (next < 0) return "";
    start = next + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end < 0 ? text.length : end);
}

/** An unquoted `${NAME}` inside `{ }` opens a nested flow mapping: the commonest spec typo. */
const UNQUOTED_REF_IN_FLOW = /\{[^{}]*:\s*\$\{/;
/**
 * An unquoted cron starting with `*` reads as a YAML alias (`* * * * *`, or a step such as
 * every 5 minutes) and one starting with `@` (`@daily`) as a reserved character: the hint
 * quotes the user's own value, taken from the line.
 */
const UNQUOTED_CRON = /(?:^|[{,\s])schedule:[ \t]*([*@][^,}#]*?)[ \t]*(?:[,}#]|$)/;
/** The hint looks at ordinary spec lines only; a hostile megabyte line gets the plain message. */
const HINT_MAX_LINE = 2000;

/** `yaml`'s messages are precise but terse; these say what to do (and where, when the parser's column is not the mistake's). */
function yamlMessage(code: string, message: string, lineText: string): { message: string; col?: number } {
  const cron = lineText.length <= HINT_MAX_LINE ? UNQUOTED_CRON.exec(lineText) : null;
  if (cron) {
    const why = cron[1]!.startsWith("*") ? "YAML reads a value starting with * as an alias" : "YAML reserves @ at the start of a value";
    return { message: `unquoted cron: ${why}: quote it: schedule: "${cron[1]}"`, col: cron.index + cron[0].indexOf(cron[1]!) + 1 };
  }
  return { message: yamlText(code, message, lineText) };
}

function yamlText(code: string, message: string, lineText: string): string {
  const first = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (/call stack/i.test(first)) return "nesting too deep: a spec nests a few levels, not thousands";
  if (lineText.length <= HINT_MAX_LINE && lineText.includes("${") && UNQUOTED_REF_IN_FLOW.test(lineText)) {
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
