/**
 * The secret scan (issue 9, item 3): a unique marker in every credential, every secret field
 * and every variable; every command run against emulators that ECHO the request (headers and
 * body) in their error answers, on the list and write paths, for 400/409/422/429/500; every
 * byte of stdout, stderr and every file written is searched for each marker, its URL-encoded
 * and JSON-escaped forms, and any 12-character piece of them (a message cut through a secret).
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDatadogEmulator, type DatadogEmulator } from "../emulators/datadog/server.js";
import type { FaultRule } from "../emulators/faults.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../emulators/grafana/server.js";
import { REPO_ROOT, runCliAsync, type CliRun } from "../support/cli.js";

const RUN = randomBytes(6).toString("hex");
const marker = (what: string, extra = "") => `SECRET-MARKER-${what}-${RUN}${extra}`;

/** Characters that URL and JSON encode differently, where the API lets them in. */
const M = {
  GRAFANA_TOKEN: marker("gf-token", "+/="),
  DD_API_KEY: marker("dd-api", "+/="),
  DD_APP_KEY: marker("dd-app", "+/="),
  PD_DATA_ONCALL_KEY: marker("pd-data", '"\\&<'),
  PD_PAYMENTS_KEY: marker("pd-payments", "%2F"),
  SLACK_DATA_ALERTS_WEBHOOK: `https://hooks.slack.example/services/${marker("slack-data")}/T+1?k="v"`,
  SLACK_GROWTH_WEBHOOK: `https://hooks.slack.example/services/${marker("slack-growth")}`,
  ML_PLATFORM_WEBHOOK: `https://ml.example/hook/${marker("ml-hook")}?sig=a/b`,
};
/** Credentials in URLs: letters, digits and '-' only, as userinfo allows them unencoded. */
const GF_USER = marker("gf-user");
const GF_PASS = marker("gf-pass");
const DD_HOST_USER = marker("ddhost-user");
const DD_HOST_PASS = marker("ddhost-pass");
const ALL_MARKERS = [...Object.values(M), GF_USER, GF_PASS, DD_HOST_USER, DD_HOST_PASS];

/** Every form a server or a message may carry a marker in. */
function forms(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
      JSON.stringify(JSON.stringify(value)).slice(3, -3),
      value.replace(/\//g, "\\/"),
    ]),
  ];
}
const BASIC = Buffer.from(`${GF_USER}:${GF_PASS}`).toString("base64");
const PIECE = 12;

/** Every leak of every marker in `text`: whole, encoded, or a piece of one. */
function leaksIn(where: string, text: string): string[] {
  const found: string[] = [];
  for (const value of ALL_MARKERS) {
    for (const form of forms(value)) {
      for (let i = 0; i + PIECE <= form.length; i++) {
        const piece = form.slice(i, i + PIECE);
        // Pieces made only of the shared prefix or of encoding noise say nothing about a secret.
        if (!piece.includes(RUN.slice(0, 4)) && !/MARKER-[a-z]/.test(piece)) continue;
        if (text.includes(piece)) {
          const at = text.indexOf(piece);
          found.push(`${where}: ${JSON.stringify(piece)} of ${JSON.stringify(value.slice(0, 30))}… near ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 40))}`);
          break;
        }
      }
    }
  }
  if (text.includes(BASIC) || text.includes(BASIC.slice(8, 8 + PIECE))) found.push(`${where}: the Basic auth header`);
  return found;
}

let grafana: GrafanaEmulator;
let datadog: DatadogEmulator;
let work: string;
let specs: string;

beforeEach(async () => {
  grafana = await startGrafanaEmulator({ token: M.GRAFANA_TOKEN, basic: { user: GF_USER, password: GF_PASS } });
  datadog = await startDatadogEmulator({ apiKey: M.DD_API_KEY, appKey: M.DD_APP_KEY });
  work = mkdtempSync(join(tmpdir(), "pipemon-secrets-"));
  specs = join(work, "specs");
  cpSync(join(REPO_ROOT, "specs"), specs, { recursive: true });
});

afterEach(async () => {
  await Promise.all([grafana.close(), datadog.close()]);
  rmSync(work, { recursive: true, force: true });
});

const withUserinfo = (url: string, user: string, pass: string) => url.replace("://", `://${user}:${pass}@`);

function tokenEnvironment(): Record<string, string> {
  return {
    GRAFANA_URL: grafana.url,
    GRAFANA_STAGING_URL: grafana.url,
    DD_HOST: datadog.url,
    ...M,
    PIPEMON_HTTP_BACKOFF_MS: "1",
    PIPEMON_HTTP_MAX_BACKOFF_MS: "5",
    PIPEMON_HTTP_ATTEMPTS: "2",
    PIPEMON_HTTP_TIMEOUT_MS: "5000",
  };
}

/** Basic auth: user:password in GRAFANA_URL, no token. */
function basicEnvironment(): Record<string, string> {
  const { GRAFANA_TOKEN: _token, ...env } = tokenEnvironment();
  return { ...env, GRAFANA_URL: withUserinfo(grafana.url, GF_USER, GF_PASS), GRAFANA_STAGING_URL: withUserinfo(grafana.url, GF_USER, GF_PASS) };
}

/** Every file under the work directory except the specs the test wrote itself. */
function writtenFiles(dir = work): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === specs) continue;
    if (statSync(path).isDirectory()) files.push(...writtenFiles(path));
    else files.push(path);
  }
  return files;
}

const leaks: string[] = [];

/** Runs pipemon and records every leak in its output and in every file of the work directory. */
async function pipemon(args: string[], env: Record<string, string>): Promise<CliRun> {
  const run = await runCliAsync(["--specs", specs, ...args], work, env);
  const what = `pipemon ${args.join(" ")}`;
  leaks.push(...leaksIn(`${what} (stdout)`, run.stdout), ...leaksIn(`${what} (stderr)`, run.stderr));
  for (const file of writtenFiles()) leaks.push(...leaksIn(`${what} (${relative(work, file)})`, readFileSync(file, "utf8")));
  expect(run.stderr, what).not.toMatch(/\n\s+at /);
  expect(run.stderr, what).not.toMatch(/internal error/);
  return run;
}

function echo(emulator: GrafanaEmulator | DatadogEmulator, rules: Omit<FaultRule, "fault">[], status: number, straddle: number): void {
  emulator.faults.clear();
  for (const rule of rules) emulator.faults.add({ ...rule, fault: { kind: "echo", status, straddle } });
}

/** Where each client cuts a server's message (client.ts serverMessage, calls.ts errorDetail). */
const GRAFANA_CUT = 197;
const DATADOG_CUT = 297;
const GRAFANA_LISTS = [{ method: "GET", path: "^/api/(?!health)" }];
const GRAFANA_WRITES = [{ method: "POST", path: "^/api/" }, { method: "PUT", path: "^/api/" }];
const DATADOG_LISTS = [{ method: "GET", path: "^/api/v1/monitor$" }];
const DATADOG_WRITES = [{ method: "POST", path: "^/api/v1/monitor" }, { method: "PUT", path: "^/api/v1/monitor" }];
const PROD = ["--env", "production"];
/** specs/pipemon.yaml's grafana.publicUrl: the base of every link in generated bodies. */
const PUBLIC_URL = "https://grafana.example.com";
/** The apply lock is each target's first POST: skip it, so the echo meets the resources' writes. */
const pastLock = (rules: Omit<FaultRule, "fault">[]): Omit<FaultRule, "fault">[] => rules.map((r) => (r.method === "POST" ? { ...r, after: 1 } : r));

afterEach(() => {
  leaks.length = 0;
});

describe("no credential in any output", () => {
  it("every command, on success, writes no marker anywhere", async () => {
    const env = tokenEnvironment();
    expect((await pipemon(["validate"], env)).code).toBe(0);
    expect((await pipemon(["generate", "--out", join(work, "generated")], env)).code).toBe(0);
    for (const format of ["text", "markdown", "json"]) expect((await pipemon(["plan", ...PROD, "--format", format, "--out", join(work, `plan-${format}.json`)], env)).code).toBe(0);
    expect((await pipemon(["apply", join(work, "plan-json.json")], env)).code).toBe(0);
    // The secrets did reach Grafana: the scan is not vacuous.
    expect([...grafana.state.contactPoints.values()].map((c) => c.settings.integrationKey)).toContain(M.PD_DATA_ONCALL_KEY);
    expect((await pipemon(["apply", ...PROD, "--yes", "--rotate-secrets", "--format", "json"], env)).code).toBe(0);
    expect((await pipemon(["plan", "--format", "json", "-v"], env)).code).toBe(0);
    expect((await pipemon(["test", "--select", "orders-etl"], env)).code).toBe(0);
    expect(leaks).toEqual([]);
  }, 240_000);

  for (const status of [400, 409, 422, 429, 500]) {
    it(`servers echoing the request with ${status} on list, create and update paths`, async () => {
      const env = tokenEnvironment();
      echo(grafana, GRAFANA_LISTS, status, GRAFANA_CUT);
      const grafanaList = await pipemon(["plan", ...PROD, "--target", "grafana"], env);
      expect(grafanaList.code).toBe(1);
      expect(grafanaList.stderr).toContain(String(status));
      grafana.faults.clear();

      echo(datadog, DATADOG_LISTS, status, DATADOG_CUT);
      const datadogList = await pipemon(["plan", ...PROD, "--target", "datadog", "--format", "json", "--out", join(work, "plan.json")], env);
      expect(datadogList.code).toBe(1);
      expect(datadogList.stderr).toContain(String(status));
      datadog.faults.clear();

      // Creates, from a saved plan: everything is new, every write answers with the echo.
      const saved = join(work, "saved.json");
      expect((await pipemon(["plan", ...PROD, "--format", "markdown", "--out", saved], env)).code).toBe(0);
      // The lock is the first write: an echo there stops apply before any change.
      echo(grafana, GRAFANA_WRITES, status, GRAFANA_CUT);
      const locked = await pipemon(["apply", saved], env);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain(String(status));
      echo(grafana, pastLock(GRAFANA_WRITES), status, GRAFANA_CUT);
      echo(datadog, pastLock(DATADOG_WRITES), status, DATADOG_CUT);
      const creates = await pipemon(["apply", saved], env);
      expect(creates.code).toBe(1);
      expect(creates.stderr).toMatch(/failed/);

      // Contact points alone (their bodies carry the resolved secrets).
      echo(grafana, [{ method: "POST", path: "contact-points" }], status, GRAFANA_CUT);
      datadog.faults.clear();
      expect((await pipemon(["apply", ...PROD, "--yes", "--target", "grafana"], env)).code).toBe(1);

      // Updates: a real estate, one changed threshold, rotated secrets re-sent.
      grafana.faults.clear();
      expect((await pipemon(["apply", ...PROD, "--yes"], env)).code).toBe(0);
      const file = join(specs, "commerce", "orders-etl.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("errors: { critical: 10 }", "errors: { critical: 20 }"));
      echo(grafana, pastLock(GRAFANA_WRITES), status, GRAFANA_CUT);
      echo(datadog, pastLock(DATADOG_WRITES), status, DATADOG_CUT);
      const updates = await pipemon(["apply", ...PROD, "--yes", "--rotate-secrets", "--format", "json"], env);
      expect(updates.code).toBe(1);
      expect(updates.stdout).toMatch(/"status": "failed"/);
      expect(leaks).toEqual([]);
    }, 240_000);
  }

  it("user:password in GRAFANA_URL is Basic auth only: never in a link, a plan or a message", async () => {
    const env = basicEnvironment();
    expect((await pipemon(["plan", ...PROD, "--format", "markdown", "--out", join(work, "plan.json")], env)).code).toBe(0);
    expect((await pipemon(["apply", join(work, "plan.json")], env)).code).toBe(0);
    // Monitor messages link to the config's grafana.publicUrl, never to GRAFANA_URL: the links
    // are there (the scan is not vacuous) and carry no credentials.
    const messages = datadog.snapshot().monitors.map((m) => String(m.message));
    expect(messages.some((m) => m.includes(`${PUBLIC_URL}/d/pm-orders-etl`))).toBe(true);
    leaks.push(...leaksIn("Datadog monitors", JSON.stringify(datadog.snapshot())));

    echo(grafana, [...GRAFANA_LISTS], 400, GRAFANA_CUT);
    expect((await pipemon(["plan", ...PROD, "--target", "grafana"], env)).code).toBe(1);
    echo(grafana, GRAFANA_WRITES, 500, GRAFANA_CUT);
    expect((await pipemon(["apply", ...PROD, "--yes", "--rotate-secrets", "--target", "grafana"], env)).code).toBe(1);
    expect(leaks).toEqual([]);
  }, 120_000);

  it("user:password in GRAFANA_URL never reaches a Datadog monitor message, a plan diff or a saved plan", async () => {
    const env = { ...tokenEnvironment(), GRAFANA_URL: withUserinfo(grafana.url, GF_USER, GF_PASS) };
    // An existing monitor with an old message, so the plan shows the message in a diff.
    expect((await pipemon(["apply", ...PROD, "--yes", "--target", "datadog"], tokenEnvironment())).code).toBe(0);
    const [first] = datadog.snapshot().monitors;
    datadog.state.get(Number(first!.id)).message = "an old message";
    for (const format of ["text", "markdown", "json"]) {
      expect((await pipemon(["plan", ...PROD, "--target", "datadog", "--format", format, "--out", join(work, `plan-${format}.json`)], env)).code).toBe(0);
    }
    expect((await pipemon(["apply", join(work, "plan-json.json")], env)).code).toBe(0);
    datadog.state.get(Number(first!.id)).message = "an old message";
    expect((await pipemon(["apply", ...PROD, "--yes", "--target", "datadog"], env)).code).toBe(0);
    const messages = datadog.snapshot().monitors.map((m) => String(m.message));
    expect(messages.some((m) => m.includes(`${PUBLIC_URL}/d/`))).toBe(true);
    leaks.push(...leaksIn("Datadog monitors", JSON.stringify(datadog.snapshot())));
    expect(leaks).toEqual([]);
  }, 120_000);

  it("GRAFANA_URL with user:password and a token too is refused in one line naming the variables", async () => {
    const env = { ...tokenEnvironment(), GRAFANA_URL: withUserinfo(grafana.url, GF_USER, GF_PASS) };
    const run = await pipemon(["plan", ...PROD], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/GRAFANA_URL.*GRAFANA_TOKEN/);
    expect(leaks).toEqual([]);
  });

  it("DD_HOST with user:password is refused in one line, never printed", async () => {
    const env = { ...tokenEnvironment(), DD_HOST: withUserinfo(datadog.url, DD_HOST_USER, DD_HOST_PASS) };
    const run = await pipemon(["plan", ...PROD, "--target", "datadog"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/DD_HOST/);
    expect(leaks).toEqual([]);
  });

  it("a literal secret in a spec is hidden in every excerpt, also as the context of a neighbour's error", async () => {
    const config = join(specs, "pipemon.yaml");
    const original = readFileSync(config, "utf8");
    const literal = marker("literal-pd");
    const block = marker("literal-block");
    const literalUrl = `https://${GF_USER}:${GF_PASS}@grafana.example`;
    // A literal key, then an unknown key on the next line; a block-scalar secret, then an error.
    writeFileSync(
      config,
      original
        .replace('  data-oncall:     { type: pagerduty, integrationKey: "${PD_DATA_ONCALL_KEY}", datadog: "@pagerduty-data-oncall" }\n', `  data-oncall:\n    type: pagerduty\n    integrationKey: ${literal}\n    datadogg: "@pagerduty-data-oncall"\n`)
        .replace('  ml-platform:     { type: webhook, url: "${ML_PLATFORM_WEBHOOK}", datadog: "@webhook-ml-platform" }\n', `  ml-platform:\n    type: webhook\n    url: |\n      ${block}\n    datadog: 12\n`)
        .replace("  url: ${GRAFANA_URL}\n", `  url: ${literalUrl}\n  tokn: x\n`),
    );
    const env = tokenEnvironment();
    const validate = await pipemon(["validate"], env);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/datadogg/);
    expect(validate.stderr).toMatch(/tokn/);
    expect((await pipemon(["generate"], env)).code).toBe(1);
    expect((await pipemon(["plan", ...PROD], env)).code).toBe(1);
    const scan = (t: string) => [literal, block].filter((m) => t.includes(m.slice(0, 30)) || t.includes(m.slice(-16)));
    expect(scan(validate.stderr + validate.stdout)).toEqual([]);

    // A YAML syntax error right below a literal secret: its line is the excerpt's context.
    writeFileSync(config, original.replace('  data-oncall:     { type: pagerduty, integrationKey: "${PD_DATA_ONCALL_KEY}", datadog: "@pagerduty-data-oncall" }\n', `  data-oncall:\n    integrationKey: '${literal}'\n    type: [pagerduty\n`));
    const syntax = await pipemon(["validate"], env);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/pipemon\.yaml:\d+:\d+: error/);
    expect(scan(syntax.stderr)).toEqual([]);
    expect(leaks).toEqual([]);
  });
});
