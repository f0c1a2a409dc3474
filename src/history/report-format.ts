/** How the report writes its figures: one formatter per unit, shared by every output format. */
import { formatDuration } from "../lib/duration.js";
import type { FigureUnit } from "./report.js";

/** Seconds as a Prometheus-style duration, sub-second values in ms, to a readable precision. */
function seconds(s: number): string {
  if (s < 1) return `${Number((s * 1000).toPrecision(3))}ms`;
  if (s < 60) return `${Number(s.toPrecision(3))}s`;
  return formatDuration(Math.round(s));
}

const number = (n: number): string => (Number.isInteger(n) ? n.toLocaleString("en-US") : Number(n.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 6 }));

export function formatFigure(value: number | null | undefined, unit: FigureUnit): string {
  if (value === null || value === undefined) return "–";
  if (value === Infinity) return "∞";
  switch (unit) {
    case "seconds": return seconds(value);
    case "ratio": return `${Number((value * 100).toPrecision(3))}%`;
    case "perSecond": return `${number(value)}/s`;
    case "count": return number(value);
  }
}

export const formatShare = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${Number((value * 100).toFixed(1))}%`);

/** A unix time as ISO 8601 to the second, UTC. */
export const isoTime = (t: number): string => new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");

/** `1 run`, `2 runs`, `1,204 queries`: the count (with thousands separators) and the word, plural when not 1. */
export const plural = (n: number, word: string): string => `${n.toLocaleString("en-US")} ${n === 1 ? word : word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
