/**
 * `pipemon preview [--out DIR] [--prometheus URL] [--since 6h] [--png] [--env E]`: write the
 * static preview site (DESIGN §11): every dashboard drawn with its thresholds, from a
 * Prometheus or from synthetic series, with each pipeline's alerts and routing.
 */
import type { Command } from "commander";
import { parseDuration } from "../lib/duration.js";
import { plural } from "./diagnostics.js";
import { EXIT_ERROR, err, out, reportLoad } from "./output.js";
import { styleFor } from "./style.js";

/** The longest window a preview draws: beyond it a range query is thousands of points per series. */
const MAX_SINCE_SECONDS = 90 * 86400;

interface PreviewFlags {
  out: string;
  prometheus?: string;
  since: string;
  png?: boolean;
  env?: string;
}

export function registerPreviewCommand(cli: Command): void {
  cli
    .command("preview")
    .description("write a static site that draws every dashboard with its thresholds, alerts and routing (opens from disk)")
    .option("--out <dir>", "output directory", "preview")
    .option("--prometheus <url>", "draw live data from this Prometheus (range queries) instead of synthetic series")
    .option("--since <duration>", "the window the panels show", "6h")
    .option("--png", "also write one PNG per dashboard (headless Chromium: Debian package 'chromium')")
    .option("--env <name>", "only this environment")
    .action(async (flags: PreviewFlags) => {
      const sinceSeconds = parseDuration(flags.since);
      if (sinceSeconds === undefined || sinceSeconds <= 0 || sinceSeconds > MAX_SINCE_SECONDS) {
        err(`pipemon: --since ${JSON.stringify(flags.since)} is not a duration between 1s and 90d (e.g. 6h, 2d)`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const { preview, prometheusQueryRange, OutputRefusal, PreviewFailure } = await import("../app/preview.js");
      const { chromiumPath } = await import("../app/preview-browser.js");
      const root = cli.opts<{ specs: string }>().specs;
      let result: Awaited<ReturnType<typeof preview>>;
      try {
        const live = flags.prometheus !== undefined ? { ...prometheusQueryRange(flags.prometheus), now: Math.floor(Date.now() / 1000) } : undefined;
        result = await preview({
          root,
          out: flags.out,
          sinceSeconds,
          ...(flags.env !== undefined ? { environment: flags.env } : {}),
          ...(live ? { live } : {}),
          ...(flags.png ? { png: { chromium: chromiumPath() } } : {}),
        });
      } catch (e) {
        if (!(e instanceof OutputRefusal) && !(e instanceof PreviewFailure)) throw e;
        err(`pipemon: ${e.message}; nothing was written`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      reportLoad(result.load, !result.tree, "nothing was written");
      if (!result.tree) return;
      const style = styleFor(process.stdout);
      for (const f of result.failedQueries) err(`  ${style.yellow("query failed")} ${flags.out}/${f.page} "${f.panel}": ${f.error}`);
      const changed = result.tree.changes.length;
      const images = result.images ? `, ${plural(result.images, "image")}` : "";
      out(`${style.green("✓")} ${flags.out}/: ${plural(result.dashboards, "dashboard")}${images}, ${flags.prometheus !== undefined ? "live data" : "synthetic data"} (${changed} ${changed === 1 ? "file" : "files"} changed, ${result.tree.unchanged} unchanged)`);
      out(`  open ${flags.out}/index.html`);
      if (result.failedQueries.length) process.exitCode = EXIT_ERROR;
    });
}
