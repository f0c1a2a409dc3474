import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, runCliAsync, type CliRun } from "../support/cli.js";
import { GitHubEmulator } from "../support/github-emulator.js";

const TOKEN = "ghs_actionsTokenNeverPrinted42";
const dir = mkdtempSync(join(tmpdir(), "pipemon-comment-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = join(dir, "event.json");
const push = join(dir, "push-event.json");
beforeAll(() => {
  writeFileSync(event, JSON.stringify({ action: "synchronize", number: 12, pull_request: { number: 12 } }));
  writeFileSync(push, JSON.stringify({ ref: "refs/heads/main", after: "0123abc" }));
});

interface ActionStep {
  shell: string;
  env: Record<string, string>;
  run: string;
}

/**
 * Runs action.yml's composite step the way the runner does: its `run` in bash, its env with
 * `${{ inputs.x }}` replaced by the inputs (or their defaults), GITHUB_ACTION_PATH at the package.
 */
function runAction(inputs: Record<string, string>, env: Record<string, string>): Promise<CliRun> {
  const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as { inputs: Record<string, { default?: string }>; runs: { steps: ActionStep[] } };
  const [step] = action.runs.steps;
  const input = (name: string) => inputs[name] ?? action.inputs[name]?.default ?? "";
  const stepEnv = Object.fromEntries(Object.entries(step!.env).map(([k, v]) => [k, v.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => input(name))]));
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", step!.run], { cwd: dir, env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", GITHUB_ACTION_PATH: REPO_ROOT, ...env, ...stepEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("pipemon comment and the Action, against the GitHub emulator", () => {
  let github: GitHubEmulator;
  let actions: Record<string, string>;
  beforeEach(async () => {
    github = await new GitHubEmulator(TOKEN).start();
    actions = { GITHUB_API_URL: github.baseUrl, GITHUB_REPOSITORY: "acme/data-platform", GITHUB_EVENT_PATH: event };
  });
  afterEach(() => github.stop());

  it("the Action creates the comment on the first run and updates it on the second", async () => {
    writeFileSync(join(dir, "plan.md"), "## pipemon plan\n\n1 to create\n");
    const first = await runAction({ file: "plan.md", token: TOKEN }, actions);
    expect(first.code, first.stderr).toBe(0);
    const [created] = github.comments("acme", "data-platform", 12);
    expect(first.stdout).toBe(`created comment ${created!.id} on acme/data-platform#12: ${created!.html_url}\n`);
    writeFileSync(join(dir, "plan.md"), "## pipemon plan\n\nno changes\n");
    const second = await runAction({ file: "plan.md", token: TOKEN }, actions);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`updated comment ${created!.id} on acme/data-platform#12: ${created!.html_url}\n`);
    expect(github.comments("acme", "data-platform", 12).map((c) => c.body)).toEqual(["<!-- pipemon-plan -->\n## pipemon plan\n\nno changes\n"]);
    expect(github.requests.every((r) => r.userAgent?.startsWith("pipemon"))).toBe(true);
    for (const out of [first, second]) expect(out.stdout + out.stderr).not.toContain(TOKEN);
  });

  it("says it folded an oversized file", async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `- resource ${i} ${"y".repeat(30)}`).join("\n");
    writeFileSync(join(dir, "big.md"), big);
    const r = await runCliAsync(["comment", "--file", join(dir, "big.md")], dir, { ...actions, GITHUB_TOKEN: TOKEN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(String.raw`^created comment \d+ .*\nthe body \(${big.length.toLocaleString("en-US")} characters\) was cut to 6\d,\d{3} to fit GitHub's limit\n$`));
    expect(github.comments("acme", "data-platform", 12)[0]!.body.length).toBeLessThanOrEqual(65_536);
  });

  it("explains each missing piece in one line, exit 1, without calling GitHub", async () => {
    writeFileSync(join(dir, "plan.md"), "plan\n");
    const cases: [Record<string, string>, string[], string][] = [
      [{ ...actions }, ["--file", "plan.md"], "pipemon: GITHUB_TOKEN is not set: in a workflow, pass env GITHUB_TOKEN: ${{ github.token }} (the Action does)\n"],
      [{ ...actions, GITHUB_TOKEN: TOKEN }, ["--file", "missing.md"], "pipemon: cannot read --file missing.md: no such file\n"],
      [{ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.baseUrl }, ["--file", "plan.md"], "pipemon: GITHUB_REPOSITORY (owner/repo) is not set: pass --repo owner/repo\n"],
      [{ ...actions, GITHUB_TOKEN: TOKEN, GITHUB_EVENT_PATH: join(dir, "plan.md") }, ["--file", "plan.md"], `pipemon: cannot read the event payload ${join(dir, "plan.md")}: Unexpected token 'p', "plan\n" is not valid JSON\n`],
      [{ ...actions, GITHUB_TOKEN: TOKEN }, ["--file", "plan.md", "--repo", "acme"], "pipemon: --repo 'acme' is not owner/repo\n"],
      [{ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.baseUrl }, ["--file", "plan.md", "--repo", "acme/data-platform"], "pipemon: GITHUB_EVENT_PATH is not set (not in GitHub Actions?): pass --pr NUMBER\n"],
      [{ ...actions, GITHUB_TOKEN: TOKEN, GITHUB_EVENT_PATH: push }, ["--file", "plan.md"], `pipemon: the event is not a pull request (no pull_request.number in ${push}): run this step on pull_request, or pass --pr NUMBER\n`],
    ];
    for (const [env, args, stderr] of cases) {
      const r = await runCliAsync(["comment", ...args], dir, env);
      expect([r.code, r.stderr]).toEqual([1, stderr]);
    }
    expect(github.requests).toHaveLength(0);
  });

  it("reports GitHub's refusal in one line and never prints the token, even when the answer echoes it", async () => {
    writeFileSync(join(dir, "plan.md"), "plan\n");
    github.echoCredentials = true;
    const r = await runCliAsync(["comment", "--file", "plan.md", "--repo", "acme/data-platform", "--pr", "3"], dir, { GITHUB_API_URL: github.baseUrl, GITHUB_TOKEN: "ghs_revokedTokenValue77" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pipemon: listing the comments of acme\/data-platform#3 failed \(HTTP 401\): Bad credentials.*is GITHUB_TOKEN set to a valid token\?\n$/);
    github.echoCredentials = false;
    expect(r.stdout + r.stderr).not.toContain("ghs_revokedTokenValue77");
  });
});
