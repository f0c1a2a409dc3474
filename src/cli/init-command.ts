/**
 * `pipemon init [--force]`: scaffold the config, an example pipeline and the CI workflow in
 * the current repository. Exit 1, writing nothing, when one of those files exists and --force
 * was not given.
 */
import type { Command } from "commander";
import { EXIT_ERROR, err, out } from "./output.js";
import { styleFor } from "./style.js";

export function registerInitCommand(cli: Command): void {
  cli
    .command("init")
    .description("scaffold a repository: specs/pipemon.yaml, an example pipeline and the CI workflow of the pull-request loop")
    .option("--force", "overwrite those files when they exist")
    .action(async (opts: { force?: boolean }) => {
      const { init, InitRefusal, InitWriteError } = await import("../app/init.js");
      const specs = cli.opts<{ specs: string }>().specs;
      let result: ReturnType<typeof init>;
      try {
        result = init({ cwd: process.cwd(), specs, force: opts.force === true });
      } catch (e) {
        if (e instanceof InitWriteError) {
          err(`pipemon: ${e.message}; init wrote nothing`);
          process.exitCode = EXIT_ERROR;
          return;
        }
        if (!(e instanceof InitRefusal)) throw e;
        for (const path of e.existing) err(`pipemon: ${path} exists`);
        err(`pipemon: init wrote nothing: pass --force to overwrite ${e.existing.length === 1 ? "it" : "them"}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const style = styleFor(process.stdout);
      for (const path of result.written) out(`  ${result.overwritten.includes(path) ? style.yellow("overwrote") : style.green("created")} ${path}`);
      out(`${style.green("✓")} next: npx pipemon generate, then commit ${specs}/, generated/ and the workflow;`);
      out("  set the repository secrets the config references (GRAFANA_URL, GRAFANA_TOKEN, ...) for plan and apply");
    });
}
