import { describe, expect, it } from "vitest";
import { hasChanges, jsonEqual, liveByPlanKey, planKind, summarise, type KindInput } from "../../src/plan/compute.js";
import type { DesiredResource, Json, LiveResource } from "../../src/plan/resource.js";

const desired = (key: string, body: Json, pipeline?: string): DesiredResource => ({ kind: "datadog-monitor", key, body, ...(pipeline ? { pipeline } : {}) });
const live = (key: string, body: Json, owned = true, fingerprint = `f-${key}`): LiveResource => ({ kind: "datadog-monitor", key, body, owned, fingerprint });

/** Normalisation stands in for a handler's: drops the server-owned `id`. */
function input(d: DesiredResource[], l: LiveResource[], inScope: (l: LiveResource) => boolean = () => true): KindInput {
  return {
    kind: "datadog-monitor",
    desired: d,
    live: l,
    normalise: (body) => {
      const { id: _id, ...rest } = body as Record<string, Json>;
      return rest;
    },
    inScope,
  };
}

describe("planKind", () => {
  it("decides create, update, no-op and delete per identity, comparing normalised bodies", () => {
    const changes = planKind(
      input(
        [desired("a/stale", { q: 1 }), desired("b/stale", { q: 2 }), desired("c/stale", { q: 3 })],
        [live("b/stale", { q: 2, id: 7 }), live("c/stale", { q: 4, id: 8 }), live("d/stale", { q: 5, id: 9 })],
      ),
      { adopt: false },
    );
    expect(changes.map((c) => [c.key, c.action])).toEqual([
      ["a/stale", "create"],
      ["b/stale", "no-op"],
      ["c/stale", "update"],
      ["d/stale", "delete"],
    ]);
    expect(changes[2]).toMatchObject({ before: { q: 4 }, after: { q: 3 }, liveFingerprint: "f-c/stale" });
    // An unchanged resource keeps its fingerprint (the saved-plan check) but not its bodies.
    expect(changes[1]).toMatchObject({ before: null, after: null, liveFingerprint: "f-b/stale" });
    expect(changes[0]!.liveFingerprint).toBeNull();
  });

  it("leaves a resource without the ownership marker alone, unless adopting", () => {
    const d = [desired("a/stale", { q: 1 })];
    const l = [live("a/stale", { q: 1 }, false)];
    expect(planKind(input(d, l), { adopt: false })[0]).toMatchObject({ action: "unowned" });
    // Adopting writes the marker even when the content already matches.
    expect(planKind(input(d, l), { adopt: true })[0]).toMatchObject({ action: "update", note: expect.stringContaining("adopted") });
  });

  it("never deletes what it does not own or what is outside the selection", () => {
    const changes = planKind(input([], [live("x/stale", {}, false), live("y/stale", {}), live("z/stale", {})], (l) => l.key !== "z/stale"), { adopt: false });
    expect(changes.map((c) => [c.key, c.action])).toEqual([["y/stale", "delete"]]);
  });

  const copy = (key: string, body: Json, instance: number, owned = true): LiveResource => ({ ...live(key, body, owned, `f${instance}`), instance: String(instance) });

  it("deletes pipemon's extra copies of an identity, keeping the one that matches the specs", () => {
    const changes = planKind(input([desired("a/stale", { q: 1 })], [copy("a/stale", { q: 0 }, 12), copy("a/stale", { q: 1 }, 30), copy("a/stale", { q: 2 }, 9)]), { adopt: false });
    expect(changes.map((c) => [c.key, c.action, c.liveFingerprint, c.duplicateOf])).toEqual([
      ["a/stale", "no-op", "f30", undefined],
      ["a/stale#12", "delete", "f12", "a/stale"],
      ["a/stale#9", "delete", "f9", "a/stale"],
    ]);
    expect(changes[1]!.note).toMatch(/^duplicate: 3 live copies carry a\/stale; pipemon keeps #30 \(it matches the specs\)/);
    expect(summarise(changes)).toMatchObject({ delete: 2, duplicate: 2, noop: 1 });
    expect(hasChanges(summarise(changes))).toBe(true);
  });

  it("keeps the oldest copy when none matches, and leaves a copy without the marker to a human", () => {
    const changes = planKind(input([desired("a/stale", { q: 1 })], [copy("a/stale", { q: 3 }, 20), copy("a/stale", { q: 2 }, 7), copy("a/stale", { q: 1 }, 3, false)]), { adopt: false });
    expect(changes.map((c) => [c.key, c.action, c.liveFingerprint])).toEqual([
      ["a/stale", "update", "f7"],
      ["a/stale#20", "delete", "f20"],
      ["a/stale#3", "unowned", "f3"],
    ]);
    expect(changes.find((c) => c.key === "a/stale#20")!.note).toContain("pipemon keeps #7 (the oldest)");
  });

  it("maps each plan key to the copy it acts on", () => {
    const l = [copy("a/stale", { q: 1 }, 5), copy("a/stale", { q: 1 }, 4)];
    const byKey = liveByPlanKey(input([desired("a/stale", { q: 1 })], l), { adopt: false });
    expect([...byKey].map(([k, v]) => [k, v.instance])).toEqual([
      ["a/stale", "4"],
      ["a/stale#5", "5"],
    ]);
  });

  it("copies of an identity outside a --select plan are left to a plan that covers it", () => {
    const changes = planKind(input([], [copy("z/stale", {}, 1), copy("z/stale", {}, 2)], () => false), { adopt: false });
    expect(changes).toEqual([]);
  });

  it("summarises, and only creates, updates and deletes count as changes", () => {
    const s = summarise([
      { kind: "datadog-monitor", key: "a", action: "no-op", before: null, after: null, liveFingerprint: null },
      { kind: "datadog-monitor", key: "b", action: "unowned", before: null, after: null, liveFingerprint: null },
    ]);
    expect(s).toEqual({ create: 0, update: 0, delete: 0, noop: 1, unowned: 1, orphan: 0, duplicate: 0 });
    expect(hasChanges(s)).toBe(false);
    expect(hasChanges({ ...s, delete: 1 })).toBe(true);
  });
});

describe("jsonEqual", () => {
  it("ignores key order but not array order or types", () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: "1" })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
  });
});
