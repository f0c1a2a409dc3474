import { mkdtempSync, rmSync, symlinkSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inputHash, UnitCache } from "../../src/lib/unit-cache.js";

let dir: string;
const LONG_AGO = new Date("2020-01-01T00:00:00Z");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pipemon-unit-cache-"));
  writeFileSync(join(dir, "a.json"), "{}\n");
  // Written long before the cache is saved: not "racily clean" (see the last test).
  utimesSync(join(dir, "a.json"), LONG_AGO, LONG_AGO);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cacheFile = () => join(dir, "cache.json");

function recorded(build = "b1"): void {
  const c = UnitCache.open(cacheFile(), build, dir);
  c.record("p", inputHash("in"), dir, ["a.json"]);
  c.save();
}

describe("UnitCache", () => {
  it("vouches for a unit whose input and files are unchanged", () => {
    recorded();
    const c = UnitCache.open(cacheFile(), "b1", dir);
    expect(c.isEmpty()).toBe(false);
    expect(c.fresh("p", inputHash("in"), dir)?.map((f) => f.path)).toEqual(["a.json"]);
  });

  it("does not vouch when the input changed", () => {
    recorded();
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("other"), dir)).toBeUndefined();
  });

  it("does not vouch when a file's mtime or size changed, or it is gone", () => {
    recorded();
    utimesSync(join(dir, "a.json"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("in"), dir)).toBeUndefined();
    recorded();
    writeFileSync(join(dir, "a.json"), "{ }\n");
    utimesSync(join(dir, "a.json"), LONG_AGO, LONG_AGO);
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("in"), dir)).toBeUndefined();
    recorded();
    rmSync(join(dir, "a.json"));
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("in"), dir)).toBeUndefined();
  });

  it("does not vouch for a link put in a file's place, even one with the file's size and mtime", () => {
    recorded();
    const copy = join(dir, "copy.json");
    writeFileSync(copy, "{}\n");
    utimesSync(copy, LONG_AGO, LONG_AGO);
    rmSync(join(dir, "a.json"));
    symlinkSync(copy, join(dir, "a.json"));
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("in"), dir)).toBeUndefined();
  });

  it("belongs to one build of pipemon and one output directory", () => {
    recorded("b1");
    expect(UnitCache.open(cacheFile(), "b2", dir).isEmpty()).toBe(true);
    expect(UnitCache.open(cacheFile(), "b1", join(dir, "elsewhere")).isEmpty()).toBe(true);
  });

  it("does not vouch for a file written just before the cache was saved (racily clean)", () => {
    // Its mtime is not older than the cache file's: a same-size edit in that clock tick
    // would look unchanged. (Set ahead of the clock so the test does not depend on ticks.)
    const ahead = new Date(Date.now() + 60_000);
    utimesSync(join(dir, "a.json"), ahead, ahead);
    recorded();
    const racy = UnitCache.open(cacheFile(), "b1", dir);
    expect(racy.fresh("p", inputHash("in"), dir)).toBeUndefined();
    // Recorded again and saved later, the same file is trusted once the tick has passed.
    utimesSync(join(dir, "a.json"), LONG_AGO, LONG_AGO);
    recorded();
    expect(UnitCache.open(cacheFile(), "b1", dir).fresh("p", inputHash("in"), dir)).toBeDefined();
  });

  it("forgets units not seen in the last run", () => {
    recorded();
    const c = UnitCache.open(cacheFile(), "b1", dir);
    c.record("q", inputHash("q"), dir, ["a.json"]);
    c.save();
    const again = UnitCache.open(cacheFile(), "b1", dir);
    expect(again.fresh("p", inputHash("in"), dir)).toBeUndefined();
    expect(again.fresh("q", inputHash("q"), dir)).toBeDefined();
  });
});
