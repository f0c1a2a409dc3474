/**
 * The Datadog monitor handler against the Datadog emulator, through the official client:
 * round trip without perpetual diffs, paging, scoping, ownership, and survival of 429s,
 * 5xx, hangs, resets, bad keys and rate limits.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { LiveResource } from "../../../src/plan/resource.js";
import { ListingIncompleteError, TargetError } from "../../../src/targets/handler.js";
import { CircuitOpenError } from "../../../src/targets/resilience.js";
import { desired, monitorBody, productionMonitors, runConcurrently, setup, GRAFANA_URL, type Setup } from "./helpers.js";

let current: Setup | undefined;
async function start(opts: Parameters<typeof setup>[0] = {}): Promise<Setup> {
  current = await setup(opts);
  return current;
}
afterEach(async () => {
  await current?.emulator.close();
  current = undefined;
});

const byKey = (live: LiveResource[]) => new Map(live.map((l) => [l.key, l]));

describe("round trip with the generated production monitors", () => {
  it("creates every monitor, lists them back owned, and normalises both sides equal", async () => {
    const { handler, emulator } = await start({ environment: "production" });
    const wanted = productionMonitors();
    expect(wanted.length).toBeGreaterThan(20);
    for (const d of wanted) await handler.create(d);

    const live = byKey(await handler.list());
    expect(live.size).toBe(wanted.length);
    for (const d of wanted) {
      const l = live.get(d.key);
      expect(l, d.key).toBeDefined();
      expect(l!.owned).toBe(true);
      expect(handler.normalise(l!.body, "live")).toEqual(handler.normalise(d.body, "desired"));
    }
    // The dashboard link was resolved when written, never sent as a placeholder.
    const messages = emulator.snapshot().monitors.map((m) => String(m.message));
    expect(messages.some((m) => m.includes(`${GRAFANA_URL}/d/pm-`))).toBe(true);
    expect(messages.some((m) => m.includes("${GRAFANA_URL}"))).toBe(false);
  });

  it("an update with the same body leaves no diff, and the fingerprint moves", async () => {
    const { handler } = await start({ environment: "production" });
    const wanted = productionMonitors().slice(0, 3);
    for (const d of wanted) await handler.create(d);
    const before = byKey(await handler.list());
    await new Promise((r) => setTimeout(r, 5));
    for (const d of wanted) await handler.update(d, before.get(d.key)!);
    const after = byKey(await handler.list());
    for (const d of wanted) {
      expect(handler.normalise(after.get(d.key)!.body, "live")).toEqual(handler.normalise(d.body, "desired"));
      expect(after.get(d.key)!.fingerprint).not.toBe(before.get(d.key)!.fingerprint);
    }
  });

  it("update puts back what someone changed by hand, including fields the spec does not set", async () => {
    const { handler, emulator } = await start({ environment: "production" });
    const d = desired("orders-etl", "stale");
    await handler.create(d);
    const [created] = await handler.list();
    emulator.state.update(created!.handle as number, {
      priority: 1,
      restricted_roles: ["role-1"],
      options: { thresholds: { critical: 90 }, renotify_interval: 60 },
      tags: ["managed-by:pipemon", "pipemon-id:orders-etl/stale", "env:production", "extra:tag"],
    });
    const [drifted] = await handler.list();
    expect(handler.normalise(drifted!.body, "live")).not.toEqual(handler.normalise(d.body, "desired"));
    await handler.update(d, drifted!);
    const [fixed] = await handler.list();
    expect(handler.normalise(fixed!.body, "live")).toEqual(handler.normalise(d.body, "desired"));
  });
});

describe("listing", () => {
  it("pages 2,345 monitors with page_size=1000 in 3 requests", async () => {
    const { handler, emulator, seen, requests } = await start();
    for (let i = 0; i < 2345; i++) {
      const tags = i % 3 === 0 ? ["managed-by:pipemon", `pipemon-id:p${i}/cpu`] : ["team:other"];
      emulator.seedMonitor({ tags });
    }
    const live = await handler.list();
    expect(live).toHaveLength(782);
    expect(seen("GET", "^/api/v1/monitor$")).toBe(3);
    expect(requests.filter((r) => r.route === "/api/v1/monitor")).toHaveLength(3);
    expect(emulator.faults.requests.every((r) => /page_size=1000/.test(r.query))).toBe(true);
  });

  it("exactly 1,000 monitors take 2 requests (the second page is empty)", async () => {
    const { handler, emulator, seen } = await start();
    for (let i = 0; i < 1000; i++) emulator.seedMonitor({ tags: ["managed-by:pipemon", `pipemon-id:p${i}/cpu`] });
    expect(await handler.list()).toHaveLength(1000);
    expect(seen("GET", "^/api/v1/monitor$")).toBe(2);
  });

  it("sees only the environment's monitors, keyed <pipemon-id>@<env>", async () => {
    const { handler, emulator } = await start({ environment: "production" });
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale", "env:production"] });
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale", "env:staging"] });
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:b/stale"] });
    const live = await handler.list();
    expect(live.map((l) => l.key)).toEqual(["a/stale@production"]);
    expect(emulator.faults.requests[0]!.query).toContain("monitor_tags=env%3Aproduction");
  });

  it("reports a pipemon id without the ownership marker as unowned and ignores foreign monitors", async () => {
    const { handler, emulator } = await start({ environment: "production" });
    emulator.seedForeignMonitor({ tags: ["env:production", "team:someone-else"] });
    emulator.seedUnmarkedPipemonMonitor("orders-etl/stale", { tags: ["pipemon-id:orders-etl/stale", "env:production"] });
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:orders-etl/errors", "env:production"] });
    const live = byKey(await handler.list());
    expect([...live.keys()].sort()).toEqual(["orders-etl/errors@production", "orders-etl/stale@production"]);
    expect(live.get("orders-etl/stale@production")!.owned).toBe(false);
    expect(live.get("orders-etl/errors@production")!.owned).toBe(true);
  });

  it("lists every copy of one pipemon id, each with its id as the instance and its owner from its tags", async () => {
    const { handler, emulator } = await start();
    const original = emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale", "team:commerce", "pipeline:a"] });
    const clone = emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale", "team:commerce", "pipeline:a"] });
    const copies = (await handler.list()).filter((l) => l.key === "a/stale");
    expect(copies.map((l) => [l.instance, l.owned, l.handle])).toEqual([
      [String(original.id), true, original.id],
      [String(clone.id), true, clone.id],
    ]);
    expect(copies[0]!.owner).toEqual({ team: "commerce", pipeline: "a" });
  });

  it("a page that keeps failing makes the listing incomplete", async () => {
    const { handler, emulator } = await start();
    for (let i = 0; i < 1500; i++) emulator.seedMonitor({ tags: ["managed-by:pipemon", `pipemon-id:p${i}/cpu`] });
    emulator.faults.add({ method: "GET", path: "^/api/v1/monitor$", after: 1, fault: { kind: "status", status: 500 } });
    await expect(handler.list()).rejects.toBeInstanceOf(ListingIncompleteError);
  });

  it("a page whose ids do not continue after the offset makes the listing incomplete", async () => {
    const { handler, emulator } = await start();
    for (let i = 0; i < 1000; i++) emulator.seedMonitor({ tags: ["managed-by:pipemon", `pipemon-id:p${i}/cpu`] });
    // A server that ignores id_offset answers the first page again.
    const firstPage = [{ id: 1000, type: "query alert", query: "avg(last_5m):avg:system.cpu.user{*} > 90", tags: [] }];
    emulator.faults.add({ method: "GET", path: "^/api/v1/monitor$", after: 1, fault: { kind: "status", status: 200, body: firstPage } });
    await expect(handler.list()).rejects.toThrow(/pagination is inconsistent/);
  });
});

describe("resilience", () => {
  it("a 429 storm waits X-RateLimit-Reset, not the (tiny) backoff", async () => {
    const { handler, emulator, seen } = await start();
    emulator.faults.add({ method: "POST", path: "^/api/v1/monitor$", times: 2, fault: { kind: "status", status: 429, headers: { "X-RateLimit-Reset": "1" } } });
    const t0 = Date.now();
    await handler.create(desired("a", "stale"));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(seen("POST", "^/api/v1/monitor$")).toBe(3);
    expect(emulator.state.monitors.size).toBe(1);
  });

  it("retries 5xx answers", async () => {
    const { handler, emulator, seen } = await start();
    emulator.faults.add({ method: "PUT", path: "^/api/v1/monitor/\\d+$", times: 2, fault: { kind: "status", status: 503 } });
    const d = desired("a", "stale");
    await handler.create(d);
    const [live] = await handler.list();
    await handler.update(d, live!);
    expect(seen("PUT", "^/api/v1/monitor/\\d+$")).toBe(3);
  });

  it("a hung request times out and is retried", async () => {
    const { handler, emulator, seen, requests } = await start();
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale"] });
    emulator.faults.add({ method: "GET", path: "^/api/v1/monitor$", times: 1, fault: { kind: "hang" } });
    const t0 = Date.now();
    expect(await handler.list()).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(seen("GET", "^/api/v1/monitor$")).toBe(2);
    expect(requests.map((r) => r.status)).toEqual(["error", 200]);
  });

  it("a create whose connection is reset is retried without leaving a duplicate", async () => {
    const { handler, emulator } = await start();
    emulator.faults.add({ method: "POST", path: "^/api/v1/monitor$", times: 1, fault: { kind: "reset" } });
    await handler.create(desired("a", "stale"));
    expect(emulator.state.monitors.size).toBe(1);
  });

  it("a create that was made but whose answer was lost is not made twice", async () => {
    const { handler, emulator, seen } = await start({ environment: "production" });
    // As if the POST had been stored and its answer then lost: the monitor exists, the
    // connection drops. The retry must find it instead of creating a second one.
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale", "env:production"] });
    emulator.faults.add({ method: "POST", path: "^/api/v1/monitor$", times: 1, fault: { kind: "reset" } });
    await handler.create(desired("a", "stale"));
    expect(emulator.state.monitors.size).toBe(1);
    expect(seen("POST", "^/api/v1/monitor$")).toBe(1);
    expect(emulator.faults.requests.find((r) => r.method === "GET")!.query).toContain("monitor_tags=pipemon-id%3Aa%2Fstale");
  });

  it("a create the server commits after the client's timeout is found by looking again, not sent twice", async () => {
    // Timeout 400 ms; the server stores the monitor 1,200 ms after the POST arrived. A single
    // look-up right after the timeout finds nothing; looking for a while finds the late commit.
    const { handler, emulator, seen } = await start({ environment: "production", lateCommitWindowMs: 5_000 });
    emulator.faults.add({ method: "POST", path: "^/api/v1/monitor$", times: 1, fault: { kind: "late-commit", ms: 1_200 } });
    await handler.create(desired("a", "stale"));
    await Promise.all(emulator.faults.lateCommits);
    expect(emulator.faults.lateCommits).toHaveLength(1);
    expect(seen("POST", "^/api/v1/monitor$")).toBe(1);
    expect(emulator.state.monitors.size).toBe(1);
    expect(seen("GET", "^/api/v1/monitor$")).toBeGreaterThan(1);
  });

  it("the breaker opens after repeated failures and then sends nothing", async () => {
    const { handler, emulator, seen } = await start({ breakerThreshold: 2, policy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 50, timeoutMs: 400 } });
    emulator.faults.add({ method: "GET", fault: { kind: "status", status: 502 } });
    await expect(handler.list()).rejects.toBeInstanceOf(ListingIncompleteError);
    await expect(handler.list()).rejects.toBeInstanceOf(ListingIncompleteError);
    const sent = seen("GET", "^/api/v1/monitor$");
    expect(sent).toBe(4);
    await expect(handler.create(desired("a", "stale"))).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(handler.list()).rejects.toThrow(/circuit open/);
    expect(emulator.faults.requests).toHaveLength(sent);
  });

  it("bad keys give one line naming DD_API_KEY and DD_APP_KEY, without the key values", async () => {
    const apiKey = "abcdef0123456789-secret-api";
    const appKey = "fedcba9876543210-secret-app";
    const { handler, seen } = await start({ apiKey, appKey });
    for (const attempt of [() => handler.list(), () => handler.create(desired("a", "stale"))]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TargetError);
      const message = (error as Error).message;
      expect(message).toMatch(/DD_API_KEY/);
      expect(message).toMatch(/DD_APP_KEY/);
      expect(message).not.toContain("\n");
      expect(message).not.toContain(apiKey);
      expect(message).not.toContain(appKey);
    }
    // Not retried: a 403 does not get better.
    expect(seen("GET", "^/api/v1/monitor$")).toBe(1);
  });
});

describe("writes", () => {
  it("pace themselves under a small rate limit: zero 429s", async () => {
    const { handler, emulator, requests } = await start({ emulator: { rateLimits: { post_monitors: { limit: 7, periodSeconds: 1 } } } });
    const wanted = Array.from({ length: 24 }, (_, i) => desired(`p${i}`, "stale"));
    const t0 = Date.now();
    await runConcurrently(wanted, 8, (d) => handler.create(d));
    const elapsed = Date.now() - t0;
    expect(emulator.state.monitors.size).toBe(24);
    expect(emulator.faults.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(requests.filter((r) => r.status !== 200)).toHaveLength(0);
    // 24 writes at 7 a second need at least 3 window changes.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  }, 20_000);

  it("a rejected body fails at once with Datadog's reason", async () => {
    const { handler, seen } = await start();
    const body = monitorBody("a", "stale") as { query: string };
    body.query = "this is not a query";
    await expect(handler.create({ kind: "datadog-monitor", key: "a/stale@production", body })).rejects.toThrow(/create monitor a\/stale@production: Datadog answered 400: The value provided for parameter 'query' is invalid/);
    expect(seen("POST", "^/api/v1/monitor$")).toBe(1);
  });

  it("refuses to write a monitor whose dashboard link is unresolved", async () => {
    const { handler, emulator } = await start();
    const body = JSON.parse(JSON.stringify(monitorBody("a", "stale")).replace("${GRAFANA_URL}", "${MISSING_URL}"));
    await expect(handler.create({ kind: "datadog-monitor", key: "a/stale", body })).rejects.toThrow(/\$\{MISSING_URL\} is not set/);
    expect(emulator.faults.requests).toHaveLength(0);
  });

  it("delete refuses a monitor an SLO references, with one clear line, and never forces", async () => {
    const { handler, emulator } = await start();
    const m = emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale"] });
    emulator.seedSloReference(m.id);
    const [live] = await handler.list();
    const error = await handler.delete(live!).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(TargetError);
    expect(error!.message).toMatch(/referenced by an SLO or a composite monitor/);
    expect(error!.message).not.toContain("\n");
    expect(emulator.state.monitors.has(m.id)).toBe(true);
    expect(emulator.faults.requests.some((r) => /force/.test(r.query))).toBe(false);
  });

  it("delete removes the monitor, and deleting it again is not an error", async () => {
    const { handler, emulator } = await start();
    emulator.seedMonitor({ tags: ["managed-by:pipemon", "pipemon-id:a/stale"] });
    const [live] = await handler.list();
    await handler.delete(live!);
    expect(emulator.state.monitors.size).toBe(0);
    await handler.delete(live!);
  });
});
