/**
 * `pipemon backtest [--since 7d] [--until T] [--env E] [--select S]... [--base GIT_REF]
 * [--format text|markdown|json]`: the generated rules evaluated over a past period on the
 * Prometheus-compatible query API (src/app/backtest.ts). Exit 0 with the result, 1 with one
 * line when the specs, the ref, the settings or the server do not allow a complete answer.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseDuration } from "../lib/duration.js";
import { BACKTEST_FORMATS, renderBacktest, type BacktestFormat } from "../history/render-backtest.js";
import { EXIT_ERROR, err, print, printDiagnostics } from "./output.js";
import { selectOption } from "./options.js";

/** `7d`, `36h` (a length before --until), an ISO 8601 time, or unix seconds. */
export type TimeSpec = { ago: number } | { at: number };

function parseInstant(value: string): number | undefined {
  if (value === "now") return Date.now() / 1000;
  if (/^\d{9,11}(\.\d+)?$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

export function parseSince(value: string): TimeSpec {
  const seconds = parseDuration(value);
  if (seconds !== undefined && seconds > 0) return { ago: seconds };
  const at = parseInstant(value);
  if (at === undefined) throw new InvalidArgumentError("expected a duration like 7d or 36h, or a time like 2026-05-01T00:00:00Z");
  return { at };
}

export function parseUntil(value: string): number {
  const at = parseInstant(value);
  if (at !== undefined) return at;
  const seconds = parseDuration(value);
  // A duration here means that long ago: `--until 1d` ends the period yesterday at this time.
  if (seconds !== undefined) return Date.now() / 1000 - seconds;
  throw new InvalidArgumentError("expected a time like 2026-05-08T00:00:00Z, unix seconds, now, or a duration ago like 1d");
}

export function registerBacktestCommand(cli: Command): void {
  selectOption(
    cli
      .command("backtest")
      .description("evaluate the generated alert rules over past metrics: per pipeline, alert and severity, the episodes, the time firing and the channels paged")
      .addOption(new Option("--since <when>", "start of the period: a duration before --until (7d) or a time").argParser(parseSince).default({ ago: 7 * 86400 } as TimeSpec, "7d"))
      .addOption(new Option("--until <when>", "end of the period: a time, unix seconds or now").argParser(parseUntil).default(undefined, "now"))
      .option("--env <name>", "the environment (required when the config declares environments)")
      .option("--base <git-ref>", "also compile the specs at this git ref and show each alert before → after (only the pipelines whose rules changed)"),
  )
    .addOption(new Option("--format <format>", "output format").choices([...BACKTEST_FORMATS]).default("text"))
    .action(async (opts: { since: TimeSpec; until?: number; env?: string; select: string[]; base?: string; format: BacktestFormat }) => {
      const { backtest } = await import("../app/backtest.js");
      const root = cli.opts<{ specs: string }>().specs;
      // Whole seconds: the evaluation grid is aligned to the rule interval anyway.
      const until = Math.floor(opts.until ?? Date.now() / 1000);
      const since = Math.floor("ago" in opts.since ? until - opts.since.ago : opts.since.at);
      // A store with more cores than a laptop's Prometheus answers more queries at once.
      const concurrency = Number(process.env.PIPEMON_QUERY_CONCURRENCY);
      const outcome = await backtest({
        ...(Number.isInteger(concurrency) && concurrency > 0 ? { queryApi: { concurrency } } : {}),
        root,
        since,
        until,
        selectors: opts.select,
        env: (name) => process.env[name],
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        ...(opts.base !== undefined ? { base: opts.base } : {}),
      });
      if (!outcome.ok) {
        if (outcome.load) printDiagnostics(outcome.load);
        err(`pipemon backtest: ${outcome.message}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      print(renderBacktest(outcome.result, opts.format));
    });
}
