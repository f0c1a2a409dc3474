/**
 * Synthetic series for a preview without a Prometheus: each series walks from healthy through
 * warning to critical, with levels derived from its own thresholds, so a reviewer sees every
 * colour and threshold line the dashboard can show. Deterministic: no clock, no randomness.
 */
import { seriesName, seriesSettings, type PanelSpec, type ThresholdStep } from "./dashboard.js";
import type { PanelData, SeriesData } from "./site.js";

/** Points per synthetic series. */
const SYNTHETIC_POINTS = 121;

/** How bad a step colour means: green (and any colour not named below) is healthy. */
function colourRank(color: string): number {
  const c = color.toLowerCase();
  if (c.includes("red")) return 2;
  if (c.includes("orange") || c.includes("yellow")) return 1;
  return 0;
}

/** A calm value for a series with no thresholds, by unit, so its line sits on a sensible scale. */
function baseline(panel: PanelSpec, scale: number | undefined): number {
  if (scale !== undefined) return scale;
  if (panel.min !== undefined && panel.max !== undefined) return panel.min + (panel.max - panel.min) * 0.6;
  const byUnit: Record<string, number> = { percentunit: 0.96, percent: 96, s: 600, ms: 600_000, decbytes: 5e8, bytes: 5e8, cps: 1000 };
  return byUnit[panel.unit] ?? (panel.decimals === 0 ? 3 : 100);
}

interface Region {
  lo: number;
  hi: number;
  value: number;
  rank: number;
}

/** The value ranges the steps cut the axis into, each with a representative value inside it. */
function regions(steps: readonly ThresholdStep[], panel: PanelSpec, whole: boolean): Region[] {
  const bounds = steps.map((s) => s.value).filter((v): v is number => v !== null);
  const out: Region[] = [];
  const base = steps.find((s) => s.value === null) ?? steps[0];
  const colours = [base?.color ?? "green", ...steps.filter((s) => s.value !== null).map((s) => s.color)];
  for (let i = 0; i <= bounds.length; i++) {
    const lo = i === 0 ? (panel.min ?? -Infinity) : bounds[i - 1]!;
    const hi = i === bounds.length ? (panel.max ?? Infinity) : bounds[i]!;
    let value: number;
    if (Number.isFinite(lo) && Number.isFinite(hi)) value = (lo + hi) / 2;
    else if (Number.isFinite(hi)) value = hi > 0 ? hi * 0.4 : hi - Math.max(1, Math.abs(hi) * 0.5);
    else if (Number.isFinite(lo)) {
      const prev = i >= 2 ? bounds[i - 2]! : undefined;
      // A whole-number step is reached at its own value (one failed run is a failure).
      value = whole ? lo : prev !== undefined && prev < lo ? lo + (lo - prev) * 0.6 : lo > 0 ? lo * 1.6 : lo + 1;
    } else value = baseline(panel, undefined);
    out.push({ lo, hi, value, rank: colourRank(colours[i]!) });
  }
  return out;
}

/** A small deterministic ripple so lines look like signals, not steps (±amplitude). */
const ripple = (i: number, phase: number): number => Math.sin(i * 0.45 + phase) * 0.6 + Math.sin(i * 0.13 + phase * 2) * 0.4;

/**
 * The walk of one series: healthy, then each worse level in turn (a region per colour rank,
 * as the steps order them), moving smoothly from one to the next. `delay` shifts the walk for
 * the second and later series of a panel so their lines do not overlap.
 */
export function walk(steps: readonly ThresholdStep[], panel: PanelSpec, points: number, delay: number, scale?: number): number[] {
  // A count shown without decimals against whole-number steps (runs, failed runs) walks in whole numbers.
  const whole = (panel.unit === "none" || panel.decimals === 0) && steps.every((s) => s.value === null || Number.isInteger(s.value));
  const all = regions(steps, panel, whole);
  const bounded = steps.some((s) => s.value !== null);
  // Healthy first, worst last; among equals, the steps' own order.
  const path = bounded ? [...all].sort((a, b) => a.rank - b.rank) : [{ lo: panel.min ?? -Infinity, hi: panel.max ?? Infinity, value: baseline(panel, scale), rank: 0 }];
  const segment = points / path.length;
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const t = Math.max(0, i - delay);
    const k = Math.min(path.length - 1, Math.floor(t / segment));
    const region = path[k]!;
    const previous = path[Math.max(0, k - 1)]!;
    // The first fifth of a segment ramps from the previous level.
    const into = (t - k * segment) / segment;
    const ramp = k > 0 && into < 0.2 ? into / 0.2 : 1;
    let v = previous.value + (region.value - previous.value) * ramp;
    const width = Number.isFinite(region.hi - region.lo) ? region.hi - region.lo : Math.abs(region.value) || 1;
    v += ripple(i, delay) * width * 0.08;
    // Stay inside the region once there (and inside the panel's min/max), so the colour shown is the level meant.
    if (ramp === 1) v = Math.min(Math.max(v, region.lo + width * 0.02), region.hi - width * 0.02);
    if (panel.min !== undefined) v = Math.max(panel.min, v);
    if (panel.max !== undefined) v = Math.min(panel.max, v);
    out.push(whole ? Math.round(v) : +v.toPrecision(6));
  }
  return out;
}

/** Labels a synthetic series carries: each `{{label}}` of the legend shows the label's name. */
function placeholderLabels(legendFormat: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name] of legendFormat.matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) labels[name!] = name!;
  return labels;
}

/** The synthetic data of a panel: x is seconds relative to the end of the window (`-since` … 0). */
export function syntheticPanel(panel: PanelSpec, sinceSeconds: number, points = SYNTHETIC_POINTS): PanelData {
  const x = Array.from({ length: points }, (_, i) => Math.round(-sinceSeconds + (sinceSeconds * i) / (points - 1)));
  // The largest threshold of the panel: series that do not show thresholds (e.g. failed records
  // beside processed) stay small against it.
  const levels = panel.thresholds.map((s) => s.value).filter((v): v is number => v !== null);
  const small = levels.length ? Math.max(...levels.map(Math.abs)) * 0.05 : undefined;
  const series: SeriesData[] = panel.targets.map((target, j) => {
    const name = seriesName(target, placeholderLabels(target.legendFormat));
    const settings = seriesSettings(panel, name);
    const quiet = settings.thresholdsStyle === "off" && panel.thresholdsStyle !== "off";
    const values = quiet ? walk([], panel, points, j * 7, small) : walk(settings.thresholds, panel, points, Math.round(j * (points / 9)));
    return { name, values, ...settings };
  });
  return { x, series };
}
