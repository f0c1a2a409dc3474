/**
 * Prometheus `model.Duration`, the type Grafana uses for a rule's `for` (and the group
 * interval in exports): parsed from "1h30m"-style text, printed in its canonical form so
 * "300s" comes back as "5m" and "24h" as "1d". Years and weeks are printed only when they
 * divide the value exactly (90d stays "90d", 14d becomes "2w"), as Prometheus does.
 */

const MS_PER = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a model.Duration text, or an Error with Prometheus's wording. */
export function parseModelDuration(text: string): number | Error {
  if (text === "0") return 0; // Prometheus special-cases a bare zero
  if (text === "") return new Error("empty duration string");
  const match = DURATION_PATTERN.exec(text);
  if (!match) return new Error(`not a valid duration string: "${text}"`);
  const units = [MS_PER.y, MS_PER.w, MS_PER.d, MS_PER.h, MS_PER.m, MS_PER.s, MS_PER.ms];
  let total = 0;
  units.forEach((unitMs, i) => {
    const digits = match[i + 1];
    if (digits !== undefined) total += Number(digits) * unitMs;
  });
  return total;
}

/** Canonical model.Duration text of a number of milliseconds. */
export function formatModelDuration(totalMs: number): string {
  if (totalMs === 0) return "0s";
  let rest = totalMs;
  let text = "";
  const take = (unit: keyof typeof MS_PER, exactOnly: boolean) => {
    const unitMs = MS_PER[unit];
    if (exactOnly && rest % unitMs !== 0) return;
    const count = Math.floor(rest / unitMs);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * unitMs;
    }
  };
  take("y", true);
  take("w", true);
  take("d", false);
  take("h", false);
  take("m", false);
  take("s", false);
  take("ms", false);
  return text;
}

/** Normalises a duration text through parse + format; returns an Error when unparsable. */
export function normaliseModelDuration(text: string): string | Error {
  const ms = parseModelDuration(text);
  return ms instanceof Error ? ms : formatModelDuration(ms);
}
