/**
 * Reading spec files: bytes → text (refusing binary and huge files), text → documents through
 * the fast parser (js-yaml) or the slow one (`yaml`, with positions), and `locate`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import jsyaml from "js-yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Diagnostic } from "../../src/spec/diagnostics.js";
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES, decodeSpecFile, locate, parseSpecFile, type SourceFile } from "../../src/spec/load.js";
import { REPO_ROOT } from "../support/cli.js";

const SPECS = join(REPO_ROOT, "specs");
const demoFiles = readdirSync(SPECS, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
  .map((e) => join(e.parentPath, e.name))
  .sort();

const source = (text: string, file = "spec.yaml"): SourceFile => ({ file, text });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function decoded(file: string, b: Uint8Array): SourceFile {
  const d = decodeSpecFile(file, b);
  if ("severity" in d) throw new Error(`expected text, got: ${d.message}`);
  return d;
}

function refused(file: string, b: Uint8Array): Diagnostic {
  const d = decodeSpecFile(file, b);
  if (!("severity" in d)) throw new Error("expected the file to be refused");
  return d;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("decodeSpecFile", () => {
  it("reads UTF-8 text and drops a byte-order mark", () => {
    expect(decoded("a.yaml", bytes("kind: Config\n"))).toEqual({ file: "a.yaml", text: "kind: Config\n" });
    expect(decoded("a.yaml", bytes("\uFEFFkind: Config\n")).text).toBe("kind: Config\n");
    expect(decoded("a.yaml", bytes("description: café ✓\n")).text).toBe("description: café ✓\n");
  });

  it("refuses NUL bytes as a binary file, at 1:1", () => {
    const d = refused("bin.yaml", Uint8Array.from([0x61, 0x3a, 0x20, 0x00, 0x62]));
    expect(d).toMatchObject({ severity: "error", file: "bin.yaml", line: 1, col: 1, message: "file contains NUL bytes: this is a binary file, not a YAML spec" });
  });

  it("refuses invalid UTF-8", () => {
    const d = refused("latin1.yaml", Uint8Array.from([...bytes("name: caf"), 0xe9, 0x0a]));
    expect(d).toMatchObject({ severity: "error", line: 1, col: 1, message: "file is not valid UTF-8 text: save it as UTF-8" });
  });

  it("refuses files over 1 MiB before decoding them", () => {
    expect(MAX_FILE_BYTES).toBe(1024 * 1024);
    const d = refused("big.yaml", new Uint8Array(10 * 1024 * 1024).fill(0x23));
    expect(d.message).toBe("file is 10485760 bytes (10.0 MiB); spec files are limited to 1 MiB (1048576 bytes): split it into several files");
    expect(decoded("ok.yaml", new Uint8Array(MAX_FILE_BYTES).fill(0x23)).text).toHaveLength(MAX_FILE_BYTES);
  });
});

describe("parseSpecFile: fast and slow paths agree", () => {
  it.each(demoFiles.map((f) => [relative(SPECS, f), f]))("%s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const loadAll = vi.spyOn(jsyaml, "loadAll");
    const fast = parseSpecFile(source(text, file));
    expect(loadAll).toHaveBeenCalledTimes(1);
    // A real anchor (same values) sends the same content down the slow path; anchor-like
    // text in a comment does not.
    const anchored = text.replace("apiVersion: pipemon/v1", "apiVersion: &v pipemon/v1");
    expect(anchored).not.toBe(text);
    const slow = parseSpecFile(source(anchored, file));
    const commented = parseSpecFile(source(`${text}\n# &not-an-anchor *nor-an-alias\n`, file));
    expect(commented.docs).toEqual(fast.docs);
    expect(fast.diagnostics).toEqual([]);
    expect(slow.diagnostics).toEqual([]);
    expect(fast.docs).toBeDefined();
    expect(fast.docs!.length).toBeGreaterThan(0);
    expect(slow.docs).toEqual(fast.docs);
    // And both equal what the `yaml` library reads on its own.
    expect(fast.docs!.map((d) => d.value)).toEqual(parseAllDocuments(text).map((d) => (Array.isArray(d) ? undefined : d.toJS())));
  });

  it("reads the YAML 1.2 core schema on both paths (no yes/no booleans, no timestamps)", () => {
    const text = "a: yes\nb: on\nc: 2024-01-01\nd: 0x1F\ne: 1e3\nf: ~\ng: .inf\nh: 010\n";
    const fast = parseSpecFile(source(text));
    const slow = parseSpecFile(source(`${text}# &slow\n`));
    const expected = { a: "yes", b: "on", c: "2024-01-01", d: 31, e: 1000, f: null, g: Infinity, h: 10 };
    expect(fast.docs).toEqual([{ index: 0, value: expected }]);
    expect(slow.docs).toEqual(fast.docs);
  });

  it("drops empty documents but keeps each document's index", () => {
    const text = "---\n# nothing\n---\na: 1\n---\n---\nb: 2\n";
    const expected = [
      { index: 1, value: { a: 1 } },
      { index: 3, value: { b: 2 } },
    ];
    expect(parseSpecFile(source(text)).docs).toEqual(expected);
    expect(parseSpecFile(source(`${text}# &slow\n`)).docs).toEqual(expected);
  });

  it("an empty file has no documents", () => {
    expect(parseSpecFile(source("")).docs).toEqual([]);
    expect(parseSpecFile(source("# only a comment\n")).docs).toEqual([]);
  });
});

describe("parseSpecFile: problems", () => {
  it("a syntax error: no documents, one diagnostic with line and column", () => {
    const r = parseSpecFile(source("a: 1\nb: [1, 2\nc: 3\n"));
    expect(r.docs).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: "error", file: "spec.yaml", doc: 0, line: 3, col: 1 });
    expect(r.diagnostics[0]!.message).toMatch(/^invalid YAML: /);
  });

  it("a duplicate key is an error at the second key (js-yaml refuses it too, so the slow path reports it)", () => {
    const r = parseSpecFile(source("spec:\n  type: batch\n  type: streaming\n"));
    expect(r.docs).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ line: 3, col: 3, message: "duplicate key: each key may appear once in a mapping" }),
    ]);
  });

  it("tabs used for indentation", () => {
    const r = parseSpecFile(source("metadata:\n\tname: x\n"));
    expect(r.diagnostics).toEqual([expect.objectContaining({ line: 2, col: 1, message: "tab used for indentation: YAML indents with spaces" })]);
  });

  it("custom tags are refused", () => {
    const r = parseSpecFile(source("a: !!js/function 'function () {}'\n"));
    expect(r.docs).toBeUndefined();
    expect(r.diagnostics[0]!.message).toMatch(/specs use plain YAML without custom tags$/);
  });

  it("an unquoted ${ inside { } says to quote it", () => {
    const r = parseSpecFile(source("grafana: { url: ${GRAFANA_URL} }\n"));
    expect(r.diagnostics).toEqual([
      expect.objectContaining({
        line: 1,
        col: 18,
        message: 'invalid YAML: Unexpected flow-map-start at node end: inside { } a value starting with ${ must be quoted, e.g. url: "${GRAFANA_URL}"',
      }),
    ]);
  });

  it.each([
    ["spec:\n  schedule: * * * * *\n", 2, 13, 'unquoted cron: YAML reads a value starting with * as an alias: quote it: schedule: "* * * * *"'],
    ["spec:\n  schedule: */5 * * * *  # every 5 minutes\n", 2, 13, 'unquoted cron: YAML reads a value starting with * as an alias: quote it: schedule: "*/5 * * * *"'],
    ["spec: { type: batch, schedule: */5 * * * *, sla: {} }\n", 1, 32, 'unquoted cron: YAML reads a value starting with * as an alias: quote it: schedule: "*/5 * * * *"'],
    ["spec:\n  schedule: @hourly\n", 2, 13, 'unquoted cron: YAML reserves @ at the start of a value: quote it: schedule: "@hourly"'],
  ])("an unquoted cron says to quote it, pointing at the cron (%#)", (text, line, col, message) => {
    expect(parseSpecFile(source(text)).diagnostics).toEqual([expect.objectContaining({ line, col, message })]);
  });

  it("a schedule that is a real alias of an anchor parses", () => {
    const r = parseSpecFile(source("x: &hourly '0 * * * *'\nspec:\n  schedule: *hourly\n"));
    expect(r.diagnostics).toEqual([]);
    expect(r.docs?.[0]?.value).toEqual({ x: "0 * * * *", spec: { schedule: "0 * * * *" } });
  });

  it("reports a syntax error in each document, by document index", () => {
    const r = parseSpecFile(source("a: [1\n---\nb: 2\n---\nc: {\n"));
    expect(r.docs).toBeUndefined();
    expect(r.diagnostics.map((d) => d.doc)).toEqual([0, 2]);
  });

  it("aliases within the budget are expanded", () => {
    const r = parseSpecFile(source("base: &cpu { warning: 80%, critical: 95% }\nmemory: *cpu\n"));
    expect(r.diagnostics).toEqual([]);
    expect(r.docs).toEqual([{ index: 0, value: { base: { warning: "80%", critical: "95%" }, memory: { warning: "80%", critical: "95%" } } }]);
  });

  it("stops an alias bomb at the alias budget", () => {
    expect(MAX_ALIAS_COUNT).toBe(100);
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const [i, n] of [..."bcdefghij"].entries()) lines.push(`${n}: &${n} [${Array(10).fill(`*${"abcdefghi"[i]}`).join(", ")}]`);
    const r = parseSpecFile(source(`${lines.join("\n")}\n`));
    expect(r.docs).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ line: 1, col: 1, message: "aliases expand beyond 100 nodes (an alias bomb?): write the values out instead" }),
    ]);
  });

  it("merge keys are not special", () => {
    const r = parseSpecFile(source("base: &b { a: 1 }\nx:\n  <<: *b\n"));
    expect(r.docs).toEqual([{ index: 0, value: { base: { a: 1 }, x: { "<<": { a: 1 } } } }]);
  });
});

describe("__proto__ keys", () => {
  const text = "__proto__:\n  polluted: yes\nmetadata:\n  labels:\n    __proto__: { polluted: yes }\n";

  it.each([
    ["fast path", text],
    ["slow path", `${text}# &slow\n`],
  ])("are plain own keys on the %s and never reach Object.prototype", (_path, t) => {
    const r = parseSpecFile(source(t));
    const doc = r.docs![0]!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(["__proto__", "metadata"]);
    expect(Object.getOwnPropertyDescriptor(doc, "__proto__")?.value).toEqual({ polluted: "yes" });
    const labels = (doc.metadata as { labels: object }).labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("locate", () => {
  const text = [
    "apiVersion: pipemon/v1", //                          1
    "kind: Pipeline", //                                  2
    "metadata:", //                                       3
    "  name: orders-etl", //                              4
    "  team: commerce", //                                5
    "spec:", //                                           6
    "  type: batch", //                                   7
    "  sla: { maxDuration: 45m, freshness: 2h }", //      8
    "  routing:", //                                      9
    "    high: [data-alerts, data-email]", //            10
    "---", //                                            11
    "# second document", //                              12
    "apiVersion: pipemon/v1", //                         13
    "kind: Pipeline", //                                 14
    "metadata: { name: b, team: c }", //                 15
    "",
  ].join("\n");
  const src = source(text);

  it("points at a value", () => {
    expect(locate(src, 0, ["metadata", "name"])).toEqual({ line: 4, col: 9 });
    expect(locate(src, 0, ["spec", "sla", "freshness"])).toEqual({ line: 8, col: 39 });
    expect(locate(src, 0, ["spec", "routing", "high", 1])).toEqual({ line: 10, col: 25 });
  });

  it("points at a key when asked (unknown keys)", () => {
    expect(locate(src, 0, ["spec", "sla"], true)).toEqual({ line: 8, col: 3 });
    expect(locate(src, 0, ["spec", "sla", "freshness"], true)).toEqual({ line: 8, col: 28 });
  });

  it("a mapping value starts at its first key", () => {
    expect(locate(src, 0, ["metadata"])).toEqual({ line: 4, col: 3 });
    expect(locate(src, 0, ["spec", "sla"])).toEqual({ line: 8, col: 8 });
  });

  it("falls back to the nearest existing ancestor for a missing path", () => {
    expect(locate(src, 0, ["spec", "schedule"])).toEqual({ line: 7, col: 3 });
    expect(locate(src, 0, ["spec", "sla", "missing", "deeper"], true)).toEqual({ line: 8, col: 8 });
    expect(locate(src, 0, ["nothing", "here"])).toEqual({ line: 1, col: 1 });
    expect(locate(src, 0, [])).toEqual({ line: 1, col: 1 });
  });

  it("counts documents, and a document starts after its comments", () => {
    expect(locate(src, 1, [])).toEqual({ line: 13, col: 1 });
    expect(locate(src, 1, ["metadata", "team"])).toEqual({ line: 15, col: 28 });
    expect(locate(src, 7, ["metadata"])).toEqual({ line: 1, col: 1 });
  });

  it("gives the same positions for CRLF line endings", () => {
    const crlf = source(text.replace(/\n/g, "\r\n"));
    expect(locate(crlf, 0, ["spec", "sla", "freshness"])).toEqual({ line: 8, col: 39 });
    expect(locate(crlf, 1, ["metadata", "team"])).toEqual({ line: 15, col: 28 });
  });
});
