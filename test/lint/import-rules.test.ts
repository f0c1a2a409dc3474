// `make lint` fails on each forbidden import kind. Each case writes a tiny src/ tree into a temp
// directory (a clean tree plus one offending file) and checks it with the repository's own
// .dependency-cruiser.cjs and scripts/check-computed-imports.mjs, as `make lint` does.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cruise, type ICruiseOptions } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const CONFIG = join(REPO, ".dependency-cruiser.cjs");
const COMPUTED_IMPORT_CHECK = join(REPO, "scripts/check-computed-imports.mjs");
const DEPCRUISE_CLI = join(REPO, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

/** A tree that follows every rule: each layer, the table of targets, each SDK in its folder. */
const CLEAN: Record<string, string> = {
  "src/lib/duration.ts": "export const SECOND = 1000;\n",
  "src/model/types.ts": 'import { SECOND } from "../lib/duration.js";\nexport interface Alert { windowMs: number }\nexport const MINUTE = 60 * SECOND;\n',
  "src/spec/load.ts": 'import { MINUTE, type Alert } from "../model/types.js";\nexport const spec: Alert = { windowMs: MINUTE };\n',
  "src/plan/compute.ts": 'import type { Alert } from "../model/types.js";\nexport const plan = (a: Alert) => a.windowMs;\n',
  "src/history/episodes.ts": 'import type { Alert } from "../model/types.js";\nexport const episodes = (a: Alert) => [a];\n',
  "src/preview/site.ts": 'import { SECOND } from "../lib/duration.js";\nexport const html = `<p>${SECOND}</p>`;\n',
  "src/compile/alert-definitions.ts": 'import type { Alert } from "../model/types.js";\nexport const definitions: Alert[] = [];\n',
  "src/targets/handler.ts": 'import { plan } from "../plan/compute.js";\nexport const handle = plan;\n',
  "src/targets/datadog/index.ts":
    'import { client } from "@datadog/datadog-api-client";\nimport { definitions } from "../../compile/alert-definitions.js";\nimport { handle } from "../handler.js";\nexport const datadog = { client, definitions, handle };\n',
  "src/targets/grafana/index.ts":
    'import { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";\nimport { handle } from "../handler.js";\nexport const grafana = { DashboardBuilder, handle };\n',
  "src/targets/index.ts": 'import { datadog } from "./datadog/index.js";\nimport { grafana } from "./grafana/index.js";\nexport const TARGETS = [datadog, grafana];\n',
  "src/app/generate.ts":
    'import { TARGETS } from "../targets/index.js";\nimport { spec } from "../spec/load.js";\nimport { episodes } from "../history/episodes.js";\nexport async function generate() {\n  const { html } = await import("../preview/site.js");\n  return [TARGETS, spec, episodes, html];\n}\n',
  "src/cli/main.ts":
    'import { readFileSync } from "node:fs";\nexport async function main() {\n  const { generate } = await import("../app/generate.js");\n  return [readFileSync, await generate()];\n}\n',
  "test/support/helper.ts": "export const fixture = 1;\n",
};

/** One case per forbidden kind: the file added to the clean tree and the one rule it breaks. */
const FORBIDDEN: { kind: string; rule: string; file: string; text: string; also?: Record<string, string> }[] = [
  { kind: "upward layer import", rule: "layer-upward", file: "src/model/from-spec.ts", text: 'import { spec } from "../spec/load.js";\nexport const s = spec;\n' },
  { kind: "upward type-only import", rule: "layer-upward", file: "src/lib/typed.ts", text: 'import type { Alert } from "../model/types.js";\nexport type A = Alert;\n' },
  { kind: "upward literal dynamic import", rule: "layer-upward", file: "src/compile/late.ts", text: 'export const late = () => import("../targets/index.js");\n' },
  { kind: "sideways layer import", rule: "layer-sideways", file: "src/spec/from-plan.ts", text: 'import { plan } from "../plan/compute.js";\nexport const p = plan;\n' },
  { kind: "cli skipping app", rule: "layer-skip", file: "src/cli/direct.ts", text: 'import { TARGETS } from "../targets/index.js";\nexport const t = TARGETS;\n' },
  { kind: "folder outside the layer table", rule: "layer-unknown", file: "src/stray/x.ts", text: 'import { SECOND } from "../lib/duration.js";\nexport const x = SECOND;\n' },
  { kind: "sibling target import", rule: "target-sibling", file: "src/targets/grafana/reuse.ts", text: 'import { datadog } from "../datadog/index.js";\nexport const d = datadog;\n' },
  { kind: "target importing the table", rule: "target-sibling", file: "src/targets/grafana/all.ts", text: 'import { TARGETS } from "../index.js";\nexport const all = TARGETS;\n' },
  { kind: "vendor SDK outside its folder", rule: "vendor-sdk-outside-target", file: "src/compile/monitor.ts", text: 'import { v1 } from "@datadog/datadog-api-client";\nexport const api = v1;\n' },
  { kind: "vendor SDK in another target's folder", rule: "vendor-sdk-outside-target", file: "src/targets/datadog/panel.ts", text: 'import { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";\nexport const b = DashboardBuilder;\n' },
  {
    kind: "cycle",
    rule: "no-cycle",
    file: "src/lib/cycle-a.ts",
    text: 'import { b } from "./cycle-b.js";\nexport const a = () => b;\n',
    also: { "src/lib/cycle-b.ts": 'import { a } from "./cycle-a.js";\nexport const b = () => a;\n' },
  },
  { kind: "test-code import", rule: "no-test-code", file: "src/lib/uses-test.ts", text: 'import { fixture } from "../../test/support/helper.js";\nexport const f = fixture;\n' },
  {
    kind: "import outside src/",
    rule: "no-import-outside-src",
    file: "src/lib/outside.ts",
    text: 'import { x } from "../../elsewhere/x.js";\nexport const y = x;\n',
    also: { "elsewhere/x.ts": "export const x = 1;\n" },
  },
  { kind: "unresolvable import", rule: "not-to-unresolvable", file: "src/lib/typo.ts", text: 'import { SECOND } from "./durations.js";\nexport const s = SECOND;\n' },
  { kind: "devDependency in product code", rule: "not-to-dev-dep", file: "src/lib/uses-vitest.ts", text: 'import { expect } from "vitest";\nexport const e = expect;\n' },
  // Installed only as another package's dependency: it works here and vanishes from an install.
  { kind: "package missing from package.json", rule: "no-non-package-json", file: "src/lib/uses-dequal.ts", text: 'import { dequal } from "dequal";\nexport const same = dequal;\n' },
];
let options: ICruiseOptions;
const dirs: string[] = [];

beforeAll(async () => {
  options = await extractDepcruiseOptions(CONFIG);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a new temp project with the repository's package.json, tsconfig and packages. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pipemon-lint-"));
  dirs.push(dir);
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  for (const name of ["package.json", "tsconfig.json"]) copyFileSync(join(REPO, name), join(dir, name));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The names of the rules the tree breaks, each once, as dependency-cruiser reports them. */
async function brokenRules(dir: string): Promise<string[]> {
  const result = await cruise(["src"], { ...options, baseDir: dir }, {}, { tsConfig: extractTSConfig(join(dir, "tsconfig.json")) });
  if (typeof result.output === "string") throw new Error("expected the JSON result, got a report");
  expect(result.output.summary.totalCruised).toBeGreaterThan(Object.keys(CLEAN).length - 1);
  return [...new Set(result.output.summary.violations.map((v) => v.rule.name))].sort();
}

function computedImportCheck(dir: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [COMPUTED_IMPORT_CHECK], { cwd: dir, encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

describe("import rules (.dependency-cruiser.cjs)", () => {
  it("pass on a clean tree that uses every allowed edge", async () => {
    expect(await brokenRules(project(CLEAN))).toEqual([]);
  });

  it.each(FORBIDDEN)("fail on $kind with $rule", async ({ rule, file, text, also }) => {
    expect(await brokenRules(project({ ...CLEAN, ...also, [file]: text }))).toEqual([rule]);
  });

  it("fail through the depcruise command make lint runs (exit code and rule name)", () => {
    const run = (dir: string) => spawnSync(process.execPath, [DEPCRUISE_CLI, "src", "--config", CONFIG], { cwd: dir, encoding: "utf8" });
    expect(run(project(CLEAN)).status).toBe(0);
    const failing = run(project({ ...CLEAN, "src/model/from-spec.ts": FORBIDDEN[0]!.text }));
    expect(failing.status).not.toBe(0);
    expect(failing.stdout).toContain("error layer-upward: src/model/from-spec.ts → src/spec/load.ts");
  });
});

describe("computed imports (scripts/check-computed-imports.mjs)", () => {
  const computed = { "src/app/plugin.ts": 'export const load = (name: string) => import(`../targets/${name}/index.js`);\n' };

  it("are invisible to dependency-cruiser, so the extra check fails on them with no-computed-import", async () => {
    const dir = project({ ...CLEAN, ...computed });
    expect(await brokenRules(dir)).toEqual([]);
    const check = computedImportCheck(dir);
    expect(check.status).toBe(1);
    const col = computed["src/app/plugin.ts"].indexOf("import(") + 1;
    expect(check.stderr).toContain(`error no-computed-import: src/app/plugin.ts:1:${col} import() with a computed specifier`);
  });

  it("fail on require(expr) and createRequire", () => {
    const lines = ['import { createRequire } from "node:module";', "const load = createRequire(import.meta.url);", "export const r = (n: string) => [load(n), require(n)];"];
    const check = computedImportCheck(project({ ...CLEAN, "src/lib/req.ts": lines.join("\n") }));
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`src/lib/req.ts:2:${lines[1]!.indexOf("createRequire(") + 1} createRequire()`);
    expect(check.stderr).toContain(`src/lib/req.ts:3:${lines[2]!.indexOf("require(n)") + 1} require() with a computed specifier`);
  });

  it("pass on a clean tree and on a computed import annotated with its reason", () => {
    expect(computedImportCheck(project(CLEAN))).toEqual({ status: 0, stderr: "" });
    const annotated = { "src/app/plugin.ts": `// lint-allow-computed-import: plugins are named at run time\n${computed["src/app/plugin.ts"]}` };
    expect(computedImportCheck(project({ ...CLEAN, ...annotated })).status).toBe(0);
    const bare = { "src/app/plugin.ts": `// lint-allow-computed-import:\n${computed["src/app/plugin.ts"]}` };
    expect(computedImportCheck(project({ ...CLEAN, ...bare })).status).toBe(1);
  });
});
