/**
 * A disk that fails while the staged files are renamed into place (after compiling, nothing
 * can fail but the disk): the manifest must still list every file pipemon wrote, so that the
 * next run deletes what it should and converges.
 */
import * as fs from "node:fs";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MANIFEST, OutputTree } from "../../src/lib/output-tree.js";

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, renameSync: vi.fn(real.renameSync) };
});

let root: string;
beforeEach(() => {
  root = join(mkdtempSync(join(tmpdir(), "pipemon-tree-interrupted-")), "out");
});
afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

const listed = (): string[] => (JSON.parse(readFileSync(join(root, MANIFEST), "utf8")) as { files: string[] }).files;

function run(files: Record<string, string>): void {
  const tree = OutputTree.open(root, { check: false });
  try {
    for (const [path, content] of Object.entries(files)) tree.write(path, content);
    tree.finish();
  } catch (e) {
    tree.abandon();
    throw e;
  }
}

describe("OutputTree interrupted while renaming", () => {
  it("keeps every file it wrote in the manifest, and the next run converges", () => {
    run({ "a/old.txt": "old\n", "a/kept.txt": "kept\n" });
    // The second run creates two files and drops one; the disk fails on the second rename of
    // a data file (the first rename of the run is the manifest's).
    let renames = 0;
    const real = vi.mocked(fs.renameSync).getMockImplementation()!;
    vi.mocked(fs.renameSync).mockImplementation((from, to) => {
      if (String(to).endsWith("new-2.txt") && ++renames === 1) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      real(from, to);
    });
    expect(() => run({ "a/kept.txt": "kept, changed\n", "a/new-1.txt": "1\n", "a/new-2.txt": "2\n" })).toThrow("ENOSPC");
    // Whatever made it to disk is listed: the new file that was renamed and the old ones.
    const afterFailure = listed();
    for (const f of readdirSync(join(root, "a"))) expect(afterFailure).toContain(`a/${f}`);
    expect(afterFailure).toContain("a/new-1.txt");
    // No staging folder is left behind.
    expect(readdirSync(root).filter((f) => f.startsWith(".pipemon-staging-"))).toEqual([]);

    // A later run whose specs no longer produce new-1 deletes it: it was recorded.
    run({ "a/kept.txt": "kept, changed\n", "a/new-2.txt": "2\n" });
    expect(readdirSync(join(root, "a")).sort()).toEqual(["kept.txt", "new-2.txt"]);
    expect(listed()).toEqual(["a/kept.txt", "a/new-2.txt"]);
    expect(readFileSync(join(root, "a/kept.txt"), "utf8")).toBe("kept, changed\n");
  });

  it("leaves the tree as it was when the failure comes before the first rename", () => {
    mkdirSync(root, { recursive: true });
    run({ "a.txt": "a\n" });
    const before = readFileSync(join(root, MANIFEST), "utf8");
    writeFileSync(join(root, "a.txt"), "edited\n");
    vi.mocked(fs.renameSync).mockImplementation(() => {
      throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
    });
    expect(() => run({ "a.txt": "a\n" })).toThrow("EIO");
    expect(readFileSync(join(root, "a.txt"), "utf8")).toBe("edited\n");
    expect(readFileSync(join(root, MANIFEST), "utf8")).toBe(before);
    expect(readdirSync(root).sort()).toEqual([MANIFEST, "a.txt"]);
  });
});
