import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import type { GrafanaStateSnapshot } from "./state.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ token: "glsa_test" });
});
afterEach(async () => {
  await h.emulator.close();
});

describe("health and auth", () => {
  it("GET /api/health needs no credentials and reports the database", async () => {
    const healthy = await h.call("GET", "/api/health", { authorization: false });
    expect([healthy.status, healthy.body]).toEqual([200, { commit: "b58701869e1a11b696010a6f28bd96b68a2cf0d0", database: "ok", version: "11.4.0" }]);
    h.emulator.setDatabaseHealthy(false);
    const failing = await h.call("GET", "/api/health", { authorization: false });
    expect([failing.status, (failing.body as { database: string }).database]).toEqual([503, "failing"]);
  });

  it("answers 401 Unauthorized without credentials and 401 Invalid API key with a wrong token", async () => {
    const none = await h.call("GET", "/api/folders", { authorization: false });
    expect([none.status, none.body]).toEqual([401, { message: "Unauthorized" }]);
    const wrong = await h.call("GET", "/api/folders", { authorization: "Bearer glsa_other" });
    expect([wrong.status, wrong.body]).toEqual([401, { message: "Invalid API key" }]);
    expect((await h.call("GET", "/api/folders", { authorization: "Bearer glsa_test" })).status).toBe(200);
    expect((await h.call("GET", "/api/folders", { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` })).status).toBe(200);
  });

  it("answers 403 Access denied for forbidden requests only", async () => {
    h.emulator.forbid({ method: "POST", path: "^/api/dashboards/" });
    const denied = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { title: "x" } } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ title: "Access denied" });
    expect((denied.body as { message: string }).message).toMatch(/^You'll need additional permissions to perform this action\./);
    expect((await h.call("GET", "/api/search")).status).toBe(200);
    h.emulator.auth.forbidden.length = 0;
    expect((await h.call("POST", "/api/dashboards/db", { body: { dashboard: { title: "x" } } })).status).toBe(200);
  });

  it("answers 404 for unknown paths and 400 bad request data for unparsable JSON", async () => {
    expect((await h.call("GET", "/api/nothing-here")).status).toBe(404);
    const response = await fetch(`${h.emulator.url}/api/folders`, { method: "POST", headers: { authorization: "Bearer glsa_test", "content-type": "application/json" }, body: "{not json" });
    expect([response.status, await response.json()]).toEqual([400, { message: "bad request data" }]);
  });
});

describe("fault injection", () => {
  it("serves a scripted 429 with Retry-After, then answers normally, and records every request", async () => {
    h.emulator.faults.add({ method: "GET", path: "^/api/folders$", times: 1, fault: { kind: "status", status: 429, headers: { "Retry-After": "2" }, body: { message: "Too many requests" } } });
    const throttled = await h.call("GET", "/api/folders?limit=10");
    expect([throttled.status, throttled.headers.get("retry-after"), throttled.body]).toEqual([429, "2", { message: "Too many requests" }]);
    expect((await h.call("GET", "/api/folders?limit=10")).status).toBe(200);
    expect(h.emulator.faults.requests.map((r) => [r.method, r.path, r.query, r.status])).toEqual([
      ["GET", "/api/folders", "limit=10", 429],
      ["GET", "/api/folders", "limit=10", 200],
    ]);
  });

  it("fails the Nth write with a 500 (after), and leaves state untouched by the failed write", async () => {
    h.emulator.faults.add({ method: "POST", path: "^/api/folders$", after: 1, times: 1, fault: { kind: "status", status: 500, body: { message: "internal server error" } } });
    const statuses = [];
    for (const uid of ["a", "b", "c"]) statuses.push((await h.call("POST", "/api/folders", { body: { uid, title: uid } })).status);
    expect(statuses).toEqual([200, 500, 200]);
    expect([...h.emulator.state.folders.keys()]).toEqual(["a", "c"]);
  });

  it("hangs until the client gives up, and drops connections on reset", async () => {
    h.emulator.faults.add({ path: "^/api/search$", times: 1, fault: { kind: "hang" } });
    await expect(h.call("GET", "/api/search", { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    h.emulator.faults.add({ path: "^/api/folders$", times: 1, fault: { kind: "reset" } });
    await expect(h.call("GET", "/api/folders")).rejects.toThrow(/fetch failed/);
    expect((await h.call("GET", "/api/folders")).status).toBe(200);
    expect(h.emulator.faults.requests.map((r) => r.status)).toEqual(["hang", "reset", 200]);
  });

  it("adds latency per rule and globally", async () => {
    h.emulator.faults.add({ path: "^/api/folders$", times: 1, fault: { kind: "latency", ms: 250 } });
    let started = performance.now();
    expect((await h.call("GET", "/api/folders")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    await h.emulator.close();
    h = await startHarness({ latencyMs: 150 });
    started = performance.now();
    await h.call("GET", "/api/v1/provisioning/policies");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("is scriptable over HTTP through /__emulator/* (no auth, not recorded)", async () => {
    const add = await h.call("POST", "/__emulator/faults", { authorization: false, body: { rules: [{ method: "GET", path: "^/api/v1/provisioning/policies$", fault: { kind: "status", status: 503, body: { message: "unavailable" } } }] } });
    expect(add.status).toBe(200);
    expect((await h.call("GET", "/api/v1/provisioning/policies")).status).toBe(503);
    await h.call("DELETE", "/__emulator/faults", { authorization: false });
    expect((await h.call("GET", "/api/v1/provisioning/policies")).status).toBe(200);
    const requests = await h.ok<Array<{ path: string; status: number }>>("GET", "/__emulator/requests", { authorization: false });
    expect(requests.map((r) => r.status)).toEqual([503, 200]);
    await h.call("PUT", "/__emulator/latency", { authorization: false, body: { ms: 20 } });
    expect(h.emulator.faults.latencyMs).toBe(20);
  });
});

describe("state control", () => {
  it("dumps state, seeds it over HTTP and resets it to a fresh Grafana", async () => {
    const seed = {
      folders: [{ uid: "pipemon-data", title: "Data" }],
      dashboards: [{ dashboard: { uid: "someone-elses", title: "Hand made", tags: ["pipemon"] }, folderUid: "pipemon-data" }],
      contactPoints: [{ contactPoint: { uid: "foreign-uid", name: "pipemon-data-alerts", type: "email", settings: { addresses: "x@example.com" } }, provenance: "" }],
      policies: { tree: { receiver: "grafana-default-email", routes: [{ receiver: "pipemon-data-alerts", object_matchers: [["team", "=", "hand-made"]] }] } },
      alertRules: [{ rule: { uid: "foreign-rule", folderUID: "pipemon-data", ruleGroup: "manual", title: "Hand made", condition: "A", data: [{ refId: "A", datasourceUid: "prometheus", model: { expr: "up" } }], noDataState: "OK", execErrState: "OK", for: "1m" }, provenance: "file" }],
    };
    expect((await h.call("POST", "/__emulator/seed", { authorization: false, body: seed })).status).toBe(200);
    const snapshot = await h.ok<GrafanaStateSnapshot>("GET", "/__emulator/state", { authorization: false });
    expect(snapshot.folders.map((f) => f.uid)).toEqual(["pipemon-data"]);
    expect(snapshot.dashboards.map((d) => [d.uid, d.version])).toEqual([["someone-elses", 1]]);
    expect(snapshot.contactPoints.map((cp) => cp.name).sort()).toEqual(["grafana-default-email", "pipemon-data-alerts"]);
    expect(snapshot.alertRules.map((r) => [r.uid, r.provenance, r.ruleGroup])).toEqual([["foreign-rule", "file", "manual"]]);
    expect(snapshot.policies.root.routes?.[0]?.receiver).toBe("pipemon-data-alerts");
    // Seeded resources are visible over the API like any other.
    expect((await h.call("GET", "/api/dashboards/uid/someone-elses")).status).toBe(200);
    const badSeed = await h.call("POST", "/__emulator/seed", { authorization: false, body: { folders: [{ uid: "pipemon-data", title: "again" }] } });
    expect([badSeed.status, badSeed.body]).toEqual([409, { message: "a folder with the same uid already exists" }]);

    expect((await h.call("POST", "/__emulator/reset", { authorization: false })).status).toBe(200);
    const fresh = await h.ok<GrafanaStateSnapshot>("GET", "/__emulator/state", { authorization: false });
    expect([fresh.folders, fresh.dashboards, fresh.alertRules, fresh.contactPoints.map((cp) => cp.name), fresh.policies]).toEqual([
      [],
      [],
      [],
      ["grafana-default-email"],
      { root: { receiver: "grafana-default-email", group_by: ["grafana_folder", "alertname"] }, provenance: "" },
    ]);
  });
});

describe("main.ts", () => {
  it("starts on the given port with the given token, prints its URL and stops on SIGTERM", async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const tsx = resolve(here, "../../../node_modules/tsx/dist/cli.mjs");
    const child = spawn(process.execPath, [tsx, resolve(here, "main.ts"), "--port", "0", "--token", "glsa_cli"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await once(lines, "line")) as [string];
      const match = /^grafana emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      expect(match, line).not.toBeNull();
      const url = match![1]!;
      expect((await fetch(`${url}/api/folders`, { headers: { authorization: "Bearer glsa_cli" } })).status).toBe(200);
      expect((await fetch(`${url}/api/folders`, { headers: { authorization: "Bearer glsa_test" } })).status).toBe(401);
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 30_000);
});
