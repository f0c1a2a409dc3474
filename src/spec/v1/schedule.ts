import { Cron } from "croner";

/** Windows are computed from a fixed instant so output never depends on when generate ran. */
const REFERENCE = new Date("2024-01-01T00:00:00Z");
/** Sampling stops after a week and a day (enough to see a weekend gap) or this many runs. */
const MAX_RUNS = 200;
const MIN_RUNS = 3;
const HORIZON_MS = 8 * 86400 * 1000;
const NICKNAMES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"]);

export interface ScheduleWindows {
  /** Shortest gap between consecutive runs, seconds. */
  minGapSeconds: number;
  /** Longest gap between consecutive runs, seconds: the window of freshness, volume and failures. */
  maxGapSeconds: number;
}

export const NEVER_FIRES = "this schedule never fires";

const cache = new Map<string, ScheduleWindows | string>();

/** Windows of a cron schedule (UTC), or an error message saying why it does not parse. */
export function scheduleWindows(cron: string): ScheduleWindows | string {
  let result = cache.get(cron);
  if (result === undefined) {
    result = compute(cron);
    cache.set(cron, result);
  }
  return result;
}

function compute(cron: string): ScheduleWindows | string {
  const trimmed = cron.trim();
  if (!NICKNAMES.has(trimmed) && trimmed.split(/\s+/).length !== 5) {
    return "a schedule has five cron fields (minute hour day-of-month month day-of-week) or is @hourly/@daily/@weekly/@monthly/@yearly";
  }
  const runs: Date[] = [];
  try {
    // utcOffset rather than timezone "UTC": the same instants, without croner's per-run
    // time-zone conversion, which costs 50 times more.
    const cron = new Cron(trimmed, { utcOffset: 0, paused: true });
    let next = cron.nextRun(REFERENCE);
    while (next && runs.length < MAX_RUNS && (runs.length < MIN_RUNS || next.getTime() - REFERENCE.getTime() <= HORIZON_MS)) {
      runs.push(next);
      next = cron.nextRun(next);
    }
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, "");
  }
  if (runs.length < 2) return `${NEVER_FIRES} (or fires only once)`;
  let minGap = Infinity;
  let maxGap = 0;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i]!.getTime() - runs[i - 1]!.getTime()) / 1000;
    minGap = Math.min(minGap, gap);
    maxGap = Math.max(maxGap, gap);
  }
  return { minGapSeconds: minGap, maxGapSeconds: maxGap };
}
