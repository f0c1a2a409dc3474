/** Where the CLI writes: results to stdout, problems to stderr; exit codes in one place. */
import type { LoadResult } from "../spec/index.js";
import { plural, renderDiagnostic } from "./diagnostics.js";
import { styleFor } from "./style.js";

export const EXIT_ERROR = 1;
/** `--detailed-exitcode`: success, and the plan has changes. */
export const EXIT_CHANGES = 2;

export const out = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};
export const err = (line = ""): void => {
  process.stderr.write(`${line}\n`);
};

/** Enough to fix in one go; a file with thousands of mistakes is usually one mistake repeated. */
const MAX_DIAGNOSTICS = 200;

export function printDiagnostics(result: LoadResult): void {
  const style = styleFor(process.stderr);
  for (const d of result.diagnostics.slice(0, MAX_DIAGNOSTICS)) {
    err(renderDiagnostic(d, result.sources, style));
    err();
  }
  const hidden = result.diagnostics.length - MAX_DIAGNOSTICS;
  const onlyNotes = result.diagnostics.slice(MAX_DIAGNOSTICS).every((d) => d.severity === "note");
  if (hidden > 0) err(onlyNotes ? `… ${plural(hidden, "more note")} not shown` : `… ${plural(hidden, "more problem")} not shown: fix these and run again`);
}
