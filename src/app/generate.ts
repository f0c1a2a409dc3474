/**
 * Use case: validate everything, then write. Compilers are pure; this is where their files
 * meet the disk. Pipelines are compiled and written one at a time, so memory stays flat on
 * estates of ten thousand pipelines.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { datadogPipelineFiles } from "../compile/datadog/index.js";
import { grafanaPipelineFiles, grafanaProjectFiles } from "../compile/grafana/index.js";
import type { OutputFile } from "../compile/output.js";
import { runbookFile } from "../compile/runbooks/index.js";
import { stableJson } from "../lib/stable-json.js";
import { OutputTree, type TreeReport } from "../lib/output-tree.js";
import type { Project } from "../model/types.js";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { SCHEMA } from "../spec/v1/schema.js";

export const SCHEMA_PATH = "schema/pipemon.schema.json";
/** Per-project sub-directories whose every file generate produces (and so may delete). */
const OWNED = ["grafana", "datadog", "runbooks"];

export interface GenerateOptions extends LoadOptions {
  /** Output directory, `generated` by default. */
  out: string;
  /** Report stale files instead of writing. */
  check: boolean;
}

export interface GenerateResult {
  load: LoadResult;
  /** Undefined when the specs have errors (nothing was written). */
  tree?: TreeReport;
  fileCount: number;
}

/** Every file of one project, relative to its `[<env>/]` directory. */
export function* projectFiles(project: Project): Generator<OutputFile> {
  yield* grafanaProjectFiles(project);
  for (const pipeline of project.pipelines) {
    yield* grafanaPipelineFiles(project, pipeline);
    yield* datadogPipelineFiles(project, pipeline);
    yield runbookFile(project, pipeline);
  }
}

export function generate(options: GenerateOptions): GenerateResult {
  const load = loadSpecs(options);
  if (hasErrors(load.diagnostics)) return { load, fileCount: 0 };

  // With --env only that environment's tree is owned; otherwise every environment's.
  const prefixes = load.environments.length === 0 ? [""] : (options.environment ? [options.environment] : load.environments).map((e) => `${e}/`);
  const owned = prefixes.flatMap((p) => OWNED.map((d) => `${p}${d}`));
  // Environments that disappeared from the config leave whole trees behind; they are owned too.
  const tree = new OutputTree(options.out, options.environment ? owned : [...owned, ...staleEnvironmentDirs(options.out, load.environments)], options.check);

  let fileCount = 1;
  tree.write(SCHEMA_PATH, stableJson(SCHEMA));
  for (const project of load.projects) {
    const prefix = project.environment !== undefined ? `${project.environment}/` : "";
    for (const file of projectFiles(project)) {
      tree.write(prefix + file.path, file.content);
      fileCount++;
    }
  }
  return { load, tree: tree.finish(), fileCount };
}

/** Sub-trees of generated/ that look like pipemon output but belong to no current environment. */
function staleEnvironmentDirs(out: string, environments: readonly string[]): string[] {
  if (!existsSync(out)) return [];
  const dirs: string[] = [];
  const envTrees = readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== "schema" && !OWNED.includes(e.name));
  for (const entry of envTrees) {
    if (environments.includes(entry.name)) continue;
    for (const d of OWNED) if (existsSync(join(out, entry.name, d))) dirs.push(`${entry.name}/${d}`);
  }
  // Switching from environments to none (or back) leaves the other layout behind.
  if (environments.length > 0) dirs.push(...OWNED.filter((d) => existsSync(join(out, d))));
  return dirs;
}
