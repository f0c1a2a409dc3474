/**
 * A local emulator of the three GitHub REST endpoints pipemon's pull-request comment calls,
 * as test/contracts/github/issue-comments.openapi.json (copied from GitHub's published
 * OpenAPI description) defines them:
 *   GET   /repos/{owner}/{repo}/issues/{issue_number}/comments   (per_page, page; Link header)
 *   POST  /repos/{owner}/{repo}/issues/{issue_number}/comments   ({ body } → 201)
 *   PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     ({ body } → 200)
 * with GitHub's authentication (401), its body limit (422 "body is too long") and injectable
 * faults (a status answered to the next requests). Test code only; listens on 127.0.0.1:0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const GITHUB_BODY_LIMIT = 65_536;

export interface EmulatedComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: Record<string, string>;
  authorization: string | undefined;
  userAgent: string | undefined;
}

/** What the emulator answered: kept so tests can validate each answer against the contract. */
export interface RecordedResponse {
  /** The contract's operationId. */
  operation: "issues/list-comments" | "issues/create-comment" | "issues/update-comment" | "unknown";
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function user(login: string, id: number, type: "User" | "Bot"): Record<string, unknown> {
  const api = `https://api.github.com/users/${login}`;
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
  };
}

export const ACTIONS_BOT = user("github-actions[bot]", 41898282, "Bot");
export const A_REVIEWER = user("octocat", 583231, "User");

export class GitHubEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly responses: RecordedResponse[] = [];
  /** Comments per "owner/repo#number", in creation order. */
  readonly issues = new Map<string, EmulatedComment[]>();
  /** Statuses to answer, one per request, before serving normally (5xx, 429). */
  readonly faults: number[] = [];
  /** The same, for one operation's requests only. */
  readonly operationFaults: Partial<Record<RecordedResponse["operation"], number[]>> = {};
  /** Answer a 401 the way a careless proxy does, with the credentials it was sent in the message (GitHub itself does not). */
  echoCredentials = false;
  private nextId = 1_000_000;
  private clock = Date.parse("2026-01-05T10:00:00Z");
  private server: Server | undefined;
  baseUrl = "";

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => (this.server ? this.server.close((e) => (e ? reject(e) : resolve())) : resolve()));
  }

  comments(owner: string, repo: string, issue: number): EmulatedComment[] {
    const key = `${owner}/${repo}#${issue}`;
    let list = this.issues.get(key);
    if (!list) this.issues.set(key, (list = []));
    return list;
  }

  /** A comment someone else wrote (a reviewer, another bot): pipemon must leave it alone. */
  seed(owner: string, repo: string, issue: number, body: string, author = A_REVIEWER): EmulatedComment {
    return this.add(owner, repo, issue, body, author);
  }

  private add(owner: string, repo: string, issue: number, body: string, author: Record<string, unknown>): EmulatedComment {
    const id = this.nextId++;
    const now = new Date((this.clock += 1000)).toISOString().replace(/\.\d+Z$/, "Z");
    const comment: EmulatedComment = {
      id,
      node_id: `IC_kwDO${id}`,
      url: `https://api.github.com/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `https://api.github.com/repos/${owner}/${repo}/issues/${issue}`,
      body,
      user: author,
      created_at: now,
      updated_at: now,
      author_association: author === ACTIONS_BOT ? "NONE" : "MEMBER",
    };
    this.comments(owner, repo, issue).push(comment);
    return comment;
  }

  private send(res: ServerResponse, operation: RecordedResponse["operation"], status: number, body: unknown, headers: Record<string, string> = {}): void {
    const all = { "content-type": "application/json; charset=utf-8", ...headers };
    this.responses.push({ operation, status, headers: all, body });
    res.writeHead(status, all).end(JSON.stringify(body));
  }

  private error(res: ServerResponse, operation: RecordedResponse["operation"], status: number, message: string, headers: Record<string, string> = {}): void {
    this.send(res, operation, status, { message, documentation_url: "https://docs.github.com/rest", status: String(status) }, headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    this.requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, userAgent: req.headers["user-agent"] });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    const operation: RecordedResponse["operation"] =
      list && req.method === "GET" ? "issues/list-comments" : list && req.method === "POST" ? "issues/create-comment" : one && req.method === "PATCH" ? "issues/update-comment" : "unknown";
    const fault = this.operationFaults[operation]?.shift() ?? this.faults.shift();
    if (fault !== undefined) {
      // GitHub's secondary rate limit says when to come back; its 5xx pages say nothing useful.
      return this.error(res, operation, fault, fault === 429 ? "You have exceeded a secondary rate limit." : "Server Error", fault === 429 ? { "retry-after": "1" } : {});
    }
    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) return this.error(res, operation, 401, this.echoCredentials ? `Bad credentials (got '${auth}')` : "Bad credentials");
    if (operation === "unknown") return this.error(res, operation, 404, "Not Found");
    const [, owner = "", repo = "", n = ""] = (list ?? one)!;
    if (operation === "issues/list-comments") {
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30) || 30, 100);
      const page = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
      const all = this.comments(owner, repo, Number(n));
      const last = Math.max(Math.ceil(all.length / perPage), 1);
      const link = (p: number, rel: string) => `<${this.baseUrl}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
      const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
      return this.send(res, operation, 200, all.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(", ") } : {});
    }
    let input: { body?: unknown };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { body?: unknown };
    } catch {
      return this.error(res, operation, 400, "Problems parsing JSON");
    }
    if (typeof input.body !== "string") return this.send(res, operation, 422, { message: "Invalid request.\n\n\"body\" wasn't supplied.", documentation_url: "https://docs.github.com/rest" });
    // GitHub counts characters; a UTF-16 length is never smaller.
    if ([...input.body].length > GITHUB_BODY_LIMIT) {
      return this.send(res, operation, 422, { message: "Validation Failed", errors: [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }], documentation_url: "https://docs.github.com/rest" });
    }
    if (operation === "issues/create-comment") {
      const comment = this.add(owner, repo, Number(n), input.body, ACTIONS_BOT);
      return this.send(res, operation, 201, comment, { location: comment.url });
    }
    const comment = [...this.issues.values()].flat().find((c) => c.id === Number(n) && c.url.includes(`/repos/${owner}/${repo}/`));
    if (!comment) return this.error(res, operation, 404, "Not Found");
    comment.body = input.body;
    comment.updated_at = new Date((this.clock += 1000)).toISOString().replace(/\.\d+Z$/, "Z");
    return this.send(res, operation, 200, comment);
  }
}
