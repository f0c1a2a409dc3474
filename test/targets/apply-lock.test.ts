/**
 * The apply locks against the emulators, in process: of several applies taking a target's
 * lock at the same moment exactly one gets it, a released lock can be taken again, and an
 * expired one is taken over.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDatadogLock } from "../../src/targets/datadog/index.js";
import { createGrafanaLock } from "../../src/targets/grafana/index.js";
import { LockHeldError, type TargetLock } from "../../src/targets/lock.js";
import { CircuitBreaker } from "../../src/targets/resilience.js";
import { startDatadogEmulator, type DatadogEmulator } from "../emulators/datadog/server.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../emulators/grafana/server.js";

const POLICY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 100, timeoutMs: 2_000 };
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function grafanaLocks(n: number): Promise<{ emulator: GrafanaEmulator; locks: TargetLock[] }> {
  const emulator = await startGrafanaEmulator({ token: "t" });
  closers.push(() => emulator.close());
  const options = { url: emulator.url, token: "t", tokenVariable: "GRAFANA_TOKEN", allowUiEdits: false, resolveSecret: () => undefined, breaker: new CircuitBreaker("grafana"), policy: POLICY };
  return { emulator, locks: Array.from({ length: n }, () => createGrafanaLock(options, "production")) };
}

async function datadogLocks(n: number): Promise<{ emulator: DatadogEmulator; locks: TargetLock[] }> {
  const emulator = await startDatadogEmulator();
  closers.push(() => emulator.close());
  const options = { apiKey: emulator.apiKey, appKey: emulator.appKey, host: emulator.url, environment: "production", breaker: new CircuitBreaker("datadog"), policy: POLICY };
  return { emulator, locks: Array.from({ length: n }, () => createDatadogLock(options)) };
}

const request = (holder: string, ttlSeconds = 600) => ({ holder, ttlSeconds, force: false });

/** Every lock tries at once; returns which ones got it and what the others were told. */
async function race(locks: TargetLock[]): Promise<{ winners: number[]; errors: unknown[] }> {
  const results = await Promise.allSettled(locks.map((l, i) => l.acquire(request(`holder-${i}`))));
  return {
    winners: results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : [])),
    errors: results.flatMap((r) => (r.status === "rejected" ? [r.reason] : [])),
  };
}

describe.each([
  ["grafana", grafanaLocks],
  ["datadog", datadogLocks],
] as const)("%s apply lock", (_target, make) => {
  it("of five applies at once exactly one gets it; the others are told who holds it", async () => {
    const { locks } = await make(5);
    const { winners, errors } = await race(locks);
    expect(winners).toHaveLength(1);
    expect(errors).toHaveLength(4);
    for (const e of errors) {
      expect(e).toBeInstanceOf(LockHeldError);
      expect((e as Error).message).toContain(`holder holder-${winners[0]}, since `);
    }
    await locks[winners[0]!]!.release();
    // Released: the next apply gets it at once.
    await expect(locks[(winners[0]! + 1) % 5]!.acquire(request("next"))).resolves.toBeUndefined();
  });

  it("an expired lock is taken over; a live one only with force", async () => {
    const { locks } = await make(3);
    await locks[0]!.acquire(request("killed", -1));
    await expect(locks[1]!.acquire(request("second"))).resolves.toBeUndefined();
    await expect(locks[2]!.acquire(request("third"))).rejects.toThrow(/holder second/);
    await expect(locks[2]!.acquire({ ...request("third"), force: true })).resolves.toBeUndefined();
  });
});

describe("what a lock leaves behind", () => {
  it("nothing, once released: no lock dashboard, no lock monitor", async () => {
    const g = await grafanaLocks(1);
    const d = await datadogLocks(1);
    await g.locks[0]!.acquire(request("a"));
    await d.locks[0]!.acquire(request("a"));
    expect(g.emulator.state.dashboards.size).toBe(1);
    expect(d.emulator.state.monitors.size).toBe(1);
    await g.locks[0]!.release();
    await d.locks[0]!.release();
    expect(g.emulator.state.dashboards.size).toBe(0);
    expect(d.emulator.state.monitors.size).toBe(0);
  });
});
