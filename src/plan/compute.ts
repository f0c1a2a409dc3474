/**
 * The reconciliation decision, pure: given what the specs want and what a server holds for
 * one kind, what happens to each resource. Both sides are normalised by the kind's handler
 * before comparing, so server-added fields and redacted secrets are never a diff.
 */
import type { DesiredResource, Json, LiveResource, PlannedChange, ResourceKind } from "./resource.js";

export interface KindInput {
  kind: ResourceKind;
  desired: readonly DesiredResource[];
  live: readonly LiveResource[];
  normalise(body: Json, side: "desired" | "live"): Json;
  /**
   * Whether a live resource the specs no longer want is in this plan's scope (a `--select`
   * plan must not propose deleting resources of pipelines it did not select).
   */
  inScope(live: LiveResource): boolean;
}

export interface PlanOptions {
  /** Treat a pipemon identity without the ownership marker as ours (apply --adopt). */
  adopt: boolean;
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as Json[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]!));
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k]!, bo[k]!));
}

/** Oldest first: numeric instances (ids, positions) by value, others by text, none last. */
function compareInstance(a: LiveResource, b: LiveResource): number {
  const x = a.instance;
  const y = b.instance;
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plan key of an extra copy of `key`: distinct from the identity, and names the copy. */
export const duplicateKey = (key: string, live: LiveResource): string => `${key}#${live.instance ?? live.fingerprint}`;

interface Copies {
  /** The copy pipemon keeps managing under the identity's key. */
  keeper: LiveResource;
  /** Why that one: shown in the plan, so a reviewer knows which monitor survives. */
  why: string;
  others: LiveResource[];
}

/**
 * Groups live resources by identity and, where several claim one, picks the one to keep,
 * deterministically: among the copies pipemon may manage (owned, or any with --adopt), the
 * oldest whose body already matches the specs, else the oldest. The oldest is what links,
 * dashboards and SLOs were most likely made to point at; a matching one needs no write.
 */
function groupCopies(input: KindInput, options: PlanOptions): Map<string, Copies> {
  const byKey = new Map<string, LiveResource[]>();
  for (const l of input.live) byKey.set(l.key, [...(byKey.get(l.key) ?? []), l]);
  const desired = new Map(input.desired.map((d) => [d.key, d]));
  const out = new Map<string, Copies>();
  for (const [key, copies] of byKey) {
    if (copies.length === 1) {
      out.set(key, { keeper: copies[0]!, why: "", others: [] });
      continue;
    }
    const sorted = [...copies].sort(compareInstance);
    const manageable = sorted.filter((l) => l.owned || options.adopt);
    const d = desired.get(key);
    const after = d ? input.normalise(d.body, "desired") : undefined;
    const matching = after === undefined ? undefined : manageable.find((l) => jsonEqual(input.normalise(l.body, "live"), after));
    const keeper = matching ?? manageable[0] ?? sorted[0]!;
    const why = matching ? "it matches the specs" : manageable.length > 0 ? "the oldest" : "the oldest; none carries pipemon's ownership marker";
    out.set(key, { keeper, why, others: sorted.filter((l) => l !== keeper) });
  }
  return out;
}

/**
 * Every live resource a plan of this kind refers to, by the key its change carries: the
 * keeper under the identity, each extra copy under `duplicateKey` (what apply deletes).
 */
export function liveByPlanKey(input: KindInput, options: PlanOptions): Map<string, LiveResource> {
  const out = new Map<string, LiveResource>();
  for (const [key, { keeper, others }] of groupCopies(input, options)) {
    out.set(key, keeper);
    for (const o of others) out.set(duplicateKey(key, o), o);
  }
  return out;
}

export function planKind(input: KindInput, options: PlanOptions): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const wanted = new Map(input.desired.map((d) => [d.key, d]));
  const live = new Map<string, LiveResource>();
  for (const [key, { keeper, why, others }] of groupCopies(input, options)) {
    live.set(key, keeper);
    const d = wanted.get(key);
    // A copy of an identity outside a --select plan is for a plan that covers it.
    if (!d && !input.inScope(keeper)) continue;
    const owner = ownerOf(d);
    for (const copy of others) {
      const base = { kind: input.kind, key: duplicateKey(key, copy), ...owner, before: input.normalise(copy.body, "live"), after: null, liveFingerprint: copy.fingerprint, duplicateOf: key };
      const count = `${others.length + 1} live copies carry ${key}`;
      if ((copy.owned || options.adopt) && (keeper.owned || options.adopt)) {
        // pipemon's own extra copy (two applies at once, a create committed after its
        // timeout): deleted by apply, so plan must never call such an estate "no changes".
        changes.push({ ...base, action: "delete", note: `duplicate: ${count}; pipemon keeps ${instanceName(keeper)} (${why}) and deletes this one` });
      } else {
        const { duplicateOf: _dup, ...rest } = base;
        changes.push({ ...rest, action: "unowned", note: `duplicate without pipemon's ownership marker: ${count}; pipemon manages ${instanceName(keeper)} and leaves this one alone: delete it by hand` });
      }
    }
  }
  for (const d of input.desired) {
    const owner = ownerOf(d);
    const after = input.normalise(d.body, "desired");
    const l = live.get(d.key);
    if (!l) {
      changes.push({ kind: input.kind, key: d.key, action: "create", ...owner, before: null, after, liveFingerprint: null });
      continue;
    }
    const before = input.normalise(l.body, "live");
    if (!l.owned && !options.adopt) {
      changes.push({ kind: input.kind, key: d.key, action: "unowned", ...owner, before, after, liveFingerprint: l.fingerprint, note: "exists without pipemon's ownership marker; left alone (apply --adopt takes it over)" });
      continue;
    }
    if (l.owned && jsonEqual(before, after)) {
      // Unchanged bodies are not kept: a plan of 1,000 pipelines would otherwise carry
      // ~100 MB of identical JSON into --format json and saved plans.
      changes.push({ kind: input.kind, key: d.key, action: "no-op", ...owner, before: null, after: null, liveFingerprint: l.fingerprint });
      continue;
    }
    changes.push({ kind: input.kind, key: d.key, action: "update", ...owner, before, after, liveFingerprint: l.fingerprint, ...(!l.owned ? { note: "adopted: pipemon's ownership marker is added" } : {}) });
  }
  for (const l of live.values()) {
    if (wanted.has(l.key) || !l.owned || !input.inScope(l)) continue;
    const owner = { ...(l.owner?.pipeline !== undefined ? { pipeline: l.owner.pipeline } : {}), ...(l.owner?.team !== undefined ? { team: l.owner.team } : {}) };
    changes.push({ kind: input.kind, key: l.key, action: "delete", ...owner, before: input.normalise(l.body, "live"), after: null, liveFingerprint: l.fingerprint });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const ownerOf = (d: DesiredResource | undefined): { pipeline?: string; team?: string } => ({
  ...(d?.pipeline !== undefined ? { pipeline: d.pipeline } : {}),
  ...(d?.team !== undefined ? { team: d.team } : {}),
});

const instanceName = (l: LiveResource): string => (l.instance !== undefined ? `#${l.instance}` : `the copy read as ${l.fingerprint}`);

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  unowned: number;
  /** Left in place: no longer in the specs, and the plan was made without --prune. */
  orphan: number;
  /** Of the deletes, how many remove an extra copy of a managed identity. */
  duplicate: number;
}

export function summarise(changes: readonly PlannedChange[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0, unowned: 0, orphan: 0, duplicate: 0 };
  for (const c of changes) {
    if (c.action === "no-op") s.noop++;
    else s[c.action]++;
    if (c.action === "delete" && c.duplicateOf !== undefined) s.duplicate++;
  }
  return s;
}

/** Whether applying would change anything (apply asks for confirmation only then). */
export const hasChanges = (s: PlanSummary): boolean => s.create + s.update + s.delete > 0;

/**
 * Whether live differs from the specs (what `--detailed-exitcode` reports as 2): the changes
 * apply makes, and the resources a plan without --prune leaves in place, so a drift check in
 * CI still sees the leftovers of a deleted pipeline.
 */
export const differs = (s: PlanSummary): boolean => hasChanges(s) || s.orphan > 0;

/** In a plan without --prune, what apply leaves in place: a delete of pipemon's own resource that is no extra copy. */
export function holdBackDeletes(changes: PlannedChange[]): void {
  for (const c of changes) {
    if (c.action !== "delete" || c.duplicateOf !== undefined) continue;
    c.action = "orphan";
    c.note = "no longer in the specs; apply deletes it only with --prune";
  }
}
