import type { Threshold } from "@grafana/grafana-foundation-sdk/dashboard";
import type { PanelKey } from "../../../model/panels.js";
import { thresholdFires } from "../../../model/catalog.js";
import { thresholdOfPanel } from "../../../model/thresholds.js";
import type { Pipeline, ThresholdLevels } from "../../../model/types.js";

export const COLOR_OK = "green";
export const COLOR_WARNING = "orange";
export const COLOR_CRITICAL = "red";

/**
 * Panel threshold steps for a signal that alerts when ABOVE its levels: green, then orange
 * from the warning level, red from the critical one. No levels → a single green step, so
 * Grafana's own default (red at 80) never shows a threshold the spec does not have.
 * The first step's `null` is how Grafana stores -Infinity.
 */
export function stepsAbove(levels: ThresholdLevels | undefined): Threshold[] {
  const steps: Threshold[] = [{ value: null, color: COLOR_OK }];
  if (!levels) return steps;
  if (levels.warning !== undefined) steps.push({ value: levels.warning, color: COLOR_WARNING });
  steps.push({ value: levels.critical, color: COLOR_CRITICAL });
  return steps;
}

/**
 * Steps for a signal that alerts when BELOW its levels (throughput, minimum records): red
 * below critical, orange up to the warning level, green above. Grafana colours a value by
 * the highest step it reaches, so the bad colour is the base step here.
 */
export function stepsBelow(levels: ThresholdLevels | undefined): Threshold[] {
  if (!levels) return [{ value: null, color: COLOR_OK }];
  const steps: Threshold[] = [{ value: null, color: COLOR_CRITICAL }];
  if (levels.warning !== undefined) {
    steps.push({ value: levels.critical, color: COLOR_WARNING });
    steps.push({ value: levels.warning, color: COLOR_OK });
  } else {
    steps.push({ value: levels.critical, color: COLOR_OK });
  }
  return steps;
}

/** Levels of a single-valued threshold (an SLA, minRecords): critical only. */
export function criticalOnly(value: number | undefined): ThresholdLevels | undefined {
  return value === undefined ? undefined : { critical: value };
}

export type ThresholdSide = "above" | "below";

/**
 * The levels a panel draws and the side that fires, from the threshold registry: the
 * panel's threshold for this pipeline type; unset → no levels.
 */
export function drawn(p: Pipeline, panel: PanelKey): [ThresholdLevels | undefined, ThresholdSide] {
  const key = thresholdOfPanel(panel, p.type);
  if (key === undefined) return [undefined, "above"];
  const value = p.thresholds[key];
  return [typeof value === "number" ? criticalOnly(value) : value, thresholdFires(key)];
}

/** Steps of a panel's threshold (see `drawn`), or undefined when the spec sets none. */
export function panelSteps(p: Pipeline, panel: PanelKey): Threshold[] | undefined {
  const [levels, side] = drawn(p, panel);
  if (levels === undefined) return undefined;
  return side === "above" ? stepsAbove(levels) : stepsBelow(levels);
}
