import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MANIFEST, OutputRefusal, OutputTree } from "../../src/lib/output-tree.js";

let base: string;
let root: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "pipemon-tree-"));
  root = join(base, "out");
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const put = (path: string, content: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
};
/** A manifest as a previous run would have left it. */
const manifest = (files: string[]) => put(MANIFEST, JSON.stringify({ generator: "pipemon", files }));
const listed = (): string[] => (JSON.parse(readFileSync(join(root, MANIFEST), "utf8")) as { files: string[] }).files;

/** Every file under `dir` with its content, never following links. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name).slice(dir.length + 1);
    out[path] = e.isSymbolicLink() ? "link" : e.isDirectory() ? "dir" : readFileSync(join(dir, path), "utf8");
  }
  return out;
}

describe("OutputTree", () => {
  it("writes bytes (preview images) as they are, and compares them byte for byte", () => {
    const image = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0xc3]);
    const first = OutputTree.open(root, { check: false });
    first.write("img/a.png", image);
    expect(first.finish().changes).toEqual([
      { path: MANIFEST, change: "created" },
      { path: "img/a.png", change: "created" },
    ]);
    expect(new Uint8Array(readFileSync(join(root, "img/a.png")))).toEqual(image);
    const again = OutputTree.open(root, { check: false });
    again.write("img/a.png", image);
    expect(again.finish()).toMatchObject({ changes: [], unchanged: 2 });
    const changed = OutputTree.open(root, { check: false });
    changed.write("img/a.png", image.slice(0, 7));
    expect(changed.finish().changes).toEqual([{ path: "img/a.png", change: "updated" }]);
    expect(readFileSync(join(root, "img/a.png")).length).toBe(7);
  });

  it("tells created, updated, unchanged and deleted files apart, byte for byte", () => {
    const multiByte = "é 🚨 ünïcödé\n";
    put("a/same.txt", "same\n");
    put("a/same-utf8.txt", multiByte);
    put("a/same-size.txt", "abcd\n");
    put("a/longer-on-disk.txt", "short\nplus more\n");
    put("a/shorter-on-disk.txt", "sh");
    put("a/utf8-vs-ascii.txt", "e".repeat(Buffer.byteLength(multiByte)));
    put("a/stale.txt", "gone\n");
    manifest(["a/same.txt", "a/same-utf8.txt", "a/same-size.txt", "a/longer-on-disk.txt", "a/shorter-on-disk.txt", "a/utf8-vs-ascii.txt", "a/stale.txt"]);
    const tree = OutputTree.open(root, { check: false });
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
      { path: MANIFEST, change: "updated" },
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
    expect(listed()).toEqual(["a/longer-on-disk.txt", "a/new/file.txt", "a/same-size.txt", "a/same-utf8.txt", "a/same.txt", "a/shorter-on-disk.txt", "a/utf8-vs-ascii.txt"]);
    // Nothing of the run is left behind (the staging folder is gone).
    expect(readdirSync(root).sort()).toEqual([MANIFEST, "a"]);
  });

  it("writes the bytes of each file, not those of the one compared before it", () => {
    const tree = OutputTree.open(root, { check: false });
    const big = "x".repeat(300_000) + "\n";
    tree.write("a/big.txt", big);
    tree.write("a/small.txt", "small\n");
    tree.finish();
    expect(statSync(join(root, "a/big.txt")).size).toBe(big.length);
    expect(readFileSync(join(root, "a/small.txt"), "utf8")).toBe("small\n");
  });

  it("in check mode reports the same differences, the manifest included, and touches nothing", () => {
    put("a/dir-in-the-way.txt/x", "x");
    put("a/stale.txt", "gone\n");
    manifest(["a/stale.txt", "a/dir-in-the-way.txt/x"]);
    const before = snapshot(root);
    const tree = OutputTree.open(root, { check: true });
    tree.write("a/dir-in-the-way.txt", "file\n");
    tree.write("a/missing.txt", "file\n");
    expect(tree.finish().changes).toEqual([
      { path: MANIFEST, change: "updated" },
      { path: "a/dir-in-the-way.txt", change: "updated" },
      { path: "a/dir-in-the-way.txt/x", change: "deleted" },
      { path: "a/missing.txt", change: "created" },
      { path: "a/stale.txt", change: "deleted" },
    ]);
    expect(snapshot(root)).toEqual(before);
  });

  it("deletes only files its manifest lists, and names the others", () => {
    put("a/ours.txt", "ours\n");
    put("a/theirs.txt", "theirs\n");
    put("NOTES.md", "notes\n");
    manifest(["a/ours.txt"]);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/new.txt", "new\n");
    const report = tree.finish();
    expect(report.changes).toEqual([
      { path: MANIFEST, change: "updated" },
      { path: "a/new.txt", change: "created" },
      { path: "a/ours.txt", change: "deleted" },
    ]);
    expect(report.unmanaged).toEqual(["NOTES.md", "a/theirs.txt"]);
    expect(readFileSync(join(root, "a/theirs.txt"), "utf8")).toBe("theirs\n");
    expect(readFileSync(join(root, "NOTES.md"), "utf8")).toBe("notes\n");
    expect(listed()).toEqual(["a/new.txt"]);
  });

  it("with a scope, keeps the manifest's entries outside it", () => {
    put("staging/a.txt", "a\n");
    put("production/a.txt", "a\n");
    put("production/old.txt", "old\n");
    manifest(["staging/a.txt", "production/a.txt", "production/old.txt"]);
    const tree = OutputTree.open(root, { check: false, scope: "production/" });
    tree.write("production/a.txt", "a\n");
    expect(tree.finish().changes).toEqual([
      { path: MANIFEST, change: "updated" },
      { path: "production/old.txt", change: "deleted" },
    ]);
    expect(existsSync(join(root, "staging/a.txt"))).toBe(true);
    expect(listed()).toEqual(["production/a.txt", "staging/a.txt"]);
  });

  it("removes the folders its deletions emptied, and no others", () => {
    put("a/b/c.txt", "c\n");
    mkdirSync(join(root, "empty-but-not-mine"));
    manifest(["a/b/c.txt"]);
    const tree = OutputTree.open(root, { check: false });
    tree.write("x.txt", "x\n");
    tree.finish();
    expect(readdirSync(root).sort()).toEqual([MANIFEST, "empty-but-not-mine", "x.txt"]);
  });

  it("shows nothing of a run before finish, and nothing at all of an abandoned one", () => {
    put("a/kept.txt", "old\n");
    put("a/stale.txt", "stale\n");
    manifest(["a/kept.txt", "a/stale.txt"]);
    const before = snapshot(root);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/kept.txt", "new\n");
    tree.write("b/new.txt", "new\n");
    expect(readFileSync(join(root, "a/kept.txt"), "utf8")).toBe("old\n");
    expect(existsSync(join(root, "b"))).toBe(false);
    tree.abandon();
    expect(snapshot(root)).toEqual(before);
  });

  it("removes an output folder it created when the run is abandoned", () => {
    const tree = OutputTree.open(root, { check: false });
    tree.write("a.txt", "a\n");
    tree.abandon();
    expect(existsSync(root)).toBe(false);
  });

  it("adopts a folder without manifest only when it is signed and holds only what pipemon writes", () => {
    put("schema.json", "{}\n");
    put("stale.json", "{}\n");
    put("mine.txt", "mine\n");
    const legacy = { signature: "schema.json", accepts: (p: string) => p.endsWith(".json") };
    expect(() => OutputTree.open(root, { check: false })).toThrow(`--out ${root} is not empty and pipemon has never written it (it has no ${MANIFEST})`);
    expect(() => OutputTree.open(root, { check: false, legacy: { ...legacy, signature: "other.json" } })).toThrow(`--out ${root} is not empty and pipemon has never written it`);
    expect(() => OutputTree.open(root, { check: false, legacy })).toThrow(`--out ${root} has no ${MANIFEST} and holds ${root}/mine.txt, which pipemon never writes`);
    rmSync(join(root, "mine.txt"));
    const tree = OutputTree.open(root, { check: false, legacy });
    tree.write("schema.json", "{}\n");
    expect(tree.finish().changes).toEqual([
      { path: MANIFEST, change: "created" },
      { path: "stale.json", change: "deleted" },
    ]);
    expect(listed()).toEqual(["schema.json"]);
  });

  it("refuses a folder it never wrote before walking it (a link deep inside is not what matters)", () => {
    put("a/b/c.txt", "c\n");
    symlinkSync("/", join(root, "a/b/root"));
    expect(() => OutputTree.open(root, { check: true, legacy: { signature: "schema.json", accepts: () => true } })).toThrow(`--out ${root} is not empty and pipemon has never written it`);
  });

  it("never enters another run's staging folder, and names it", () => {
    put("a.txt", "a\n");
    manifest(["a.txt"]);
    put(".pipemon-staging-AbC123/m0", "interrupted\n");
    const tree = OutputTree.open(root, { check: false });
    tree.write("a.txt", "a\n");
    expect(tree.finish().unmanaged).toEqual([".pipemon-staging-AbC123/"]);
    expect(readFileSync(join(root, ".pipemon-staging-AbC123/m0"), "utf8")).toBe("interrupted\n");
  });

  it("writes into an existing empty folder", () => {
    mkdirSync(root);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/b/c.txt", "c\n");
    expect(tree.finish().changes.map((c) => c.path)).toEqual([MANIFEST, "a/b/c.txt"]);
  });
});

describe("OutputTree refuses, writing nothing", () => {
  it("a link anywhere under the root, to a folder or a file", () => {
    const outside = join(base, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "f.txt"), "outside\n");
    put("a/real.txt", "x");
    manifest(["a/real.txt"]);
    symlinkSync(outside, join(root, "a/linked"));
    expect(() => OutputTree.open(root, { check: true })).toThrow(`${root}/a/linked is a symbolic link, and pipemon never writes or deletes through one: replace it with a real folder (or delete it) and run again`);
    rmSync(join(root, "a/linked"));
    symlinkSync(join(outside, "f.txt"), join(root, "a/f.txt.pipemon-tmp"));
    expect(() => OutputTree.open(root, { check: false })).toThrow(`${root}/a/f.txt.pipemon-tmp is a symbolic link, and pipemon never writes or deletes through one: replace it with a regular file (or delete it) and run again`);
    expect(readFileSync(join(outside, "f.txt"), "utf8")).toBe("outside\n");
    expect(readdirSync(root).sort()).toEqual([MANIFEST, "a"]);
  });

  it("a link put in a file's place after the tree was listed (read with O_NOFOLLOW)", () => {
    const victim = join(base, "victim.txt");
    writeFileSync(victim, "victim\n");
    const tree = OutputTree.open(root, { check: false });
    symlinkSync(victim, join(root, "a.txt"));
    expect(() => tree.write("a.txt", "new\n")).toThrow(OutputRefusal);
    tree.abandon();
    expect(readFileSync(victim, "utf8")).toBe("victim\n");
  });

  it("a root that is a link, the file system root, or a protected folder in any relation", () => {
    const real = join(base, "real");
    mkdirSync(real);
    symlinkSync(real, root);
    expect(() => OutputTree.open(root, { check: false })).toThrow(`${root} is a symbolic link`);
    expect(() => OutputTree.open("/", { check: true })).toThrow("--out / is the root of the file system");
    const specs = join(base, "specs");
    mkdirSync(specs);
    const protect = [{ path: specs, name: "specs folder" }];
    expect(() => OutputTree.open(specs, { check: true, protect })).toThrow(`--out ${specs} is the specs folder`);
    expect(() => OutputTree.open(join(specs, "out"), { check: true, protect })).toThrow(`--out ${specs}/out is inside the specs folder`);
    expect(() => OutputTree.open(base, { check: true, protect })).toThrow(`--out ${base} holds the specs folder`);
    expect(readdirSync(specs)).toEqual([]);
  });

  it("a FIFO under the root (reading it would block forever)", async () => {
    const { execFileSync } = await import("node:child_process");
    manifest([]);
    execFileSync("mkfifo", [join(root, "pipe")]);
    expect(() => OutputTree.open(root, { check: true })).toThrow(`${root}/pipe is neither a file nor a folder`);
  });

  it("a manifest that is damaged or lists a path outside the root", () => {
    const victim = join(base, "victim.txt");
    writeFileSync(victim, "victim\n");
    for (const bad of ["../victim.txt", "/etc/passwd", "a/../../victim.txt", "./a", "a//b", ""]) {
      manifest([bad]);
      expect(() => OutputTree.open(root, { check: false }), bad).toThrow(/lists '.*', which is not a path inside the folder/);
    }
    put(MANIFEST, "{ not json");
    expect(() => OutputTree.open(root, { check: false })).toThrow("is not valid JSON");
    expect(readFileSync(victim, "utf8")).toBe("victim\n");
  });

  it("a folder where a file goes that holds files it did not write, before renaming anything", () => {
    put("a/x.txt", "old\n");
    put("a/b.txt/hand-made", "mine\n");
    manifest(["a/x.txt"]);
    const before = snapshot(root);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/x.txt", "new\n");
    tree.write("a/b.txt", "file\n");
    expect(() => tree.finish()).toThrow(`${root}/a/b.txt is a folder where pipemon writes a file: move it out of the way and run again`);
    tree.abandon();
    expect(snapshot(root)).toEqual(before);
  });

  it("a file where a folder goes that it did not write", () => {
    put("a", "hand-made\n");
    manifest([]);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/b.txt", "b\n");
    expect(() => tree.finish()).toThrow(`${root}/a is a file where pipemon needs a folder`);
    tree.abandon();
    expect(readFileSync(join(root, "a"), "utf8")).toBe("hand-made\n");
  });

  it("but replaces a file of its own by a folder of its own", () => {
    put("a", "old layout\n");
    manifest(["a"]);
    const tree = OutputTree.open(root, { check: false });
    tree.write("a/b.txt", "b\n");
    tree.finish();
    expect(readFileSync(join(root, "a/b.txt"), "utf8")).toBe("b\n");
  });
});
