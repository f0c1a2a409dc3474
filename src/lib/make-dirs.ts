/**
 * `mkdir -p` that fails instead of hanging. Node 20's `mkdirSync(path, { recursive: true })`
 * never returns for a path under a pseudo-filesystem such as `/proc/nope` (it retries the
 * level that cannot be made forever), so `--out /proc/nope` hung. Here each missing level is
 * made in turn, and the first one that cannot be made throws its own error (ENOENT, EACCES,
 * ENOTDIR...), which the commands already turn into one line. Returns the folders it made,
 * outermost first, so a caller that fails later can take them back.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

export function makeDirs(path: string): string[] {
  const missing: string[] = [];
  for (let dir = resolve(path); lstatSync(dir, { throwIfNoEntry: false }) === undefined; dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  const made: string[] = [];
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
      made.push(dir);
    } catch (e) {
      // Made meanwhile by someone else: that is what was asked.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return made;
}
