/**
 * The Grafana client against the emulator's faults: one-line, secret-free errors for auth
 * and unreachable servers; retries on 429/5xx/resets honouring Retry-After; a timeout on a
 * hung request; the breaker stops a target that keeps failing.
 */
import { describe, expect, it } from "vitest";
import { TargetError } from "../../../src/targets/handler.js";
import { checkGrafana } from "../../../src/targets/grafana/index.js";
import { CircuitBreaker, CircuitOpenError } from "../../../src/targets/resilience.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../../emulators/grafana/server.js";
import { FAST_POLICY, useGrafanaEmulator, wire } from "./support.js";

let emulator: GrafanaEmulator;
useGrafanaEmulator((started) => (emulator = started));

const SECRET_TOKEN = "glsa_wrong_but_secret_0123456789";

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error("expected a failure");
  return e;
}

describe("errors a user can act on", () => {
  it("401: one line naming the variable, never the token", async () => {
    const { handlers } = wire(emulator, { token: SECRET_TOKEN });
    const e = await failure(handlers["grafana-folder"].list());
    expect(e).toBeInstanceOf(TargetError);
    expect(e.message).toBe("grafana: GRAFANA_TOKEN was rejected (401 Invalid API key): set a valid service account token");
    expect(`${e.message}${e.stack ?? ""}`).not.toContain(SECRET_TOKEN);
  });

  it("401 is not retried", async () => {
    const { handlers, requests } = wire(emulator, { token: SECRET_TOKEN });
    await failure(handlers["grafana-contact-point"].list());
    expect(requests).toHaveLength(1);
  });

  it("403: one line saying which permission is missing", async () => {
    emulator.forbid({ method: "PUT" });
    const { handlers } = wire(emulator);
    await handlers["grafana-folder"].create({ kind: "grafana-folder", key: "pipemon-a", body: { uid: "pipemon-a", title: "a" } });
    const live = (await handlers["grafana-folder"].list())[0]!;
    const e = await failure(handlers["grafana-folder"].update({ kind: "grafana-folder", key: "pipemon-a", body: { uid: "pipemon-a", title: "b" } }, live));
    expect(e).toBeInstanceOf(TargetError);
    expect(e.message).toMatch(/^grafana: the token in GRAFANA_TOKEN lacks permission for PUT \/api\/folders\/\{uid\} \(403 You'll need additional permissions[^\n]*\): give its service account the Editor role/);
    expect(e.message).not.toContain("\n");
  });

  it("unreachable: 'cannot reach <url>' without credentials from the URL", async () => {
    const closed = await startGrafanaEmulator();
    const url = closed.url.replace("http://", "http://admin:hunter2@");
    await closed.close();
    const { handlers } = wire(emulator, { url });
    const e = await failure(handlers["grafana-contact-point"].list());
    expect(e.message).toMatch(/^grafana: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(e.message).not.toContain("hunter2");
    expect(e.message).not.toContain("\n");
  });

  it("checkGrafana reports an unhealthy database and a rejected token", async () => {
    const base = { url: emulator.url, tokenVariable: "GRAFANA_TOKEN", allowUiEdits: false, resolveSecret: () => undefined, policy: { ...FAST_POLICY, attempts: 1 } };
    expect(await checkGrafana({ ...base, token: emulator.token, breaker: new CircuitBreaker("grafana") })).toEqual({ version: "11.4.0" });
    await expect(checkGrafana({ ...base, token: SECRET_TOKEN, breaker: new CircuitBreaker("grafana") })).rejects.toThrow(/GRAFANA_TOKEN was rejected/);
    emulator.setDatabaseHealthy(false);
    try {
      await expect(checkGrafana({ ...base, token: emulator.token, breaker: new CircuitBreaker("grafana") })).rejects.toThrow(/503/);
    } finally {
      emulator.setDatabaseHealthy(true);
    }
  });
});

describe("retries", () => {
  it("retries 429 (honouring Retry-After), 500 and a reset, then succeeds", async () => {
    const waits: number[] = [];
    const { handlers, requests } = wire(emulator, {
      policy: { ...FAST_POLICY, attempts: 4, maxDelayMs: 5000 },
      sleep: async (ms) => void waits.push(ms),
    });
    emulator.faults.add({ path: "contact-points", times: 1, fault: { kind: "status", status: 429, headers: { "retry-after": "2" } } });
    emulator.faults.add({ path: "contact-points", times: 1, fault: { kind: "status", status: 500 } });
    emulator.faults.add({ path: "contact-points", times: 1, fault: { kind: "reset" } });
    const live = await handlers["grafana-contact-point"].list();
    expect(live).toEqual([]);
    expect(requests.map((r) => r.status)).toEqual([429, 500, "error", 200]);
    expect(waits[0]).toBe(2000);
  });

  it("gives up after the policy's attempts with a one-line error naming the status", async () => {
    const { handlers, requests } = wire(emulator);
    emulator.faults.add({ path: "policies", fault: { kind: "status", status: 502, body: { message: "bad gateway" } } });
    const e = await failure(handlers["grafana-notification-policy"].list());
    expect(e.message).toBe("cannot list grafana-notification-policy: grafana: GET /api/v1/provisioning/policies kept failing with 502 bad gateway after 3 attempts");
    expect(requests).toHaveLength(3);
  });

  it("a hung request times out and is retried", async () => {
    const { handlers, requests } = wire(emulator, { policy: { ...FAST_POLICY, timeoutMs: 150 } });
    emulator.faults.add({ path: "policies", times: 1, fault: { kind: "hang" } });
    const started = Date.now();
    const live = await handlers["grafana-notification-policy"].list();
    expect(live).toEqual([]);
    expect(requests.map((r) => r.status)).toEqual(["error", 200]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a request that always hangs ends in 'no answer within' after every attempt", async () => {
    const { handlers } = wire(emulator, { policy: { ...FAST_POLICY, attempts: 2, timeoutMs: 100 } });
    emulator.faults.add({ path: "policies", fault: { kind: "hang" } });
    const e = await failure(handlers["grafana-notification-policy"].list());
    expect(e.message).toMatch(/grafana: cannot reach http:\/\/127\.0\.0\.1:\d+: no answer within 100 ms \(GET \/api\/v1\/provisioning\/policies, 2 attempts\)/);
  });

  it("writes are retried too (a dashboard POST after a 503)", async () => {
    const { handlers, requests } = wire(emulator);
    await handlers["grafana-folder"].create({ kind: "grafana-folder", key: "pipemon-a", body: { uid: "pipemon-a", title: "a" } });
    emulator.faults.add({ method: "POST", path: "dashboards/db", times: 1, fault: { kind: "status", status: 503 } });
    await handlers["grafana-dashboard"].create({ kind: "grafana-dashboard", key: "pm-x", team: "a", body: { uid: "pm-x", title: "x", tags: ["managed-by-pipemon"] } });
    expect(requests.filter((r) => r.route === "/api/dashboards/db").map((r) => r.status)).toEqual([503, 200]);
    expect(emulator.state.dashboards.get("pm-x")?.folderUid).toBe("pipemon-a");
  });
});

describe("circuit breaker", () => {
  it("opens after consecutive failed calls, then nothing more is sent", async () => {
    const breaker = new CircuitBreaker("grafana", 2);
    const { handlers, requests } = wire(emulator, { breaker, policy: { ...FAST_POLICY, attempts: 2 } });
    emulator.faults.add({ fault: { kind: "status", status: 500 } });
    await failure(handlers["grafana-contact-point"].list());
    await failure(handlers["grafana-notification-policy"].list());
    expect(breaker.isOpen).toBe(true);
    const sent = requests.length;
    const e = await failure(handlers["grafana-folder"].list());
    expect(e).toBeInstanceOf(CircuitOpenError);
    expect(requests.length).toBe(sent);
  });
});
