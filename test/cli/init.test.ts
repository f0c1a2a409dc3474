import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "../support/cli.js";

const ACTION_VALIDATOR = join(REPO_ROOT, "node_modules/.bin/action-validator");
const WRITTEN = ["specs/pipemon.yaml", "specs/example-etl.yaml", ".github/workflows/pipemon.yml"];

/** Every file under dir, relative, sorted. */
const listing = (dir: string): string[] => (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[]).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { if: string; permissions?: Record<string, string>; steps: Step[] }>;
}

describe("pipemon init", () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), "pipemon-init-"));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it("scaffolds an empty repository whose example validates, generates and passes pipemon test", () => {
    const r = runCli(["init"], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").slice(0, 3)).toEqual(WRITTEN.map((p) => `  created ${p}`));
    expect(listing(repo)).toEqual([...WRITTEN].sort());
    expect(runCli(["validate"], repo).code).toBe(0);
    const generate = runCli(["generate"], repo);
    expect(generate.code, generate.stderr).toBe(0);
    const test = runCli(["test"], repo);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/✓ example-etl: \d+ alerts, (\d+)\/\1 cases passed/);
    // Each spec's modeline points at the schema generate just published.
    for (const spec of WRITTEN.filter((p) => p.startsWith("specs/"))) {
      const first = readFileSync(join(repo, spec), "utf8").split("\n")[0]!;
      const [, schema] = /^# yaml-language-server: \$schema=(\S+)$/.exec(first) ?? [];
      expect(schema, first).toBeDefined();
      expect(existsSync(resolve(repo, dirname(spec), schema!)), `${spec}: ${schema}`).toBe(true);
    }
  });

  it("writes a workflow that passes action-validator and runs the pull-request loop, then apply on main", () => {
    expect(runCli(["init"], repo).code).toBe(0);
    const file = join(repo, ".github/workflows/pipemon.yml");
    execFileSync(ACTION_VALIDATOR, [file], { encoding: "utf8" });
    const workflow = parse(readFileSync(file, "utf8")) as Workflow;
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    const pr = workflow.jobs["pull-request"]!;
    expect(pr.if).toBe("github.event_name == 'pull_request'");
    expect(pr.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const pipemonRuns = pr.steps.filter((s) => s.run?.includes("npx pipemon")).map((s) => s.run!.replace(/\s+/g, " ").trim());
    expect(pipemonRuns).toEqual([
      "npx pipemon validate",
      "npx pipemon generate --check",
      "npx pipemon test",
      "npx pipemon plan --format markdown > pipemon-comment.md",
      'echo >> pipemon-comment.md npx pipemon backtest --base "origin/$BASE_REF" --format markdown >> pipemon-comment.md',
    ]);
    expect(pr.steps.find((s) => s.run?.includes("backtest"))!.if).toBe("env.PROMETHEUS_URL != ''");
    // One comment, through the Action of the installed package, last.
    expect(pr.steps[pr.steps.length - 1]).toMatchObject({ uses: "./node_modules/pipemon", with: { file: "pipemon-comment.md" } });
    const apply = workflow.jobs.apply!;
    expect(apply.if).toBe("github.event_name == 'push'");
    expect(apply.steps.map((s) => s.run).filter((run) => run?.startsWith("npx pipemon"))).toEqual(["npx pipemon generate --check", "npx pipemon apply --yes"]);
  });

  it("refuses to overwrite, naming each file, and writes nothing; --force overwrites", () => {
    mkdirSync(join(repo, "specs"));
    writeFileSync(join(repo, "specs/pipemon.yaml"), "# mine\n");
    const r = runCli(["init"], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("pipemon: specs/pipemon.yaml exists\npipemon: init wrote nothing: pass --force to overwrite it\n");
    expect(listing(repo)).toEqual(["specs/pipemon.yaml"]);
    expect(readFileSync(join(repo, "specs/pipemon.yaml"), "utf8")).toBe("# mine\n");

    const forced = runCli(["init", "--force"], repo);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("  overwrote specs/pipemon.yaml\n  created specs/example-etl.yaml\n");
    expect(readFileSync(join(repo, "specs/pipemon.yaml"), "utf8")).toContain("kind: Config");

    const again = runCli(["init"], repo);
    expect(again.code).toBe(1);
    expect(again.stderr.split("\n").slice(0, 3)).toEqual(WRITTEN.map((p) => `pipemon: ${p} exists`));
  });

  it("writes nothing when one file cannot be written", () => {
    writeFileSync(join(repo, ".github"), "a file where the workflow's directory must go\n");
    const r = runCli(["init"], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pipemon: cannot write \.github\/workflows\/pipemon\.yml: .*; init wrote nothing\n$/);
    expect(listing(repo)).toEqual([".github"]);
    // Nor the folders made for the files before the failing one.
    expect(readdirSync(repo)).toEqual([".github"]);
  });

  it("follows --specs: the files, their modelines and the workflow's commands", () => {
    const r = runCli(["--specs", "monitoring/specs", "init"], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(repo, "monitoring/specs/example-etl.yaml"), "utf8").split("\n")[0]).toBe("# yaml-language-server: $schema=../../generated/schema/pipemon.schema.json");
    expect(readFileSync(join(repo, ".github/workflows/pipemon.yml"), "utf8")).toContain("run: npx pipemon --specs monitoring/specs generate --check");
    expect(runCli(["--specs", "monitoring/specs", "validate"], repo).code).toBe(0);
  });
});

describe("action.yml", () => {
  it("passes action-validator and runs pipemon comment from its own package", () => {
    const file = join(REPO_ROOT, "action.yml");
    execFileSync(ACTION_VALIDATOR, [file], { encoding: "utf8" });
    const action = parse(readFileSync(file, "utf8")) as { inputs: Record<string, { required: boolean }>; runs: { using: string; steps: Step[] } };
    expect(Object.keys(action.inputs)).toEqual(["file", "token", "marker"]);
    expect(action.runs.using).toBe("composite");
    expect(action.runs.steps[0]!.run).toBe('node "$GITHUB_ACTION_PATH/bin/pipemon.js" comment --file "$PIPEMON_COMMENT_FILE" --marker "$PIPEMON_COMMENT_MARKER"');
  });

  it("action-validator catches a broken workflow (the check is not vacuous)", () => {
    const dir = mkdtempSync(join(tmpdir(), "pipemon-av-"));
    try {
      const broken = join(dir, "broken.yml");
      writeFileSync(broken, "on: push\njobs:\n  x:\n    runs-onn: ubuntu-latest\n    steps: [{ run: echo }]\n");
      expect(() => execFileSync(ACTION_VALIDATOR, [broken], { encoding: "utf8", stdio: "pipe" })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
