/**
 * `pipemon test [--env E] [--select name|team:x] [--keep DIR] [-v]`: run the generated
 * promtool unit tests of the specs' alerts and print, per pipeline, what passed and, for every
 * failed case, which alert and level, what the case proves and what promtool saw.
 * Exit 0 when every case passed; 1 on a failed case, invalid specs or a missing promtool.
 */
import type { Command } from "commander";
import type { AlertCaseResult, TestAlertsResult } from "../app/test-alerts.js";
import { plural } from "./diagnostics.js";
import { EXIT_ERROR, err, out, reportLoad } from "./output.js";
import { styleFor } from "./style.js";
import { selectOption } from "./options.js";


const where = (c: { environment?: string; pipeline: string }): string => (c.environment !== undefined ? `${c.environment}/${c.pipeline}` : c.pipeline);

/** The report: one line per pipeline, every failed case in full, skipped alerts with why. */
export function renderTestReport(result: TestAlertsResult, style = styleFor(process.stdout), verbose = false): string[] {
  const lines: string[] = [];
  const groups = new Map<string, AlertCaseResult[]>();
  for (const c of result.cases) {
    const key = where(c);
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  for (const [key, cases] of groups) {
    const failed = cases.filter((c) => !c.ok);
    const mark = failed.length === 0 ? style.green("✓") : style.red("✗");
    const alerts = new Set(cases.map((c) => c.alert)).size;
    lines.push(`${mark} ${key}: ${plural(alerts, "alert")}, ${cases.length - failed.length}/${cases.length} cases passed`);
    for (const c of verbose ? cases : failed) {
      lines.push(`    ${c.ok ? style.green("pass") : style.red("FAIL")} ${c.alert} — ${c.title}`);
      if (!c.ok && c.failure) for (const l of c.failure.split("\n")) lines.push(`        ${l}`);
    }
  }
  for (const s of result.skipped) lines.push(`${style.yellow("-")} ${where(s)}: ${s.alert}${s.level ? ` ${s.level}` : ""} not tested: ${s.reason}`);
  return lines;
}

export function registerTestCommand(cli: Command): void {
  selectOption(
    cli
      .command("test")
      .description("prove the alerts fire as specified: generate promtool unit tests from the thresholds and run them")
      .option("--env <name>", "only this environment"),
  )
    .option("--keep <dir>", "write the generated rules and unit tests to this directory and keep them")
    .option("-v, --verbose", "list every case, not only the failed ones")
    .action(async (opts: { env?: string; select: string[]; keep?: string; verbose?: boolean }) => {
      const { testAlerts, PROMTOOL_INSTALL_HINT } = await import("../app/test-alerts.js");
      const root = cli.opts<{ specs: string }>().specs;
      const result = await testAlerts({
        root,
        select: opts.select,
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
      });
      if (reportLoad(result.load, result.load.diagnostics.some((d) => d.severity === "error"), "nothing was tested")) return;
      if (!result.promtoolFound) {
        err(`pipemon: ${PROMTOOL_INSTALL_HINT}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const style = styleFor(process.stdout);
      for (const line of renderTestReport(result, style, opts.verbose === true)) out(line);
      for (const s of result.unmatched) err(`pipemon: --select ${s} matches no pipeline`);
      const failed = result.cases.filter((c) => !c.ok).length;
      const summary = `${result.cases.length - failed} passed, ${failed} failed, ${result.skipped.length} skipped (${plural(result.pipelineCount, "pipeline")})`;
      if (result.ok) out(`${style.green("✓")} ${summary}`);
      else {
        err(`${style.red("✗")} ${summary}${result.cases.length === 0 ? ": no case was run" : ""}`);
        process.exitCode = EXIT_ERROR;
      }
    });
}
