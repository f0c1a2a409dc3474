/** `pipemon validate [paths...]`: only the files given (and the config) are read. */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli.js";

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipemon-validate-paths-"));
  cpSync(join(REPO_ROOT, "specs"), join(work, "specs"), { recursive: true });
  cpSync(join(REPO_ROOT, "test/fixtures/invalid/15-invalid-name-upper-case/specs/commerce/orders-etl.yaml"), join(work, "specs/broken/orders-etl.yaml"), { recursive: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe("pipemon validate [paths...]", () => {
  it("the whole specs directory by default: the broken file is found", () => {
    const r = runCli(["validate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^specs\/broken\/orders-etl\.yaml:4:9: error: 'name' is 'Orders_ETL'/);
  });

  it("a directory: only its files", () => {
    const r = runCli(["validate", "specs/payments"], work);
    // Notes on where payments' medium and low alerts go, and nothing about other folders.
    expect(r.stderr.split("\n").filter((l) => /: (error|warning|note): /.test(l)).every((l) => /^specs\/payments\/\S+: note: /.test(l))).toBe(true);
    expect(r.stdout).toBe("✓ 3 pipelines in 4 files are valid (environments: production, staging), 3 notes\n");
    expect(r.code).toBe(0);
  });

  it("a file", () => {
    const r = runCli(["validate", "specs/broken/orders-etl.yaml"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n1 error in 2 files\n$/);
  });

  it("--specs names another specs directory", () => {
    cpSync(join(work, "specs"), join(work, "other"), { recursive: true });
    rmSync(join(work, "other/broken"), { recursive: true });
    const r = runCli(["--specs", "other", "validate"], work);
    expect(r.stderr).not.toMatch(/: (error|warning): /);
    expect(r.code).toBe(0);
  });

  // Regression: a path that does not exist was skipped silently, and validate said
  // "✓ 0 pipelines in 1 files are valid" with exit 0.
  it("a path that does not exist is an error", () => {
    const r = runCli(["validate", "specs/comerce/orders-etl.yaml"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/specs\/comerce\/orders-etl\.yaml/);
  });
});
