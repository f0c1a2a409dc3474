import { describe, expect, it } from "vitest";
import { execute } from "../../src/app/execute.js";
import type { Connection } from "../../src/app/live-state.js";
import type { LiveResource, PlannedChange, ResourceKind } from "../../src/plan/resource.js";
import type { KindHandler } from "../../src/targets/handler.js";
import { CircuitBreaker } from "../../src/targets/resilience.js";

/** Handlers that record every call, in order, and fail the keys they are told to. */
function recordingConnection(target: "grafana" | "datadog", kinds: ResourceKind[], log: string[], failing = new Set<string>(), breaker = new CircuitBreaker(target, 2)): Connection {
  const handlers: KindHandler[] = kinds.map((kind) => {
    const call = async (op: string, key: string) => {
      log.push(`${op} ${kind} ${key}`);
      if (failing.has(key)) {
        breaker.failed();
        throw new Error(`${key} failed`);
      }
    };
    return {
      kind,
      target,
      list: async () => [],
      normalise: (b) => b,
      create: (d) => call("create", d.key),
      update: (d) => call("update", d.key),
      delete: (l) => call("delete", l.key),
    };
  });
  return { target, handlers, breaker };
}

const change = (kind: ResourceKind, key: string, action: PlannedChange["action"]): PlannedChange => ({ kind, key, action, before: null, after: null, liveFingerprint: null });
const live = (kind: ResourceKind, key: string): LiveResource => ({ kind, key, body: {}, owned: true, fingerprint: "f" });
const GRAFANA_KINDS: ResourceKind[] = ["grafana-folder", "grafana-contact-point", "grafana-dashboard", "grafana-rule-group", "grafana-notification-policy"];

describe("execute", () => {
  it("creates and updates in dependency order, then deletes in reverse order, only with --prune", async () => {
    const log: string[] = [];
    const changes = [
      change("grafana-notification-policy", "managed-subtree", "update"),
      change("grafana-contact-point", "pipemon-old", "delete"),
      change("grafana-rule-group", "f/p", "create"),
      change("grafana-folder", "pipemon-t", "create"),
      change("grafana-dashboard", "pm-gone", "delete"),
      change("grafana-contact-point", "pipemon-new", "create"),
      change("grafana-dashboard", "pm-p", "no-op"),
    ];
    const options = { prune: true, concurrency: 1, connections: [recordingConnection("grafana", GRAFANA_KINDS, log)], desired: () => ({}), live: (k: ResourceKind, key: string) => (key.includes("gone") || key.includes("old") || k === "grafana-notification-policy" ? live(k, key) : undefined) };
    const outcomes = await execute(changes, options);
    expect(log).toEqual([
      "create grafana-folder pipemon-t",
      "create grafana-contact-point pipemon-new",
      "create grafana-rule-group f/p",
      "update grafana-notification-policy managed-subtree",
      "delete grafana-dashboard pm-gone",
      "delete grafana-contact-point pipemon-old",
    ]);
    expect(outcomes.every((o) => o.status === "applied")).toBe(true);

    const withoutPrune = await execute(changes, { ...options, prune: false, connections: [recordingConnection("grafana", GRAFANA_KINDS, [])] });
    expect(withoutPrune.filter((o) => o.status === "skipped").map((o) => [o.key, o.reason])).toEqual([
      ["pipemon-old", "delete needs --prune"],
      ["pm-gone", "delete needs --prune"],
    ]);
  });

  it("stops a target whose circuit opened and says what was not applied; the other target carries on", async () => {
    const log: string[] = [];
    const grafana = recordingConnection("grafana", GRAFANA_KINDS, log, new Set(["pm-a", "pm-b"]));
    const datadog = recordingConnection("datadog", ["datadog-monitor"], log);
    const changes = [
      ...["pm-a", "pm-b", "pm-c", "pm-d"].map((k) => change("grafana-dashboard", k, "create")),
      change("grafana-notification-policy", "managed-subtree", "create"),
      change("datadog-monitor", "p/stale", "create"),
    ];
    const outcomes = await execute(changes, { prune: false, concurrency: 1, connections: [grafana, datadog], desired: () => ({}), live: () => undefined });
    const by = (key: string) => outcomes.find((o) => o.key === key);
    expect(by("pm-a")).toMatchObject({ status: "failed", reason: "pm-a failed" });
    expect(by("pm-b")).toMatchObject({ status: "failed" });
    expect(by("pm-c")).toMatchObject({ status: "skipped", reason: "grafana stopped after repeated failures (circuit open)" });
    expect(by("managed-subtree")).toMatchObject({ status: "skipped" });
    expect(by("p/stale")).toMatchObject({ status: "applied" });
    expect(log).not.toContain("create grafana-dashboard pm-c");
  });

  it("reports changes of a target that is not connected instead of dropping them", async () => {
    const outcomes = await execute([change("datadog-monitor", "p/stale", "create")], { prune: false, concurrency: 4, connections: [], desired: () => ({}), live: () => undefined });
    expect(outcomes).toEqual([{ kind: "datadog-monitor", key: "p/stale", action: "create", status: "skipped", reason: "its target is not part of this run" }]);
  });
  it("deletes an extra copy of a managed identity without --prune, through deleteCopy where the kind has one", async () => {
    const log: string[] = [];
    const connection = recordingConnection("grafana", ["grafana-dashboard", "grafana-notification-policy"], log);
    const policy = connection.handlers.find((h) => h.kind === "grafana-notification-policy")!;
    (policy as { deleteCopy?: (l: LiveResource) => Promise<void> }).deleteCopy = async (l) => void log.push(`deleteCopy ${l.kind} ${l.key}`);
    const changes: PlannedChange[] = [
      { ...change("grafana-notification-policy", "managed-subtree#3", "delete"), duplicateOf: "managed-subtree" },
      change("grafana-dashboard", "pm-gone", "delete"),
    ];
    const outcomes = await execute(changes, { prune: false, concurrency: 1, connections: [connection], desired: () => ({}), live: (k, key) => live(k, key) });
    expect(log).toEqual(["deleteCopy grafana-notification-policy managed-subtree#3"]);
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["pm-gone", "skipped"],
      ["managed-subtree#3", "applied"],
    ]);
  });

  it("skips what depends on a change that failed, with the reason, instead of sending it", async () => {
    const log: string[] = [];
    const grafana = recordingConnection("grafana", GRAFANA_KINDS, log, new Set(["pipemon-data-oncall", "pipemon-growth"]), new CircuitBreaker("grafana", 10));
    const policy = { routes: [{ receiver: "pipemon-data-oncall" }, { routes: [{ receiver: "pipemon-data-alerts" }] }] };
    const changes: PlannedChange[] = [
      change("grafana-folder", "pipemon-growth", "create"),
      change("grafana-folder", "pipemon-commerce", "create"),
      change("grafana-contact-point", "pipemon-data-oncall", "create"),
      change("grafana-contact-point", "pipemon-data-alerts", "create"),
      { ...change("grafana-dashboard", "pm-clickstream", "create"), team: "growth" },
      { ...change("grafana-dashboard", "pm-orders-etl", "create"), team: "commerce" },
      change("grafana-rule-group", "pipemon-growth/clickstream", "create"),
      change("grafana-rule-group", "pipemon-commerce/orders-etl", "create"),
      change("grafana-notification-policy", "managed-subtree", "update"),
    ];
    const outcomes = await execute(changes, { prune: false, concurrency: 2, connections: [grafana], desired: (kind) => (kind === "grafana-notification-policy" ? policy : {}), live: (k, key) => (k === "grafana-notification-policy" ? live(k, key) : undefined) });
    const by = (key: string) => outcomes.find((o) => o.key === key);
    expect(by("managed-subtree")).toMatchObject({ status: "skipped", reason: "contact point pipemon-data-oncall failed" });
    expect(by("pm-clickstream")).toMatchObject({ status: "skipped", reason: "folder pipemon-growth failed" });
    expect(by("pipemon-growth/clickstream")).toMatchObject({ status: "skipped", reason: "folder pipemon-growth failed" });
    expect([by("pm-orders-etl")?.status, by("pipemon-commerce/orders-etl")?.status, by("pipemon-data-alerts")?.status]).toEqual(["applied", "applied", "applied"]);
    // Never sent: a request bound to fail would only add noise (and count towards the circuit breaker).
    expect(log.filter((l) => /pm-clickstream|clickstream$|managed-subtree/.test(l))).toEqual([]);
  });

  it("does not delete a folder or contact point while what uses it could not be changed", async () => {
    const log: string[] = [];
    const grafana = recordingConnection("grafana", GRAFANA_KINDS, log, new Set(["pm-old", "managed-subtree"]), new CircuitBreaker("grafana", 10));
    const changes: PlannedChange[] = [
      { ...change("grafana-dashboard", "pm-old", "delete"), team: "old" },
      change("grafana-folder", "pipemon-old", "delete"),
      change("grafana-notification-policy", "managed-subtree", "update"),
      change("grafana-contact-point", "pipemon-gone", "delete"),
    ];
    const outcomes = await execute(changes, { prune: true, concurrency: 1, connections: [grafana], desired: () => ({}), live: (k, key) => live(k, key) });
    const by = (key: string) => outcomes.find((o) => o.key === key);
    expect(by("pipemon-old")).toMatchObject({ status: "skipped", reason: "dashboard pm-old failed, so it may still be in use" });
    expect(by("pipemon-gone")).toMatchObject({ status: "skipped", reason: "notification policy managed-subtree failed, so it may still be in use" });
    expect(log).not.toContain("delete grafana-folder pipemon-old");
  });

  it("after stop starts nothing new; requests in flight finish, or are reported when abandoned", async () => {
    const stop = new AbortController();
    const abandon = new AbortController();
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let secondStarted!: () => void;
    const second = new Promise<void>((r) => (secondStarted = r));
    const handler = {
      kind: "datadog-monitor" as const,
      target: "datadog" as const,
      list: async () => [],
      normalise: (b: never) => b,
      create: async (d: { key: string }) => {
        log.push(`create ${d.key}`);
        if (d.key === "p/1") {
          // The interrupt arrives while p/1 and p/2 are in flight; p/1 still completes, p/2
          // hangs until the grace period ends.
          await second;
          stop.abort();
          setTimeout(() => abandon.abort(), 0);
        }
        if (d.key === "p/2") {
          secondStarted();
          await held;
        }
      },
      update: async () => undefined,
      delete: async () => undefined,
    };
    const connection: Connection = { target: "datadog", handlers: [handler], breaker: new CircuitBreaker("datadog") };
    const changes = ["p/1", "p/2", "p/3", "p/4"].map((k) => change("datadog-monitor", k, "create"));
    const seen: string[] = [];
    const outcomes = await execute(changes, { prune: false, concurrency: 2, connections: [connection], desired: () => ({}), live: () => undefined, stop: stop.signal, abandon: abandon.signal, onOutcome: (o) => seen.push(`${o.key} ${o.status}`) });
    release();
    expect(log).toEqual(["create p/1", "create p/2"]);
    const by = (key: string) => outcomes.find((o) => o.key === key);
    expect(by("p/1")).toMatchObject({ status: "applied" });
    expect(by("p/2")).toMatchObject({ status: "failed", reason: expect.stringMatching(/^interrupted while in flight: it may or may not have been applied/) });
    expect([by("p/3")?.status, by("p/4")?.status]).toEqual(["not-started", "not-started"]);
    expect(seen).toHaveLength(4);
  });
});
