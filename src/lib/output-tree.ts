/**
 * Writes a generated tree the way a reviewer wants it: only files whose content changed are
 * rewritten (so mtimes and `git status` stay quiet), files pipemon no longer produces are
 * removed, and `check` mode only reports. Each write goes to a temporary file first and is
 * renamed into place, so an interrupted run never leaves a half-written file.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

export type FileChange = "created" | "updated" | "deleted";

export interface TreeReport {
  changes: { path: string; change: FileChange }[];
  unchanged: number;
}

export class OutputTree {
  private readonly produced = new Set<string>();
  private readonly createdDirs = new Set<string>();
  readonly report: TreeReport = { changes: [], unchanged: 0 };

  /**
   * @param root output directory (e.g. `generated`)
   * @param owned sub-directories (relative to root) whose every file pipemon produces; only
   *   there are files it did not produce this run deleted
   * @param check report differences without touching the disk
   */
  constructor(
    private readonly root: string,
    private readonly owned: readonly string[],
    private readonly check: boolean,
  ) {}

  write(path: string, content: string): void {
    if (this.produced.has(path)) throw new Error(`internal: ${path} produced twice`);
    this.produced.add(path);
    const full = join(this.root, path);
    const { state, encoded } = compareWithDisk(full, content);
    if (state === "same") {
      this.report.unchanged++;
      return;
    }
    this.report.changes.push({ path, change: state === "missing" ? "created" : "updated" });
    if (this.check) return;
    const dir = dirname(full);
    if (!this.createdDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.createdDirs.add(dir);
    }
    const tmp = `${full}.pipemon-tmp`;
    // The comparison encoded the content: write those bytes rather than encode again.
    writeFileSync(tmp, encoded);
    renameSync(tmp, full);
  }

  /** Marks files as produced and unchanged without comparing them (the cache vouches for them). */
  skip(paths: readonly string[]): void {
    for (const p of paths) {
      if (this.produced.has(p)) throw new Error(`internal: ${p} produced twice`);
      this.produced.add(p);
    }
    this.report.unchanged += paths.length;
  }

  /** How many files were written, compared or vouched for so far. */
  get producedCount(): number {
    return this.produced.size;
  }

  /** Takes in what another writer (a worker thread) did under the same root. */
  absorb(produced: readonly string[], changes: TreeReport["changes"], unchanged: number): void {
    for (const p of produced) {
      if (this.produced.has(p)) throw new Error(`internal: ${p} produced twice`);
      this.produced.add(p);
    }
    this.report.changes.push(...changes);
    this.report.unchanged += unchanged;
  }

  /** Removes (or, in check mode, reports) files under owned directories that were not produced. */
  finish(): TreeReport {
    for (const dir of this.owned) {
      const full = join(this.root, dir);
      if (!existsSync(full)) continue;
      for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = relative(this.root, join(entry.parentPath, entry.name)).split(sep).join("/");
        if (this.produced.has(path)) continue;
        this.report.changes.push({ path, change: "deleted" });
        if (!this.check) rmSync(join(this.root, path));
      }
      if (!this.check) removeEmptyDirs(full);
    }
    this.report.changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return this.report;
  }
}

/**
 * Buffers reused for every comparison: generate compares tens of thousands of files, and
 * reading each into a new string was a third of its time and most of its garbage.
 */
let onDisk = Buffer.alloc(256 * 1024);
let generated = Buffer.alloc(256 * 1024);
const LARGE_FILE = 64 * 1024;

/**
 * The content is encoded once (its byte length falls out of the encoding) and the file read
 * straight into a buffer: one path lookup, no stat, no string for the old content.
 */
function compareWithDisk(full: string, content: string): { state: "missing" | "same" | "different"; encoded: Buffer } {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit, and one more byte detects a longer
  // file. A large file (a team's rule file) is measured exactly rather than buffered thrice.
  const capacity = (content.length <= LARGE_FILE ? content.length * 3 : Buffer.byteLength(content)) + 1;
  if (generated.length < capacity) {
    generated = Buffer.alloc(capacity);
    onDisk = Buffer.alloc(capacity);
  }
  const size = generated.write(content, 0, "utf8");
  // A view of the shared buffer: valid until the next comparison.
  const encoded = generated.subarray(0, size);
  let fd: number;
  try {
    fd = openSync(full, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { state: "missing", encoded };
    if (code === "ENOTDIR" || code === "EISDIR") return { state: "different", encoded };
    throw e;
  }
  let read = 0;
  try {
    // Reading one byte past the expected size tells a longer file from an equal one.
    while (read <= size) {
      const n = readSync(fd, onDisk, read, size + 1 - read, read);
      if (n === 0) break;
      read += n;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EISDIR") return { state: "different", encoded };
    throw e;
  } finally {
    closeSync(fd);
  }
  if (read !== size) return { state: "different", encoded };
  return { state: onDisk.compare(generated, 0, size, 0, size) === 0 ? "same" : "different", encoded };
}

function removeEmptyDirs(dir: string): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && removeEmptyDirs(join(dir, entry.name))) continue;
    empty = false;
  }
  if (empty) rmdirSync(dir);
  return empty;
}
