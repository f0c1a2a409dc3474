/**
 * `pipemon backtest` as a user runs it: the three formats on a backfilled Prometheus, one
 * line and exit 1 for an unknown ref, a refusing server or a missing variable, and the
 * authentication headers sent while no secret reaches stdout or stderr.
 */
import { spawnSync } from "node:child_process";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../support/cli.js";
import { startHistoryPrometheus, type HistoryPrometheus } from "../support/history.js";
import { CONFIG, HOUR, PIPELINES, TIMELINE, writeSpecs } from "../history/timeline-fixture.js";

let prom: HistoryPrometheus;
let dir: string;

beforeAll(async () => {
  prom = await startHistoryPrometheus(TIMELINE);
  dir = mkdtempSync(join(tmpdir(), "pipemon-backtest-cli-"));
  writeSpecs(join(dir, "specs"));
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const iso = (t: number) => new Date(t * 1000).toISOString();
const period = () => ["--since", iso(prom.origin), "--until", iso(prom.origin + TIMELINE.duration)];

describe("pipemon backtest", () => {
  it("writes DESIGN §10's JSON", () => {
    const r = runCli(["backtest", ...period(), "--format", "json"], dir, { HISTORY_PROMETHEUS_URL: prom.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { since: string; until: string; alerts: Array<Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(["since", "until", "alerts"]);
    expect(doc.since).toBe(iso(prom.origin).replace(".000Z", "Z"));
    const failed = doc.alerts.find((a) => a.pipeline === "orders-etl" && a.alert === "pipelineFailed")!;
    expect(failed).toEqual({
      pipeline: "orders-etl",
      alert: "pipelineFailed",
      severity: "critical",
      episodes: [{ start: iso(prom.origin + 5 * HOUR + 600).replace(".000Z", "Z"), end: iso(prom.origin + 6 * HOUR + 600).replace(".000Z", "Z") }],
      firingSeconds: 3600,
      channels: ["oncall", "alerts"],
    });
    // Still firing at --until: end null.
    expect(doc.alerts.find((a) => a.pipeline === "clickstream" && a.alert === "lowThroughput")!.episodes).toEqual([{ start: expect.any(String), end: null }]);
  });

  it("writes text and markdown, narrowed by --select", () => {
    const text = runCli(["backtest", ...period(), "--select", "orders-etl"], dir, { HISTORY_PROMETHEUS_URL: prom.url });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^backtest .* 1 pipeline, \d+ rules, \d+ queries\n/);
    expect(text.stdout).toContain("  pipelineFailed critical: 1 episode, 1h firing; would have paged oncall, alerts\n");
    expect(text.stdout).not.toContain("clickstream");
    const md = runCli(["backtest", ...period(), "--format", "markdown"], dir, { HISTORY_PROMETHEUS_URL: prom.url });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("| pipeline | alert | severity | episodes | firing | would have paged |");
    expect(md.stdout).toContain("| clickstream | highBacklog | high | 1 | 25m | alerts |");
  });

  it("an unknown --base ref: one line, exit 1", () => {
    const repo = mkdtempSync(join(tmpdir(), "pipemon-backtest-cli-git-"));
    try {
      writeSpecs(join(repo, "specs"), { "pipemon.yaml": CONFIG, ...PIPELINES });
      for (const args of [["init", "-q"], ["add", "."], ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x"]]) spawnSync("git", args, { cwd: repo });
      const r = runCli(["backtest", "--base", "v9.9.9"], repo, { HISTORY_PROMETHEUS_URL: prom.url });
      expect(r).toEqual({ code: 1, stdout: "", stderr: "pipemon backtest: unknown git ref 'v9.9.9': name a branch, tag or commit of this repository (git fetch it first if it is remote)\n" });
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("names the variable to set when the URL is not configured", () => {
    const r = runCli(["backtest"], dir, {});
    expect(r).toEqual({ code: 1, stdout: "", stderr: "pipemon backtest: the Prometheus query URL (the config's prometheus.url (\"${HISTORY_PROMETHEUS_URL}\")) is not set: export HISTORY_PROMETHEUS_URL\n" });
  });
});

describe("authentication and refusals", () => {
  const token = "glc_backtest_token_4f3e2d1c";
  let seen: IncomingHttpHeaders[];
  let url: string;
  let answer: (headers: IncomingHttpHeaders) => [number, unknown];
  let close: () => Promise<void>;

  beforeAll(async () => {
    seen = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        seen.push(req.headers);
        const [status, body] = answer(req.headers);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  });
  afterAll(() => close());

  const authed = (extra: string) => {
    const root = mkdtempSync(join(tmpdir(), "pipemon-backtest-auth-"));
    writeSpecs(root, { "pipemon.yaml": CONFIG.replace('prometheus: { url: "${HISTORY_PROMETHEUS_URL}" }', `prometheus: { url: "\${PROM_URL}", ${extra} }`), "commerce/orders-etl.yaml": PIPELINES["commerce/orders-etl.yaml"]! });
    return root;
  };
  const env = () => ({ PROM_URL: url, PROM_TOKEN: token, PROM_TENANT: "tenant-42", PIPEMON_HTTP_ATTEMPTS: "2", PIPEMON_HTTP_BACKOFF_MS: "1" });

  it("sends the bearer token and X-Scope-OrgID; a server echoing the token never gets it printed", async () => {
    const root = authed('bearerToken: "${PROM_TOKEN}", tenant: "${PROM_TENANT}"');
    try {
      answer = () => [401, { status: "error", errorType: "unauthorized", error: `token ${token} is not valid for tenant tenant-42` }];
      const r = await runCliAsync(["--specs", root, "backtest", "--since", "1h"], dir, env());
      expect(seen.at(-1)!.authorization).toBe(`Bearer ${token}`);
      expect(seen.at(-1)!["x-scope-orgid"]).toBe("tenant-42");
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^pipemon backtest: prometheus query API \(http:\/\/127\.0\.0\.1:\d+\): authentication refused \(HTTP 401\): unauthorized: token \*\*\* is not valid/);
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(`${r.stdout}${r.stderr}`).not.toContain(token);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("sends basic auth; the password never printed, even base64-encoded", async () => {
    const root = authed('basicAuth: { username: "12345", password: "${PROM_TOKEN}" }');
    try {
      const header = `Basic ${Buffer.from(`12345:${token}`).toString("base64")}`;
      answer = (h) => [403, { status: "error", error: `forbidden: ${String(h.authorization)}` }];
      const r = await runCliAsync(["--specs", root, "backtest", "--since", "1h"], dir, env());
      expect(seen.at(-1)!.authorization).toBe(header);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("authentication refused (HTTP 403)");
      expect(`${r.stdout}${r.stderr}`).not.toContain(token);
      expect(`${r.stdout}${r.stderr}`).not.toContain(header.slice(6));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a server refusing too many points, or answering with warnings: one line, exit 1, nothing on stdout", async () => {
    const root = authed('bearerToken: "${PROM_TOKEN}"');
    try {
      answer = () => [400, { status: "error", errorType: "bad_data", error: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)" }];
      const refused = await runCliAsync(["--specs", root, "backtest", "--since", "1h"], dir, env());
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toMatch(/^pipemon backtest: .*the server refused the query \(HTTP 400\): bad_data: exceeded maximum resolution of 11,000 points per timeseries/);
      answer = () => [200, { status: "success", warnings: ["partial response: 1 of 3 store gateways unavailable"], data: { resultType: "matrix", result: [] } }];
      const partial = await runCliAsync(["--specs", root, "backtest", "--since", "1h"], dir, env());
      expect(partial.code).toBe(1);
      expect(partial.stdout).toBe("");
      expect(partial.stderr).toContain("the server answered with warnings, so the result may be partial: partial response: 1 of 3 store gateways unavailable");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
