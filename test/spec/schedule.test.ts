/** Schedule windows: the gaps between runs of a cron schedule (UTC), which size every batch window. */
import { describe, expect, it } from "vitest";
import { scheduleWindows, type ScheduleWindows } from "../../src/spec/v1/schedule.js";

const HOUR = 3600;
const DAY = 86400;

function windows(cron: string): ScheduleWindows {
  const w = scheduleWindows(cron);
  if (typeof w === "string") throw new Error(`expected '${cron}' to parse: ${w}`);
  return w;
}

describe("scheduleWindows", () => {
  it.each([
    ["0 * * * *", HOUR, HOUR],
    ["@hourly", HOUR, HOUR],
    ["*/30 * * * *", 1800, 1800],
    ["* * * * *", 60, 60],
    ["15 */4 * * *", 4 * HOUR, 4 * HOUR],
    ["0 */6 * * *", 6 * HOUR, 6 * HOUR],
    ["0 3 * * *", DAY, DAY],
    ["@daily", DAY, DAY],
    ["@weekly", 7 * DAY, 7 * DAY],
    ["0 0 * * 0", 7 * DAY, 7 * DAY],
  ])("%s: min %i s, max %i s", (cron, min, max) => {
    expect(windows(cron)).toEqual({ minGapSeconds: min, maxGapSeconds: max });
  });

  it("weekdays at 09:00: runs a day apart, three days over the weekend", () => {
    expect(windows("0 9 * * 1-5")).toEqual({ minGapSeconds: DAY, maxGapSeconds: 3 * DAY });
  });

  it("uneven hours: 09:00 and 17:00 → 8 h and 16 h", () => {
    expect(windows("0 9,17 * * *")).toEqual({ minGapSeconds: 8 * HOUR, maxGapSeconds: 16 * HOUR });
  });

  it("a monthly schedule spans the longest month seen", () => {
    const w = windows("@monthly");
    expect(w.minGapSeconds).toBeGreaterThanOrEqual(28 * DAY);
    expect(w.maxGapSeconds).toBe(31 * DAY);
  });

  it("does not depend on surrounding whitespace", () => {
    expect(windows("  0 * * * *  ")).toEqual(windows("0 * * * *"));
  });

  it.each([
    ["61 * * * *", "Invalid value for minute: 61"],
    ["0 25 * * *", "Invalid value for hour: 25"],
    ["*/0 * * * *", "Syntax error, illegal stepping: 0"],
  ])("'%s' does not parse: %s", (cron, message) => {
    expect(scheduleWindows(cron)).toBe(message);
  });

  it.each(["0 0 * * * *", "* * * *", "", "@every 5m", "@reboot", "hourly"])("'%s' is neither five fields nor a nickname", (cron) => {
    expect(scheduleWindows(cron)).toBe(
      "a schedule has five cron fields (minute hour day-of-month month day-of-week) or is @hourly/@daily/@weekly/@monthly/@yearly",
    );
  });

  it("a schedule that never fires (30 February) is refused", () => {
    expect(scheduleWindows("0 0 30 2 *")).toMatch(/never fires/);
    expect(scheduleWindows("0 0 31 4 *")).toMatch(/never fires/);
  });

  it("returns the same answer for the same schedule (cached)", () => {
    const first = scheduleWindows("0 4 * * 1");
    expect(scheduleWindows("0 4 * * 1")).toBe(first);
    expect(first).toEqual({ minGapSeconds: 7 * DAY, maxGapSeconds: 7 * DAY });
  });
});
