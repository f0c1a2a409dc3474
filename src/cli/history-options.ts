/**
 * The period of the history commands (backtest, report): `--since` and `--until` are read the
 * same way by both, so they can be pointed at the same window.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseDuration } from "../lib/duration.js";

/** `7d`, `36h` (a length before --until), an ISO 8601 time, or unix seconds. */
export type TimeSpec = { ago: number } | { at: number };

function parseInstant(value: string): number | undefined {
  if (value === "now") return Date.now() / 1000;
  if (/^\d{9,11}(\.\d+)?$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

export function parseSince(value: string): TimeSpec {
  const seconds = parseDuration(value);
  if (seconds !== undefined && seconds > 0) return { ago: seconds };
  const at = parseInstant(value);
  if (at === undefined) throw new InvalidArgumentError("expected a duration like 7d or 36h, or a time like 2026-05-01T00:00:00Z");
  return { at };
}

export function parseUntil(value: string): number {
  const at = parseInstant(value);
  if (at !== undefined) return at;
  const seconds = parseDuration(value);
  // A duration here means that long ago: `--until 1d` ends the period yesterday at this time.
  if (seconds !== undefined) return Date.now() / 1000 - seconds;
  throw new InvalidArgumentError("expected a time like 2026-05-08T00:00:00Z, unix seconds, now, or a duration ago like 1d");
}

/** Adds `--since` (default `defaultSince` before --until) and `--until` (default now). */
export function periodOptions(command: Command, defaultSince: string): Command {
  const ago = parseDuration(defaultSince)!;
  return command
    .addOption(new Option("--since <when>", `start of the period: a duration before --until (${defaultSince}) or a time`).argParser(parseSince).default({ ago } as TimeSpec, defaultSince))
    .addOption(new Option("--until <when>", "end of the period: a time, unix seconds or now").argParser(parseUntil).default(undefined, "now"));
}

/**
 * The period in whole unix seconds (the evaluation grid is aligned to the rule interval
 * anyway), or why there is none (one line, for `pipemon <command>: …`).
 */
export function resolvePeriod(opts: { since: TimeSpec; until?: number }): { since: number; until: number } | { problem: string } {
  const until = Math.floor(opts.until ?? Date.now() / 1000);
  const since = Math.floor("ago" in opts.since ? until - opts.since.ago : opts.since.at);
  if (!(since < until)) return { problem: `--since must be before --until (got ${new Date(since * 1000).toISOString()} → ${new Date(until * 1000).toISOString()})` };
  return { since, until };
}
