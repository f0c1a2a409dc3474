/**
 * Reading one project's live state: connect to each target, list every kind in parallel,
 * and put desired and live side by side. Shared by plan and apply, so both see the world
 * through exactly the same eyes.
 */
import type { EnvLookup } from "../lib/env-ref.js";
import type { Project } from "../model/types.js";
import { liveByPlanKey, planKind, type KindInput } from "../plan/compute.js";
import type { ProjectPlan } from "../plan/document.js";
import { KIND_TARGET, RESOURCE_KINDS, type DesiredResource, type LiveResource, type ResourceKind, type TargetName } from "../plan/resource.js";
import type { KindHandler } from "../targets/handler.js";
import type { LockRequest, TargetLock } from "../targets/lock.js";
import type { CircuitBreaker } from "../targets/resilience.js";
import { ownerSelected } from "../model/identity.js";
import { desiredResources, type Selection } from "./desired.js";
import { LIVE_TARGETS } from "../targets/index.js";
import { preflight } from "./preflight.js";
import { silentProgress, type Progress } from "./progress.js";

/** Requests per target, method and route template: the benchmark's figures and apply's report. */
export class RequestStats {
  readonly counts = new Map<string, number>();
  record(target: TargetName, method: string, route: string): void {
    const key = `${target} ${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

export interface Connection {
  target: TargetName;
  handlers: readonly KindHandler[];
  breaker: CircuitBreaker;
  /** The target's apply lock (targets/lock.ts); absent for connectors that need none (tests). */
  lock?: TargetLock;
}

/**
 * Builds a target's handlers for one project; throws CredentialsError when it cannot. Sends
 * nothing: the first request is the lock or a listing. `progress` hears of rate-limit waits.
 */
export type Connector = (project: Project, target: TargetName, env: EnvLookup, stats: RequestStats, progress?: Progress) => Promise<Connection>;

export interface ProjectState {
  project: Project;
  targets: TargetName[];
  connections: Connection[];
  handlers: Map<ResourceKind, KindHandler>;
  desired: Map<string, DesiredResource>;
  /** Live resources by `<kind>\0<plan key>`: an identity's kept copy, and each extra copy by its duplicate key. */
  live: Map<string, LiveResource>;
  plan: ProjectPlan;
}

/** PIPEMON_DEBUG=1: how long each listing took, on stderr (where time goes in a slow plan). */
async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!process.env.PIPEMON_DEBUG) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    process.stderr.write(`pipemon: ${what}: ${Math.round(performance.now() - started)} ms\n`);
  }
}

export const resourceId = (kind: string, key: string): string => `${kind}\u0000${key}`;

/**
 * Whether a live resource is in a `--select` plan's scope, from the ownership its handler
 * read off it (tags, labels, folder): identities are never parsed here, since uids of long
 * names are shortened with a hash.
 */
function inScope(live: LiveResource, selection: Selection | undefined): boolean {
  return !selection || ownerSelected(live.owner, selection);
}

/** Targets a project involves: the ones asked for, else those any of its pipelines uses. */
export function projectTargets(project: Project, requested: readonly TargetName[] | undefined): TargetName[] {
  const used = new Set<string>(project.pipelines.flatMap((p) => p.targets));
  return LIVE_TARGETS.map((t) => t.name).filter((t) => (requested ? requested.includes(t) : used.has(t)));
}

/** What apply asks of readProjectState: lock every target before reading it. */
export interface LockOptions extends LockRequest {
  /** Every lock taken is pushed here, so the caller releases them whatever happens next. */
  held: TargetLock[];
}

export interface ReadOptions {
  /** Apply only: take each target's lock before its live state is read. */
  lock?: LockOptions;
  targets?: readonly TargetName[];
  selection?: Selection;
  adopt: boolean;
  env: EnvLookup;
  connect: Connector;
  stats: RequestStats;
  progress?: Progress;
}

/** What a project's run involves, known before any request: its targets and desired resources. */
export interface PreparedProject {
  project: Project;
  targets: TargetName[];
  desired: DesiredResource[];
}

export function prepareProject(project: Project, options: Pick<ReadOptions, "targets" | "selection">): PreparedProject {
  const targets = projectTargets(project, options.targets);
  return { project, targets, desired: desiredResources(project, targets, options.selection) };
}

/**
 * Every project's live state, one project after the other. Preflight first, for all of them
 * at once: a variable missing for the last environment stops the run before the first
 * environment is locked or read.
 */
export async function readProjectStates(projects: readonly Project[], options: ReadOptions): Promise<ProjectState[]> {
  const prepared = await timed("compile desired resources", async () => projects.map((p) => prepareProject(p, options)));
  preflight(prepared.map((p) => ({ project: p.project, targets: p.targets, resources: p.desired })), options.env);
  const progress = options.progress ?? silentProgress;
  progress.start("listing", prepared.reduce((n, p) => n + listedKinds(p.targets).length, 0));
  try {
    const states: ProjectState[] = [];
    for (const p of prepared) states.push(await readProjectState(p.project, options, p));
    return states;
  } finally {
    progress.end("listing");
  }
}

export const listedKinds = (targets: readonly TargetName[]): ResourceKind[] => RESOURCE_KINDS.filter((k) => targets.includes(KIND_TARGET[k]));

export async function readProjectState(project: Project, options: ReadOptions, prepared: PreparedProject = prepareProject(project, options)): Promise<ProjectState> {
  const { targets } = prepared;
  const progress = options.progress ?? silentProgress;
  const connections = await Promise.all(targets.map((t) => options.connect(project, t, options.env, options.stats, progress)));
  if (options.lock) {
    // Before anything is read: what apply plans must not change under it. One target after
    // the other, always in the same order, so two applies never each hold one lock.
    const { held, ...request } = options.lock;
    for (const c of connections) {
      if (!c.lock) continue;
      // Pushed first: a lock half taken (created, then a failed read) is still given back.
      held.push(c.lock);
      await c.lock.acquire(request);
    }
  }
  const handlers = new Map<ResourceKind, KindHandler>();
  for (const c of connections) for (const h of c.handlers) handlers.set(h.kind, h);
  const desiredList = prepared.desired;
  const kinds = listedKinds(targets).filter((k) => handlers.has(k));
  // Every listing runs at once: a plan costs the slowest listing, not their sum.
  const listings = await Promise.all(kinds.map((k) => timed(`list ${k}`, () => handlers.get(k)!.list()).finally(() => progress.step("listing"))));
  const desired = new Map<string, DesiredResource>();
  for (const d of desiredList) desired.set(resourceId(d.kind, d.key), d);
  const live = new Map<string, LiveResource>();
  const changes = kinds.flatMap((kind, i) => {
    const handler = handlers.get(kind)!;
    const input: KindInput = {
      kind,
      desired: desiredList.filter((d) => d.kind === kind),
      live: listings[i]!,
      normalise: (body, side) => handler.normalise(body, side),
      inScope: (l) => inScope(l, options.selection),
    };
    // Extra copies of one identity are registered under their own plan keys, so apply
    // deletes exactly the copy the plan showed.
    for (const [key, l] of liveByPlanKey(input, { adopt: options.adopt })) live.set(resourceId(kind, key), l);
    return planKind(input, { adopt: options.adopt });
  });
  const warnings: string[] = [];
  for (const { name: t } of LIVE_TARGETS) {
    if (!targets.includes(t) && !options.targets) warnings.push(`${t}: no pipeline targets it; not read`);
  }
  const plan: ProjectPlan = { ...(project.environment !== undefined ? { environment: project.environment } : {}), targets, changes, warnings };
  return { project, targets, connections, handlers, desired, live, plan };
}
