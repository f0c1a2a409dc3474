import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutputTree } from "../../src/lib/output-tree.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-tree-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (path: string, content: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
};

describe("OutputTree", () => {
  it("tells created, updated, unchanged and deleted files apart, byte for byte", () => {
    const multiByte = "é 🚨 ünïcödé\n";
    put("a/same.txt", "same\n");
    put("a/same-utf8.txt", multiByte);
    put("a/same-size.txt", "abcd\n");
    put("a/longer-on-disk.txt", "short\nplus more\n");
    put("a/shorter-on-disk.txt", "sh");
    put("a/utf8-vs-ascii.txt", "e".repeat(Buffer.byteLength(multiByte)));
    put("a/stale.txt", "gone\n");
    const tree = new OutputTree(root, ["a"], false);
    tree.write("a/same.txt", "same\n");
    tree.write("a/same-utf8.txt", multiByte);
    tree.write("a/same-size.txt", "abce\n");
    tree.write("a/longer-on-disk.txt", "short\n");
    tree.write("a/shorter-on-disk.txt", "short\n");
    tree.write("a/utf8-vs-ascii.txt", multiByte);
    tree.write("a/new/file.txt", multiByte);
    const report = tree.finish();
    expect(report.unchanged).toBe(2);
    expect(report.changes).toEqual([
      { path: "a/longer-on-disk.txt", change: "updated" },
      { path: "a/new/file.txt", change: "created" },
      { path: "a/same-size.txt", change: "updated" },
      { path: "a/shorter-on-disk.txt", change: "updated" },
      { path: "a/stale.txt", change: "deleted" },
      { path: "a/utf8-vs-ascii.txt", change: "updated" },
    ]);
    expect(readFileSync(join(root, "a/new/file.txt"), "utf8")).toBe(multiByte);
    expect(readFileSync(join(root, "a/utf8-vs-ascii.txt"), "utf8")).toBe(multiByte);
    expect(readFileSync(join(root, "a/longer-on-disk.txt"), "utf8")).toBe("short\n");
    expect(readdirSync(join(root, "a")).sort()).toEqual(["longer-on-disk.txt", "new", "same-size.txt", "same-utf8.txt", "same.txt", "shorter-on-disk.txt", "utf8-vs-ascii.txt"]);
  });

  it("writes the bytes of each file, not those of the one compared before it", () => {
    const tree = new OutputTree(root, ["a"], false);
    const big = "x".repeat(300_000) + "\n";
    tree.write("a/big.txt", big);
    tree.write("a/small.txt", "small\n");
    tree.finish();
    expect(statSync(join(root, "a/big.txt")).size).toBe(big.length);
    expect(readFileSync(join(root, "a/small.txt"), "utf8")).toBe("small\n");
  });

  it("in check mode reports the same differences and touches nothing", () => {
    put("a/dir-in-the-way.txt/x", "x");
    put("a/stale.txt", "gone\n");
    const tree = new OutputTree(root, ["a"], true);
    tree.write("a/dir-in-the-way.txt", "file\n");
    tree.write("a/missing.txt", "file\n");
    expect(tree.finish().changes).toEqual([
      { path: "a/dir-in-the-way.txt", change: "updated" },
      { path: "a/dir-in-the-way.txt/x", change: "deleted" },
      { path: "a/missing.txt", change: "created" },
      { path: "a/stale.txt", change: "deleted" },
    ]);
    expect(readdirSync(join(root, "a")).sort()).toEqual(["dir-in-the-way.txt", "stale.txt"]);
  });
});
