/** Options several commands share, defined once so their names, help and parsing agree. */
import type { Command } from "commander";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--select name|team:x`, repeatable (and comma-separated, split by the use cases). */
export function selectOption(cmd: Command): Command {
  return cmd.option("--select <selector>", "only these pipelines: a name or team:<team> (repeatable)", collect, [] as string[]);
}
