/**
 * `make demo` (scripts/demo.mjs) piped, as in a CI log or `make demo > demo.txt`: it works,
 * and prints no ANSI escape code even without NO_COLOR.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

describe("make demo off a terminal", () => {
  it("runs plan → apply → plan and prints plain text only", async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", TERM: "xterm", PIPEMON_PROGRESS_INTERVAL_MS: "200" };
    const run = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [`${REPO_ROOT}/scripts/demo.mjs`], { cwd: REPO_ROOT, env });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, output });
      });
    });
    expect(run.output).toContain("$ pipemon apply --yes");
    expect(run.code).toBe(0);
    expect(run.output).not.toContain("\u001b[");
  }, 180_000);
});
