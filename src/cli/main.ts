/**
 * The pipemon command line: parses arguments, calls a use case, prints its typed result and
 * sets the exit code. The only place that prints or exits (0 ok, 1 error, 2 changes present).
 */
import { readFileSync, statSync } from "node:fs";
import { Command, Option } from "commander";
import { plural, summarise } from "./diagnostics.js";
import { scrubSecrets } from "../lib/scrub.js";
import { DEFAULT_OUT } from "../app/output-layout.js";
import { EXIT_ERROR, err, out, print, printDiagnostics, reportLoad } from "./output.js";
import { registerPreviewCommand } from "./preview-command.js";
import { registerReconcileCommands } from "./reconcile-commands.js";
import { registerReportCommand } from "./report-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerBacktestCommand } from "./backtest-command.js";
import { registerTestCommand } from "./test-command.js";
import { registerInitCommand } from "./init-command.js";
import { registerCommentCommand } from "./comment-command.js";
import { registerCompletionCommand } from "./completion.js";
import { styleFor } from "./style.js";

const MAX_LISTED = 50;

/** A mistake in how pipemon was called, said in one line (exit 1). */
class UsageError extends Error {}

/** Commands that read no specs: init creates them, the others never look. */
const WITHOUT_SPECS = new Set(["init", "comment", "completion"]);

/**
 * pipemon's own version, from the package.json of the installed pipemon: the nearest one above
 * this module (dist/bundle/main.js, or src/cli/main.ts in tests) that names pipemon. Not
 * npm_package_version, nor the working directory's package.json: under `npx pipemon` or an npm
 * script of another project those are the host project's.
 */
function ownVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "pipemon" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json here (or not JSON): look one directory up.
    }
    if (new URL("..", dir).href === dir.href) return "unknown";
  }
}

/** Every command reads the specs directory: name a wrong --specs once, before any work. */
function checkSpecsDirectory(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`the specs directory '${dir}' does not exist: run pipemon from the repository root, or pass --specs DIR (the directory that holds pipemon.yaml)`);
  }
  if (!isDirectory) {
    throw new UsageError(`the specs directory '${dir}' is a file: pass --specs DIR, the directory that holds pipemon.yaml (to check one file: pipemon validate ${dir})`);
  }
}

function program(): Command {
  const cli = new Command("pipemon")
    .description("Monitoring-as-code for data pipelines: validate specs, generate Grafana and Datadog monitoring")
    .version(ownVersion())
    .option("--specs <dir>", "the specs directory (holds pipemon.yaml)", "specs")
    .hook("preAction", (root, action) => {
      if (!WITHOUT_SPECS.has(action.name())) checkSpecsDirectory(root.opts<{ specs: string }>().specs);
    })
    .showHelpAfterError("(run pipemon --help for usage)")
    .configureOutput({
      writeOut: (text) => print(text),
      writeErr: (text) => process.stderr.write(scrubSecrets(text)),
      outputError: (text, write) => write(styleFor(process.stderr).red(text)),
    });

  cli
    .command("validate")
    .description("check the specs and report every problem (file:line:col), exit 1 on any error")
    .argument("[paths...]", "spec files or directories (default: the specs directory)")
    .action(async (paths: string[]) => {
      // Use cases load lazily: `validate` never pays for the compilers and the Grafana SDK.
      const { validate } = await import("../app/validate.js");
      const root = cli.opts<{ specs: string }>().specs;
      const result = validate({ root, paths });
      printDiagnostics(result);
      if (!result.ok) {
        err(`${summarise(result.diagnostics)} in ${plural(result.fileCount, "file")}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const envs = result.environments.length ? ` (environments: ${result.environments.join(", ")})` : "";
      const warnings = result.diagnostics.length ? `, ${summarise(result.diagnostics)}` : "";
      out(`${styleFor(process.stdout).green("✓")} ${plural(result.pipelineCount, "pipeline")} in ${plural(result.fileCount, "file")} ${result.pipelineCount === 1 ? "is" : "are"} valid${envs}${warnings}`);
    });

  cli
    .command("generate")
    .description("compile the specs into generated/ (dashboards, alert rules, monitors, runbooks)")
    .option("--check", "write nothing; exit 1 and list the files that are stale")
    .option("--env <name>", "only this environment")
    .addOption(new Option("--out <dir>", "output directory").default(DEFAULT_OUT))
    .action(async (opts: { check?: boolean; env?: string; out: string }) => {
      const { generate, CompileFailure, OutputRefusal } = await import("../app/generate.js");
      const root = cli.opts<{ specs: string }>().specs;
      const check = opts.check === true;
      let result: Awaited<ReturnType<typeof generate>>;
      try {
        result = await generate({ root, out: opts.out, check, ...(opts.env !== undefined ? { environment: opts.env } : {}) });
      } catch (e) {
        // Both leave the output folder exactly as it was: say so in one line.
        if (e instanceof OutputRefusal) err(`pipemon: ${e.message}`);
        else if (e instanceof CompileFailure) {
          err(`pipemon: ${e.message}; nothing was written (this is a bug in pipemon: rerun with PIPEMON_DEBUG=1 for details and report it)`);
          if (process.env.PIPEMON_DEBUG) err(e.detail ?? e.stack ?? "");
        } else throw e;
        process.exitCode = EXIT_ERROR;
        return;
      }
      reportLoad(result.load, !result.tree, "nothing was written");
      if (!result.tree) return;
      const { changes, unchanged, unmanaged } = result.tree;
      const style = styleFor(process.stdout);
      // Files pipemon did not write are never deleted nor checked; naming them shows what a
      // reviewer may have expected generate to handle.
      for (const path of unmanaged.slice(0, MAX_LISTED)) out(`  kept    ${opts.out}/${path} (not written by pipemon)`);
      if (unmanaged.length > MAX_LISTED) out(`  … and ${unmanaged.length - MAX_LISTED} more files not written by pipemon, kept`);
      if (check) {
        if (changes.length === 0) {
          out(`${style.green("✓")} ${opts.out}/ is up to date (${unchanged} files)`);
          return;
        }
        err(`${opts.out}/ is stale: ${plural(changes.length, "file")} ${changes.length === 1 ? "differs" : "differ"} from the specs:`);
        for (const c of changes) err(`  ${c.change === "created" ? "missing " : c.change === "updated" ? "changed " : "extra   "} ${opts.out}/${c.path}`);
        err("run 'make generate' (pipemon generate) and commit the result");
        process.exitCode = EXIT_ERROR;
        return;
      }
      // A first generate of a large estate creates tens of thousands of files: list a screenful.
      for (const c of changes.slice(0, MAX_LISTED)) out(`  ${c.change === "created" ? style.green("created") : c.change === "updated" ? style.yellow("updated") : style.red("deleted")} ${opts.out}/${c.path}`);
      if (changes.length > MAX_LISTED) out(`  … and ${changes.length - MAX_LISTED} more (git status shows them all)`);
      const count = (k: string) => changes.filter((c) => c.change === k).length;
      out(`${style.green("✓")} ${result.fileCount} files: ${count("created")} created, ${count("updated")} updated, ${count("deleted")} deleted, ${unchanged} unchanged`);
    });

  registerReconcileCommands(cli);
  registerTestCommand(cli);
  registerRunCommand(cli);
  registerInitCommand(cli);
  registerCommentCommand(cli);
  registerCompletionCommand(cli);
  registerPreviewCommand(cli);
  registerBacktestCommand(cli);
  registerReportCommand(cli);
  return cli;
}

// `pipemon generate | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

try {
  // The documented credentials are secrets of every command; plan and apply add the config's.
  const { registerRunSecrets } = await import("../app/secrets.js");
  registerRunSecrets(undefined, (name) => process.env[name]);
  await program().parseAsync(process.argv);
} catch (e) {
  if (e instanceof UsageError) {
    err(`pipemon: ${e.message}`);
    process.exitCode = EXIT_ERROR;
  } else {
    reportUnexpected(e);
  }
}

function reportUnexpected(e: unknown): void {
  // A user never sees a stack trace; a developer can ask for one.
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM" || code === "ENOSPC" || code === "EROFS" || code === "ENOTDIR" || code === "EISDIR") {
    err(`pipemon: cannot write output: ${message}`);
  } else {
    err(`pipemon: internal error: ${message}`);
    err("this is a bug in pipemon; rerun with PIPEMON_DEBUG=1 for details and report it");
  }
  if (process.env.PIPEMON_DEBUG && e instanceof Error) err(e.stack ?? "");
  process.exitCode = EXIT_ERROR;
}
