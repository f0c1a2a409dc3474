/**
 * Use case: apply. Either plans afresh and carries the plan out, or carries out a saved plan
 * after checking that every live resource it read is unchanged (dashboard version, rule
 * group content, monitor `modified`); a stale plan is refused with the reasons.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadResult } from "../spec/index.js";
import { summarise } from "../plan/compute.js";
import { desiredKey, savedPlanProblem, type PlanDocument, type SavedPlan } from "../plan/document.js";
import { parseSelection } from "./desired.js";
import { DEFAULT_LOCK_TTL_SECONDS, type TargetLock } from "../targets/lock.js";
import { execute, reasonOf, type Outcome } from "./execute.js";
import { readProjectState, resourceId, RequestStats, type LockOptions, type ProjectState } from "./live-state.js";
import { defaultConnector, plan, userFacing, type PlanOptions } from "./plan.js";

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
}

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
  const onSignal = (signal: NodeJS.Signals) => {
    void releaseLocks(held).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    result = options.planFile !== undefined ? await applySaved(options, options.planFile, lock) : await applyFresh(options, lock);
    return result;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
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

async function applyFresh(options: ApplyOptions, lock: LockOptions): Promise<ApplyResult> {
  const planned = await plan({ ...options, lock });
  if (!planned.document || !planned.states || !planned.saved) {
    return { load: planned.load, outcomes: [], stats: planned.stats, ...(planned.error !== undefined ? { error: planned.error } : {}) };
  }
  if (options.rotateSecrets) {
    rotateSecrets(planned.states, planned.saved);
    planned.document.summary = planned.saved.summary = summarise(planned.saved.projects.flatMap((p) => p.changes));
  }
  if (options.confirm && !(await options.confirm(planned.document))) return { load: planned.load, document: planned.document, outcomes: [], aborted: true, stats: planned.stats };
  const outcomes = await executeStates(planned.states, planned.saved, options);
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

async function executeStates(states: readonly ProjectState[], saved: SavedPlan, options: ApplyOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
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
        },
      )),
    );
  }
  return outcomes;
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

async function applySaved(options: ApplyOptions, file: string, lock: LockOptions): Promise<ApplyResult> {
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
  try {
    for (const projectPlan of saved.projects) {
      const project = load.projects.find((p) => p.environment === projectPlan.environment);
      if (!project) {
        refused.push(`environment ${projectPlan.environment ?? "(none)"} of the plan is no longer in the config`);
        continue;
      }
      const state = await readProjectState(project, { lock, targets: projectPlan.targets, ...(selection ? { selection } : {}), adopt: saved.options.adopt === true, env: options.env, connect, stats });
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
  }
  if (refused.length > 0) return { load, document: saved, outcomes: [], refused, stats };
  // The plan's own --prune and --adopt decide: what was reviewed is what is done.
  const outcomes = await executeStates(states, saved, { ...options, prune: saved.options.prune === true, adopt: saved.options.adopt === true });
  return { load, document: saved, outcomes, stats };
}
