/**
 * Carrying out a plan: creates and updates in dependency order (folders → contact points →
 * dashboards → rule groups → policy subtree; then monitors), deletes afterwards in reverse
 * order, with bounded concurrency within a kind and targets side by side. Returns what
 * happened to every change; a failure never hides what was already applied.
 */
import { KIND_TARGET, RESOURCE_KINDS, type DesiredResource, type Json, type LiveResource, type PlannedChange, type ResourceKind, type TargetName } from "../plan/resource.js";
import { scrubSecrets } from "../lib/scrub.js";
import type { KindHandler } from "../targets/handler.js";
import { CircuitOpenError } from "../targets/resilience.js";
import type { Connection } from "./live-state.js";

export type OutcomeStatus = "applied" | "failed" | "skipped";

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
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

/** One line for a failure: TargetError and friends are already written for users. */
export function reasonOf(e: unknown): string {
  // Scrubbed before it is cut: a cut through a secret could not be recognised afterwards.
  const message = scrubSecrets(e instanceof Error ? e.message : String(e));
  return message.split("\n")[0]!.slice(0, 500);
}

export async function execute(changes: readonly PlannedChange[], options: ExecuteOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const env = options.environment !== undefined ? { environment: options.environment } : {};
  const record = (c: PlannedChange, status: OutcomeStatus, reason?: string) =>
    outcomes.push({ ...env, kind: c.kind, key: c.key, action: c.action, status, ...(reason ? { reason } : {}) });

  const actionable: PlannedChange[] = [];
  for (const c of changes) {
    if (c.action === "no-op") continue;
    if (c.action === "unowned") record(c, "skipped", c.note ?? "not owned by pipemon");
    // An extra copy of a managed identity goes without --prune: the specs want exactly one.
    else if (c.action === "orphan" || (c.action === "delete" && !options.prune && c.duplicateOf === undefined)) record(c, "skipped", "delete needs --prune");
    else actionable.push(c);
  }

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
        if (connection.breaker.isOpen) {
          record(c, "skipped", `${connection.target} stopped after repeated failures (circuit open)`);
          return;
        }
        try {
          await applyOne(handler, c, options);
          record(c, "applied");
        } catch (e) {
          record(c, e instanceof CircuitOpenError ? "skipped" : "failed", reasonOf(e));
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
