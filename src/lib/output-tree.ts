/**
 * Writes a generated tree the way a reviewer wants it, and touches nothing else:
 *
 * - Only files whose content changed are rewritten (so mtimes and `git status` stay quiet);
 *   `check` mode only reports.
 * - Nothing is written until everything is compiled (cdk8s's rule): changed files are staged
 *   in a private folder inside the output root and renamed into place by `finish`, so an
 *   error while compiling leaves the previous tree exactly as it was.
 * - A manifest in the output root records every file pipemon wrote; only files listed there
 *   and no longer produced are ever deleted. Anything else under the root is left alone.
 * - No symbolic link is followed under the root: `open` refuses a tree holding one (or any
 *   entry that is neither a file nor a folder), files are read with O_NOFOLLOW, and staged
 *   files are created exclusively under unpredictable names.
 *
 * What is not covered: another process replacing a folder with a link while generate runs
 * (Node has no openat to make each step relative to a checked folder).
 */
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, parse, relative, resolve, sep } from "node:path";
import { makeDirs } from "./make-dirs.js";

/** The record of what pipemon wrote, in the output root. */
export const MANIFEST = ".pipemon-manifest.json";
/** Prefix of the staging folder of a run, in the output root. */
const STAGING_PREFIX = ".pipemon-staging-";

/** The output folder is not one pipemon may write: nothing was written. The message is one line for the user. */
export class OutputRefusal extends Error {
  override readonly name = "OutputRefusal";
}

export type FileChange = "created" | "updated" | "deleted";
export interface Change {
  path: string;
  change: FileChange;
}

export interface TreeReport {
  changes: Change[];
  unchanged: number;
  /**
   * Files under the root that pipemon did not write (not in its manifest), and staging
   * folders of other or interrupted runs (ending in `/`): left alone.
   */
  unmanaged: string[];
}

/** A changed file compared and written to the staging folder, waiting to be renamed into place. */
export interface StagedFile {
  path: string;
  temp: string;
}

/**
 * Compares files with the disk and stages the changed ones. The main thread and each worker
 * thread have one; the main thread's OutputTree takes in what the workers staged.
 */
export class StagingWriter {
  readonly changes: Change[] = [];
  readonly staged: StagedFile[] = [];
  unchanged = 0;
  private count = 0;

  /**
   * @param root output root
   * @param staging the run's staging folder; undefined in check mode (nothing is written)
   * @param tag distinguishes this writer's staged files from other threads'
   */
  constructor(
    private readonly root: string,
    private readonly staging: string | undefined,
    private readonly tag: string,
  ) {}

  write(path: string, content: string | Uint8Array): void {
    const { state, encoded } = compareWithDisk(this.root, path, content);
    if (state === "same") {
      this.unchanged++;
      return;
    }
    this.changes.push({ path, change: state === "missing" ? "created" : "updated" });
    if (this.staging === undefined) return;
    const temp = join(this.staging, `${this.tag}${this.count++}`);
    // `wx`: created, never opened if something (a planted link) is already there. The
    // comparison encoded the content: write those bytes rather than encode again.
    writeFileSync(temp, encoded, { flag: "wx" });
    this.staged.push({ path, temp });
  }
}

export interface OutputOptions {
  /** Report differences without touching the disk. */
  check: boolean;
  /**
   * Manifest entries under this prefix (e.g. `staging/` for `--env staging`) are this run's
   * to produce or delete; the others are kept as they are. Undefined: the whole tree.
   */
  scope?: string;
  /** Folders the output may neither be, be inside nor hold (the specs), named for messages. */
  protect?: readonly { path: string; name: string }[];
  /**
   * How to recognise a folder without manifest that an older pipemon wrote: it holds the
   * `signature` file and only files `accepts` says pipemon writes. Such a folder is adopted
   * once (all its files taken as pipemon's); without it, a non-empty folder is refused.
   */
  legacy?: { signature: string; accepts: (path: string) => boolean };
  /**
   * The pipemon command whose output this is (`generate` when unset), recorded in the
   * manifest: a folder whose manifest names another command is refused, so `preview --out
   * generated` cannot delete generate's files as stale (nor the reverse).
   */
  command?: string;
  /** The folder refusals suggest instead (the command's default `--out`): `generated` when unset. */
  suggest?: string;
}

/** What `open` found under the root: regular files and folders, as POSIX paths relative to it. */
interface Listing {
  files: Set<string>;
  dirs: Set<string>;
  /**
   * Staging folders of other runs: a concurrent one's (which may vanish while listed) or a
   * killed one's. Never descended into, written or deleted; reported as not pipemon's.
   */
  staging: string[];
}

export class OutputTree {
  private readonly produced = new Set<string>();
  private readonly own: StagingWriter;
  private readonly staged: StagedFile[] = [];
  private readonly report: TreeReport = { changes: [], unchanged: 0, unmanaged: [] };

  private constructor(
    private readonly root: string,
    private readonly options: OutputOptions,
    private readonly listing: Listing,
    /** Files pipemon wrote before this run: the manifest, or an adopted older tree. */
    private readonly previous: ReadonlySet<string>,
    /** The manifest's bytes on disk, undefined when there is none. */
    private manifestOnDisk: string | undefined,
    /** This run's staging folder; undefined in check mode. */
    readonly staging: string | undefined,
    /** The root did not exist: an abandoned run removes it again. */
    private readonly createdRoot: boolean,
  ) {
    this.own = new StagingWriter(root, staging, "m");
  }

  /**
   * Inspects the output root and prepares the run, or refuses it (OutputRefusal) before
   * anything is written: `/`, the specs folder, a link anywhere under the root (or on the
   * way to it), an entry that is neither file nor folder, a foreign non-empty folder, a
   * damaged manifest.
   */
  static open(root: string, options: OutputOptions): OutputTree {
    refuseDangerousRoot(root, options.protect ?? [], options.suggest ?? "generated");
    const { legacy } = options;
    const notOurs = (): OutputRefusal => new OutputRefusal(`--out ${root} is not empty and pipemon has never written it (it has no ${MANIFEST}): choose a new or empty folder, or move what is in it elsewhere`);
    // A folder pipemon cannot have written is refused before it is walked (it may be large).
    const top = lstatSync(root, { throwIfNoEntry: false }) ? readdirSync(root).filter((name) => !name.startsWith(STAGING_PREFIX)) : [];
    const signed = legacy !== undefined && lstatSync(join(root, legacy.signature), { throwIfNoEntry: false })?.isFile() === true;
    if (top.length > 0 && !top.includes(MANIFEST) && !signed) throw notOurs();
    const listing = listTree(root);
    let previous: Set<string>;
    let manifestOnDisk: string | undefined;
    if (listing.files.has(MANIFEST)) {
      manifestOnDisk = readNoFollow(root, MANIFEST);
      const manifest = parseManifest(manifestOnDisk, root);
      const command = options.command ?? DEFAULT_COMMAND;
      if (manifest.command !== command) {
        throw new OutputRefusal(`--out ${root} holds the output of pipemon ${manifest.command} (its ${MANIFEST} says so): choose another folder for pipemon ${command}`);
      }
      previous = manifest.files;
    } else if (top.length === 0) {
      previous = new Set();
    } else {
      // (A MANIFEST that is a folder gets here.)
      if (!signed) throw notOurs();
      const files = [...listing.files].sort(byCodeUnit);
      const foreign = files.find((f) => f !== legacy!.signature && !legacy!.accepts(f));
      if (foreign !== undefined) {
        throw new OutputRefusal(`--out ${root} has no ${MANIFEST} and holds ${display(root, foreign)}, which pipemon never writes: move that file out for one run (generate then records its own files and leaves others alone), or choose another folder`);
      }
      previous = new Set(files);
    }
    if (options.check) return new OutputTree(root, options, listing, previous, manifestOnDisk, undefined, false);
    const createdRoot = lstatSync(root, { throwIfNoEntry: false }) === undefined;
    if (createdRoot) {
      try {
        makeDirs(root);
      } catch (e) {
        throw new OutputRefusal(`--out ${root} cannot be made (${e instanceof Error ? e.message : String(e)}): choose another --out`);
      }
    }
    // Private (mode 0700) and unpredictably named: nothing can be planted in it beforehand.
    const staging = mkdtempSync(join(root, STAGING_PREFIX));
    return new OutputTree(root, options, listing, previous, manifestOnDisk, staging, createdRoot);
  }

  write(path: string, content: string | Uint8Array): void {
    this.claim(path);
    this.own.write(path, content);
  }

  /** Marks files as produced and unchanged without comparing them (the cache vouches for them). */
  skip(paths: readonly string[]): void {
    for (const p of paths) this.claim(p);
    this.report.unchanged += paths.length;
  }

  /** Takes in what another writer (a worker thread) compared and staged under the same root. */
  absorb(produced: readonly string[], writer: Pick<StagingWriter, "changes" | "staged" | "unchanged">): void {
    for (const p of produced) this.claim(p);
    this.report.changes.push(...writer.changes);
    this.staged.push(...writer.staged);
    this.report.unchanged += writer.unchanged;
  }

  /** How many files this run produced, the manifest included. */
  get producedCount(): number {
    return this.produced.size + 1;
  }

  /**
   * Completes the run: reports (and, unless checking, carries out) the staged writes, the
   * deletion of files the manifest lists that were not produced, and the new manifest.
   */
  finish(): TreeReport {
    const { scope } = this.options;
    const inScope = (p: string): boolean => scope === undefined || p.startsWith(scope);
    const stale: string[] = [];
    // What the new manifest lists: this run's files, and those of other environments (--env).
    const recorded = new Set(this.produced);
    for (const p of this.previous) {
      if (this.produced.has(p)) continue;
      // Listed but already gone (or replaced by a folder): nothing of pipemon's to keep or delete.
      if (!this.listing.files.has(p)) continue;
      if (inScope(p)) stale.push(p);
      else recorded.add(p);
    }
    const manifest = manifestText(recorded, this.options.command);
    const report = this.report;
    report.changes.push(...this.own.changes, ...stale.map((path): Change => ({ path, change: "deleted" })));
    if (manifest === this.manifestOnDisk) report.unchanged++;
    else report.changes.push({ path: MANIFEST, change: this.manifestOnDisk === undefined ? "created" : "updated" });
    report.unchanged += this.own.unchanged;
    const deleted = new Set(stale);
    report.unmanaged = [...this.listing.files, ...this.listing.staging].filter((p) => p !== MANIFEST && !recorded.has(p) && !deleted.has(p)).sort(byCodeUnit);
    report.changes.sort((a, b) => byCodeUnit(a.path, b.path));
    if (!this.options.check) this.commit(stale, manifest);
    return report;
  }

  /** Removes everything this run staged (and the root, if this run created it): the tree is as before. */
  abandon(): void {
    if (this.staging === undefined) return;
    rmSync(this.staging, { recursive: true, force: true });
    if (this.createdRoot) {
      try {
        rmdirSync(this.root);
      } catch {
        // Not empty after all: something else wrote there meanwhile; leave it.
      }
    }
  }

  private claim(path: string): void {
    if (this.produced.has(path)) throw new Error(`internal: ${path} produced twice`);
    this.produced.add(path);
  }

  /**
   * Renames the staged files into place and deletes the stale ones. The manifest is written
   * first when new files are about to appear (listing old and new), and again at the end
   * (listing what is there now), so an interruption at any point leaves every file pipemon
   * wrote in the manifest, and the next run converges.
   */
  private commit(stale: readonly string[], manifest: string): void {
    const staged = [...this.own.staged, ...this.staged];
    this.refuseObstacles(staged, new Set(stale));
    if (staged.some((s) => !this.previous.has(s.path))) this.writeManifest(manifestText(new Set([...this.previous, ...this.produced]), this.options.command));
    const emptied = new Set<string>();
    for (const path of stale) {
      unlinkSync(join(this.root, path));
      emptied.add(parentOf(path));
    }
    this.removeEmptyDirs(emptied);
    const made = new Set<string>();
    for (const { path, temp } of staged) {
      const dir = parentOf(path);
      if (dir !== "" && !made.has(dir)) {
        makeDirs(join(this.root, dir));
        made.add(dir);
      }
      renameSync(temp, join(this.root, path));
    }
    if (manifest !== this.manifestOnDisk) this.writeManifest(manifest);
    rmSync(this.staging!, { recursive: true, force: true });
  }

  private writeManifest(text: string): void {
    const temp = join(this.staging!, "manifest");
    writeFileSync(temp, text, { flag: "wx" });
    renameSync(temp, join(this.root, MANIFEST));
    this.manifestOnDisk = text;
  }

  /**
   * A folder where a file goes, or a file where a folder goes, that pipemon would not delete
   * itself: refused before anything is renamed, rather than failing halfway.
   */
  private refuseObstacles(staged: readonly StagedFile[], stale: ReadonlySet<string>): void {
    const checked = new Set<string>();
    for (const { path } of staged) {
      if (this.listing.dirs.has(path) && [...this.listing.files].some((f) => f.startsWith(`${path}/`) && !stale.has(f))) {
        throw new OutputRefusal(`${display(this.root, path)} is a folder where pipemon writes a file: move it out of the way and run again`);
      }
      for (let dir = parentOf(path); dir !== "" && !checked.has(dir); dir = parentOf(dir)) {
        checked.add(dir);
        if (this.listing.files.has(dir) && !stale.has(dir)) {
          throw new OutputRefusal(`${display(this.root, dir)} is a file where pipemon needs a folder: move it out of the way and run again`);
        }
      }
    }
  }

  /** Removes the folders that deleting files left empty, up to (not including) the root. */
  private removeEmptyDirs(dirs: ReadonlySet<string>): void {
    const tried = new Set<string>();
    for (let dir of dirs) {
      while (dir !== "" && !tried.has(dir)) {
        tried.add(dir);
        try {
          rmdirSync(join(this.root, dir));
        } catch {
          break; // not empty: neither are its parents
        }
        dir = parentOf(dir);
      }
    }
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const parentOf = (path: string): string => {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
};
const display = (root: string, path: string): string => join(root, path);

/** The manifest: deterministic (sorted, one path a line) so it diffs well in review. */
/** The command a manifest without `command` belongs to (generate's manifests predate the field). */
const DEFAULT_COMMAND = "generate";

function manifestText(paths: ReadonlySet<string>, command: string | undefined): string {
  const files = [...paths].sort(byCodeUnit);
  // generate's manifest keeps its historical shape (no `command`): committed generated/ trees stay as they are.
  const body =
    command === undefined || command === DEFAULT_COMMAND
      ? { generator: "pipemon", about: "Files pipemon generate wrote here. It deletes only files listed here; it keeps anything else.", files }
      : { generator: "pipemon", command, about: `Files pipemon ${command} wrote here. It deletes only files listed here; it keeps anything else.`, files };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** A path pipemon could have written: relative, POSIX, no `.`/`..` step, no NUL or backslash. */
const SAFE_PATH = /^(?!\.{1,2}(?:\/|$))(?:[^/\\\0]+\/(?!\.{1,2}(?:\/|$)))*[^/\\\0]+$/;

function parseManifest(text: string, root: string): { files: Set<string>; command: string } {
  const where = display(root, MANIFEST);
  const fix = "restore the manifest from version control, or delete it to let generate adopt the folder again";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OutputRefusal(`${where} is not valid JSON: ${fix}`);
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if ((parsed as { generator?: unknown } | null)?.generator !== "pipemon" || !Array.isArray(files)) {
    throw new OutputRefusal(`${where} is not a pipemon manifest (expected { "generator": "pipemon", "files": [...] }): ${fix}`);
  }
  for (const f of files) {
    if (typeof f !== "string" || !SAFE_PATH.test(f) || f === MANIFEST) throw new OutputRefusal(`${where} lists ${JSON.stringify(f).replace(/^"|"$/g, "'")}, which is not a path inside the folder: ${fix}`);
  }
  const command = (parsed as { command?: unknown }).command;
  if (command !== undefined && typeof command !== "string") throw new OutputRefusal(`${where} has a "command" that is not a string: ${fix}`);
  return { files: new Set(files as string[]), command: command ?? DEFAULT_COMMAND };
}

/** The real path of `path`, or of its nearest existing ancestor followed by the rest. */
function realish(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  while (lstatSync(existing, { throwIfNoEntry: false }) === undefined && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(realpathSync.native(existing), ...rest);
}

const isWithin = (inner: string, outer: string): boolean => {
  const r = relative(outer, inner);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

function refuseDangerousRoot(root: string, protect: readonly { path: string; name: string }[], suggest: string): void {
  const absolute = resolve(root);
  if (parse(absolute).root === absolute) throw new OutputRefusal(`--out ${root} is the root of the file system: choose a folder of its own, such as ${suggest}`);
  // The output folder and, for a relative --out, each folder on the way to it.
  const steps = normalize(root).split(sep);
  for (let i = isAbsolute(root) ? steps.length : 1; i <= steps.length; i++) {
    const step = steps.slice(0, i).join(sep);
    if (step === "" || step === "." || step.endsWith("..")) continue;
    const stat = lstatSync(step, { throwIfNoEntry: false });
    if (stat === undefined) break;
    if (stat.isSymbolicLink()) throw symlinkRefusal(step, "folder");
    if (!stat.isDirectory()) throw new OutputRefusal(`--out ${root}${normalize(step) === normalize(root) ? "" : `: ${step}`} is a file, not a folder: choose another --out`);
  }
  const real = realish(root);
  for (const { path, name } of protect) {
    const guarded = realish(path);
    if (real === guarded) throw new OutputRefusal(`--out ${root} is the ${name}: choose another folder, such as ${suggest}`);
    if (isWithin(real, guarded)) throw new OutputRefusal(`--out ${root} is inside the ${name} ${path}: choose a folder outside it, such as ${suggest}`);
    if (isWithin(guarded, real)) throw new OutputRefusal(`--out ${root} holds the ${name} ${path}: choose a folder of its own, such as ${suggest}`);
  }
}

const symlinkRefusal = (path: string, kind: "folder" | "regular file"): OutputRefusal =>
  new OutputRefusal(`${path} is a symbolic link, and pipemon never writes or deletes through one: replace it with a ${kind === "folder" ? "real folder" : "regular file"} (or delete it) and run again`);

/**
 * Every file and folder under the root, never following a link: a link anywhere under the
 * root, or anything that is neither file nor folder (a FIFO would block a read forever), is
 * refused before anything is read or written.
 */
function listTree(root: string): Listing {
  const listing: Listing = { files: new Set(), dirs: new Set(), staging: [] };
  if (lstatSync(root, { throwIfNoEntry: false }) === undefined) return listing;
  const walk = (rel: string): void => {
    for (const entry of readdirSync(rel === "" ? root : join(root, rel), { withFileTypes: true })) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isFile()) listing.files.add(path);
      else if (rel === "" && entry.isDirectory() && entry.name.startsWith(STAGING_PREFIX)) listing.staging.push(`${path}/`);
      else if (entry.isDirectory()) {
        listing.dirs.add(path);
        walk(path);
      } else if (entry.isSymbolicLink()) {
        // What it points to only tells the message what to replace it with; nothing is read.
        const target = statSync(join(root, path), { throwIfNoEntry: false });
        throw symlinkRefusal(display(root, path), target?.isDirectory() ? "folder" : "regular file");
      } else {
        throw new OutputRefusal(`${display(root, path)} is neither a file nor a folder: pipemon writes only regular files; remove it and run again`);
      }
    }
  };
  walk("");
  return listing;
}

function readNoFollow(root: string, path: string): string {
  let fd: number;
  try {
    fd = openSync(join(root, path), READ_NO_FOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw symlinkRefusal(display(root, path), "regular file");
    throw e;
  }
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * Buffers reused for every comparison: generate compares tens of thousands of files, and
 * reading each into a new string was a third of its time and most of its garbage.
 */
let onDisk = Buffer.alloc(256 * 1024);
let generated = Buffer.alloc(256 * 1024);
const LARGE_FILE = 64 * 1024;
const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * The content is encoded once (its byte length falls out of the encoding) and the file read
 * straight into a buffer: one path lookup, no stat, no string for the old content. The file
 * is opened with O_NOFOLLOW: a link put there after `open` listed the tree is refused.
 */
function compareWithDisk(root: string, path: string, content: string | Uint8Array): { state: "missing" | "same" | "different"; encoded: Buffer } {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit, and one more byte detects a longer
  // file. A large file (a team's rule file) is measured exactly rather than buffered thrice.
  const capacity = (typeof content !== "string" ? content.byteLength : content.length <= LARGE_FILE ? content.length * 3 : Buffer.byteLength(content)) + 1;
  if (generated.length < capacity) {
    generated = Buffer.alloc(capacity);
    onDisk = Buffer.alloc(capacity);
  }
  // Bytes (an image) are copied in as they are; text is encoded as UTF-8.
  const size = typeof content === "string" ? generated.write(content, 0, "utf8") : (generated.set(content), content.byteLength);
  // A view of the shared buffer: valid until the next comparison.
  const encoded = generated.subarray(0, size);
  let fd: number;
  try {
    fd = openSync(join(root, path), READ_NO_FOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a file stands where a folder goes (see refuseObstacles).
    if (code === "ENOENT" || code === "ENOTDIR") return { state: "missing", encoded };
    if (code === "EISDIR") return { state: "different", encoded };
    if (code === "ELOOP") throw symlinkRefusal(display(root, path), "regular file");
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
