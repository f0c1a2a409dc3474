/**
 * What the preview needs of a Grafana dashboard JSON (the one `generate` writes): its panels,
 * their queries, units and thresholds. Read from the compiled JSON rather than from the spec,
 * so the preview draws exactly what would be provisioned, overrides included.
 */

/** A threshold step as Grafana writes it: the base step has value null. */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

/** How a time series panel shows its thresholds (Grafana's `custom.thresholdsStyle.mode`). */
export type ThresholdsStyle = "off" | "line" | "dashed" | "area" | "line+area" | "dashed+area";
const THRESHOLDS_STYLES: readonly ThresholdsStyle[] = ["off", "line", "dashed", "area", "line+area", "dashed+area"];

/** Panel types the preview draws; rows become section headings. */
const PANEL_TYPES = ["timeseries", "stat", "gauge", "barchart", "table"] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export interface PanelTarget {
  refId: string;
  expr: string;
  legendFormat: string;
}

/** Field overrides matched by series name (`byNames` / `byName`): the properties the preview honours. */
export interface SeriesOverride {
  names: readonly string[];
  thresholds?: readonly ThresholdStep[];
  thresholdsStyle?: ThresholdsStyle;
  color?: string;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelSpec {
  id: number;
  type: PanelType | "row";
  title: string;
  description: string;
  gridPos: GridPos;
  unit: string;
  decimals?: number;
  min?: number;
  max?: number;
  noValue?: string;
  /** Sorted by value, base step first. */
  thresholds: readonly ThresholdStep[];
  thresholdsStyle: ThresholdsStyle;
  /** Stat panels: `area` draws a sparkline under the value. */
  graphMode: string;
  targets: readonly PanelTarget[];
  overrides: readonly SeriesOverride[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: readonly PanelSpec[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function steps(v: unknown): ThresholdStep[] {
  const out = arr(obj(v).steps)
    .filter(isObject)
    .map((s) => ({ value: num(s.value) ?? null, color: str(s.color, "green") }));
  // Grafana sorts steps by value with the base (null) first; so does the preview.
  return out.sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
}

function style(v: unknown): ThresholdsStyle | undefined {
  const mode = obj(v).mode;
  return THRESHOLDS_STYLES.find((s) => s === mode);
}

function override(v: unknown): SeriesOverride | undefined {
  const matcher = obj(obj(v).matcher);
  const names = matcher.id === "byNames" ? arr(obj(matcher.options).names).filter((n): n is string => typeof n === "string") : matcher.id === "byName" && typeof matcher.options === "string" ? [matcher.options] : [];
  if (names.length === 0) return undefined;
  const out: { -readonly [K in keyof SeriesOverride]: SeriesOverride[K] } = { names };
  for (const p of arr(obj(v).properties).filter(isObject)) {
    if (p.id === "thresholds") out.thresholds = steps(p.value);
    else if (p.id === "custom.thresholdsStyle") {
      const s = style(p.value);
      if (s) out.thresholdsStyle = s;
    } else if (p.id === "color" && typeof obj(p.value).fixedColor === "string") out.color = str(obj(p.value).fixedColor);
  }
  return out;
}

function panel(v: Json): PanelSpec | undefined {
  const type = v.type === "row" ? "row" : PANEL_TYPES.find((t) => t === v.type);
  if (type === undefined) return undefined;
  const defaults = obj(obj(v.fieldConfig).defaults);
  const grid = obj(v.gridPos);
  const options = obj(v.options);
  const spec: PanelSpec = {
    id: num(v.id) ?? 0,
    type,
    title: str(v.title),
    description: str(v.description),
    gridPos: { x: num(grid.x) ?? 0, y: num(grid.y) ?? 0, w: num(grid.w) ?? 24, h: num(grid.h) ?? 8 },
    unit: str(defaults.unit, "short"),
    ...(num(defaults.decimals) !== undefined ? { decimals: num(defaults.decimals)! } : {}),
    ...(num(defaults.min) !== undefined ? { min: num(defaults.min)! } : {}),
    ...(num(defaults.max) !== undefined ? { max: num(defaults.max)! } : {}),
    ...(typeof defaults.noValue === "string" ? { noValue: defaults.noValue } : {}),
    thresholds: steps(defaults.thresholds),
    // Grafana's default for time series is "off"; gauges and stats colour by their steps.
    thresholdsStyle: style(obj(defaults.custom).thresholdsStyle) ?? "off",
    graphMode: str(options.graphMode, "none"),
    targets: arr(v.targets)
      .filter(isObject)
      .filter((t) => typeof t.expr === "string" && t.hide !== true)
      .map((t) => ({ refId: str(t.refId), expr: str(t.expr), legendFormat: str(t.legendFormat) })),
    overrides: arr(obj(v.fieldConfig).overrides).map(override).filter((o): o is SeriesOverride => o !== undefined),
  };
  return spec;
}

/** The panels of a dashboard JSON in reading order (top to bottom, left to right); rows' nested panels included. */
export function readDashboard(json: unknown): DashboardSpec {
  const d = obj(json);
  const panels: PanelSpec[] = [];
  for (const p of arr(d.panels).filter(isObject)) {
    const spec = panel(p);
    if (spec) panels.push(spec);
    // A collapsed row holds its panels inside it.
    for (const nested of arr(p.panels).filter(isObject)) {
      const n = panel(nested);
      if (n) panels.push(n);
    }
  }
  panels.sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x || a.id - b.id);
  return { uid: str(d.uid), title: str(d.title), description: str(d.description), panels };
}

/** The thresholds, style and colour a series gets: the panel's, with the last matching override winning per property. */
export function seriesSettings(panel: PanelSpec, name: string): { thresholds: readonly ThresholdStep[]; thresholdsStyle: ThresholdsStyle; color?: string } {
  let thresholds = panel.thresholds;
  let thresholdsStyle = panel.thresholdsStyle;
  let color: string | undefined;
  for (const o of panel.overrides) {
    if (!o.names.includes(name)) continue;
    if (o.thresholds) thresholds = o.thresholds;
    if (o.thresholdsStyle) thresholdsStyle = o.thresholdsStyle;
    if (o.color !== undefined) color = o.color;
  }
  return { thresholds, thresholdsStyle, ...(color !== undefined ? { color } : {}) };
}

/** A series' display name from its target's legend format and labels (`{{label}}` substituted, as Grafana does). */
export function seriesName(target: PanelTarget, labels: Readonly<Record<string, string>>): string {
  if (target.legendFormat && target.legendFormat !== "__auto") {
    return target.legendFormat.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, label: string) => labels[label] ?? "");
  }
  const { __name__: metric, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k]}"`)
    .join(", ");
  return `${metric ?? ""}${inner ? `{${inner}}` : ""}` || target.expr;
}
