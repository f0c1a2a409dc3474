/**
 * Where the CLI writes: results to stdout, problems to stderr; exit codes in one place. Every
 * byte goes through the run's scrubber (src/lib/scrub.ts): whatever a server echoed, a
 * secret of this run never reaches the terminal, a CI log or a file.
 */
import { runSecrets, scrubSecrets } from "../lib/scrub.js";
import { excerptLines } from "../spec/diagnostics.js";
import type { LoadResult } from "../spec/index.js";
import { plural, renderDiagnostic, summarise } from "./diagnostics.js";
import { styleFor } from "./style.js";

export const EXIT_ERROR = 1;
/** `--detailed-exitcode`: success, and the plan has changes. */
export const EXIT_CHANGES = 2;

/** Text to stdout as it is (a rendered plan): scrubbed, no newline added. */
export const print = (text: string): void => {
  process.stdout.write(scrubSecrets(text));
};
export const out = (line = ""): void => {
  print(`${line}\n`);
};
export const err = (line = ""): void => {
  process.stderr.write(scrubSecrets(`${line}\n`));
};

/** A JSON document as printed or saved: every string scrubbed, so the result stays valid JSON. */
export const scrubbedJson = <T>(value: T): T => runSecrets.scrubJson(value);

/** Enough to fix in one go; a file with thousands of mistakes is usually one mistake repeated. */
const MAX_DIAGNOSTICS = 200;

export function printDiagnostics(result: LoadResult): void {
  const style = styleFor(process.stderr);
  const shown = result.diagnostics.slice(0, MAX_DIAGNOSTICS);
  // Reading the excerpts first registers every literal secret, so no message can quote one.
  // Notes quote no spec value: the files behind notes that are not shown need not be read
  // (on a 10,000-pipeline estate every pipeline has a note, and reading them all cost 1.3 s).
  for (const file of new Set([...shown, ...result.diagnostics.filter((d) => d.severity !== "note")].map((d) => d.file))) {
    const source = result.sources.get(file);
    if (source) excerptLines(source);
  }
  for (const d of shown) {
    err(renderDiagnostic(d, result.sources, style));
    err();
  }
  const hidden = result.diagnostics.length - MAX_DIAGNOSTICS;
  const onlyNotes = result.diagnostics.slice(MAX_DIAGNOSTICS).every((d) => d.severity === "note");
  if (hidden > 0) err(onlyNotes ? `… ${plural(hidden, "more note")} not shown` : `… ${plural(hidden, "more problem")} not shown: fix these and run again`);
}

/**
 * The load's diagnostics, then, when the specs stopped the command (`stopped`), the count and
 * what was not done (`nothing was written`) with exit 1. Returns `stopped`.
 */
export function reportLoad(load: LoadResult, stopped: boolean, notDone: string): boolean {
  printDiagnostics(load);
  if (stopped) {
    err(`${summarise(load.diagnostics)}: ${notDone}`);
    process.exitCode = EXIT_ERROR;
  }
  return stopped;
}
