/**
 * `pipemon init`: scaffold a repository for pipemon. Writes the config, one example pipeline
 * (each with the modeline that points editors at the schema generate publishes) and the CI
 * workflow of the pull-request loop. The contents are the files under templates/init/ of the
 * installed package; this module only decides where each goes and writes them all or none.
 */
import { existsSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { makeDirs } from "../lib/make-dirs.js";
import { DEFAULT_OUT, SCHEMA_PATH } from "./output-layout.js";

const WORKFLOW_PATH = ".github/workflows/pipemon.yml";

/**
 * templates/init/ of the package. This module runs from dist/bundle/ (bin/pipemon.js) or from
 * src/app/ (tests): both two directories below the package root.
 */
const TEMPLATES = new URL("../../templates/init/", import.meta.url);

interface Scaffold {
  /** File under templates/init/. */
  template: string;
  /** Where it goes, relative to the repository root; `specs` stands for the specs directory. */
  path: (specs: string) => string;
  /** A spec: starts with the schema modeline. */
  spec: boolean;
}

const SCAFFOLD: readonly Scaffold[] = [
  { template: "pipemon.yaml", path: (specs) => posix.join(specs, "pipemon.yaml"), spec: true },
  { template: "example-etl.yaml", path: (specs) => posix.join(specs, "example-etl.yaml"), spec: true },
  { template: "workflow.yml", path: () => WORKFLOW_PATH, spec: false },
];

export interface InitOptions {
  /** Repository root: every path is relative to it. */
  cwd: string;
  /** The specs directory, relative to cwd (pipemon's --specs). */
  specs: string;
  /** Overwrite files that exist. */
  force: boolean;
}

export interface InitResult {
  /** Files written, relative to cwd, in SCAFFOLD order. */
  written: string[];
  /** Of those, the ones that existed and were overwritten (--force). */
  overwritten: string[];
}

/** Init would overwrite these files and --force was not given: nothing was written. */
export class InitRefusal extends Error {
  constructor(readonly existing: readonly string[]) {
    super(`${existing.length === 1 ? "a file" : "files"} that init writes already ${existing.length === 1 ? "exists" : "exist"}: ${existing.join(", ")}`);
  }
}

/** A file could not be written (no permission, a file where a directory must go): nothing was. */
export class InitWriteError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The `# yaml-language-server: $schema=...` line for a spec at `path`. */
function schemaModeline(path: string): string {
  const schema = posix.relative(posix.dirname(path), posix.join(DEFAULT_OUT, SCHEMA_PATH));
  return `# yaml-language-server: $schema=${schema}`;
}

/** The files init writes (path relative to the root, content), without touching the disk. */
function scaffoldFiles(specs: string): { path: string; content: string }[] {
  const dir = posix.normalize(specs.replaceAll("\\", "/")).replace(/\/$/, "");
  return SCAFFOLD.map((s) => {
    const path = s.path(dir);
    let content = readFileSync(new URL(s.template, TEMPLATES), "utf8");
    if (s.spec) content = `${schemaModeline(path)}\n${content}`;
    // The workflow runs pipemon from the root: a specs directory of another name must be named.
    else if (dir !== "specs") content = content.replaceAll("npx pipemon ", `npx pipemon --specs ${dir} `);
    return { path, content };
  });
}

export function init(options: InitOptions): InitResult {
  const files = scaffoldFiles(options.specs);
  const existing = files.map((f) => f.path).filter((p) => existsSync(join(options.cwd, p)));
  if (existing.length > 0 && !options.force) throw new InitRefusal(existing);
  // Every file is written beside its destination first, then all are renamed: a failure
  // (no permission, a full disk) leaves no file half-written, none of the new ones, and none
  // of the folders made for them.
  const staged: { tmp: string; dest: string }[] = [];
  const madeDirs: string[] = [];
  let current = "";
  try {
    for (const f of files) {
      current = f.path;
      const dest = join(options.cwd, f.path);
      madeDirs.push(...makeDirs(dirname(dest)));
      const tmp = `${dest}.${process.pid}.pipemon-init.tmp`;
      staged.push({ tmp, dest });
      writeFileSync(tmp, f.content);
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    for (const dir of madeDirs.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty after all (someone wrote there meanwhile): leave it.
      }
    }
    throw new InitWriteError(current, e);
  }
  for (const s of staged) renameSync(s.tmp, s.dest);
  return { written: files.map((f) => f.path), overwritten: existing };
}
