import type { AlertKey, PipelineType } from "./types.js";

/**
 * Panel ids of a pipeline dashboard. Fixed numbers, not positions, so alert annotations
 * (`__panelId__`) and runbook links stay valid when panels are added.
 */
export const PANEL = {
  runStatus: 1,
  lastSuccess: 2,
  duration: 3,
  records: 4,
  failureRatio: 5,
  volume: 6,
  cpu: 7,
  memory: 8,
  errors: 9,
  latency: 10,
  throughput: 11,
  backlog: 12,
  streamErrorRate: 13,
} as const;
export type PanelKey = keyof typeof PANEL;

/** The panel that shows the signal behind each alert. */
export function panelForAlert(alert: AlertKey, type: PipelineType): number {
  switch (alert) {
    case "pipelineFailed": return PANEL.runStatus;
    case "slaBreach": return PANEL.duration;
    case "stale": return PANEL.lastSuccess;
    case "dataQuality": return type === "batch" ? PANEL.failureRatio : PANEL.streamErrorRate;
    case "lowVolume": return PANEL.records;
    case "errors": return PANEL.errors;
    case "cpu": return PANEL.cpu;
    case "memory": return PANEL.memory;
    case "highLatency": return PANEL.latency;
    case "lowThroughput": return PANEL.throughput;
    case "highBacklog": return PANEL.backlog;
  }
}
