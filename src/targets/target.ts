/**
 * What a target is to the rest of pipemon: the files it adds to generated/ (per pipeline,
 * per team, per project) and, for targets reconciled over an API, its desired live
 * resources, its connection settings and its resource handlers. `app/` iterates the table
 * in targets/index.ts and never names a target.
 */
import type { OutputFile } from "../compile/output.js";
import type { EnvLookup } from "../lib/env-ref.js";
import type { Selection } from "../model/identity.js";
import type { Pipeline, Project, Target as TargetKey } from "../model/types.js";
import type { DesiredResource, TargetName } from "../plan/resource.js";
import type { MissingVariable } from "./credentials.js";
import type { KindHandler } from "./handler.js";
import type { TargetLock } from "./lock.js";
import type { CircuitBreaker } from "./resilience.js";

/** A file of one team, with the pipelines it is compiled from; `unit` names the cache unit, unique per project. */
export interface TeamFile {
  unit: string;
  pipelines: readonly Pipeline[];
  file: () => OutputFile;
}

/** What a connection needs from the run: its breaker, request counting, and how to wait between retries. */
export interface ConnectContext {
  breaker: CircuitBreaker;
  onRequest: (method: string, route: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Handlers of every kind of the target, and its apply lock. */
export interface TargetConnection {
  handlers: KindHandler[];
  lock: TargetLock;
}

/** A target plan and apply reconcile over its API. */
export interface LiveTarget {
  readonly name: TargetName;
  /** The live resources the specs want, compiled in memory (plan never trusts a stale generated/). */
  desired(project: Project, selection?: Selection): DesiredResource[];
  /** Every unset variable behind the connection settings, all at once (preflight). */
  missingVariables(project: Project, env: EnvLookup): MissingVariable[];
  /** What is wrong with the connection settings once resolved (a URL that is not one), or undefined. */
  connectionProblem(project: Project, env: EnvLookup): string | undefined;
  /**
   * Builds the handlers; throws CredentialsError when it cannot. Sends nothing. Loaded on
   * demand, so validate and generate never load the HTTP clients.
   */
  connect(): Promise<(project: Project, env: EnvLookup, context: ConnectContext) => TargetConnection>;
}

export interface Target {
  readonly name: TargetKey;
  /** Project-level files every pipeline contributes to (folders, contact points, policy, alertmanager.yml). */
  sharedFiles(project: Project): Iterable<OutputFile>;
  /** Files of one team each (team overviews, rule files). */
  teamFiles(project: Project): Iterable<TeamFile>;
  /** Files of one pipeline; none when the pipeline does not use this target. */
  pipelineFiles(project: Project, pipeline: Pipeline): Iterable<OutputFile>;
  /** Absent for targets pipemon only writes files for (Prometheus). */
  live?: LiveTarget;
}
