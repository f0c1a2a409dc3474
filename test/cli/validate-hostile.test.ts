/**
 * Hostile inputs too big to commit, generated into a temporary directory: `pipemon validate`
 * must answer with a clear error and exit 1, never crash, hang or print a stack trace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../support/cli.js";

const CONFIG = `apiVersion: pipemon/v1
kind: Config
channels:
  data-alerts: { type: slack, webhookUrl: "\${SLACK_DATA_ALERTS_WEBHOOK}", datadog: "@slack-data-alerts" }
routing:
  critical: [data-alerts]
`;

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipemon-hostile-"));
  mkdirSync(join(work, "specs"));
  writeFileSync(join(work, "specs/pipemon.yaml"), CONFIG);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function validateWith(file: string, content: string | Buffer): CliRun {
  writeFileSync(join(work, "specs", file), content);
  return runCli(["validate"], work);
}

function expectCleanFailure(r: CliRun): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(1);
}

describe("hostile YAML", () => {
  it("refuses a 10 MB file up front, by its size", () => {
    const line = "# padding padding padding padding padding padding padding padding padding padding\n";
    const text = `apiVersion: pipemon/v1\nkind: Pipeline\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`;
    const r = validateWith("huge.yaml", text);
    expectCleanFailure(r);
    expect(r.stderr).toBe(
      "specs/huge.yaml:1:1: error: file is 10485870 bytes (10.0 MiB); spec files are limited to 1 MiB (1048576 bytes): split it into several files\n\n1 error in 2 files\n",
    );
  });

  it("refuses a file just over 1 MiB but reads one just under it", () => {
    const header = "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata:\n  name: big\n  team: t\nspec:\n  type: streaming\n";
    const pad = (size: number) => header + "#".repeat(size - header.length - 1) + "\n";
    const over = validateWith("big.yaml", pad(1024 * 1024 + 1));
    expectCleanFailure(over);
    expect(over.stderr).toMatch(/^specs\/big\.yaml:1:1: error: file is .*limited to 1 MiB/);
    const under = validateWith("big.yaml", pad(1024 * 1024));
    expect(under.stderr).toBe("");
    expect(under.code).toBe(0);
  });

  it("reports very deep nesting as invalid YAML instead of overflowing the stack", () => {
    const depth = 20_000;
    const r = validateWith("deep.yaml", `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata:\n  labels: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
    expectCleanFailure(r);
    expect(r.stderr).toMatch(/^specs\/deep\.yaml:4:\d+: error: nesting too deep: a spec nests a few levels, not thousands\n/);
  });

  it("stops an alias bomb written in flow style", () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (const [i, n] of [..."bcdefghi"].entries()) levels.push(`${n}: &${n} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`);
    const r = validateWith("bomb.yaml", `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: {name: x, team: y, labels: {${levels.join(", ")}}}\nspec: {type: streaming}\n`);
    expectCleanFailure(r);
    expect(r.stderr).toMatch(/^specs\/bomb\.yaml:1:1: error: aliases expand beyond 100 nodes \(an alias bomb\?\)/);
  });

  it("reports a file of many mistakes in full", () => {
    const keys = Array.from({ length: 300 }, (_, i) => `unknown${i}: ${i}`).join("\n");
    const r = validateWith("many.yaml", `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: {name: x, team: y}\nspec: {type: streaming}\n${keys}\n`);
    expectCleanFailure(r);
    // The first 200 are shown (a screenful of one repeated mistake is enough); all are counted.
    expect(r.stderr.match(/: error: unknown key 'unknown\d+'/g)).toHaveLength(200);
    expect(r.stderr).toMatch(/^specs\/many\.yaml:5:1: error: unknown key 'unknown0': /);
    expect(r.stderr).toMatch(/\n… 100 more problems not shown: fix these and run again\n300 errors in 2 files\n$/);
  });

  // Regressions found by these tests:
  // 1. A `"` inside a plain scalar makes load.ts's QUOTED regex swallow the anchors that follow,
  //    so the file takes the js-yaml fast path; js-yaml shares aliased nodes, and the schema
  //    message for the bomb (`show(e.data)` → JSON.stringify) builds a string of 9^9 items:
  //    12 s, 2.3 GB and "pipemon: internal error: Invalid string length".
  it("stops an alias bomb hidden behind a stray quote", () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (const [i, n] of [..."bcdefghi"].entries()) levels.push(`${n}: &${n} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`);
    const r = validateWith("bomb.yaml", `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata:\n  name: x\n  team: y\n  labels: {t: a", ${levels.join(", ")}, w: "x"}\nspec: {type: streaming}\n`);
    expectCleanFailure(r);
    expect(r.stderr).toMatch(/alias/);
  });

  // 2. load.ts UNQUOTED_REF_IN_FLOW (/\{[^}]*:\s*\$\{/) is tested against the failing line and
  //    backtracks quadratically on a long line of `{`: 100,000 of them take 5 s, a 1 MB line hangs.
  it("answers quickly on a long line of unclosed braces", () => {
    const r = validateWith("braces.yaml", `apiVersion: pipemon/v1\nkind: Pipeline\nx: ${"{".repeat(1_000_000 - 40)}\n`);
    expectCleanFailure(r);
    expect(r.stderr).toMatch(/^specs\/braces\.yaml:3:\d+: error: (invalid YAML: |nesting too deep)/);
  });
});
