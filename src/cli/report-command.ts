/**
 * `pipemon report [--since 30d] [--until T] [--env E] [--select S]... [--suggest] [--format text|markdown|json|html]`:
 * the performance analysis of each pipeline from its history in a Prometheus-compatible store
 * (src/app/report.ts), printed to stdout in the chosen format. Exit 0 when the report was
 * made (bottlenecks are findings, not failures); 1 on invalid specs, a --select that matches
 * nothing, or a query API that cannot answer completely.
 */
import { Option, type Command } from "commander";
import { periodOptions, resolvePeriod, type TimeSpec } from "./history-options.js";
import { summarise } from "./diagnostics.js";
import { selectOption } from "./options.js";
import { EXIT_ERROR, err, print, printDiagnostics } from "./output.js";

type Format = "text" | "markdown" | "json" | "html";

export function registerReportCommand(cli: Command): void {
  selectOption(
    periodOptions(
      cli
        .command("report")
        .description("performance report per pipeline from its history (runs, durations, freshness, volume, peaks), bottlenecks flagged against the spec's thresholds"),
      // The period is read as backtest reads it, so both commands can be pointed at the same one.
      "30d",
    )
      .option("--env <name>", "only this environment"),
  )
    .option("--suggest", "propose thresholds from the history, with how often each would have paged")
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json", "html"]).default("text"))
    .action(async (opts: { since: TimeSpec; until?: number; env?: string; select: string[]; suggest?: boolean; format: Format }) => {
      const { report } = await import("../app/report.js");
      const root = cli.opts<{ specs: string }>().specs;
      const period = resolvePeriod(opts);
      if ("problem" in period) {
        err(`pipemon report: ${period.problem}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const { since, until } = period;
      const result = await report({
        root,
        select: opts.select,
        since,
        until,
        suggest: opts.suggest === true,
        charts: opts.format === "html",
        env: (name) => process.env[name],
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
      });
      printDiagnostics(result.load);
      if (!result.document) {
        err(result.problem !== undefined ? `pipemon report: ${result.problem}` : `${summarise(result.load.diagnostics)}: no report was made`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const doc = result.document;
      // The renderers load here, not with the CLI: every other command starts without them.
      let text: string;
      if (opts.format === "html") {
        const [{ renderReportHtml }, { uplotAssets }] = await Promise.all([import("../history/report-html.js"), import("../lib/uplot-assets.js")]);
        text = renderReportHtml(doc, result.charts ?? [], uplotAssets());
      } else {
        const { renderReportJson, renderReportMarkdown, renderReportText } = await import("../history/report-render.js");
        text = opts.format === "json" ? renderReportJson(doc) : opts.format === "markdown" ? renderReportMarkdown(doc) : renderReportText(doc);
      }
      print(text);
    });
}

