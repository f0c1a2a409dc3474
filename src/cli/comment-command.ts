/**
 * `pipemon comment --file plan.md`: post the file as pipemon's one pull-request comment, or
 * update the comment an earlier run posted (what the GitHub Action in action.yml runs).
 * Token from GITHUB_TOKEN (never printed); repository and pull request from GitHub Actions'
 * variables unless given; API root from GITHUB_API_URL (GitHub Enterprise Server).
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { EXIT_ERROR, err, out } from "./output.js";

const pullNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a pull request number");
  return n;
};

export function registerCommentCommand(cli: Command): void {
  cli
    .command("comment")
    .description("post a markdown file as pipemon's pull-request comment, updating the one posted before (GITHUB_TOKEN)")
    .requiredOption("--file <file>", "the markdown to post (pipemon plan --format markdown > plan.md)")
    .option("--repo <owner/repo>", "the repository (default: $GITHUB_REPOSITORY)")
    .option("--pr <number>", "the pull request (default: the one of the GitHub Actions event)", pullNumber)
    .option("--marker <name>", "the hidden marker that identifies the comment to update", "pipemon-plan")
    .action(async (opts: { file: string; repo?: string; pr?: number; marker: string }) => {
      const { upsertComment, repositoryFromActions, pullRequestFromActions, GitHubCallError } = await import("../app/pr-comment.js");
      const fail = (message: string): void => {
        err(`pipemon: ${message}`);
        process.exitCode = EXIT_ERROR;
      };
      const token = process.env.GITHUB_TOKEN;
      if (!token) return fail("GITHUB_TOKEN is not set: in a workflow, pass env GITHUB_TOKEN: ${{ github.token }} (the Action does)");
      if (!/^[\w.-]+$/.test(opts.marker)) return fail(`--marker '${opts.marker}' may hold only letters, digits, '.', '_' and '-'`);
      let body: string;
      try {
        body = readFileSync(opts.file, "utf8");
      } catch (e) {
        return fail(`cannot read --file ${opts.file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e)}`);
      }
      const env = (name: string) => process.env[name];
      let repository: { owner: string; repo: string } | string;
      if (opts.repo !== undefined) {
        const [owner, repo, ...rest] = opts.repo.split("/");
        if (!owner || !repo || rest.length > 0) return fail(`--repo '${opts.repo}' is not owner/repo`);
        repository = { owner, repo };
      } else repository = repositoryFromActions(env);
      if (typeof repository === "string") return fail(repository);
      const pr = opts.pr ?? pullRequestFromActions(env, (path) => readFileSync(path, "utf8"));
      if (typeof pr === "string") return fail(pr);
      const target = { ...repository, issueNumber: pr };
      try {
        const result = await upsertComment({ ...target, body, token, marker: opts.marker, baseUrl: env("GITHUB_API_URL") || "https://api.github.com" });
        out(`${result.action} comment ${result.id} on ${target.owner}/${target.repo}#${target.issueNumber}: ${result.url}`);
        if (result.folded) out(`the body (${body.length.toLocaleString("en-US")} characters) was cut to ${result.length.toLocaleString("en-US")} to fit GitHub's limit`);
      } catch (e) {
        if (e instanceof GitHubCallError) return fail(e.message);
        throw e;
      }
    });
}
