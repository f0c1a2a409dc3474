/**
 * Use case: prove the alert semantics of the user's specs on Prometheus's own rule engine.
 * The Prometheus rules and the generated promtool unit tests of every selected pipeline
 * (src/compile/prometheus-tests) are written to a temporary directory, `promtool test rules`
 * runs them (one process per pipeline, a few at a time), and every case comes back with its
 * verdict: which alert, which level, what it proves, and promtool's account of a failure.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { makeDirs } from "../lib/make-dirs.js";
import { pool } from "../lib/pool.js";
import { pipelineAlertTests, type AlertTestCase, type PipelineAlertTests, type SkippedAlertTest } from "../targets/prometheus/promtool-tests/index.js";
import type { Project } from "../model/types.js";
import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { parseSelection, selects, type Selection } from "./desired.js";

export const PROMTOOL_INSTALL_HINT = "promtool is not installed: install Debian's prometheus package (sudo apt-get install prometheus), or set PIPEMON_PROMTOOL to its path";

export interface AlertCaseResult extends AlertTestCase {
  /** The environment, when the config declares environments. */
  environment?: string;
  ok: boolean;
  /** promtool's account of the failure (expected and observed alerts). */
  failure?: string;
}

export interface SkippedCase extends SkippedAlertTest {
  environment?: string;
}

export interface TestAlertsOptions extends LoadOptions {
  /** `name` or `team:<team>` selectors (comma-separated values allowed); none: every pipeline. */
  select?: readonly string[];
  /** promtool binary; default: $PIPEMON_PROMTOOL, then `promtool` on the PATH. */
  promtool?: string;
  /** Write the rules and tests here and keep them (default: a temporary directory, removed). */
  keep?: string;
  /** promtool processes at once (default: the number of cores, at most 4). */
  concurrency?: number;
}

export interface TestAlertsResult {
  load: LoadResult;
  /** False when promtool could not be found (nothing was run). */
  promtoolFound: boolean;
  cases: AlertCaseResult[];
  skipped: SkippedCase[];
  /** Pipelines tested (summed over environments). */
  pipelineCount: number;
  /** Selectors that matched no pipeline. */
  unmatched: string[];
  ok: boolean;
}

/** The promtool binary: an explicit path, $PIPEMON_PROMTOOL, or `promtool` on the PATH. */
export function findPromtool(explicit?: string): string | undefined {
  const wanted = explicit ?? process.env.PIPEMON_PROMTOOL;
  if (wanted) return executable(wanted) ? wanted : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "promtool");
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface Unit {
  environment?: string;
  dir: string;
  tests: PipelineAlertTests;
}

/** Writes one pipeline's rules and tests under `dir`. */
function writeUnit(dir: string, tests: PipelineAlertTests): void {
  for (const file of [tests.rules, ...tests.tests]) {
    const path = join(dir, file.path);
    makeDirs(dirname(path));
    writeFileSync(path, file.content);
  }
}

interface Run {
  status: number | null;
  output: string;
}

function run(promtool: string, cwd: string, files: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(promtool, ["test", "rules", ...files], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (e) => resolve({ status: null, output: `${output}${e.message}` }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

/**
 * promtool's failures per test group name. A failed group is reported as
 * `name: <group>,` followed by the alert, the time and the expected and observed alerts.
 */
export function parsePromtoolFailures(output: string): Map<string, string> {
  const failures = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (current === undefined) return;
    const text = lines.join("\n").trim();
    failures.set(current, failures.has(current) ? `${failures.get(current)}\n${text}` : text);
  };
  for (const line of output.split("\n")) {
    const name = /^\s*name: (.*),\s*$/.exec(line);
    if (name) {
      flush();
      current = name[1]!;
      lines = [];
    } else if (/^\s*(FAILED:|SUCCESS|Unit Testing:)/.test(line)) {
      flush();
      current = undefined;
      lines = [];
    } else if (current !== undefined) lines.push(line.trimEnd());
  }
  flush();
  return failures;
}

async function runUnit(promtool: string, unit: Unit): Promise<AlertCaseResult[]> {
  const env = unit.environment !== undefined ? { environment: unit.environment } : {};
  if (unit.tests.cases.length === 0) return [];
  const r = await run(promtool, unit.dir, unit.tests.tests.map((t) => t.path));
  const failures = parsePromtoolFailures(r.output);
  // A failure promtool could not pin to a test group (a rule file it could not load): every case fails with it.
  const unattributed = r.status !== 0 && failures.size === 0 ? r.output.trim() || `promtool exited with ${r.status}` : undefined;
  return unit.tests.cases.map((c) => {
    const failure = failures.get(c.name) ?? unattributed;
    return { ...c, ...env, ok: failure === undefined, ...(failure !== undefined ? { failure } : {}) };
  });
}

export interface ProjectTestResult {
  cases: AlertCaseResult[];
  skipped: SkippedCase[];
  pipelineCount: number;
}

/** Generates and runs the unit tests of the selected pipelines of compiled projects (models). */
export async function testProjects(projects: readonly Project[], options: { promtool: string; select?: Selection; keep?: string; concurrency?: number }): Promise<ProjectTestResult> {
  const root = options.keep ?? mkdtempSync(join(tmpdir(), "pipemon-test-"));
  try {
    const units: Unit[] = [];
    for (const project of projects) {
      const dir = project.environment !== undefined ? join(root, project.environment) : root;
      for (const p of project.pipelines) {
        if (!selects(options.select, p.name, p.team)) continue;
        const tests = pipelineAlertTests(project, p);
        writeUnit(dir, tests);
        units.push({ ...(project.environment !== undefined ? { environment: project.environment } : {}), dir, tests });
      }
    }
    const limit = options.concurrency ?? Math.min(4, availableParallelism());
    const cases = (await pool(units, limit, (u) => runUnit(options.promtool, u))).flat();
    const skipped = units.flatMap((u) => u.tests.skipped.map((s) => ({ ...s, ...(u.environment !== undefined ? { environment: u.environment } : {}) })));
    return { cases, skipped, pipelineCount: units.length };
  } finally {
    if (options.keep === undefined) rmSync(root, { recursive: true, force: true });
  }
}

/** `pipemon test`: load the specs, then generate and run the alert unit tests. */
export async function testAlerts(options: TestAlertsOptions): Promise<TestAlertsResult> {
  const load = loadSpecs(options);
  const empty = { load, cases: [], skipped: [], pipelineCount: 0, unmatched: [] };
  if (hasErrors(load.diagnostics)) return { ...empty, promtoolFound: true, ok: false };
  const promtool = findPromtool(options.promtool);
  if (!promtool) return { ...empty, promtoolFound: false, ok: false };
  const select = parseSelection(options.select);
  const unmatched = select
    ? [...[...select.pipelines].filter((n) => !load.projects.some((p) => p.pipelines.some((x) => x.name === n))),
       ...[...select.teams].filter((t) => !load.projects.some((p) => p.pipelines.some((x) => x.team === t))).map((t) => `team:${t}`)]
    : [];
  const result = await testProjects(load.projects, { promtool, ...(select ? { select } : {}), ...(options.keep !== undefined ? { keep: options.keep } : {}), ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}) });
  const ok = unmatched.length === 0 && result.cases.length > 0 && result.cases.every((c) => c.ok);
  return { load, promtoolFound: true, ...result, unmatched, ok };
}
