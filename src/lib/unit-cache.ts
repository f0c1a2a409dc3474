/**
 * An incremental-build cache, as `tsc --incremental` or `eslint --cache` keep one: for each
 * unit of work (a pipeline in an environment), the hash of its inputs and the size and
 * modification time of the files it produced. A unit is skipped only when its inputs hash
 * the same AND every one of its files still has the size and mtime recorded right after
 * pipemon wrote (or verified) it, so a hand-edited, deleted or checked-out file is rebuilt.
 * The cache is keyed to the exact build of pipemon: new code starts from nothing.
 */
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeDirs } from "./make-dirs.js";

export interface CachedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

interface Entry {
  input: string;
  files: CachedFile[];
}

interface CacheFile {
  version: 1;
  build: string;
  out: string;
  entries: Record<string, Entry>;
}

export const inputHash = (text: string): string => createHash("sha1").update(text).digest("hex");

export class UnitCache {
  private readonly next: Record<string, Entry> = Object.create(null) as Record<string, Entry>;

  private constructor(
    private readonly file: string,
    private readonly build: string,
    private readonly out: string,
    private readonly previous: Record<string, Entry>,
    /** The cache file's own mtime: the file-system clock when it was saved. */
    private readonly savedAt: number,
  ) {}

  /** Opens the cache of `out` for this build; an unreadable or foreign cache is an empty one. */
  static open(file: string, build: string, out: string): UnitCache {
    let previous: Record<string, Entry> = Object.create(null) as Record<string, Entry>;
    let savedAt = 0;
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
      if (parsed.version === 1 && parsed.build === build && parsed.out === out && parsed.entries && typeof parsed.entries === "object") {
        previous = Object.assign(Object.create(null) as Record<string, Entry>, parsed.entries);
        savedAt = statSync(file).mtimeMs;
      }
    } catch {
      // No cache yet, or a damaged one: build everything.
    }
    return new UnitCache(file, build, out, previous, savedAt);
  }

  /** True when nothing was cached for this build and output (a first run). */
  isEmpty(): boolean {
    return Object.keys(this.previous).length === 0;
  }

  /** The unit's files when its inputs and every file on disk are as recorded; otherwise undefined. */
  fresh(key: string, input: string, root: string): readonly CachedFile[] | undefined {
    const entry = this.previous[key];
    if (!entry || entry.input !== input) return undefined;
    for (const f of entry.files) {
      // "Racily clean", as git calls it: file times tick coarsely (a jiffy, or a whole
      // second on some file systems), so a same-size edit made in the tick in which the
      // cache was saved would keep the recorded mtime. Such a file is not vouched for by
      // its mtime: its unit is rebuilt (and compared) once, and recorded again.
      if (f.mtimeMs >= this.savedAt) return undefined;
      // lstat: a link put in a file's place has its own size and mtime, so it is compared
      // (and refused) rather than vouched for.
      const stat = lstatSync(join(root, f.path), { throwIfNoEntry: false });
      if (!stat || stat.size !== f.size || stat.mtimeMs !== f.mtimeMs) return undefined;
    }
    this.next[key] = entry;
    return entry.files;
  }

  /** Records what a unit produced, reading each file's size and mtime as it is now. */
  record(key: string, input: string, root: string, paths: readonly string[]): void {
    const files: CachedFile[] = [];
    for (const path of paths) {
      const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
      if (!stat) return; // not on disk (check mode): nothing worth remembering
      files.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
    }
    this.next[key] = { input, files };
  }

  /** Writes the cache (only units seen this run), atomically; failures only cost speed. */
  save(): void {
    // Saved even when nothing changed: a later save time clears racy entries for the next run.
    const body: CacheFile = { version: 1, build: this.build, out: this.out, entries: this.next };
    try {
      makeDirs(dirname(this.file));
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(body));
      renameSync(tmp, this.file);
    } catch {
      // A read-only node_modules must not fail generate.
    }
  }
}
