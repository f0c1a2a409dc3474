/**
 * The table of targets: `app/` iterates it and never names a target. Adding a target is a
 * new folder under src/targets/ and one line here; the order is the order of files and
 * resources (it only matters for readability of logs, never for output bytes).
 */
import type { RunbookDatadogQueries } from "../compile/runbooks/index.js";
import { DATADOG_RUNBOOK_QUERIES, datadogPipelineFiles } from "./datadog/compile/index.js";
import { datadogCredentials, datadogMissingVariables } from "./datadog/credentials.js";
import { datadogDesired } from "./datadog/desired.js";
import { grafanaPipelineFiles, grafanaSharedFiles, grafanaTeamFile, grafanaTeams } from "./grafana/compile/index.js";
import { grafanaCredentials, grafanaMissingVariables } from "./grafana/credentials.js";
import { grafanaDesired } from "./grafana/desired.js";
import { credentialsProblem } from "./credentials.js";
import { prometheusRuleFile, prometheusSharedFiles, prometheusTeams } from "./prometheus/compile/index.js";
import type { LiveTarget, Target } from "./target.js";

export type { ConnectContext, LiveTarget, Target, TargetConnection, TeamFile } from "./target.js";
export { CredentialsError, registerRunSecrets, type MissingVariable } from "./credentials.js";

const grafana: Target = {
  name: "grafana",
  sharedFiles: grafanaSharedFiles,
  *teamFiles(project) {
    for (const [team, pipelines] of grafanaTeams(project)) yield { unit: `team:${team}`, pipelines, file: () => grafanaTeamFile(project, team, pipelines) };
  },
  pipelineFiles: grafanaPipelineFiles,
  live: {
    name: "grafana",
    desired: grafanaDesired,
    missingVariables: grafanaMissingVariables,
    connectionProblem: (project, env) => credentialsProblem(() => grafanaCredentials(project, env)),
    connect: async () => (await import("./grafana/connect.js")).connectGrafana,
  },
};

const datadog: Target = {
  name: "datadog",
  sharedFiles: () => [],
  teamFiles: () => [],
  pipelineFiles: datadogPipelineFiles,
  live: {
    name: "datadog",
    desired: datadogDesired,
    missingVariables: datadogMissingVariables,
    connectionProblem: (project, env) => credentialsProblem(() => datadogCredentials(project, env)),
    connect: async () => (await import("./datadog/connect.js")).connectDatadog,
  },
};

const prometheus: Target = {
  name: "prometheus",
  sharedFiles: prometheusSharedFiles,
  *teamFiles(project) {
    for (const [team, pipelines] of prometheusTeams(project)) yield { unit: `prometheus-rules:${team}`, pipelines, file: () => prometheusRuleFile(project, team, pipelines) };
  },
  pipelineFiles: () => [],
};

export const TARGETS: readonly Target[] = [grafana, datadog, prometheus];

/** The targets plan and apply reconcile, in apply order. */
export const LIVE_TARGETS: readonly LiveTarget[] = TARGETS.flatMap((t) => (t.live ? [t.live] : []));

/** The live target of that name (the CLI's --target choices are these names). */
export function liveTarget(name: string): LiveTarget {
  const t = LIVE_TARGETS.find((l) => l.name === name);
  if (!t) throw new Error(`no live target '${name}'`);
  return t;
}

/** The queries runbooks show for the Datadog side of a pipeline (runbooks are written for every target at once). */
export const RUNBOOK_DATADOG_QUERIES: RunbookDatadogQueries = DATADOG_RUNBOOK_QUERIES;
