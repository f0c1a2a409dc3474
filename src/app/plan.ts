/**
 * Use case: plan. Loads the specs, reads live state of every target, and returns the plan as
 * data (the CLI renders it). Also the first half of apply, which must see the same world.
 */
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadResult } from "../spec/index.js";
import type { EnvLookup } from "../lib/env-ref.js";
import { desiredKey, planDocument, type PlanDocument, type SavedPlan } from "../plan/document.js";
import type { TargetName } from "../plan/resource.js";
import { ListingIncompleteError, TargetError } from "../targets/handler.js";
import { CircuitOpenError } from "../targets/resilience.js";
import { CredentialsError } from "../targets/index.js";
import { holdBackDeletes } from "../plan/compute.js";
import { parseSelection, selectionProblem } from "./desired.js";
import { readProjectStates, RequestStats, resourceId, type Connector, type LockOptions, type ProjectState } from "./live-state.js";
import type { Progress } from "./progress.js";

export interface PlanOptions {
  root: string;
  environment?: string;
  targets?: TargetName[];
  select: string[];
  env: EnvLookup;
  /** Builds a target's handlers; the default connects to the real APIs. */
  connect?: Connector;
  adopt?: boolean;
  /**
   * Deletes of resources the specs no longer describe are part of the plan; without it they
   * are `orphan`s, left in place, exactly as apply without --prune treats them.
   */
  prune?: boolean;
  /** Apply only: lock each target before reading it (plan itself never locks). */
  lock?: LockOptions;
  progress?: Progress;
}

export interface PlanResult {
  load: LoadResult;
  /** Absent when the specs are invalid or live state could not be read (`error`). */
  document?: PlanDocument;
  /** The document plus the desired bodies: what `--out plan.json` writes. */
  saved?: SavedPlan;
  /** One line: why there is no plan (credentials, an unreachable target, a failed listing). */
  error?: string;
  stats: RequestStats;
  /** For apply: everything read, per project. */
  states?: ProjectState[];
}

/** Errors a user can act on; anything else is a bug and keeps its stack for PIPEMON_DEBUG. */
export function userFacing(e: unknown): string | undefined {
  const known = e instanceof CredentialsError || e instanceof TargetError || e instanceof ListingIncompleteError || e instanceof CircuitOpenError;
  return known ? e.message : undefined;
}

export async function defaultConnector(): Promise<Connector> {
  const { connect } = await import("./connect.js");
  return connect;
}

export async function plan(options: PlanOptions): Promise<PlanResult> {
  const stats = new RequestStats();
  const load = loadSpecs({ root: options.root, ...(options.environment !== undefined ? { environment: options.environment } : {}) });
  if (hasErrors(load.diagnostics)) return { load, stats };
  const selection = parseSelection(options.select);
  const connect = options.connect ?? (await defaultConnector());
  let states: ProjectState[];
  try {
    // Preflight (every variable the run needs) happens in there, before the first request.
    states = await readProjectStates(load.projects, { ...(options.lock ? { lock: options.lock } : {}), ...(options.targets ? { targets: options.targets } : {}), ...(selection ? { selection } : {}), ...(options.progress ? { progress: options.progress } : {}), adopt: options.adopt ?? false, env: options.env, connect, stats });
  } catch (e) {
    const message = userFacing(e);
    if (message === undefined) throw e;
    return { load, stats, error: message };
  }
  // A mistyped --select would otherwise plan nothing and report "No changes": in CI, a green
  // run that checked nothing. Known owners include live ones: a deleted pipeline is pruned by name.
  if (selection) {
    const unmatched = selectionProblem(selection, load.projects, states.flatMap((s) => [...s.live.values()]));
    if (unmatched !== undefined) return { load, stats, error: unmatched };
  }
  if (!options.prune) for (const s of states) holdBackDeletes(s.plan.changes);
  const document = planDocument(
    { ...(options.environment !== undefined ? { environment: options.environment } : {}), targets: [...new Set(states.flatMap((s) => s.targets))], select: options.select, prune: options.prune === true, adopt: options.adopt === true },
    states.map((s) => s.plan),
  );
  const desired: SavedPlan["desired"] = {};
  for (const s of states) {
    for (const c of s.plan.changes) {
      if (c.action !== "create" && c.action !== "update" && c.action !== "unowned") continue;
      const d = s.desired.get(resourceId(c.kind, c.key));
      if (d) desired[desiredKey(s.project.environment, c.kind, c.key)] = d.body;
    }
  }
  return { load, stats, document, saved: { ...document, desired }, states };
}
