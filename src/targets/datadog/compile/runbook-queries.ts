/** What a runbook shows of Datadog: each alert's monitor query and the supporting queries as typed in a notebook. */
import type { RunbookDatadogQueries, SupportKey } from "../../../compile/runbooks/index.js";
import type { Pipeline } from "../../../model/types.js";
import { datadogAlerts } from "./alert-query.js";
import * as dd from "./metric-queries.js";
import { monitorQuery } from "./query.js";

const SUPPORT_QUERY: Readonly<Record<SupportKey, (p: Pipeline) => string>> = {
  runsByStatus: dd.runsByStatus,
  errorsByType: dd.errorsByType,
  lastRunDuration: dd.lastRunDuration,
  currentRun: dd.inProgress,
  recordsProcessed: dd.recordsProcessed,
  recordsFailed: dd.recordsFailed,
  bytes: dd.bytesProcessed,
  cpu: dd.cpuUsage,
  memory: dd.memoryUsage,
  latency: dd.latencyP95,
  throughput: dd.throughput,
  backlog: dd.backlog,
  streamErrors: dd.streamErrorsPerSecond,
};

export const DATADOG_RUNBOOK_QUERIES: RunbookDatadogQueries = {
  monitorQuery: (p, def) => {
    const alert = datadogAlerts(p).find((a) => a.key === def.key);
    if (!alert) throw new Error(`${p.name}/${def.key}: not an alert of this pipeline`);
    return monitorQuery(alert);
  },
  supportQuery: (p, key) => SUPPORT_QUERY[key](p),
};
