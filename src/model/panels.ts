import { threshold, thresholdOfAlert } from "./thresholds.js";
import type { AlertKey, PipelineType } from "./types.js";

export { PANEL, type PanelKey } from "./keys.js";
import type { PanelKey } from "./keys.js";

/**
 * Each panel's title, given the pipeline's count window (e.g. `1h`): the dashboard sets it
 * and runbooks name the panel by it, so a reader finds the panel a check points at.
 */
export const PANEL_TITLE: Readonly<Record<PanelKey, (window: string) => string>> = {
  runStatus: (w) => `Runs in the last ${w}`,
  lastSuccess: () => "Time since last success",
  duration: () => "Run duration",
  records: (w) => `Records per ${w}`,
  failureRatio: () => "Failed records ratio",
  volume: (w) => `Bytes per ${w}`,
  cpu: () => "CPU",
  memory: () => "Memory",
  errors: (w) => `Errors per ${w}`,
  latency: () => "Processing latency p95",
  throughput: () => "Throughput",
  backlog: () => "Backlog",
  streamErrorRate: () => "Error rate",
};

/** Panels of the alerts no threshold enables; a threshold's alert is shown on the threshold's panel (registry). */
const SLA_PANEL: Readonly<Partial<Record<AlertKey, PanelKey>>> = { pipelineFailed: "runStatus", slaBreach: "duration", stale: "lastSuccess" };

/** The panel that shows the signal behind each alert. */
export function panelForAlert(alert: AlertKey, type: PipelineType): PanelKey {
  const key = thresholdOfAlert(alert, type);
  const panel = key !== undefined ? threshold(key).panel : SLA_PANEL[alert];
  if (panel === undefined) throw new Error(`no dashboard panel shows ${alert} on ${type} pipelines`);
  return panel;
}
