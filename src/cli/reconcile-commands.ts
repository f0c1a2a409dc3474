/**
 * `pipemon plan` and `pipemon apply`: parse options, call the use case, print its typed
 * result, set the exit code (0 ok; 1 error; 2 changes present with --detailed-exitcode).
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { ApplyResult } from "../app/apply.js";
import type { Outcome } from "../app/execute.js";
import { differs, hasChanges } from "../plan/compute.js";
import type { PlanDocument } from "../plan/document.js";
import { renderJson, renderMarkdown, renderText, summaryLine } from "../plan/render.js";
import type { TargetName } from "../plan/resource.js";
import { plural, summarise } from "./diagnostics.js";
import { selectOption } from "./options.js";
import { EXIT_CHANGES, EXIT_ERROR, err, out, print, printDiagnostics, scrubbedJson } from "./output.js";
import { progressFor } from "./progress.js";
import { styleFor } from "./style.js";

interface CommonOptions {
  env?: string;
  target?: TargetName;
  select: string[];
}


function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("must be a whole number from 1 to 64");
  return n;
}

function common(cmd: Command): Command {
  return selectOption(
    cmd.option("--env <name>", "only this environment (default: every environment of the config)").addOption(new Option("--target <target>", "only this target").choices(["grafana", "datadog"])),
  );
}

const envLookup = (name: string): string | undefined => process.env[name];

function baseOptions(root: string, opts: CommonOptions) {
  return {
    root,
    select: opts.select,
    env: envLookup,
    ...(opts.env !== undefined ? { environment: opts.env } : {}),
    ...(opts.target !== undefined ? { targets: [opts.target] } : {}),
  };
}

/**
 * Written whole or not at all: a half-written plan must never be applied. Returns why it
 * could not be written (a missing directory, no permission) instead of throwing.
 */
function writePlanFile(file: string, content: string): string | undefined {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, file);
    return undefined;
  } catch (e) {
    rmSync(tmp, { force: true });
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "its directory does not exist" : e instanceof Error ? e.message : String(e);
  }
}

export function registerReconcileCommands(cli: Command): void {
  const root = () => cli.opts<{ specs: string }>().specs;

  common(cli.command("plan"))
    .description("show what apply would change in live Grafana and Datadog (create / update / delete per resource)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .option("--out <file>", "also save the plan for `pipemon apply <file>`")
    .option("--adopt", "plan taking over resources that have a pipemon identity but no ownership marker")
    .option("--prune", "plan the deletes of pipemon-owned resources the specs no longer describe (without it they are listed as left in place, as apply leaves them)")
    .option("--detailed-exitcode", "exit 2 when live differs from the specs, resources left in place included (0: none, 1: error)")
    .option("-v, --verbose", "list unchanged resources too")
    .action(async (opts: CommonOptions & { format: "text" | "markdown" | "json"; out?: string; prune?: boolean; adopt?: boolean; detailedExitcode?: boolean; verbose?: boolean }) => {
      const { plan } = await import("../app/plan.js");
      const progress = progressFor(process.stderr, process.env);
      const result = await plan({ ...baseOptions(root(), opts), prune: opts.prune === true, adopt: opts.adopt === true, progress }).finally(() => progress.close());
      printDiagnostics(result.load);
      if (!result.document || !result.saved) {
        err(result.error !== undefined ? `pipemon: ${result.error}` : `${summarise(result.load.diagnostics)}: no plan was made`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const unwritable = opts.out ? writePlanFile(opts.out, `${JSON.stringify(scrubbedJson(result.saved), null, 2)}\n`) : undefined;
      if (unwritable !== undefined) {
        err(`pipemon: cannot save the plan to ${opts.out}: ${unwritable}`);
        process.exitCode = EXIT_ERROR;
        return;
      }
      const doc = result.document;
      if (opts.format === "json") print(renderJson(scrubbedJson(doc)));
      else if (opts.format === "markdown") print(renderMarkdown(doc));
      else print(renderText(doc, styleFor(process.stdout), { verbose: opts.verbose === true }));
      if (opts.out && opts.format === "text") out(`Saved the plan to ${opts.out}: apply it with pipemon apply ${opts.out}`);
      if (opts.detailedExitcode && differs(doc.summary)) process.exitCode = EXIT_CHANGES;
    });

  common(cli.command("apply"))
    .description("make live Grafana and Datadog match the specs (or carry out a saved plan)")
    .argument("[plan]", "a plan saved with pipemon plan --out; refused if live state changed since")
    .option("--prune", "also delete pipemon-owned resources the specs no longer describe")
    .option("--adopt", "take over resources that have a pipemon identity but no ownership marker")
    .option("--rotate-secrets", "re-send every contact point so rotated secret values reach Grafana")
    .option("--yes", "do not ask for confirmation (required when not on a terminal)")
    .option("--force-unlock", "take the apply lock even though another apply holds it (only when none is running)")
    .option("--concurrency <n>", "requests in flight per target", positiveInt, 8)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (planFile: string | undefined, opts: CommonOptions & { prune?: boolean; adopt?: boolean; rotateSecrets?: boolean; forceUnlock?: boolean; yes?: boolean; concurrency: number; format: "text" | "json" }) => {
      const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
      if (planFile === undefined && !opts.yes && !interactive) {
        err("pipemon: apply is not on a terminal: pass --yes to apply without confirmation, or apply a reviewed plan (pipemon plan --out plan.json, then pipemon apply plan.json)");
        process.exitCode = EXIT_ERROR;
        return;
      }
      if (planFile !== undefined && (opts.env !== undefined || opts.target !== undefined || opts.select.length > 0 || opts.rotateSecrets || opts.prune || opts.adopt)) {
        err("pipemon: a saved plan already fixes what is applied: drop --env, --target, --select, --prune, --adopt and --rotate-secrets, or make a new plan (pipemon plan --prune --adopt --out FILE records deletes and take-overs)");
        process.exitCode = EXIT_ERROR;
        return;
      }
      const { apply } = await import("../app/apply.js");
      const style = styleFor(process.stdout);
      const progress = progressFor(process.stderr, process.env);
      const result = await apply({
        progress,
        onInterrupt: (graceMs) => progress.note(`pipemon: interrupted: starting nothing more; waiting up to ${Math.round(graceMs / 1000)} s for the requests in flight (interrupt again to stop now)`),
        ...baseOptions(root(), opts),
        ...(planFile !== undefined ? { planFile } : {}),
        prune: opts.prune === true,
        adopt: opts.adopt === true,
        rotateSecrets: opts.rotateSecrets === true,
        forceUnlock: opts.forceUnlock === true,
        concurrency: opts.concurrency,
        ...(planFile === undefined && !opts.yes ? { confirm: (doc: PlanDocument) => confirm(doc, opts.prune === true) } : {}),
      }).finally(() => progress.close());
      if (result.load) printDiagnostics(result.load);
      if (opts.format === "json") print(`${JSON.stringify(scrubbedJson({ summary: result.document?.summary ?? null, outcomes: result.outcomes, refused: result.refused ?? [], error: result.error ?? null, warnings: result.warnings ?? [], requests: result.stats.toJSON() }), null, 2)}\n`);
      else printApply(result, style);
      for (const w of result.warnings ?? []) err(`pipemon: warning: ${w}`);
      // Anything but "yes" at the prompt is a "no": nothing was applied, and a script must see it.
      if (result.aborted || result.error !== undefined || result.refused || (result.load && !result.document && !result.error) || result.outcomes.some((o) => o.status === "failed")) process.exitCode = EXIT_ERROR;
      if (result.interrupted) {
        // Requests abandoned after the grace period may still hold sockets open: leave now.
        process.exit(result.interrupted === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM);
      }
    });
}

/** 128 + the signal's number, as shells report a process killed by it. */
const EXIT_SIGINT = 130;
const EXIT_SIGTERM = 143;

/**
 * Only `yes` applies. End of input (Ctrl-D) is a no; Ctrl-C at the prompt (which readline
 * receives as a key, not a signal) is passed on as the SIGINT it means: apply gives its
 * locks back and exits 130.
 */
async function confirm(doc: PlanDocument, prune: boolean): Promise<boolean> {
  // Nothing to confirm: the apply summary says "No changes." (once).
  if (!hasChanges(doc.summary)) return true;
  print(renderText(doc, styleFor(process.stdout)));
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once("close", () => resolve(undefined));
      // Left unanswered: apply's SIGINT handling gives the locks back and exits 130.
      rl.once("SIGINT", () => process.kill(process.pid, "SIGINT"));
      rl.question(`\nApply these changes${prune ? " (including deletes)" : ""}? Only 'yes' is accepted: `).then(resolve, () => resolve(undefined));
    });
    return answer?.trim() === "yes";
  } finally {
    rl.close();
  }
}

function outcomeLine(o: Outcome): string {
  return `${o.kind} ${o.key}${o.environment ? ` (${o.environment})` : ""}: ${o.action}${o.reason ? ` — ${o.reason}` : ""}`;
}

function printApply(result: ApplyResult, style: ReturnType<typeof styleFor>): void {
  if (result.error !== undefined) {
    err(`pipemon: ${result.error}`);
    err("nothing was changed");
    return;
  }
  if (result.refused) {
    err(`pipemon: the saved plan is stale; nothing was changed. ${plural(result.refused.length, "resource")} moved since it was made:`);
    for (const r of result.refused) err(`  ${r}`);
    err("make a new plan (pipemon plan --out FILE), review it, and apply that");
    return;
  }
  if (!result.document) {
    if (result.load) err(`${summarise(result.load.diagnostics)}: nothing was changed`);
    return;
  }
  if (result.aborted) {
    err("Apply cancelled (only 'yes' applies); nothing was changed.");
    return;
  }
  const by = (s: Outcome["status"]) => result.outcomes.filter((o) => o.status === s);
  const applied = by("applied");
  const failed = by("failed");
  const skipped = by("skipped");
  const notStarted = by("not-started");
  const symbol: Record<string, string> = { create: "+", update: "~", delete: "-", unowned: "!", "no-op": " " };
  for (const o of applied) out(`  ${style.green(`${symbol[o.action] ?? "~"} ${o.kind} ${o.key}`)}${o.environment ? style.dim(` (${o.environment})`) : ""} ${style.dim(o.action === "create" ? "created" : o.action === "delete" ? "deleted" : "updated")}`);
  for (const o of skipped) out(`  ${style.yellow(`skipped ${outcomeLine(o)}`)}`);
  for (const o of failed) err(`  ${style.red(`failed  ${outcomeLine(o)}`)}`);
  for (const o of notStarted) err(`  ${style.yellow(`not started ${outcomeLine(o)}`)}`);
  const line = `${result.interrupted ? `Apply interrupted (${result.interrupted})` : "Apply"}: ${applied.length} applied, ${failed.length} failed, ${skipped.length} skipped${notStarted.length > 0 ? `, ${notStarted.length} not started` : ""} (${plural(result.stats.total, "request")}).`;
  if (result.interrupted) {
    err(style.red(line));
    err("what is listed as applied is live; re-run pipemon apply to converge the rest");
  } else if (failed.length > 0) {
    err(style.red(line));
    err("what is listed as applied is live; re-run pipemon apply to converge the rest");
  } else {
    out(style.bold(applied.length === 0 && skipped.length === 0 ? summaryLine(result.document.summary) : line));
  }
}
