/** How pipemon is called, before any spec is read: --version and a wrong --specs (issue 11, item 9). */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli.js";

const OWN_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

let host: string;
beforeEach(() => {
  // Another project that runs pipemon (npx pipemon, or an npm script of its own).
  host = mkdtempSync(join(tmpdir(), "pipemon-host-"));
  writeFileSync(join(host, "package.json"), JSON.stringify({ name: "host-project", version: "9.9.9" }));
});
afterEach(() => rmSync(host, { recursive: true, force: true }));

describe("pipemon --version", () => {
  it("prints pipemon's own version, not the host project's, even where npm exports the host's", () => {
    expect(OWN_VERSION).not.toBe("9.9.9");
    for (const flag of ["--version", "-V"]) {
      const r = runCli([flag], host, { npm_package_version: "9.9.9", npm_package_name: "host-project" });
      expect(r.stdout).toBe(`${OWN_VERSION}\n`);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
  });
});

describe("a wrong --specs is one clear line, exit 1", () => {
  it.each([
    ["validate"],
    ["generate"],
    ["plan"],
  ])("a missing folder, for %s", (command) => {
    const r = runCli(["--specs", "nowhere", command], host);
    expect(r.stderr).toBe("pipemon: the specs directory 'nowhere' does not exist: run pipemon from the repository root, or pass --specs DIR (the directory that holds pipemon.yaml)\n");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });

  it("the default folder missing (pipemon run outside the repository)", () => {
    const r = runCli(["validate"], host);
    expect(r.stderr).toBe("pipemon: the specs directory 'specs' does not exist: run pipemon from the repository root, or pass --specs DIR (the directory that holds pipemon.yaml)\n");
    expect(r.code).toBe(1);
  });

  it("a file, and the hint names the command that checks one file", () => {
    mkdirSync(join(host, "specs"));
    writeFileSync(join(host, "specs/orders.yaml"), "apiVersion: pipemon/v1\n");
    const r = runCli(["--specs", "specs/orders.yaml", "validate"], host);
    expect(r.stderr).toBe("pipemon: the specs directory 'specs/orders.yaml' is a file: pass --specs DIR, the directory that holds pipemon.yaml (to check one file: pipemon validate specs/orders.yaml)\n");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });
});

describe("many routing notes", () => {
  it("shows the first 200 and counts the rest as notes, not as problems to fix", () => {
    const specs = join(host, "specs");
    mkdirSync(specs);
    writeFileSync(join(specs, "pipemon.yaml"), `apiVersion: pipemon/v1
kind: Config
channels:
  alerts: { type: slack, webhookUrl: "\${SLACK}", datadog: "@slack-alerts" }
routing: { critical: [alerts], medium: [alerts] }
`);
    for (let i = 0; i < 205; i++) {
      writeFileSync(join(specs, `p${i}.yaml`), `apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: p${i}, team: t }\nspec:\n  type: streaming\n  thresholds: { cpu: { critical: 90% } }\n`);
    }
    const r = runCli(["validate"], host);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/: note: /g)).toHaveLength(200);
    expect(r.stderr).toMatch(/\n… 5 more notes not shown\n$/);
    expect(r.stdout).toBe("✓ 205 pipelines in 206 files are valid, 205 notes\n");
  });
});
