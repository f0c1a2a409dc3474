import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PIPEMON_BIN = `${REPO_ROOT}/bin/pipemon.js`;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * No periodic progress lines unless a test asks for them: on a loaded machine a run may pass
 * the interval, and tests compare stderr exactly.
 */
const QUIET = { PIPEMON_PROGRESS_INTERVAL_MS: "0" };

/** Runs the compiled CLI as a user would, without colour, in `cwd`. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [PIPEMON_BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...QUIET, ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: needed when the test serves HTTP itself (the
 * emulators run in the test process, and a synchronous spawn would starve them).
 */
export function runCliAsync(args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PIPEMON_BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...QUIET, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
