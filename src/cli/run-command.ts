/**
 * `pipemon run <pipeline> [--env E] [--records N] [--sink-timeout D] -- <command> [args...]`:
 * runs a batch job and reports its run to the configured sinks (src/app/run.ts). pipemon's
 * exit is the job's: its exit code, or its signal re-raised (128+n where a signal cannot be
 * re-raised). Only a mistake in the invocation or the specs exits 1 before the job starts.
 */
import { constants } from "node:os";
import { InvalidArgumentError, type Command } from "commander";
import { parseDuration } from "../lib/duration.js";
import { EXIT_ERROR, err } from "./output.js";
import { renderDiagnostic } from "./diagnostics.js";
import { styleFor } from "./style.js";

const SINK_TIMEOUT_VARIABLE = "PIPEMON_SINK_TIMEOUT";

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError("expected a whole number >= 0, like 1200");
  return Number(value);
}

function parseTimeout(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError("expected a duration like 2s or 500ms");
  return seconds * 1000;
}

/** Ends pipemon as the job ended: same signal (so the caller sees the job killed), else 128+n. */
function exitLikeTheJob(code: number | null, signal: NodeJS.Signals | null): never {
  if (signal) {
    process.kill(process.pid, signal);
    // Still here: the signal is ignored or handled by Node (SIGPIPE): the shell's convention.
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
  process.exit(code ?? EXIT_ERROR);
}

export function registerRunCommand(cli: Command): void {
  cli
    .command("run")
    .description("run a batch job and report its run (outcome, duration, records, CPU, memory) to the Pushgateway and Datadog")
    .usage("<pipeline> [options] -- <command> [args...]")
    .argument("<pipeline>", "the pipeline's name in the specs")
    .argument("<command...>", "the job and its arguments, after --")
    .option("--env <name>", "the environment this job runs in (required when the config declares environments)")
    .option("--records <n>", "records processed, added to what the job writes to $PIPEMON_STATS_FILE", parseCount)
    .option("--sink-timeout <duration>", `longest wait for the sinks at the start and again at the end (default: $${SINK_TIMEOUT_VARIABLE}, else 2s)`, parseTimeout)
    .action(async (pipeline: string, command: string[], opts: { env?: string; records?: number; sinkTimeout?: number }) => {
      const { DEFAULT_SINK_TIMEOUT_MS, executeRun, prepareRun } = await import("../app/run.js");
      let sinkTimeoutMs = opts.sinkTimeout ?? DEFAULT_SINK_TIMEOUT_MS;
      const fromEnv = process.env[SINK_TIMEOUT_VARIABLE];
      if (opts.sinkTimeout === undefined && fromEnv) {
        const seconds = parseDuration(fromEnv);
        if (seconds === undefined) {
          err(`pipemon run: ${SINK_TIMEOUT_VARIABLE}=${JSON.stringify(fromEnv)} is not a duration: set it like 2s or 500ms`);
          process.exitCode = EXIT_ERROR;
          return;
        }
        sinkTimeoutMs = seconds * 1000;
      }
      const root = cli.opts<{ specs: string }>().specs;
      const prepared = prepareRun({
        root,
        pipeline,
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        ...(opts.records !== undefined ? { records: opts.records } : {}),
        command: command[0]!,
        args: command.slice(1),
        env: process.env,
        sinkTimeoutMs,
      });
      if (!prepared.ok) {
        // The job's stderr is the log of a scheduler: errors only, warnings are validate's job.
        const style = styleFor(process.stderr);
        for (const d of prepared.load?.diagnostics.filter((x) => x.severity === "error") ?? []) err(renderDiagnostic(d, prepared.load!.sources, style));
        err(`pipemon run: ${prepared.message}; the job was not started`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      for (const note of prepared.run.notes) err(`pipemon: warning: ${note}`);
      const result = await executeRun(prepared.run);
      for (const w of result.warnings) err(`pipemon: warning: ${w}`);
      exitLikeTheJob(result.code, result.signal);
    });
}
