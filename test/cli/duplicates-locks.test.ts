/**
 * No silent duplicates, end to end (issue 9 items 1 and 6): the real CLI against the Grafana
 * and Datadog emulators. Two applies at once are serialised by the apply lock; duplicates
 * that exist anyway are planned as deletes and healed; a create the server commits after
 * the client's timeout is found instead of sent twice; `--select team:x` covers everything
 * of a deleted pipeline, hashed uids included.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { dashboardUid, grafanaApplyLockUid } from "../../src/model/identity.js";
import type { DatadogEmulator } from "../emulators/datadog/server.js";
import type { GrafanaEmulator } from "../emulators/grafana/server.js";
import { useEmulatedEstate } from "../support/emulated-estate.js";
import { PIPEMON_BIN } from "../support/cli.js";

const TOKEN = "glsa_dupes_token_value";
const DD_API = "dd-api-key-dupes";
const DD_APP = "dd-app-key-dupes";
const SECRETS = {
  PD_DATA_ONCALL_KEY: "pd-secret-data-oncall",
  PD_PAYMENTS_KEY: "pd-secret-payments",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.example/secret-data-alerts",
  SLACK_GROWTH_WEBHOOK: "https://hooks.slack.example/secret-growth",
  ML_PLATFORM_WEBHOOK: "https://ml.example/secret-hook",
};
const estate = useEmulatedEstate({ prefix: "pipemon-dupes-", token: TOKEN, apiKey: DD_API, appKey: DD_APP, secrets: SECRETS });
const PROD = ["--env", "production"];
// Several full applies per test, on a machine that may be busy: more than the default 30 s.
vi.setConfig({ testTimeout: 120_000 });

let grafana: GrafanaEmulator;
let datadog: DatadogEmulator;
let work: string;
let specs: string;
beforeEach(() => ({ grafana, datadog, work, specs } = estate.current));
const { environment, pipemon } = estate;

async function api(base: string, headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${base}${path}`, { method, headers: { ...headers, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const grafanaApi = (method: string, path: string, body?: unknown) => api(grafana.url, { authorization: `Bearer ${TOKEN}` }, method, path, body);
const datadogApi = (method: string, path: string, body?: unknown) => api(datadog.url, { "DD-API-KEY": DD_API, "DD-APPLICATION-KEY": DD_APP }, method, path, body);

interface PlanJson {
  summary: { create: number; update: number; delete: number; noop: number; unowned: number; duplicate: number };
  projects: Array<{ changes: Array<{ kind: string; key: string; action: string; pipeline?: string; team?: string; duplicateOf?: string }> }>;
}

async function planJson(args: string[] = PROD): Promise<PlanJson> {
  const run = await pipemon(["plan", ...args, "--format", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PlanJson;
}

const changed = (plan: PlanJson) => plan.projects.flatMap((p) => p.changes.filter((c) => c.action !== "no-op"));

interface StoredMonitor {
  id: number;
  tags: string[];
}

/** Monitor ids by pipemon id, from the emulator's store. */
function monitorsById(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of datadog.snapshot().monitors as unknown as StoredMonitor[]) {
    const tag = m.tags.find((t) => t.startsWith("pipemon-id:"));
    if (tag) out.set(tag, [...(out.get(tag) ?? []), m.id]);
  }
  return out;
}

const managedRoutes = async () => ((await grafanaApi("GET", "/api/v1/provisioning/policies")) as { routes?: unknown[] }).routes?.filter((r) => JSON.stringify(r).includes('"managed_by"')) ?? [];

/** Nothing left of any apply lock: no lock dashboard, no lock monitor. */
function expectNoLocks(): void {
  expect(grafana.state.dashboards.has(grafanaApplyLockUid("production"))).toBe(false);
  expect((datadog.snapshot().monitors as unknown as StoredMonitor[]).filter((m) => m.tags.some((t) => t.startsWith("pipemon-lock")))).toEqual([]);
}

describe("no silent duplicates", () => {
  it("two applies at once on an empty estate: one runs, the other stops clearly; one resource per identity", async () => {
    // Every request a little slow, so the two runs surely overlap.
    grafana.faults.latencyMs = 3;
    datadog.faults.latencyMs = 3;
    const [a, b] = await Promise.all([pipemon(["apply", ...PROD, "--yes"]), pipemon(["apply", ...PROD, "--yes"])]);
    const runs = [a!, b!];
    for (const run of runs) {
      if (run.code === 0) continue;
      // The loser stops before reading anything, says who holds the lock, and writes nothing.
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^pipemon: (grafana|datadog): another apply is running on .*\(holder [a-z0-9-]+, since \d{4}-.*\); re-run later, or if no apply is running, pipemon apply --force-unlock\nnothing was changed\n$/);
    }
    expect(runs.some((r) => r.code === 0)).toBe(true);
    grafana.faults.latencyMs = 0;
    datadog.faults.latencyMs = 0;

    const ids = monitorsById();
    expect(ids.size).toBeGreaterThan(40);
    expect([...ids].filter(([, list]) => list.length > 1)).toEqual([]);
    expect(await managedRoutes()).toHaveLength(1);
    expectNoLocks();
    const again = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(again.stdout).toMatch(/No changes\. \d+ resources are up to date\./);
    expect(again.code).toBe(0);
  });

  it("duplicates already there are planned as deletes (exit 2); apply --prune keeps the original and heals", async () => {
    expect((await pipemon(["apply", ...PROD, "--yes"])).code).toBe(0);
    // What two unlocked applies used to leave: a second monitor per id, a second policy subtree.
    const originals = monitorsById();
    const copied = ["pipemon-id:orders-etl/stale", "pipemon-id:orders-etl/errors", [...originals.keys()].find((t) => !t.includes("orders-etl"))!];
    for (const tag of copied) {
      const [id] = originals.get(tag)!;
      const m = (await datadogApi("GET", `/api/v1/monitor/${id}`)) as Record<string, unknown>;
      await datadogApi("POST", "/api/v1/monitor", { name: m.name, type: m.type, query: m.query, message: m.message, tags: m.tags, options: m.options, priority: m.priority });
      await datadogApi("POST", "/api/v1/monitor", { name: m.name, type: m.type, query: m.query, message: m.message, tags: m.tags, options: m.options, priority: m.priority });
    }
    const tree = (await grafanaApi("GET", "/api/v1/provisioning/policies")) as { routes: unknown[] } & Record<string, unknown>;
    await grafanaApi("PUT", "/api/v1/provisioning/policies", { ...tree, routes: [...tree.routes, ...(await managedRoutes())] });

    const text = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^Plan: 0 to create, 0 to update, 7 to delete \(7 duplicate copies\), \d+ unchanged\.$/m);
    const [stale] = originals.get("pipemon-id:orders-etl/stale")!;
    expect(text.stdout).toMatch(new RegExp(`- datadog-monitor orders-etl/stale@production#\\d+ delete: duplicate: 3 live copies carry orders-etl/stale@production; pipemon keeps #${stale} \\(it matches the specs\\) and deletes this one`));
    expect(text.stdout).toMatch(/- grafana-notification-policy managed-subtree#\d+ delete: duplicate/);
    const plan = await planJson();
    expect(changed(plan).every((c) => c.action === "delete" && c.duplicateOf !== undefined)).toBe(true);
    expect(plan.summary).toMatchObject({ delete: 7, duplicate: 7 });

    const healed = await pipemon(["apply", ...PROD, "--yes", "--prune"]);
    expect(healed.code).toBe(0);
    expect(healed.stdout).toContain("Apply: 7 applied, 0 failed, 0 skipped");
    // The originals survive (links and SLOs point at them); every copy is gone.
    expect(monitorsById()).toEqual(originals);
    expect(await managedRoutes()).toHaveLength(1);
    expect(changed(await planJson())).toEqual([]);
  });

  it("plain apply (without --prune) removes extra copies too: they are pipemon's own", async () => {
    expect((await pipemon(["apply", ...PROD, "--yes"])).code).toBe(0);
    const originals = monitorsById();
    const [id] = originals.get("pipemon-id:orders-etl/stale")!;
    const m = (await datadogApi("GET", `/api/v1/monitor/${id}`)) as Record<string, unknown>;
    // The copy differs from the specs (a later priority): the original, which matches, is kept.
    await datadogApi("POST", "/api/v1/monitor", { name: m.name, type: m.type, query: m.query, message: m.message, tags: m.tags, options: m.options, priority: 5 });
    const run = await pipemon(["apply", ...PROD, "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/- datadog-monitor orders-etl\/stale@production#\d+ \(production\) deleted/);
    expect(monitorsById()).toEqual(originals);
  });

  it("a create the server commits after the client's timeout is found, not sent again", async () => {
    // The 3rd monitor create is stored 1.5 s after it arrived, 1 s after the client gave up.
    datadog.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 2, times: 1, fault: { kind: "late-commit", ms: 1_500 } });
    const run = await pipemon(["apply", ...PROD, "--yes"], { PIPEMON_HTTP_TIMEOUT_MS: "500", PIPEMON_LATE_COMMIT_MS: "5000" });
    await Promise.all(datadog.faults.lateCommits);
    expect(datadog.faults.lateCommits).toHaveLength(1);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Apply: \d+ applied, 0 failed, 0 skipped/);
    expect([...monitorsById()].filter(([, list]) => list.length > 1)).toEqual([]);
    const again = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(again.code).toBe(0);
  });
});

describe("the apply lock", () => {
  const lockDashboard = (holder: string, expiresInMs: number) => ({
    dashboard: { uid: grafanaApplyLockUid("production"), title: "pipemon apply lock (production)", tags: ["pipemon-apply-lock"], pipemonLock: { holder, since: new Date().toISOString(), expires: new Date(Date.now() + expiresInMs).toISOString() } },
    overwrite: false,
  });

  it("a held lock stops apply before anything is read or written; plan does not lock; --force-unlock takes it", async () => {
    await grafanaApi("POST", "/api/dashboards/db", lockDashboard("ci-runner-7-abc123", 600_000));
    const before = datadog.faults.requests.length;
    const grafanaBefore = grafana.faults.requests.length;
    const blocked = await pipemon(["apply", ...PROD, "--yes"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^pipemon: grafana: another apply is running on Grafana \(lock dashboard pipemon_apply_lock_production\) \(holder ci-runner-7-abc123, since /);
    expect(blocked.stderr).toContain("nothing was changed");
    // Its only write was the lock's create, refused because the lock exists.
    expect(grafana.faults.requests.slice(grafanaBefore).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /api/dashboards/db 412"]);
    expect(datadog.faults.requests.slice(before)).toEqual([]);

    const plan = await pipemon(["plan", ...PROD, "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).not.toContain("lock");

    const forced = await pipemon(["apply", ...PROD, "--yes", "--force-unlock"]);
    expect(forced.code).toBe(0);
    expectNoLocks();
  });

  it("an apply stopped by SIGTERM gives its locks back, so the re-run is not blocked and converges", async () => {
    // Monitor creates after the 5th slow down, so the signal surely lands in the middle.
    datadog.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 6, fault: { kind: "latency", ms: 300 } });
    const child = spawn(process.execPath, [PIPEMON_BIN, "--specs", specs, "apply", ...PROD, "--yes"], { cwd: work, env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...environment() } });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Stopped in the middle of writing monitors, with both locks held.
    const pipemonMonitors = () => (datadog.snapshot().monitors as unknown as StoredMonitor[]).filter((m) => m.tags.some((t) => t.startsWith("pipemon-id:"))).length;
    while (pipemonMonitors() < 5) await new Promise((r) => setTimeout(r, 20));
    expect(grafana.state.dashboards.has(grafanaApplyLockUid("production"))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    // What got through before the stop is said (issue 11 item 7), not silently dropped.
    expect(stderr).toMatch(/Apply interrupted \(SIGTERM\): \d+ applied, 0 failed, 0 skipped, \d+ not started/);
    expectNoLocks();
    datadog.faults.clear();

    expect((await pipemon(["apply", ...PROD, "--yes"])).code).toBe(0);
    expect([...monitorsById()].filter(([, list]) => list.length > 1)).toEqual([]);
    expect(changed(await planJson())).toEqual([]);
  });

  it("an expired lock (a killed apply) is taken over", async () => {
    await grafanaApi("POST", "/api/dashboards/db", lockDashboard("killed-runner-1-000000", -1_000));
    datadog.seedMonitor({ tags: ["pipemon-lock:production", "pipemon-lock-holder:killed-runner-1-000000", `pipemon-lock-since:${Math.floor(Date.now() / 1000) - 4000}`, `pipemon-lock-expires:${Math.floor(Date.now() / 1000) - 100}`] });
    const run = await pipemon(["apply", ...PROD, "--yes"]);
    expect(run.code).toBe(0);
    expectNoLocks();
  });

  it("a live Datadog lock monitor of another apply stops apply on Datadog", async () => {
    const lock = datadog.seedMonitor({ tags: ["pipemon-lock:production", "pipemon-lock-holder:other-runner-2-ffffff", `pipemon-lock-since:${Math.floor(Date.now() / 1000)}`, `pipemon-lock-expires:${Math.floor(Date.now() / 1000) + 600}`] });
    const run = await pipemon(["apply", ...PROD, "--yes", "--target", "datadog"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^pipemon: datadog: another apply is running on the Datadog org \\(lock monitor ${lock.id}, tag pipemon-lock:production\\) \\(holder other-runner-2-ffffff, since `));
    // Our own lock monitor is gone again; theirs is untouched; no pipemon monitor was made.
    expect((datadog.snapshot().monitors as unknown as StoredMonitor[]).map((m) => m.id)).toEqual([lock.id]);
  });
});

describe("--select team:x", () => {
  it("prunes everything of a deleted pipeline of the team, hashed uids included, and nothing of another team", async () => {
    const long = "orders-etl-with-a-name-long-enough-to-be-hashed";
    expect(dashboardUid(long)).not.toBe(`pm-${long}`);
    const file = join(specs, "commerce", "long.yaml");
    writeFileSync(file, readFileSync(join(specs, "commerce", "orders-etl.yaml"), "utf8").replace("name: orders-etl", `name: ${long}`));
    expect((await pipemon(["apply", ...PROD, "--yes"])).code).toBe(0);
    const longMonitors = [...monitorsById()].filter(([tag]) => tag.startsWith(`pipemon-id:${long}/`));
    expect(longMonitors.length).toBeGreaterThan(3);

    rmSync(file);
    const plan = await planJson([...PROD, "--prune", "--select", "team:commerce"]);
    const deletes = changed(plan).filter((c) => c.action === "delete").map((c) => `${c.kind} ${c.key}`).sort();
    expect(deletes).toEqual(
      [`grafana-dashboard ${dashboardUid(long)}`, `grafana-rule-group pipemon-commerce/${long}`, ...longMonitors.map(([tag]) => `datadog-monitor ${tag.slice("pipemon-id:".length)}@production`)].sort(),
    );
    // Nothing of another team is in the plan at all.
    expect(changed(plan).filter((c) => c.team !== "commerce")).toEqual([]);

    const before = datadog.snapshot().monitors.length;
    const pruned = await pipemon(["apply", ...PROD, "--yes", "--prune", "--select", "team:commerce"]);
    expect(pruned.code).toBe(0);
    expect(datadog.snapshot().monitors.length).toBe(before - longMonitors.length);
    expect(grafana.state.dashboards.has(dashboardUid(long))).toBe(false);
    // Left for a full plan: only the project-wide routing, which a selection never touches.
    expect(changed(await planJson()).map((c) => `${c.action} ${c.kind}`)).toEqual(["update grafana-notification-policy"]);
  });
});
