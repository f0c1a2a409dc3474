/**
 * Datadog target: `datadog/monitors/<pipeline>.json`, the array of monitor create bodies of
 * one pipeline, one per enabled alert definition, in catalog order.
 */
import { datadogAlerts } from "./alert-query.js";
import type { OutputFile } from "../../../compile/output.js";
import type { Pipeline, Project } from "../../../model/types.js";
import { stableJson } from "../../../lib/stable-json.js";
import { monitorBody, pipelineMonitorContext } from "./monitor.js";
import type { DatadogMonitorBody } from "./monitor.js";

export { datadogAlerts } from "./alert-query.js";
export type { DatadogAlert, DatadogQueryParts } from "./alert-query.js";
export type { DatadogMonitorBody, DatadogMonitorOptions, DatadogThresholds, RenotifyStatus } from "./monitor.js";
export { monitorBody, monitorName, monitorOptions, monitorTags, pipelineMonitorContext, recoveryThresholds } from "./monitor.js";
export type { PipelineMonitorContext } from "./monitor.js";
export { channelHandles, messageContext, monitorMessage } from "./message.js";
export type { MessageContext } from "./message.js";
export { cleanNumber, datadogCondition, datadogTimeWindow, datadogWindowMinutes, formatQueryNumber, isSparseCount, monitorQuery } from "./query.js";
export type { Comparator, DatadogCondition } from "./query.js";

export function datadogMonitorsPath(pipeline: string): string {
  return `datadog/monitors/${pipeline}.json`;
}

/** The monitors of one pipeline (empty when every alert is disabled). */
export function datadogMonitors(project: Project, pipeline: Pipeline): DatadogMonitorBody[] {
  const defs = datadogAlerts(pipeline);
  if (defs.length === 0) return [];
  const ctx = pipelineMonitorContext(project, pipeline);
  return defs.map((def) => monitorBody(project, pipeline, def, ctx));
}

/**
 * `[]` unless the pipeline targets Datadog. A Datadog pipeline whose alerts are all
 * disabled still gets its file (`[]`): the file then says "no monitors", and plan deletes
 * (with --prune) any monitor still carrying the pipeline's pipemon-id.
 */
export function datadogPipelineFiles(project: Project, pipeline: Pipeline): OutputFile[] {
  if (!pipeline.targets.includes("datadog")) return [];
  return [{ path: datadogMonitorsPath(pipeline.name), content: stableJson(datadogMonitors(project, pipeline)) }];
}
export { DATADOG_RUNBOOK_QUERIES } from "./runbook-queries.js";
