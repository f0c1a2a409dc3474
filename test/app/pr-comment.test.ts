import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { parse } from "node-html-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { foldBody, GITHUB_COMMENT_LIMIT, GitHubCallError, markerLine, upsertComment } from "../../src/app/pr-comment.js";
import { GITHUB_BODY_LIMIT, GitHubEmulator, type RecordedResponse } from "../support/github-emulator.js";

const CONTRACT = JSON.parse(readFileSync(new URL("../contracts/github/issue-comments.openapi.json", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { $ref?: string; content?: { "application/json"?: { schema: unknown } } }> }>>;
  components: { responses: Record<string, { content?: { "application/json"?: { schema: unknown } } }> };
};

/** The contract's schema of an operation's answer with this status (its error schema when the operation lists none). */
function responseSchema(operationId: string, status: number): unknown {
  for (const methods of Object.values(CONTRACT.paths)) {
    for (const op of Object.values(methods)) {
      if (op.operationId !== operationId) continue;
      let response = op.responses[String(status)];
      if (response?.$ref) response = CONTRACT.components.responses[response.$ref.split("/").pop()!];
      if (response?.content?.["application/json"]) return response.content["application/json"].schema;
      return { $ref: "#/components/schemas/basic-error" };
    }
  }
  throw new Error(`no operation ${operationId} in the contract`);
}

// The whole OpenAPI document as one schema resource, so the operations' $refs resolve; OpenAPI
// keys that are not JSON Schema keywords (paths, x-github) are tolerated, formats not checked.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(CONTRACT, "github");

function expectContract(responses: readonly RecordedResponse[]): void {
  expect(responses.length).toBeGreaterThan(0);
  for (const r of responses) {
    expect(r.operation).not.toBe("unknown");
    const validate = ajv.compile(withBase(responseSchema(r.operation, r.status)));
    const ok = validate(r.body);
    expect(ok, `${r.operation} ${r.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
}

/** Rewrites the contract's local $refs (#/components/...) to point into the "github" resource. */
function withBase(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"github#/components/')) as Record<string, unknown>;
}

const TOKEN = "ghs_emulatedTokenForPipemonTests0123";
const REPO = { owner: "acme", repo: "data-platform", issueNumber: 7 };

describe("pull-request comment through @octokit/rest", () => {
  let github: GitHubEmulator;
  beforeEach(async () => {
    github = await new GitHubEmulator(TOKEN).start();
  });
  afterEach(() => github.stop());
  const post = (body: string, extra: Partial<Parameters<typeof upsertComment>[0]> = {}) => upsertComment({ ...REPO, body, token: TOKEN, baseUrl: github.baseUrl, retryBaseMs: 1, ...extra });

  it("creates the comment on the first run and updates the same one on the second, past other comments on later pages", async () => {
    // 130 comments of reviewers: pipemon's comment is on the list's second page (100 per page).
    for (let i = 0; i < 130; i++) github.seed("acme", "data-platform", 7, `review ${i}`);
    const first = await post("## Plan\n1 to create");
    expect(first.action).toBe("created");
    const second = await post("## Plan\n2 to update");
    expect(second).toMatchObject({ action: "updated", id: first.id, folded: false });
    const comments = github.comments("acme", "data-platform", 7);
    expect(comments).toHaveLength(131);
    const ours = comments.filter((c) => c.body.startsWith(markerLine("pipemon-plan")));
    expect(ours.map((c) => c.body)).toEqual([`${markerLine("pipemon-plan")}\n## Plan\n2 to update`]);
    // The second run paged through the list (page 1, then page 2 where its comment is).
    const lists = github.requests.filter((r) => r.method === "GET");
    expect(lists.map((r) => r.query.page ?? "1")).toEqual(["1", "2", "1", "2"]);
    expect(lists.every((r) => r.query.per_page === "100")).toBe(true);
    expect(github.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH").map((r) => r.path)).toEqual([`/repos/acme/data-platform/issues/comments/${first.id}`]);
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    expectContract(github.responses);
  });

  it("keeps one comment per marker, and leaves comments without its marker alone", async () => {
    const reviewer = github.seed("acme", "data-platform", 7, "<!-- pipemon-plan --> quoted by a reviewer, not at the start?");
    reviewer.body = `> ${reviewer.body}`;
    await post("plan", { marker: "pipemon-plan" });
    await post("backtest", { marker: "pipemon-backtest" });
    await post("plan v2", { marker: "pipemon-plan" });
    const bodies = github.comments("acme", "data-platform", 7).map((c) => c.body);
    expect(bodies).toEqual([reviewer.body, "<!-- pipemon-plan -->\nplan v2", "<!-- pipemon-backtest -->\nbacktest"]);
  });

  it("folds an oversized plan under GitHub's limit, which the emulator enforces", async () => {
    const line = (i: number) => `| grafana | dashboard | pm-pipeline-${String(i).padStart(5, "0")} | update | ${"x".repeat(40)} |`;
    const huge = ["## pipemon plan", "", "| target | kind | name | change | detail |", "|---|---|---|---|---|", ...Array.from({ length: 3000 }, (_, i) => line(i))].join("\n");
    expect(huge.length).toBeGreaterThan(2 * GITHUB_BODY_LIMIT);
    // Posted as is, GitHub refuses it: the limit the fold exists for.
    const raw = await fetch(`${github.baseUrl}/repos/acme/data-platform/issues/7/comments`, { method: "POST", headers: { authorization: `token ${TOKEN}` }, body: JSON.stringify({ body: huge }) });
    expect(raw.status).toBe(422);
    expect(((await raw.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/body is too long/);
    const result = await post(huge);
    expect(result.folded).toBe(true);
    const [comment] = github.comments("acme", "data-platform", 7).filter((c) => c.body.startsWith(markerLine("pipemon-plan")));
    expect(comment!.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment!.body.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 2000);
    // The head is kept line by line, and the end says how much was cut.
    expect(comment!.body.startsWith(`${markerLine("pipemon-plan")}\n## pipemon plan\n`)).toBe(true);
    const keptRows = comment!.body.split("\n").filter((l) => l.startsWith("| grafana |"));
    expect(keptRows[keptRows.length - 1]).toBe(line(keptRows.length - 1));
    expect(comment!.body).toMatch(new RegExp(`limit:\\*\\* ${(3000 - keptRows.length).toLocaleString("en-US")} of 3,004 lines .* are not shown`));
    expectContract(github.responses.filter((r) => r.status !== 422));
    expectContract(github.responses.filter((r) => r.status === 422));
  });

  it("retries 5xx and 429 answers, then succeeds", async () => {
    github.faults.push(502, 429, 500);
    github.operationFaults["issues/create-comment"] = [503];
    const result = await post("plan");
    expect(result.action).toBe("created");
    // list: three failures (the most retried), then 200; create: 503, then 201.
    expect(github.responses.map((r) => `${r.operation} ${r.status}`)).toEqual([
      "issues/list-comments 502",
      "issues/list-comments 429",
      "issues/list-comments 500",
      "issues/list-comments 200",
      "issues/create-comment 503",
      "issues/create-comment 201",
    ]);
    expectContract(github.responses);
  });

  it("says which call failed and why when GitHub keeps failing, and never says the token", async () => {
    github.faults.push(502, 502, 502, 502);
    const failure = await post("plan").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(GitHubCallError);
    const message = (failure as Error).message;
    expect(message).toMatch(/^listing the comments of acme\/data-platform#7 failed \(HTTP 502\): .*GitHub failed, also after retries; run again later$/);
    expect(github.requests).toHaveLength(4);
    expect(message).not.toContain(TOKEN);
    expect(github.comments("acme", "data-platform", 7)).toHaveLength(0);
  });

  it("names a refused token without quoting it", async () => {
    const failure = await post("plan", { token: "ghs_wrongTokenValue99" }).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(GitHubCallError);
    expect((failure as Error).message).toMatch(/\(HTTP 401\): Bad credentials.* is GITHUB_TOKEN set to a valid token\?/);
    expect((failure as Error).message).not.toContain("ghs_wrongTokenValue99");
    expectContract(github.responses);
  });
});

describe("foldBody", () => {
  it("returns a body within the limit unchanged", () => {
    expect(foldBody("a\nb", 3)).toEqual({ text: "a\nb", folded: false });
  });

  it("keeps the head of a first line longer than the limit, without splitting a character", () => {
    const body = `${"😀".repeat(3000)}\nsecond`;
    const { text, folded } = foldBody(body, 2000);
    expect(folded).toBe(true);
    expect(text.length).toBeLessThanOrEqual(2000);
    const [head] = text.split("\n");
    expect(head!.length).toBeGreaterThan(1000);
    expect(head).toMatch(/^(😀)+$/u);
    expect(text).toMatch(/1 of 2 lines/);
  });

  it("cut inside a folded diff of a real plan, the note still renders on GitHub outside the fold", () => {
    const diff = Array.from({ length: 3000 }, (_, i) => `  + "panel-${i}": { "threshold": ${i} }`);
    const plan = ["### pipemon plan", "", "**1 to update**", "", "- **update** dashboard `pm-orders-etl`", "  <details><summary>diff (3000 lines)</summary>", "", "  ````diff", ...diff, "  ````", "", "  </details>", "", "### backtest", "", "nothing fired"].join("\n");
    const { text, folded } = foldBody(plan, 20_000);
    expect(folded).toBe(true);
    const html = parse(micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true }));
    const note = html.querySelectorAll("p").find((p) => p.textContent.startsWith("Cut to fit GitHub"));
    expect(note, text.slice(-600)).toBeDefined();
    expect(note!.closest("details")).toBeNull();
    expect(note!.closest("pre")).toBeNull();
    expect(note!.textContent).toMatch(/^Cut to fit GitHub's 65,536-character comment limit: [\d,]+ of 3,015 lines \([\d,]+ characters\) are not shown/);
  });

  it("closes a code fence and <details> the cut falls inside", () => {
    const diff = Array.from({ length: 400 }, (_, i) => `+ line ${i}`);
    const body = ["<details><summary>diff</summary>", "", "````diff", ...diff, "````", "", "</details>", "after"].join("\n");
    const { text, folded } = foldBody(body, 2000);
    expect(folded).toBe(true);
    expect(text.length).toBeLessThanOrEqual(2000);
    const lines = text.split("\n");
    const note = lines.findIndex((l) => l === "---");
    expect(lines.slice(note - 3, note)).toEqual(["````", "</details>", ""]);
    expect(lines.filter((l) => l.startsWith("````"))).toEqual(["````diff", "````"]);
  });
});
