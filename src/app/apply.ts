/**
 * Use case: apply. Either plans afresh and carries the plan out, or carries out a saved plan
 * after checking that every live resource it read is unchanged (dashboard version, rule
 * group content, monitor `modified`); a stale plan is refused with the reasons.
 */
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadResult } from "../spec/index.js";
import { summarise } from "../plan/compute.js";
import { desiredKey, savedPlanProblem, type PlanDocument, type SavedPlan } from "../plan/document.js";
import { parseSelection } from "./desired.js";
import { DEFAULT_LOCK_TTL_SECONDS, type TargetLock } from "../targets/lock.js";
import { execute, reasonOf, type Outcome } from "./execute.js";
import { listedKinds, prepareProject, readProjectState, resourceId, RequestStats, type LockOptions, type ProjectState } from "./live-state.js";
import { defaultConnector, plan, userFacing, type PlanOptions } from "./plan.js";
import { preflight, type PreflightProject } from "./preflight.js";
import { silentProgress } from "./progress.js";

export interface ApplyOptions extends PlanOptions {
  /** A saved plan (`plan --out`) to carry out instead of planning afresh. */
  planFile?: string;
  prune: boolean;
  concurrency: number;
  /**
   * Re-send every contact point, so new secret values reach Grafana: Grafana never returns a
   * stored secret, so a rotated value cannot show as a diff.
   */
  rotateSecrets?: boolean;
  /** Asked with the fresh plan before anything is written; false aborts. */
  confirm?: (doc: PlanDocument) => Promise<boolean>;
  /** Take each target's apply lock even when another apply holds it (`--force-unlock`). */
  forceUnlock?: boolean;
  /** Told when a Ctrl-C stops the run while writing: how long requests in flight still get. */
  onInterrupt?(graceMs: number): void;
}

/** How long requests in flight get to finish after Ctrl-C (PIPEMON_INTERRUPT_GRACE_MS). */
export const DEFAULT_INTERRUPT_GRACE_MS = 10_000;

export interface ApplyResult {
  load?: LoadResult;
  document?: PlanDocument;
  outcomes: Outcome[];
  /** Why a saved plan was refused: one line per resource that moved. */
  refused?: string[];
  error?: string;
  aborted?: boolean;
  stats: RequestStats;
  /** Not errors, but worth a line: a lock that could not be given back (it expires). */
  warnings?: string[];
  /** The signal that stopped the run while it was writing (outcomes say what got through). */
  interrupted?: NodeJS.Signals;
}

/**
 * Ctrl-C while writing: the first stops new requests and gives those in flight `graceMs`;
 * a second, or the end of the grace, stops waiting for them. Outside the writing phase
 * (reading, the prompt) nothing is half-done, so the locks are given back and it exits.
 */
class Interrupt {
  readonly stop = new AbortController();
  readonly abandon = new AbortController();
  signal: NodeJS.Signals | undefined;
  writing = false;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly graceMs: number, private readonly onInterrupt: ((graceMs: number) => void) | undefined, private readonly exitNow: (signal: NodeJS.Signals) => void) {
    // Every request in flight listens (concurrency × targets): not a leak.
    setMaxListeners(0, this.abandon.signal);
  }
  readonly handle = (signal: NodeJS.Signals): void => {
    if (!this.writing) return this.exitNow(signal);
    if (this.stop.signal.aborted) return this.abandon.abort();
    this.signal = signal;
    this.stop.abort();
    this.onInterrupt?.(this.graceMs);
    this.timer = setTimeout(() => this.abandon.abort(), this.graceMs);
  };
  dispose(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Every apply holds each target's lock from before it reads live state until it is done
 * (targets/lock.ts): two applies at once would otherwise both plan "create" and both write.
 */
export async function apply(options: ApplyOptions): Promise<ApplyResult> {
  const held: TargetLock[] = [];
  const lock: LockOptions = { holder: lockHolder(), ttlSeconds: lockTtlSeconds(options), force: options.forceUnlock === true, held };
  let result: ApplyResult | undefined;
  // Interrupted (Ctrl-C, a cancelled CI job): give the locks back before exiting, so the
  // re-run that converges is not blocked until they expire. Only a SIGKILL leaves them.
  const interrupt = new Interrupt(graceMs(options), options.onInterrupt, (signal) => {
    void releaseLocks(held).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
  process.on("SIGINT", interrupt.handle);
  process.on("SIGTERM", interrupt.handle);
  try {
    result = options.planFile !== undefined ? await applySaved(options, options.planFile, lock, interrupt) : await applyFresh(options, lock, interrupt);
    if (interrupt.signal) result.interrupted = interrupt.signal;
    return result;
  } finally {
    interrupt.dispose();
    process.off("SIGINT", interrupt.handle);
    process.off("SIGTERM", interrupt.handle);
    const warnings = await releaseLocks(held);
    if (result && warnings.length > 0) result.warnings = [...(result.warnings ?? []), ...warnings];
  }
}

/** Gives every lock back, last taken first; one that cannot be is left to expire, and said so. */
async function releaseLocks(held: TargetLock[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const l of held.splice(0).reverse()) {
    try {
      await l.release();
    } catch (e) {
      warnings.push(`${l.target}: the apply lock could not be released (${reasonOf(e)}); it expires by itself, or run pipemon apply --force-unlock`);
    }
  }
  return warnings;
}

/** Who holds a lock: host, process and a random part, in the characters a Datadog tag keeps. */
function lockHolder(): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 40);
  return `${host || "host"}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** PIPEMON_LOCK_TTL_SECONDS, else 30 minutes: past it, a killed apply's lock is taken over. */
function lockTtlSeconds(options: ApplyOptions): number {
  const n = Number(options.env("PIPEMON_LOCK_TTL_SECONDS") ?? Number.NaN);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_LOCK_TTL_SECONDS;
}

function graceMs(options: ApplyOptions): number {
  const n = Number(options.env("PIPEMON_INTERRUPT_GRACE_MS") ?? Number.NaN);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_INTERRUPT_GRACE_MS;
}

async function applyFresh(options: ApplyOptions, lock: LockOptions, interrupt: Interrupt): Promise<ApplyResult> {
  const planned = await plan({ ...options, lock });
  if (!planned.document || !planned.states || !planned.saved) {
    return { load: planned.load, outcomes: [], stats: planned.stats, ...(planned.error !== undefined ? { error: planned.error } : {}) };
  }
  if (options.rotateSecrets) {
    rotateSecrets(planned.states, planned.saved);
    planned.document.summary = planned.saved.summary = summarise(planned.saved.projects.flatMap((p) => p.changes));
  }
  if (options.confirm && !(await options.confirm(planned.document))) return { load: planned.load, document: planned.document, outcomes: [], aborted: true, stats: planned.stats };
  const outcomes = await executeStates(planned.states, planned.saved, options, interrupt);
  return { load: planned.load, document: planned.document, outcomes, stats: planned.stats };
}

/** Turns every unchanged, owned contact point into an update carrying the current secrets. */
function rotateSecrets(states: readonly ProjectState[], saved: SavedPlan): void {
  for (const state of states) {
    const project = saved.projects.find((p) => p.environment === state.project.environment);
    for (const c of project?.changes ?? []) {
      if (c.kind !== "grafana-contact-point" || c.action !== "no-op") continue;
      const desired = state.desired.get(resourceId(c.kind, c.key));
      if (!desired) continue;
      c.action = "update";
      c.note = "re-sent: --rotate-secrets";
      saved.desired[desiredKey(state.project.environment, c.kind, c.key)] = desired.body;
    }
  }
}

async function executeStates(states: readonly ProjectState[], saved: SavedPlan, options: ApplyOptions, interrupt: Interrupt): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const progress = options.progress ?? silentProgress;
  progress.start("applying", saved.projects.reduce((n, p) => n + p.changes.filter((c) => c.action !== "no-op").length, 0));
  interrupt.writing = true;
  try {
    await executeEach(states, saved, options, interrupt, outcomes);
  } finally {
    interrupt.writing = false;
    progress.end("applying");
  }
  return outcomes;
}

async function executeEach(states: readonly ProjectState[], saved: SavedPlan, options: ApplyOptions, interrupt: Interrupt, outcomes: Outcome[]): Promise<void> {
  const progress = options.progress ?? silentProgress;
  // Environments one after the other: a failing production never races a staging rollout.
  for (const state of states) {
    const env = state.project.environment;
    const changes = saved.projects.find((p) => p.environment === env)?.changes ?? [];
    outcomes.push(
      ...(await execute(
        changes.map((c) => (c.action === "unowned" && options.adopt ? { ...c, action: "update" as const } : c)),
        {
          ...(env !== undefined ? { environment: env } : {}),
          prune: options.prune,
          concurrency: options.concurrency,
          connections: state.connections,
          desired: (kind, key) => saved.desired[desiredKey(env, kind, key)],
          live: (kind, key) => state.live.get(resourceId(kind, key)),
          stop: interrupt.stop.signal,
          abandon: interrupt.abandon.signal,
          onOutcome: (o) => progress.step("applying", o.status === "failed"),
        },
      )),
    );
  }
}

function readSaved(file: string): SavedPlan | string {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${file}: no such file (make a plan with: pipemon plan --out ${file})` : `${file}: not a readable plan: ${e instanceof Error ? e.message : String(e)}`;
  }
  const problem = savedPlanProblem(value);
  return problem ? `${file}: not a pipemon plan: ${problem}` : (value as SavedPlan);
}

/** What a saved plan will write, for preflight: its targets, and the bodies of its creates and updates. */
function savedPreflight(saved: SavedPlan, load: LoadResult): PreflightProject[] {
  return saved.projects.flatMap((projectPlan) => {
    const project = load.projects.find((p) => p.environment === projectPlan.environment);
    if (!project) return [];
    const writes = projectPlan.changes.filter((c) => c.action === "create" || c.action === "update" || (c.action === "unowned" && saved.options.adopt === true));
    const resources = writes.flatMap((c) => {
      const body = saved.desired[desiredKey(projectPlan.environment, c.kind, c.key)];
      return body === undefined ? [] : [{ kind: c.kind, key: c.key, body }];
    });
    return [{ project, targets: projectPlan.targets, resources }];
  });
}

async function applySaved(options: ApplyOptions, file: string, lock: LockOptions, interrupt: Interrupt): Promise<ApplyResult> {
  const stats = new RequestStats();
  const saved = readSaved(file);
  if (typeof saved === "string") return { outcomes: [], stats, error: saved };
  // The config still tells where the targets are and how to authenticate.
  const load = loadSpecs({ root: options.root, ...(saved.options.environment !== undefined ? { environment: saved.options.environment } : {}) });
  if (hasErrors(load.diagnostics)) return { load, outcomes: [], stats };
  const connect = options.connect ?? (await defaultConnector());
  const selection = parseSelection(saved.options.select);
  const states: ProjectState[] = [];
  const refused: string[] = [];
  const progress = options.progress ?? silentProgress;
  try {
    // Every variable the writes need, before the first lock is taken.
    preflight(savedPreflight(saved, load), options.env);
    progress.start("listing", saved.projects.reduce((n, p) => n + listedKinds(p.targets).length, 0));
    for (const projectPlan of saved.projects) {
      const project = load.projects.find((p) => p.environment === projectPlan.environment);
      if (!project) {
        refused.push(`environment ${projectPlan.environment ?? "(none)"} of the plan is no longer in the config`);
        continue;
      }
      const readOptions = { lock, targets: projectPlan.targets, ...(selection ? { selection } : {}), adopt: saved.options.adopt === true, env: options.env, connect, stats, progress };
      const state = await readProjectState(project, readOptions, prepareProject(project, readOptions));
      states.push(state);
      for (const c of projectPlan.changes) {
        // Left in place by this plan: whatever happened to it since changes nothing apply does.
        if (c.action === "orphan") continue;
        const now = state.live.get(resourceId(c.kind, c.key))?.fingerprint ?? null;
        if (now === c.liveFingerprint) continue;
        const where = projectPlan.environment ? ` (${projectPlan.environment})` : "";
        refused.push(
          c.liveFingerprint === null ? `${c.kind} ${c.key}${where}: created by someone else since the plan` : now === null ? `${c.kind} ${c.key}${where}: deleted since the plan` : `${c.kind} ${c.key}${where}: changed since the plan (read ${c.liveFingerprint}, now ${now})`,
        );
      }
    }
  } catch (e) {
    const message = userFacing(e);
    if (message === undefined) throw e;
    return { load, outcomes: [], stats, error: message };
  } finally {
    progress.end("listing");
  }
  if (refused.length > 0) return { load, document: saved, outcomes: [], refused, stats };
  // The plan's own --prune and --adopt decide: what was reviewed is what is done.
  const outcomes = await executeStates(states, saved, { ...options, prune: saved.options.prune === true, adopt: saved.options.adopt === true }, interrupt);
  return { load, document: saved, outcomes, stats };
}
