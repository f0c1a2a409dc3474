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

export function planKind(input: KindInput, options: PlanOptions): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const live = new Map<string, LiveResource>();
  for (const l of input.live) {
    if (live.has(l.key)) {
      // Two live resources claim one identity (a cloned monitor, say): pipemon manages the
      // first and reports the other for a human to remove; it never guesses which is right.
      changes.push({ kind: input.kind, key: l.key, action: "unowned", before: input.normalise(l.body, "live"), after: null, liveFingerprint: l.fingerprint, note: "a second live resource carries this identity; pipemon leaves it alone: delete it by hand" });
      continue;
    }
    live.set(l.key, l);
  }
  const wanted = new Set<string>();
  for (const d of input.desired) {
    wanted.add(d.key);
    const owner = { ...(d.pipeline !== undefined ? { pipeline: d.pipeline } : {}), ...(d.team !== undefined ? { team: d.team } : {}) };
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
    changes.push({ kind: input.kind, key: l.key, action: "delete", before: input.normalise(l.body, "live"), after: null, liveFingerprint: l.fingerprint });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  unowned: number;
}

export function summarise(changes: readonly PlannedChange[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0, unowned: 0 };
  for (const c of changes) {
    if (c.action === "no-op") s.noop++;
    else s[c.action]++;
  }
  return s;
}

/** Whether applying would change anything (what `--detailed-exitcode` reports as 2). */
export const hasChanges = (s: PlanSummary): boolean => s.create + s.update + s.delete > 0;
