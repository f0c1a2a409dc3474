/**
 * Interrupts, the prompt and terminal hygiene of apply, end to end: the real CLI against the
 * emulators (in this process), with latency so that a Ctrl-C lands mid-apply.
 */
import { spawn } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import type { DatadogEmulator } from "../emulators/datadog/server.js";
import type { GrafanaEmulator } from "../emulators/grafana/server.js";
import { useEmulatedEstate } from "../support/emulated-estate.js";
import { PIPEMON_BIN, runCliAsync, type CliRun } from "../support/cli.js";

const TOKEN = "glsa_interrupt_token";
const estate = useEmulatedEstate({
  prefix: "pipemon-interrupt-",
  token: TOKEN,
  apiKey: "k",
  appKey: "a",
  secrets: { PD_DATA_ONCALL_KEY: "pd-1", PD_PAYMENTS_KEY: "pd-2", SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.example/1", SLACK_GROWTH_WEBHOOK: "https://hooks.example/2", ML_PLATFORM_WEBHOOK: "https://ml.example/3" },
  // A hung request must outlive the interrupt's grace period.
  httpTimeoutMs: 20_000,
});
let grafana: GrafanaEmulator;
let datadog: DatadogEmulator;
let work: string;
let specs: string;
beforeEach(() => ({ grafana, datadog, work, specs } = estate.current));
const { environment } = estate;

const PROD = ["--env", "production"];
const writes = () => [...grafana.faults.requests, ...datadog.faults.requests].filter((r) => r.method !== "GET");
const lockWrite = (r: { path: string }) => /pipemon_apply_lock|^\/api\/dashboards\/db$|^\/api\/v1\/monitor$/.test(r.path);

/** Spawns apply and sends SIGINT once `ready` says the apply is writing. */
function applyInterrupted(ready: () => boolean, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PIPEMON_BIN, "--specs", specs, "apply", ...PROD, "--yes", "--concurrency", "2"], { cwd: work, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      child.kill("SIGINT");
    }, 10);
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe("apply interrupted", () => {
  it("Ctrl-C mid-apply: starts nothing more, says what was applied, failed and not started, exits 130, releases the locks; a re-run converges", async () => {
    grafana.faults.latencyMs = 100;
    const run = await applyInterrupted(() => grafana.faults.requests.some((r) => r.method === "POST" && r.path === "/api/folders"), environment());
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("pipemon: interrupted: starting nothing more; waiting up to 10 s for the requests in flight");
    const summary = /Apply interrupted \(SIGINT\): (\d+) applied, (\d+) failed, (\d+) skipped, (\d+) not started/.exec(run.stderr);
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(0);
    expect(Number(summary![4])).toBeGreaterThan(10);
    expect(run.stderr).toMatch(/not started grafana-\S+ \S+ \(production\): create — interrupted before it was sent/);
    expect(run.stdout + run.stderr).not.toContain("\u001b[");
    // The locks were given back: a re-run needs no --force-unlock.
    expect(grafana.state.dashboards.has("pipemon_apply_lock_production")).toBe(false);

    grafana.faults.latencyMs = 0;
    const rerun = await runCliAsync(["--specs", specs, "apply", ...PROD, "--yes"], work, environment());
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    const plan = await runCliAsync(["--specs", specs, "plan", ...PROD, "--detailed-exitcode"], work, environment());
    expect(plan.code).toBe(0);
  });

  it("a request that never answers is given up after the bound (PIPEMON_INTERRUPT_GRACE_MS) and reported as unknown", async () => {
    datadog.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 1, times: 1, fault: { kind: "hang" } });
    const hung = () => datadog.faults.requests.some((r) => r.status === "hang");
    const started = Date.now();
    const run = await applyInterrupted(hung, environment({ PIPEMON_INTERRUPT_GRACE_MS: "1500" }));
    expect(run.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(20_000); // well before the 20 s request timeout
    expect(run.stderr).toMatch(/failed +datadog-monitor \S+@production \(production\): create — interrupted while in flight: it may or may not have been applied/);
    // The hung one, and at most the other request in flight beside it (--concurrency 2).
    expect(run.stderr).toMatch(/Apply interrupted \(SIGINT\): \d+ applied, [12] failed, 0 skipped, \d+ not started/);
  });
});

describe("preflight in the CLI", () => {
  it("plan and apply name every missing variable at once and send no request", async () => {
    const env = environment({ GRAFANA_TOKEN: "", PD_DATA_ONCALL_KEY: "", DD_APP_KEY: "" });
    for (const args of [["plan", ...PROD], ["apply", ...PROD, "--yes"]]) {
      const run = await runCliAsync(["--specs", specs, ...args], work, env);
      expect(run.code).toBe(1);
      const line = run.stderr.split("\n")[0]!;
      expect(line).toMatch(/^pipemon: 3 environment variables this run needs are not set: /);
      for (const name of ["GRAFANA_TOKEN", "PD_DATA_ONCALL_KEY", "DD_APP_KEY"]) expect(line).toContain(name);
    }
    expect([...grafana.faults.requests, ...datadog.faults.requests]).toEqual([]);
  });
});

describe("the confirmation prompt (on a pseudo-terminal)", () => {
  /** `script` gives pipemon a terminal; the answer is typed at the question. */
  function applyAnswering(answer: string): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const command = [process.execPath, PIPEMON_BIN, "--specs", specs, "apply", ...PROD].map((a) => `'${a}'`).join(" ");
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: work, env: { ...environment(), TERM: "xterm", PIPEMON_PROGRESS_INTERVAL_MS: "0" } });
      let stdout = "";
      let answered = false;
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        stdout += c;
        // Typed once the question is asked, as a person would.
        if (!answered && stdout.includes("Only 'yes' is accepted")) {
          answered = true;
          child.stdin.write(answer === "\u0003" ? answer : `${answer}\n`);
        }
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr: "" });
      });
    });
  }

  it("anything but yes (no, y, nothing) exits 1 and writes nothing; Ctrl-C there exits 130", async () => {
    for (const answer of ["no", "y", ""]) {
      const run = await applyAnswering(answer);
      expect(run.stdout).toContain("Only 'yes' is accepted");
      expect(run.stdout).toContain("Apply cancelled (only 'yes' applies); nothing was changed.");
      expect(run.code).toBe(1);
    }
    // Ctrl-C at the prompt: exit 130 at once, nothing applied.
    const interrupted = await applyAnswering("\u0003");
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).not.toContain("Apply:");
    // Only the apply locks were taken and given back.
    expect(writes().filter((r) => !lockWrite(r) && r.method !== "DELETE")).toEqual([]);
    expect([grafana.state.folders.size, datadog.state.monitors.size]).toEqual([0, 0]);
    expect(grafana.state.dashboards.size).toBe(0);
  });
});

describe("no escape codes off a terminal", () => {
  it("plan, apply and their errors print no ANSI escape, even without NO_COLOR and with progress lines on", async () => {
    const env = { ...environment(), PIPEMON_PROGRESS_INTERVAL_MS: "50", TERM: "xterm" };
    grafana.faults.latencyMs = 20;
    const runs: CliRun[] = [];
    for (const args of [["plan", ...PROD], ["apply", ...PROD, "--yes"], ["plan", ...PROD, "--format", "markdown"]]) {
      runs.push(await new Promise<CliRun>((resolve) => {
        const child = spawn(process.execPath, [PIPEMON_BIN, "--specs", specs, ...args], { cwd: work, env });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      }));
    }
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    // The periodic progress line did show (the runs outlast 50 ms), as plain text.
    expect(runs.map((r) => r.stderr).join("")).toMatch(/^pipemon: (listing|applying) \d+\/\d+/m);
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain("\u001b[");
  });
});
