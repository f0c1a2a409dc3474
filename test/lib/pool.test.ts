import { describe, expect, it } from "vitest";
import { pool } from "../../src/lib/pool.js";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("pool", () => {
  it("returns the results in the items' order, whatever order they finish in", async () => {
    const out = await pool([30, 10, 20, 0], 2, async (n) => {
      await new Promise((resolve) => setTimeout(resolve, n));
      return n * 2;
    });
    expect(out).toEqual([60, 20, 40, 0]);
  });

  it("keeps at most `limit` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    await pool(Array.from({ length: 10 }, (_, i) => i), 3, async () => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
    });
    expect(most).toBe(3);
  });

  it("runs every item once, also with a limit beyond the item count or below one", async () => {
    const seen: number[] = [];
    await pool([1, 2, 3], 10, async (n) => void seen.push(n));
    await pool([4, 5], 0, async (n) => void seen.push(n));
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await pool([], 4, async () => 1)).toEqual([]);
  });

  it("starts no further item after a failure and rejects with it", async () => {
    const started: number[] = [];
    const run = pool(Array.from({ length: 20 }, (_, i) => i), 3, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error("query failed");
      return n;
    });
    await expect(run).rejects.toThrow("query failed");
    const atFailure = started.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The three first in flight, plus what the other workers took before the failure was seen.
    expect(started.length).toBe(atFailure);
    expect(started.length).toBeLessThan(6);
  });
});
