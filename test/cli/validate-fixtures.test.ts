/**
 * `pipemon validate` on every case under test/fixtures/invalid/: the real compiled CLI, run in
 * the case directory as a user would, must print exactly the expected diagnostics (message,
 * file:line:col, excerpt and caret) and exit 1 — or exit 0 for the warning-only `w*` cases.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, type CliRun } from "../support/cli.js";

const FIXTURES = join(REPO_ROOT, "test/fixtures/invalid");

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const errorCases = cases.filter((c) => /^\d/.test(c));
const warningCases = cases.filter((c) => c.startsWith("w"));

/** Each case runs once; the cross-cutting checks below reuse the runs. */
const runs = new Map<string, CliRun>();
function run(name: string): CliRun {
  let r = runs.get(name);
  if (!r) {
    r = runCli(["validate"], join(FIXTURES, name));
    runs.set(name, r);
  }
  return r;
}

const expected = (name: string, file = "expected.txt"): string => readFileSync(join(FIXTURES, name, file), "utf8");

describe("the fixture set", () => {
  it("has at least 30 error cases, and every case has its expected output", () => {
    expect(errorCases.length).toBeGreaterThanOrEqual(30);
    expect(warningCases.length).toBeGreaterThanOrEqual(1);
    expect(errorCases.length + warningCases.length).toBe(cases.length);
    for (const c of cases) {
      expect(existsSync(join(FIXTURES, c, "specs")), `${c}/specs`).toBe(true);
      expect(existsSync(join(FIXTURES, c, "expected.txt")), `${c}/expected.txt`).toBe(true);
    }
    for (const c of warningCases) expect(existsSync(join(FIXTURES, c, "expected-stdout.txt")), `${c}/expected-stdout.txt`).toBe(true);
  });
});

describe("pipemon validate reports each mistake with its message and position", () => {
  it.each(errorCases)("%s", (name) => {
    const r = run(name);
    expect(r.stderr).toBe(expected(name));
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });
});

describe("warnings alone do not fail validation", () => {
  it.each(warningCases)("%s exits 0 and prints the warning", (name) => {
    const r = run(name);
    expect(r.stderr).toBe(expected(name));
    expect(r.stderr).toMatch(/: warning: /);
    expect(r.stderr).not.toMatch(/: error: /);
    expect(r.stdout).toBe(expected(name, "expected-stdout.txt"));
    expect(r.code).toBe(0);
  });
});

describe("across all fixtures", () => {
  it("never prints a stack trace or an internal error", () => {
    for (const name of cases) {
      const r = run(name);
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
      expect(r.stderr, name).not.toMatch(/internal error/);
    }
  });

  it("every diagnostic starts with file:line:col and names its severity", () => {
    for (const name of cases) {
      const heads = run(name)
        .stderr.split("\n")
        .filter((l) => /^specs\//.test(l));
      expect(heads.length, name).toBeGreaterThan(0);
      for (const h of heads) expect(h, name).toMatch(/^specs\/[\w./-]+\.yaml:\d+:\d+: (error|warning|note): \S/);
    }
  });

  it("the summary line counts the diagnostics printed", () => {
    for (const name of errorCases) {
      const { stderr } = run(name);
      const errors = (stderr.match(/^specs\/\S+:\d+:\d+: error: /gm) ?? []).length;
      const warnings = (stderr.match(/^specs\/\S+:\d+:\d+: warning: /gm) ?? []).length;
      const summary = stderr.trimEnd().split("\n").at(-1) ?? "";
      const parts = [`${errors} error${errors === 1 ? "" : "s"}`, ...(warnings ? [`${warnings} warning${warnings === 1 ? "" : "s"}`] : [])];
      expect(summary, name).toMatch(new RegExp(`^${parts.join(", ")} in \\d+ files?$`));
    }
  });
});

describe("pipemon validate on the bundled specs", () => {
  it("exits 0; stderr holds only notes on where medium and low alerts go, counted in the summary", () => {
    const r = runCli(["validate"], REPO_ROOT);
    const heads = r.stderr.split("\n").filter((l) => /^specs\//.test(l));
    expect(heads.length).toBeGreaterThan(0);
    for (const h of heads) expect(h).toMatch(/^specs\/[\w./-]+\.yaml:\d+:\d+: note: (medium|low|medium and low) alerts of [a-z0-9-]+ go to /);
    // payments routes its critical and high alerts, not its medium and low ones.
    expect(r.stderr).toMatch(/^specs\/payments\/payments-cdc\.yaml:\d+:9: note: medium alerts of payments-cdc go to data-alerts and low alerts to data-email, by the config's routing: no team or pipeline routing sets those levels$/m);
    // growth routes medium and low itself.
    expect(r.stderr).not.toMatch(/^specs\/growth\//m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^✓ \\d+ pipelines in \\d+ files are valid \\(environments: production, staging\\), ${heads.length} notes\n$`));
  });
});

describe("secrets", () => {
  it("never echoes a literal secret written in a spec, in the message or the excerpt", () => {
    const r = runCli(["validate"], join(FIXTURES, "39-literal-secret"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not a literal value (not shown)");
    expect(r.stderr).not.toContain("abc123");
  });
});
