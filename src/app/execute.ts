/**
 * Carrying out a plan: creates and updates in dependency order (folders → contact points →
 * dashboards → rule groups → policy subtree; then monitors), deletes afterwards in reverse
 * order, with bounded concurrency within a kind and targets side by side. Returns what
 * happened to every change; a failure never hides what was already applied. A change whose
 * prerequisite did not go through (the folder of a dashboard, a contact point the policy
 * routes to) is skipped with that reason instead of being sent to fail. Once `stop` fires
 * (Ctrl-C), nothing new is started; requests in flight get until `abandon` fires.
 */
import { KIND_TARGET, RESOURCE_KINDS, type DesiredResource, type Json, type LiveResource, type PlannedChange, type ResourceKind, type TargetName } from "../plan/resource.js";
import { folderUid } from "../model/identity.js";
import { pool } from "../lib/pool.js";
import { scrubSecrets } from "../lib/scrub.js";
import type { KindHandler } from "../targets/handler.js";
import { CircuitOpenError } from "../targets/resilience.js";
import type { Connection } from "./live-state.js";

/** `not-started`: never sent, because the run was interrupted before its turn. */
export type OutcomeStatus = "applied" | "failed" | "skipped" | "not-started";

export interface Outcome {
  environment?: string;
  kind: ResourceKind;
  key: string;
  action: PlannedChange["action"];
  status: OutcomeStatus;
  /** Why it failed or was skipped: one line, secret-free. */
  reason?: string;
}

export interface ExecuteOptions {
  environment?: string;
  prune: boolean;
  concurrency: number;
  connections: readonly Connection[];
  /** Desired body of a create/update, from the specs or a saved plan. */
  desired(kind: ResourceKind, key: string): Json | undefined;
  live(kind: ResourceKind, key: string): LiveResource | undefined;
  /** Fired on Ctrl-C: start nothing more. */
  stop?: AbortSignal;
  /** Fired when the wait for requests in flight is over: report them and return. */
  abandon?: AbortSignal;
  /** Each outcome as it is decided (progress display). */
  onOutcome?(outcome: Outcome): void;
}

type ChangeId = string;
const changeId = (kind: ResourceKind, key: string): ChangeId => `${kind}\u0000${key}`;

/** Every `receiver` a routing tree names: the contact points it routes to. */
function receivers(body: Json | undefined, out: string[] = []): string[] {
  if (Array.isArray(body)) for (const b of body) receivers(b, out);
  else if (body !== null && typeof body === "object") {
    for (const [k, v] of Object.entries(body)) {
      if (k === "receiver" && typeof v === "string") out.push(v);
      else receivers(v, out);
    }
  }
  return out;
}

/**
 * What must exist before a create or update of this kind can succeed, by kind: a dashboard
 * and a rule group go into their team's folder, the policy tree routes to contact points.
 */
const PREREQUISITES: Partial<Record<ResourceKind, (c: PlannedChange, body: Json | undefined) => ChangeId[]>> = {
  "grafana-dashboard": (c) => (c.team !== undefined ? [changeId("grafana-folder", folderUid(c.team))] : []),
  "grafana-rule-group": (c) => [changeId("grafana-folder", c.key.slice(0, c.key.indexOf("/")))],
  "grafana-notification-policy": (_c, body) => [...new Set(receivers(body))].map((r) => changeId("grafana-contact-point", r)),
};

/**
 * A delete of a folder or a contact point waits for the changes that stop using it: the
 * dashboards and rule groups in the folder, the policy tree (which may still route to it).
 */
function usesOnDelete(user: PlannedChange, deleted: PlannedChange): boolean {
  if (deleted.kind === "grafana-contact-point") return user.kind === "grafana-notification-policy";
  if (deleted.kind === "grafana-folder") return PREREQUISITES[user.kind]?.(user, undefined).includes(changeId(deleted.kind, deleted.key)) ?? false;
  return false;
}

const what = (kind: ResourceKind, key: string): string => `${kind.replace(/^(grafana|datadog)-/, "").replace(/-/g, " ")} ${key}`;
const DID_NOT: Record<Exclude<OutcomeStatus, "applied">, string> = { failed: "failed", skipped: "was skipped", "not-started": "was not started" };

/** One line for a failure: TargetError and friends are already written for users. */
export function reasonOf(e: unknown): string {
  // Scrubbed before it is cut: a cut through a secret could not be recognised afterwards.
  const message = scrubSecrets(e instanceof Error ? e.message : String(e));
  return message.split("\n")[0]!.slice(0, 500);
}

export async function execute(changes: readonly PlannedChange[], options: ExecuteOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const byId = new Map<ChangeId, Outcome>();
  const env = options.environment !== undefined ? { environment: options.environment } : {};
  const record = (c: PlannedChange, status: OutcomeStatus, reason?: string) => {
    const outcome: Outcome = { ...env, kind: c.kind, key: c.key, action: c.action, status, ...(reason ? { reason } : {}) };
    outcomes.push(outcome);
    byId.set(changeId(c.kind, c.key), outcome);
    options.onOutcome?.(outcome);
  };

  const actionable: PlannedChange[] = [];
  for (const c of changes) {
    if (c.action === "no-op") continue;
    if (c.action === "unowned") record(c, "skipped", c.note ?? "not owned by pipemon");
    // An extra copy of a managed identity goes without --prune: the specs want exactly one.
    else if (c.action === "orphan" || (c.action === "delete" && !options.prune && c.duplicateOf === undefined)) record(c, "skipped", "delete needs --prune");
    else actionable.push(c);
  }

  /** Why this change must not be sent: a prerequisite (or, for a delete, a user) did not go through. */
  const blocked = (c: PlannedChange): string | undefined => {
    const notThrough = (o: Outcome | undefined) => o !== undefined && o.status !== "applied";
    if (c.action === "delete") {
      const user = actionable.find((u) => u !== c && usesOnDelete(u, c) && notThrough(byId.get(changeId(u.kind, u.key))));
      if (!user) return undefined;
      return `${what(user.kind, user.key)} ${DID_NOT[byId.get(changeId(user.kind, user.key))!.status as Exclude<OutcomeStatus, "applied">]}, so it may still be in use`;
    }
    for (const id of PREREQUISITES[c.kind]?.(c, options.desired(c.kind, c.key)) ?? []) {
      const o = byId.get(id);
      if (notThrough(o)) return `${what(o!.kind, o!.key)} ${DID_NOT[o!.status as Exclude<OutcomeStatus, "applied">]}`;
    }
    return undefined;
  };

  const runTarget = async (connection: Connection): Promise<void> => {
    const handlers = new Map<ResourceKind, KindHandler>(connection.handlers.map((h) => [h.kind, h]));
    const ofKind = (kind: ResourceKind, deletes: boolean) => actionable.filter((c) => c.kind === kind && (c.action === "delete") === deletes);
    const phases: Array<{ kind: ResourceKind; deletes: boolean }> = [
      ...RESOURCE_KINDS.map((kind) => ({ kind, deletes: false })),
      ...[...RESOURCE_KINDS].reverse().map((kind) => ({ kind, deletes: true })),
    ].filter((p) => handlers.has(p.kind));
    for (const phase of phases) {
      const handler = handlers.get(phase.kind)!;
      await pool(ofKind(phase.kind, phase.deletes), options.concurrency, async (c) => {
        if (options.stop?.aborted || options.abandon?.aborted) {
          record(c, "not-started", "interrupted before it was sent");
          return;
        }
        if (connection.breaker.isOpen) {
          record(c, "skipped", `${connection.target} stopped after repeated failures (circuit open)`);
          return;
        }
        const reason = blocked(c);
        if (reason !== undefined) {
          record(c, "skipped", reason);
          return;
        }
        try {
          await untilAbandoned(applyOne(handler, c, options), options.abandon);
          record(c, "applied");
        } catch (e) {
          if (e instanceof Abandoned) record(c, "failed", "interrupted while in flight: it may or may not have been applied (pipemon plan shows which)");
          else record(c, e instanceof CircuitOpenError ? "skipped" : "failed", reasonOf(e));
        }
      });
    }
  };
  await Promise.all(options.connections.map(runTarget));
  // Changes of a target with no connection (cannot happen from a fresh plan; a saved plan for
  // a target now excluded) are reported, not silently dropped.
  const connected = new Set<TargetName>(options.connections.flatMap((c) => c.handlers.map((h) => h.target)));
  for (const c of actionable) if (!connected.has(KIND_TARGET[c.kind])) record(c, "skipped", "its target is not part of this run");
  return outcomes;
}

class Abandoned extends Error {}

/** The request's own result, unless `abandon` fires first: then it is left to the process exit. */
function untilAbandoned<T>(work: Promise<T>, abandon: AbortSignal | undefined): Promise<T> {
  if (!abandon) return work;
  if (abandon.aborted) return Promise.reject(new Abandoned());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Abandoned());
    abandon.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => abandon.removeEventListener("abort", onAbort));
  });
}

async function applyOne(handler: KindHandler, c: PlannedChange, options: ExecuteOptions): Promise<void> {
  const live = options.live(c.kind, c.key);
  if (c.action === "delete") {
    if (!live) return; // already gone: deleting converges
    return c.duplicateOf !== undefined && handler.deleteCopy ? handler.deleteCopy(live) : handler.delete(live);
  }
  const body = options.desired(c.kind, c.key);
  if (body === undefined) throw new Error(`no desired body for ${c.kind} ${c.key}`);
  const desired: DesiredResource = { kind: c.kind, key: c.key, body, ...(c.pipeline !== undefined ? { pipeline: c.pipeline } : {}), ...(c.team !== undefined ? { team: c.team } : {}) };
  if (live) return handler.update(desired, live);
  return handler.create(desired);
}
