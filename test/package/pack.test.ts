/**
 * The npm package works from any repository: `npm pack` the built pipemon, install the
 * tarball in an empty folder, and run `npx pipemon init`, `generate` and `test` there.
 *
 * The tarball's dependencies are installed with `--prefer-offline`: `make test` has run
 * `npm ci`, so npm's cache already holds every dependency at the lockfile's versions and only
 * the registry's package metadata may be fetched (the npm registry is reachable in CI). An
 * `--offline` install fails on a fresh machine (no metadata cached), and linking this
 * repository's node_modules would not test what a user installs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "pipemon-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** npm and npx as a user runs them: no colour, no update check, no npm_* of the test runner. */
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  NO_COLOR: "1",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

function run(command: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string; ms: number } {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Math.round(performance.now() - start) };
}

it("npm pack → install in an empty folder → npx pipemon init, generate, test", { timeout: 600_000 }, () => {
  const timings: Record<string, number> = {};
  // The build is the global setup's (test/support/build.ts); prepack would build it again.
  const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: REPO_ROOT, env, encoding: "utf8" })) as [{ filename: string; files: { path: string }[] }];
  const files = packed[0].files.map((f) => f.path).sort();
  // What bin/pipemon.js loads at run time, the init templates and the Action; no sources.
  for (const needed of ["bin/pipemon.js", "dist/bundle/main.js", "dist/bundle/generate-worker.js", "dist/bundle/schema-validators.js", "dist/build-id.js", "templates/init/pipemon.yaml", "templates/init/example-etl.yaml", "templates/init/workflow.yml", "action.yml", "package.json"]) {
    expect(files, needed).toContain(needed);
  }
  expect(files.filter((f) => /^(src|test|bench|scripts|specs|generated)\//.test(f) || f.endsWith(".ts"))).toEqual([]);

  const consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), `${JSON.stringify({ name: "data-platform", version: "1.0.0", private: true }, null, 2)}\n`);
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(work, packed[0].filename)], consumer);
  timings.install = install.ms;
  expect(install.code, install.stderr).toBe(0);
  expect(JSON.parse(readFileSync(join(consumer, "package.json"), "utf8")).dependencies.pipemon).toMatch(/pipemon-.*\.tgz$/);

  for (const args of [["init"], ["generate"], ["validate"], ["generate", "--check"], ["test"]]) {
    const r = run("npx", ["--no-install", "pipemon", ...args], consumer);
    timings[args.join(" ")] = r.ms;
    expect(r.code, `pipemon ${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
  }
  expect(existsSync(join(consumer, ".github/workflows/pipemon.yml"))).toBe(true);
  expect(existsSync(join(consumer, "generated/schema/pipemon.schema.json"))).toBe(true);
  // The workflow's Action is the installed package's own action.yml.
  expect(existsSync(join(consumer, "node_modules/pipemon/action.yml"))).toBe(true);
  // Wall times, for the README's figures (vitest shows a passing test's console output with --reporter=verbose).
  console.log(`pack test timings (ms): ${JSON.stringify(timings)}`);
});
