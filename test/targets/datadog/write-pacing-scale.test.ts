/**
 * Writes at the recorded limit (500 POST per 10 s): many creates at apply's concurrency end
 * with zero 429s. Slow by nature (N/50 seconds), so it runs only when asked:
 *   PIPEMON_DD_SCALE=8000 PIPEMON_SKIP_BUILD=1 npx vitest run test/targets/datadog/write-pacing-scale.test.ts
 */
import { afterAll, describe, expect, it } from "vitest";
import { desired, runConcurrently, setup, type Setup } from "./helpers.js";

const count = Number(process.env.PIPEMON_DD_SCALE ?? 0);
let current: Setup | undefined;
afterAll(async () => current?.emulator.close());

describe.skipIf(!(count > 0))("write pacing at the recorded Datadog limit", () => {
  it(`${count} creates at concurrency 16: zero 429s, close to the limit's pace`, async () => {
    current = await setup({ policy: { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 30_000 } });
    const { handler, emulator, requests } = current;
    const wanted = Array.from({ length: count }, (_, i) => desired(`p${i}`, "stale"));
    const t0 = Date.now();
    await runConcurrently(wanted, 16, (d) => handler.create(d));
    const seconds = (Date.now() - t0) / 1000;
    const tooMany = emulator.faults.requests.filter((r) => r.status === 429).length;
    console.log(`${count} creates in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)}/s), ${requests.length} requests, ${tooMany} answered 429`);
    expect(emulator.state.monitors.size).toBe(count);
    expect(tooMany).toBe(0);
    expect(requests.filter((r) => r.status !== 200)).toHaveLength(0);
  }, 600_000);
});
