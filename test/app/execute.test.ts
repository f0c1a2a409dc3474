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
});
