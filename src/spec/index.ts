/**
 * Loading specs in three named steps, as Sloth does: detect (which files, which kind and
 * version each document is), load (parse and check against the versioned schema and rules),
 * map (to the model). Every problem of every step is collected; nothing is thrown at users.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import type { Project } from "../model/types.js";
import { error, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { decodeSpecFile, locate, parseSpecFile, type SourceFile } from "./load.js";
import type { Located, RawConfig, RawPipeline } from "./v1/raw.js";
import { API_VERSION } from "./v1/schema.js";
import { checkSchema } from "./v1/schema-check.js";
import { checkProject } from "./v1/semantics.js";
import { environmentNames, mapProjects, type RoutingFallback } from "./v1/map.js";

export type { RoutingFallback } from "./v1/map.js";

export const CONFIG_FILE = "pipemon.yaml";

export interface LoadOptions {
  /** The specs directory (holds pipemon.yaml). */
  root: string;
  /** Files or directories to read instead of the whole root (validate [paths...]). */
  paths?: readonly string[];
  /** Build only this environment. */
  environment?: string;
  /** Files already found by detectFiles (saves a second walk of the tree). */
  files?: ReturnType<typeof detectFiles>;
}

export interface LoadResult {
  /** One per environment (or one base project); empty when there are errors. */
  projects: Project[];
  /** Sorted, with line and column resolved. */
  diagnostics: Diagnostic[];
  /** Sources by display path, for excerpts. */
  sources: ReadonlyMap<string, SourceFile>;
  /** Per pipeline and environment, the severities routed by the config alone (empty when there are errors). */
  routingFallbacks?: RoutingFallback[];
  /** Environments the config declares (empty when none). */
  environments: string[];
  fileCount: number;
}

const isYaml = (name: string): boolean => name.endsWith(".yaml") || name.endsWith(".yml");

/** Step 1a: which files. Hidden directories and node_modules are skipped; order is stable. */
export function detectFiles(root: string, paths?: readonly string[]): { config?: string; pipelines: string[]; missing: string[] } {
  const configPath = join(root, CONFIG_FILE);
  const found = new Set<string>();
  const missing: string[] = [];
  for (const p of paths && paths.length > 0 ? paths : [root]) {
    if (!existsSync(p)) {
      missing.push(p);
      continue;
    }
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !isYaml(entry.name)) continue;
        const full = join(entry.parentPath, entry.name);
        if (relative(p, full).split(sep).some((part) => part.startsWith(".") || part === "node_modules")) continue;
        found.add(full);
      }
    } else {
      found.add(p);
    }
  }
  const pipelines = [...found].filter((f) => !(basename(f) === CONFIG_FILE && samePath(f, configPath))).sort();
  return { ...(existsSync(configPath) ? { config: configPath } : {}), pipelines, missing };
}

const samePath = (a: string, b: string): boolean => relative(a, b) === "";

interface Detected {
  config?: Located<unknown>;
  pipelines: Located<unknown>[];
}

/** Step 1b: which kind and version each document is. */
function detectDocuments(file: string, rel: string, docs: { index: number; value: unknown }[], isConfigFile: boolean, into: Detected, out: Diagnostic[]): void {
  const expected = isConfigFile ? "Config" : "Pipeline";
  if (docs.length === 0) {
    out.push({ ...error(file, 0, [], `empty file: expected a document with 'apiVersion: ${API_VERSION}' and 'kind: ${expected}'`), line: 1, col: 1 });
    return;
  }
  for (const { index, value } of docs) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      const found = Array.isArray(value) ? "a list" : `the ${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
      out.push(error(file, index, [], `a spec document must be a mapping with apiVersion and kind, not ${found}`));
      continue;
    }
    const doc = value as Record<string, unknown>;
    if (doc.apiVersion === undefined) {
      out.push(error(file, index, [], `missing apiVersion: add 'apiVersion: ${API_VERSION}'`));
      continue;
    }
    if (doc.apiVersion !== API_VERSION) {
      out.push(error(file, index, ["apiVersion"], `unsupported apiVersion '${String(doc.apiVersion)}': this pipemon reads '${API_VERSION}'`));
      continue;
    }
    if (doc.kind !== expected) {
      const kind = doc.kind === undefined ? "no kind" : `kind '${String(doc.kind)}'`;
      const why =
        doc.kind === "Config" ? `the Config belongs in ${CONFIG_FILE} at the root of the specs directory` :
        doc.kind === "Pipeline" ? `${CONFIG_FILE} holds only the Config; put each pipeline in its own file` :
        `pipemon reads kind Config (in ${CONFIG_FILE}) and kind Pipeline (every other file)`;
      out.push(error(file, index, doc.kind === undefined ? [] : ["kind"], `${kind} here: expected kind '${expected}': ${why}`));
      continue;
    }
    const located = { file, relative: rel, doc: index, value };
    if (isConfigFile) {
      if (into.config) out.push(error(file, index, [], `a second Config document: ${CONFIG_FILE} holds exactly one`));
      else into.config = located;
    } else {
      into.pipelines.push(located);
    }
  }
}

export function loadSpecs(options: LoadOptions): LoadResult {
  const { root } = options;
  const files = options.files ?? detectFiles(root, options.paths);
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  const detected: Detected = { pipelines: [] };
  const display = (f: string) => relative(process.cwd(), f) || f;

  const read = (path: string, isConfig: boolean) => {
    const file = display(path);
    const decoded = decodeSpecFile(file, readFileSync(path));
    if ("severity" in decoded) {
      diagnostics.push(decoded);
      return;
    }
    sources.set(file, decoded);
    const loaded = parseSpecFile(decoded);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.docs) detectDocuments(file, relative(root, path).split(sep).join("/"), loaded.docs, isConfig, detected, diagnostics);
  };

  for (const m of files.missing) {
    const what = m === root ? `the specs directory '${display(m) || m}' does not exist: run pipemon from the repository root, or pass --specs DIR` : `no such file or directory: ${display(m) || m}`;
    diagnostics.push({ ...error(display(m) || m, 0, [], what), line: 1, col: 1 });
  }
  if (files.config) read(files.config, true);
  else if (!files.missing.includes(root)) diagnostics.push({ ...error(display(join(root, CONFIG_FILE)), 0, [], `no ${CONFIG_FILE} in ${display(root) || "."}: create it with 'apiVersion: ${API_VERSION}' and 'kind: Config' (channels and routing)`), line: 1, col: 1 });
  for (const f of files.pipelines) read(f, false);

  // Step 2: the schema, per document; then the rules across documents. Pipelines are checked
  // even when the config failed its schema (without the checks that need the config), so a
  // mistake in pipemon.yaml does not hide the pipelines' own.
  const configOk = detected.config !== undefined && pushAll(diagnostics, checkSchema("Config", detected.config.value, detected.config.file, detected.config.doc));
  const pipelines = detected.pipelines.filter((p) => pushAll(diagnostics, checkSchema("Pipeline", p.value, p.file, p.doc))) as Located<RawPipeline>[];
  const config = configOk ? (detected.config as Located<RawConfig>) : undefined;
  const environments = config ? environmentNames(config.value).filter((e): e is string => e !== undefined) : [];
  diagnostics.push(...checkProject(config, pipelines));

  let projects: Project[] = [];
  let routingFallbacks: RoutingFallback[] = [];
  if (config) {
    if (options.environment !== undefined && !environments.includes(options.environment)) {
      diagnostics.push(error(config.file, config.doc, environments.length ? ["environments"] : [], environments.length
        ? `unknown environment '${options.environment}': the config declares ${environments.join(", ")}`
        : `unknown environment '${options.environment}': the config declares no environments`));
    }
    // Step 3: map every pipeline whose own document and the config values merged into it are
    // free of errors; the others would only repeat their errors as mapping errors (a cascade).
    const sound = pipelines.filter(soundToMap(diagnostics, config));
    const mapped = mapProjects(config, sound, options.environment);
    diagnostics.push(...mapped.diagnostics);
    if (!hasErrors(diagnostics)) ({ projects, routingFallbacks } = mapped);
  }

  for (const d of diagnostics) {
    if (d.related) {
      const source = sources.get(d.related.file);
      const pos = source ? locate(source, d.related.doc, d.related.path) : { line: 1, col: 1 };
      d.message += ` at ${d.related.file}:${pos.line}:${pos.col}`;
    }
    if (d.line !== undefined) continue;
    const source = sources.get(d.file);
    if (!source) continue;
    const pos = locate(source, d.doc, d.path, d.atKey);
    d.line = pos.line;
    d.col = pos.col;
  }
  return {
    projects: hasErrors(diagnostics) ? [] : projects,
    routingFallbacks: hasErrors(diagnostics) ? [] : routingFallbacks,
    diagnostics: sortDiagnostics(diagnostics),
    sources,
    environments,
    fileCount: files.pipelines.length + (files.config ? 1 : 0),
  };
}

/** Config paths whose values mapping merges into a pipeline of `team` ("*": any key). */
const mergedConfigPaths = (team: string): readonly (readonly string[])[] => [["defaults"], ["teams", team, "defaults"], ["environments", "*", "overrides"]];

/**
 * Whether a pipeline is fit to map: no error in its own document, nor in a config value merged
 * into it. Indexed once, so a large estate with many errors is not scanned per pipeline.
 */
function soundToMap(diagnostics: readonly Diagnostic[], config: Located<RawConfig>): (p: Located<RawPipeline>) => boolean {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const brokenDocs = new Set(errors.map((d) => `${d.doc}\0${d.file}`));
  const configPaths = errors.filter((d) => d.file === config.file && d.doc === config.doc).map((d) => d.path);
  const brokenTeams = new Map<string, boolean>();
  const teamBroken = (team: string): boolean => {
    let broken = brokenTeams.get(team);
    if (broken === undefined) {
      broken = configPaths.some((path) => mergedConfigPaths(team).some((prefix) => prefix.every((part, i) => (part === "*" ? path.length > i : path[i] === part))));
      brokenTeams.set(team, broken);
    }
    return broken;
  };
  return (p) => !brokenDocs.has(`${p.doc}\0${p.file}`) && !teamBroken(p.value.metadata.team);
}

function pushAll(into: Diagnostic[], found: Diagnostic[]): boolean {
  into.push(...found);
  return found.length === 0;
}
