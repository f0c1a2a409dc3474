/**
 * `pipemon test`, registered on a commander program as main.ts does (in process, so it runs
 * before the integrator wires it into main.ts): exit codes and what a pull request reads.
 */
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerTestCommand, renderTestReport } from "../../src/cli/test-command.js";
import type { TestAlertsResult } from "../../src/app/test-alerts.js";
import { REPO_ROOT, runCli } from "../support/cli.js";

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  const saved = { ...process.env };
  Object.assign(process.env, { NO_COLOR: "1" }, env);
  process.exitCode = undefined;
  try {
    const cli = new Command("pipemon").option("--specs <dir>", "specs", "specs").exitOverride();
    registerTestCommand(cli);
    await cli.parseAsync(["node", "pipemon", ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
    process.exitCode = undefined;
  }
}

const specs = join(REPO_ROOT, "specs");
afterEach(() => vi.restoreAllMocks());

describe("pipemon test", () => {
  it("exits 0 and prints a line per pipeline and the counts when every case passes", async () => {
    const r = await run(["--specs", specs, "test", "--env", "staging", "--select", "orders-etl"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ staging\/orders-etl: 8 alerts, (\d+)\/\1 cases passed/);
    expect(r.stdout).toMatch(/✓ \d+ passed, 0 failed, 0 skipped \(1 pipeline\)/);
  }, 120_000);

  it("lists every case with --verbose", async () => {
    const r = await run(["--specs", specs, "test", "--env", "production", "--select", "ledger-stream", "-v"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pass highLatency — critical (> 5s): fires at");
    expect(r.stdout).toContain("- production/ledger-stream: highBacklog not tested: the backlog signal is a whole PromQL override");
  }, 120_000);

  it("exits 1 and says how to install promtool when it is missing", async () => {
    const r = await run(["--specs", specs, "test"], { PIPEMON_PROMTOOL: "/nonexistent/promtool" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("sudo apt-get install prometheus");
  });

  it("exits 1 on a selector that matches no pipeline and on invalid specs", async () => {
    const none = await run(["--specs", specs, "test", "--select", "team:nobody"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("--select team:nobody matches no pipeline");
    // (A missing --specs folder is refused before any command runs: test/cli/validate-usage.test.ts.)
    const invalid = await run(["--specs", join(REPO_ROOT, "test", "fixtures", "invalid", "15-invalid-name-upper-case", "specs"), "test"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("nothing was tested");
  });

  it("shows which alert, which case and what promtool saw for a failure", () => {
    const result: TestAlertsResult = {
      load: { projects: [], diagnostics: [], sources: new Map(), environments: [], fileCount: 0 },
      promtoolFound: true,
      pipelineCount: 1,
      unmatched: [],
      ok: false,
      skipped: [],
      cases: [
        { name: "orders-etl errors critical past", pipeline: "orders-etl", alert: "errors", level: "critical", kind: "past", title: "critical (> 10): fires at 11 at once", file: "t", environment: "production", ok: false, failure: "alertname: PipemonErrorsCritical, time: 1m,\n    exp:[...],\n    got:[]" },
        { name: "orders-etl errors critical inside", pipeline: "orders-etl", alert: "errors", level: "critical", kind: "inside", title: "critical (> 10): silent at 10", file: "t", environment: "production", ok: true },
      ],
    };
    const plain = { green: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s } as unknown as Parameters<typeof renderTestReport>[1];
    expect(renderTestReport(result, plain)).toEqual([
      "✗ production/orders-etl: 1 alert, 1/2 cases passed",
      "    FAIL errors — critical (> 10): fires at 11 at once",
      "        alertname: PipemonErrorsCritical, time: 1m,",
      "            exp:[...],",
      "            got:[]",
    ]);
  });
});

describe("pipemon test through the built CLI", () => {
  it("passes on the demo specs and says what it proved", async () => {
    const r = runCli(["test", "--env", "production", "--select", "orders-etl"], REPO_ROOT);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/orders-etl/);
    expect(r.stdout).toMatch(/\d+ cases? passed/);
  });

  it("without promtool: one line saying how to install it, exit 1", () => {
    const r = runCli(["test", "--env", "production"], REPO_ROOT, { PATH: "/nonexistent" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("promtool is not installed: install Debian's prometheus package (sudo apt-get install prometheus)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
