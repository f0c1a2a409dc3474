/** Prometheus-style durations (`90s`, `1h30m`, `500ms`) to seconds and back. */

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/** Seconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return seconds;
}

/** The shortest Prometheus duration for a whole number of seconds (or milliseconds). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let ms = Math.round(seconds * 1000);
  let out = "";
  // Weeks only for whole weeks: "31d" reads better than "4w3d".
  const units = ms % 604800000 === 0 ? WITH_WEEKS : WITHOUT_WEEKS;
  for (const [unit, size] of units) {
    if (ms >= size) {
      out += `${Math.floor(ms / size)}${unit}`;
      ms %= size;
    }
  }
  return out;
}

const WITHOUT_WEEKS = [
  ["d", 86400000],
  ["h", 3600000],
  ["m", 60000],
  ["s", 1000],
  ["ms", 1],
] as const;
const WITH_WEEKS = [["w", 604800000], ...WITHOUT_WEEKS] as const;
