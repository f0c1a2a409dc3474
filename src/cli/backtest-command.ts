/**
 * `pipemon backtest [--since 7d] [--until T] [--env E] [--select S]... [--base GIT_REF]
 * [--format text|markdown|json]`: the generated rules evaluated over a past period on the
 * Prometheus-compatible query API (src/app/backtest.ts). Exit 0 with the result, 1 with one
 * line when the specs, the ref, the settings or the server do not allow a complete answer.
 */
import { Option, type Command } from "commander";
import { BACKTEST_FORMATS, renderBacktest, type BacktestFormat } from "../history/render-backtest.js";
import { EXIT_ERROR, err, print, printDiagnostics } from "./output.js";
import { periodOptions, resolvePeriod, type TimeSpec } from "./history-options.js";
import { selectOption } from "./options.js";

export function registerBacktestCommand(cli: Command): void {
  selectOption(
    periodOptions(
      cli
        .command("backtest")
        .description("evaluate the generated alert rules over past metrics: per pipeline, alert and severity, the episodes, the time firing and the channels paged"),
      "7d",
    )
      .option("--env <name>", "the environment (required when the config declares environments)")
      .option("--base <git-ref>", "also compile the specs at this git ref and show each alert before → after (only the pipelines whose rules changed)"),
  )
    .addOption(new Option("--format <format>", "output format").choices([...BACKTEST_FORMATS]).default("text"))
    .action(async (opts: { since: TimeSpec; until?: number; env?: string; select: string[]; base?: string; format: BacktestFormat }) => {
      const { backtest } = await import("../app/backtest.js");
      const root = cli.opts<{ specs: string }>().specs;
      const period = resolvePeriod(opts);
      if ("problem" in period) {
        err(`pipemon backtest: ${period.problem}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const { since, until } = period;
      const outcome = await backtest({
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
