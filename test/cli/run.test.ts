/**
 * `pipemon run` as a scheduler runs it (the built CLI, a real Pushgateway): the job's exit
 * code, signals, stdin, stdout and stderr pass through untouched; what it wrote to
 * $PIPEMON_STATS_FILE is counted; a sink that is down (refusing, or hanging) neither fails
 * nor holds the job longer than the sink timeout per phase, and is one warning line.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, stopAll } from "../live/processes.js";
import { PIPEMON_BIN } from "../support/cli.js";
import { startPushgateway, type Pushgateway } from "../support/pushgateway.js";

const work = mkdtempSync(join(tmpdir(), "pipemon-run-cli-"));
const specs = join(work, "specs");
let pgw: Pushgateway;

beforeAll(async () => {
  mkdirSync(specs);
  writeFileSync(join(specs, "pipemon.yaml"), [
    "apiVersion: pipemon/v1",
    "kind: Config",
    "channels:",
    '  oncall: { type: webhook, url: "${ONCALL_URL}", datadog: "@webhook-oncall" }',
    "routing: { critical: [oncall], high: [oncall], medium: [oncall], low: [oncall] }",
    "defaults: { targets: [prometheus] }",
    "",
  ].join("\n"));
  for (const name of ["nightly-load", "signal-load", "stats-load", "down-load", "killed-load"]) {
    writeFileSync(join(specs, `${name}.yaml`), [
      "apiVersion: pipemon/v1",
      "kind: Pipeline",
      `metadata: { name: ${name}, team: data }`,
      'spec: { type: batch, schedule: "0 2 * * *", sla: { maxDuration: 1h, freshness: 1d }, thresholds: { minRecords: 100 } }',
      "",
    ].join("\n"));
  }
  pgw = await startPushgateway();
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Called with the running pipemon once the job printed `ready`. */
  onReady?: (pid: number) => void;
}

function pipemonRun(args: string[], opts: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, [PIPEMON_BIN, "--specs", specs, "run", ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", PIPEMON_PUSHGATEWAY_URL: pgw.url, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let ready = false;
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      if (!ready && stdout.includes("ready\n")) {
        ready = true;
        opts.onReady?.(child.pid!);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.end(opts.stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - began });
    });
  });
}

const labels = (pipeline: string, extra: Record<string, string> = {}) => ({ job: "pipemon", pipeline, ...extra });

describe("pipemon run passes the job through", () => {
  it("exit codes, stdout and stderr untouched; each run counted by outcome", async () => {
    for (const code of [0, 3, 255]) {
      const r = await pipemonRun(["nightly-load", "--", "sh", "-c", `echo out; echo err >&2; exit ${code}`]);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("out\n");
      expect(r.stderr).toBe("err\n");
    }
    expect(await pgw.value("pipeline_runs_total", labels("nightly-load", { status: "success" }))).toBe(1);
    expect(await pgw.value("pipeline_runs_total", labels("nightly-load", { status: "failed" }))).toBe(2);
    expect(await pgw.value("pipeline_run_in_progress", labels("nightly-load"))).toBe(0);
    expect(await pgw.value("pipeline_last_failure_timestamp_seconds", labels("nightly-load"))).toBeGreaterThan(await pgw.value("pipeline_last_success_timestamp_seconds", labels("nightly-load")) ?? Infinity);
  });

  it("stdin reaches the job", async () => {
    const r = await pipemonRun(["nightly-load", "--", "cat"], { stdin: "line one\nline two\n" });
    expect(r).toMatchObject({ code: 0, stdout: "line one\nline two\n", stderr: "" });
  });

  it("SIGTERM, SIGINT and SIGHUP sent to pipemon reach the job; pipemon exits as the job does", async () => {
    for (const [sig, code] of [["SIGTERM", 7], ["SIGINT", 8], ["SIGHUP", 9]] as const) {
      const trap = `trap 'echo got ${sig.slice(3)}; exit ${code}' ${sig.slice(3)}; echo ready; while :; do sleep 0.05; done`;
      const r = await pipemonRun(["signal-load", "--", "sh", "-c", trap], { onReady: (pid) => process.kill(pid, sig) });
      expect(r.stdout).toBe(`ready\ngot ${sig.slice(3)}\n`);
      expect(r.code, sig).toBe(code);
    }
    expect(await pgw.value("pipeline_runs_total", labels("signal-load", { status: "failed" }))).toBe(3);
  });

  it("a job killed by a signal kills pipemon with the same signal", async () => {
    const killed = await pipemonRun(["signal-load", "--", "sh", "-c", "kill -KILL $$"]);
    expect(killed).toMatchObject({ code: null, signal: "SIGKILL" });
    // No trap: the forwarded SIGINT ends the job, and pipemon re-raises it.
    const interrupted = await pipemonRun(["signal-load", "--", "sh", "-c", "echo ready; exec sleep 30"], { onReady: (pid) => process.kill(pid, "SIGINT") });
    expect(interrupted).toMatchObject({ code: null, signal: "SIGINT" });
    expect(interrupted.ms).toBeLessThan(20_000);
  });

  it("a command that cannot start is the shell's 127, counted as a failed run", async () => {
    const r = await pipemonRun(["nightly-load", "--", "no-such-command-pipemon"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe("pipemon: warning: cannot run 'no-such-command-pipemon': command not found\n");
  });
});

describe("what the job reports", () => {
  it("sums $PIPEMON_STATS_FILE lines and --records, warns once per bad line", async () => {
    const job = [
      'echo \'{"records_processed": 700, "bytes_processed": 1024}\' >> "$PIPEMON_STATS_FILE"',
      'echo \'{"records_processed": 50, "records_failed": 2, "errors": {"timeout": 2, "schema": 1}}\' >> "$PIPEMON_STATS_FILE"',
      'echo \'{"records_processed": "many"}\' >> "$PIPEMON_STATS_FILE"',
    ].join("; ");
    const r = await pipemonRun(["stats-load", "--records", "25", "--", "sh", "-c", job]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('pipemon: warning: PIPEMON_STATS_FILE line 3: records_processed must be a whole number >= 0, got "many"; line ignored\n');
    expect(await pgw.value("pipeline_records_processed_total", labels("stats-load"))).toBe(775);
    expect(await pgw.value("pipeline_records_failed_total", labels("stats-load"))).toBe(2);
    expect(await pgw.value("pipeline_bytes_processed_total", labels("stats-load"))).toBe(1024);
    expect(await pgw.value("pipeline_errors_total", labels("stats-load", { error_type: "timeout" }))).toBe(2);
    expect(await pgw.value("pipeline_errors_total", labels("stats-load", { error_type: "schema" }))).toBe(1);
    // A second run adds to the counters.
    await pipemonRun(["stats-load", "--", "sh", "-c", 'echo \'{"records_processed": 5}\' >> "$PIPEMON_STATS_FILE"']);
    expect(await pgw.value("pipeline_records_processed_total", labels("stats-load"))).toBe(780);
    expect(await pgw.value("pipeline_errors_total", labels("stats-load", { error_type: "timeout" }))).toBe(2);
  });

  it("a busy job's peak CPU shows in the CPU ratio", async () => {
    const r = await pipemonRun(["stats-load", "--", process.execPath, "-e", "const t = Date.now(); while (Date.now() - t < 1500);"]);
    expect(r.code).toBe(0);
    // One busy thread out of the CPUs available: well above idle, at most 1.
    expect(await pgw.value("pipeline_cpu_usage_ratio", labels("stats-load"))).toBeGreaterThan(0.1);
    expect(await pgw.value("pipeline_memory_usage_ratio", labels("stats-load"))).toBeGreaterThan(0);
  });

  it("killing pipemon itself (SIGKILL) leaves the run in progress with its start time", async () => {
    const before = Date.now() / 1000;
    const r = await pipemonRun(["killed-load", "--", "sh", "-c", "echo $$ > job.pid; echo ready; exec sleep 30"], {
      onReady: (pid) => {
        process.kill(pid, "SIGKILL");
        // The orphaned job holds pipemon's stdout open: it is this test's to end.
        process.kill(Number(readFileSync(join(work, "job.pid"), "utf8")), "SIGKILL");
      },
    });
    expect(r.signal).toBe("SIGKILL");
    expect(await pgw.value("pipeline_run_in_progress", labels("killed-load"))).toBe(1);
    expect(await pgw.value("pipeline_run_start_timestamp_seconds", labels("killed-load"))).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await pgw.value("pipeline_runs_total", labels("killed-load", { status: "failed" }))).toBe(0);
  });
});

describe("a sink that is down", () => {
  let hanging: Server;
  const sockets: Socket[] = [];
  let hangingUrl = "";
  beforeAll(async () => {
    // Accepts connections and never answers.
    hanging = createNetServer((s) => sockets.push(s));
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => hanging.close(() => r()));
  });

  it("refusing connections: the job runs and exits as usual, one warning line", async () => {
    const refused = `http://127.0.0.1:${await freePort()}`;
    const r = await pipemonRun(["down-load", "--", "sh", "-c", "echo out; exit 4"], { env: { PIPEMON_PUSHGATEWAY_URL: refused } });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe(`pipemon: warning: pushgateway ${refused}: connection refused; the run was not reported (the job itself is unaffected)\n`);
  });

  it("hanging: each phase gives up after the sink timeout, one warning line", async () => {
    const timeoutMs = 1000;
    const r = await pipemonRun(["down-load", "--sink-timeout", "1s", "--", "sh", "-c", "echo out"], { env: { PIPEMON_PUSHGATEWAY_URL: hangingUrl } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe(`pipemon: warning: pushgateway ${hangingUrl}: no answer within 1s; the run was not reported (the job itself is unaffected)\n`);
    // It did wait (the server hangs), and no longer than the timeout per phase (+ start-up).
    expect(r.ms).toBeGreaterThanOrEqual(2 * timeoutMs);
    expect(r.ms).toBeLessThan(2 * timeoutMs + 3000);
  });

  it("PIPEMON_SINK_TIMEOUT sets the timeout when the flag does not", async () => {
    const r = await pipemonRun(["down-load", "--", "true"], { env: { PIPEMON_PUSHGATEWAY_URL: hangingUrl, PIPEMON_SINK_TIMEOUT: "300ms" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no answer within 0.3s");
    expect(r.ms).toBeLessThan(600 + 3000);
  });
});

describe("mistakes in the invocation stop before the job starts", () => {
  it.each([
    [["no-such-pipeline", "--", "touch", "started"], /^pipemon run: no pipeline named 'no-such-pipeline' in .*specs\/ \(pipelines: down-load, killed-load, nightly-load, signal-load, stats-load\); the job was not started\n$/],
    [["nightly-load", "--env", "prod", "--", "touch", "started"], /error: unknown environment 'prod': the config declares no environments[\s\S]*the job was not started\n$/],
    [["nightly-load", "--records", "-3", "--", "touch", "started"], /error: option '--records <n>' argument '-3' is invalid\. expected a whole number >= 0, like 1200/],
    [["nightly-load", "--sink-timeout", "soon", "--", "touch", "started"], /argument 'soon' is invalid\. expected a duration like 2s or 500ms/],
  ])("%j", async (args, message) => {
    const r = await pipemonRun(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(work, "started"))).toBe(false);
  });
});
