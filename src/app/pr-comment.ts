/**
 * The pull-request loop's one comment: post a markdown body (pipemon's plan, and backtest)
 * on a pull request, or update the comment an earlier run posted, found by a hidden marker.
 * Through GitHub's REST API with its official client, @octokit/rest, retrying 5xx and 429
 * answers (@octokit/plugin-retry). A body over GitHub's limit is folded: the head is kept
 * and the comment says what was cut.
 */
import { retry } from "@octokit/plugin-retry";
import { Octokit } from "@octokit/rest";
import { GITHUB_COMMENT_LIMIT } from "../plan/render.js";

export { GITHUB_COMMENT_LIMIT };
export const DEFAULT_MARKER = "pipemon-plan";

/** The hidden first line that identifies pipemon's comment among a pull request's comments. */
export const markerLine = (marker: string): string => `<!-- ${marker} -->`;

/** A fence line: its indentation (a fence inside a list item is indented) and its marker. */
const FENCE = /^( *)(`{3,}|~{3,})/;

/**
 * The body kept whole when it fits in `limit` characters (UTF-16 units: never fewer than
 * GitHub's count), else its head cut at a line end, with any open code fence and <details>
 * closed so the rest of the comment still renders, and a last line saying what was cut.
 */
export function foldBody(body: string, limit = GITHUB_COMMENT_LIMIT): { text: string; folded: boolean } {
  if (body.length <= limit) return { text: body, folded: false };
  const lines = body.split("\n");
  const note = (keptLines: number, keptChars: number): string =>
    `\n\n---\n**Cut to fit GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit:** ${(lines.length - keptLines).toLocaleString("en-US")} of ${lines.length.toLocaleString("en-US")} lines (${(body.length - keptChars).toLocaleString("en-US")} characters) are not shown. The job log has the whole text.`;
  // Room for the closers and the note, with margin for the counts' widths.
  const budget = limit - note(lines.length, body.length).length - 64;
  const kept: string[] = [];
  let size = 0;
  let fence: string | undefined;
  let details = 0;
  for (const line of lines) {
    const closers = (fence ? fence.length + 1 : 0) + details * "\n</details>".length;
    if (size + line.length + 1 + closers > budget) {
      // A first line longer than the whole budget (minified JSON): keep its head rather than nothing.
      if (kept.length === 0) kept.push(Array.from(line.slice(0, budget)).slice(0, -1).join(""));
      break;
    }
    kept.push(line);
    size += line.length + 1;
    const [, indent = "", marker] = FENCE.exec(line) ?? [];
    if (marker !== undefined) {
      // Closed with the opening's indentation: a fence at column 0 would end the list item the
      // code block is in and open a new block that swallows the note.
      if (fence === undefined) fence = `${indent}${marker}`;
      else if (marker[0] === fence.trim()[0] && marker.length >= fence.trim().length && line.trim() === marker) fence = undefined;
    } else if (fence === undefined) {
      details += (line.match(/<details\b/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
      details = Math.max(details, 0);
    }
  }
  let text = kept.join("\n");
  const keptChars = text.length;
  if (fence !== undefined) text += `\n${fence}`;
  for (let i = 0; i < details; i++) text += "\n</details>";
  text += note(kept.length, keptChars);
  return { text, folded: true };
}

export interface CommentTarget {
  owner: string;
  repo: string;
  /** The pull request's number (pull requests are issues to the comments API). */
  issueNumber: number;
}

export interface UpsertOptions extends CommentTarget {
  body: string;
  token: string;
  /** API root: https://api.github.com, a GitHub Enterprise Server's /api/v3, or an emulator. */
  baseUrl: string;
  marker?: string;
  userAgent?: string;
  /** Retries of a 5xx or 429 answer (default 3), waiting (n+1)² × retryBaseMs (default 1 s). */
  retries?: number;
  retryBaseMs?: number;
}

export interface UpsertResult {
  action: "created" | "updated";
  id: number;
  url: string;
  folded: boolean;
  /** Characters posted. */
  length: number;
}

/** GitHub's answer, said in one line: which call, which status, what GitHub said. */
export class GitHubCallError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${operation} failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${detail}`);
  }
}

const HINTS: Record<number, string> = {
  401: "the token was refused: is GITHUB_TOKEN set to a valid token?",
  403: "the token may not write comments: give the job `permissions: pull-requests: write` (a pull request from a fork gets a read-only token)",
  404: "no such repository or pull request, or the token cannot see it",
  429: "GitHub's rate limit: retried and still limited; run again later",
};

export async function upsertComment(options: UpsertOptions): Promise<UpsertResult> {
  const marker = markerLine(options.marker ?? DEFAULT_MARKER);
  const { text, folded } = foldBody(options.body, GITHUB_COMMENT_LIMIT - marker.length - 1);
  const body = `${marker}\n${text}`;
  const Client = Octokit.plugin(retry);
  const github = new Client({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "pipemon",
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    // The client's own warnings would go to the console, outside pipemon's scrubbed output.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const where = { owner: options.owner, repo: options.repo, issue_number: options.issueNumber };
  const call = async <T>(operation: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      const code = typeof status === "number" ? status : undefined;
      const said = e instanceof Error ? e.message.split("\n")[0] ?? "" : String(e);
      const hint = code !== undefined ? (HINTS[code] ?? (code >= 500 ? "GitHub failed, also after retries; run again later" : undefined)) : undefined;
      throw new GitHubCallError(operation, code, hint ? `${said} — ${hint}` : said);
    }
  };
  const previous = await call(`listing the comments of ${options.owner}/${options.repo}#${options.issueNumber}`, async () => {
    for await (const page of github.paginate.iterator(github.rest.issues.listComments, { ...where, per_page: 100 })) {
      const found = page.data.find((c) => c.body?.startsWith(marker));
      if (found) return found;
    }
    return undefined;
  });
  if (previous) {
    const { data } = await call(`updating comment ${previous.id}`, () => github.rest.issues.updateComment({ owner: options.owner, repo: options.repo, comment_id: previous.id, body }));
    return { action: "updated", id: data.id, url: data.html_url, folded, length: body.length };
  }
  const { data } = await call(`commenting on ${options.owner}/${options.repo}#${options.issueNumber}`, () => github.rest.issues.createComment({ ...where, body }));
  return { action: "created", id: data.id, url: data.html_url, folded, length: body.length };
}

/** The repository GitHub Actions runs for (GITHUB_REPOSITORY, owner/repo), or why there is none. */
export function repositoryFromActions(env: (name: string) => string | undefined): { owner: string; repo: string } | string {
  const [owner, repo, ...rest] = (env("GITHUB_REPOSITORY") ?? "").split("/");
  if (!owner || !repo || rest.length > 0) return "GITHUB_REPOSITORY (owner/repo) is not set: pass --repo owner/repo";
  return { owner, repo };
}

/**
 * The pull request of the event GitHub Actions runs for: pull_request.number (or issue.number)
 * of the payload at GITHUB_EVENT_PATH, or why there is none.
 */
export function pullRequestFromActions(env: (name: string) => string | undefined, readEvent: (path: string) => string): number | string {
  const eventPath = env("GITHUB_EVENT_PATH");
  if (!eventPath) return "GITHUB_EVENT_PATH is not set (not in GitHub Actions?): pass --pr NUMBER";
  let event: { pull_request?: { number?: unknown }; issue?: { number?: unknown } };
  try {
    event = JSON.parse(readEvent(eventPath)) as typeof event;
  } catch (e) {
    return `cannot read the event payload ${eventPath}: ${e instanceof Error ? e.message : String(e)}`;
  }
  const number = event.pull_request?.number ?? event.issue?.number;
  if (typeof number !== "number") return `the event is not a pull request (no pull_request.number in ${eventPath}): run this step on pull_request, or pass --pr NUMBER`;
  return number;
}
