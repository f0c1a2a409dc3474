/**
 * The specs directory as it was at a git ref, read through git's object store (`rev-parse`,
 * `ls-tree`, `cat-file --batch`): the work tree, the index and HEAD are never touched, so
 * `backtest --base main` is safe in the middle of an edit. The files are copied to a
 * temporary directory that the caller removes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { makeDirs } from "../lib/make-dirs.js";

/** A ref that cannot be read: one line for the user. */
export class GitRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitRefError";
  }
}

export interface SpecsAtRef {
  dir: string;
  commit: string;
  files: number;
  cleanup(): void;
}

function git(cwd: string, args: string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync("git", args, { cwd, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } });
  if (r.error) throw new GitRefError(`--base needs git: ${r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString("utf8").trim().split("\n")[0] ?? "" };
}

const isSpecFile = (path: string): boolean => path.endsWith(".yaml") || path.endsWith(".yml");

/** Reads `root` (the specs directory of the work tree) as it was at `ref`. */
export function specsAtRef(root: string, ref: string): SpecsAtRef {
  const cwd = resolve(root);
  if (ref.startsWith("-") || ref.trim() === "") throw new GitRefError(`--base '${ref}' is not a git ref`);
  const top = git(cwd, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new GitRefError(`--base needs the specs in a git repository, and ${root} is not in one`);
  const commit = git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!commit.ok) throw new GitRefError(`unknown git ref '${ref}': name a branch, tag or commit of this repository (git fetch it first if it is remote)`);
  const sha = commit.stdout.toString("utf8").trim();
  const prefix = git(cwd, ["rev-parse", "--show-prefix"]).stdout.toString("utf8").trim();
  const topDir = top.stdout.toString("utf8").trim();
  const listing = git(topDir, ["ls-tree", "-r", "-z", sha, "--", ...(prefix ? [prefix] : [])]);
  if (!listing.ok) throw new GitRefError(`cannot list ${prefix || "the repository"} at '${ref}': ${listing.stderr}`);
  const blobs: Array<{ id: string; path: string }> = [];
  for (const entry of listing.stdout.toString("utf8").split("\0")) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
    // Regular files only: a symlink's blob is its target's name, a submodule is no file.
    if (!m || m[2] !== "blob" || m[1] === "120000" || !isSpecFile(m[4]!)) continue;
    blobs.push({ id: m[3]!, path: m[4]!.slice(prefix.length) });
  }
  if (!blobs.some((b) => b.path === "pipemon.yaml")) throw new GitRefError(`no ${prefix}pipemon.yaml at '${ref}' (${sha.slice(0, 12)}): the specs directory did not exist there`);
  const batch = git(topDir, ["cat-file", "--batch"], Buffer.from(blobs.map((b) => `${b.id}\n`).join("")));
  if (!batch.ok) throw new GitRefError(`cannot read the specs at '${ref}': ${batch.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), "pipemon-base-"));
  try {
    let at = 0;
    const out = batch.stdout;
    for (const blob of blobs) {
      const headerEnd = out.indexOf(0x0a, at);
      const header = out.subarray(at, headerEnd).toString("utf8");
      const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1]);
      if (!Number.isFinite(size)) throw new GitRefError(`cannot read ${prefix}${blob.path} at '${ref}': ${header}`);
      const file = join(dir, blob.path);
      makeDirs(dirname(file));
      writeFileSync(file, out.subarray(headerEnd + 1, headerEnd + 1 + size));
      at = headerEnd + 1 + size + 1;
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, commit: sha, files: blobs.length, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
