/**
 * Behaviour of the Datadog emulator beyond what the recordings replay: validation bodies,
 * pagination, rate-limit headers and 429s, fault injection, seeding, the official client.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { client, v1 } from "@datadog/datadog-api-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDatadogEmulator, type DatadogEmulator } from "./server.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

let dd: DatadogEmulator;

beforeEach(async () => {
  dd = await startDatadogEmulator();
});
afterEach(async () => {
  await dd.close();
});

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(dd.url + path, {
    method,
    headers: { "DD-API-KEY": dd.apiKey, "DD-APPLICATION-KEY": dd.appKey, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await call(method, path, body);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text, headers: res.headers };
}

const metricMonitor = (over: Record<string, unknown> = {}) => ({
  type: "query alert",
  name: "CPU high",
  message: "CPU is high @slack-ops",
  query: "avg(last_5m):avg:system.cpu.user{env:prod} by {host} > 90",
  tags: ["team:data", "managed-by:pipemon", "pipemon-id:orders/cpu"],
  options: { thresholds: { critical: 90, warning: 80 } },
  ...over,
});

describe("create / get / update / delete", () => {
  it("adds the server fields and default options, with thresholds written as floats", async () => {
    const created = await json("POST", "/api/v1/monitor", metricMonitor({ tags: undefined, priority: undefined }));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      type: "query alert",
      overall_state: "No Data",
      multi: true,
      tags: [],
      priority: null,
      restricted_roles: null,
      deleted: null,
      options: { notify_no_data: false, notify_audit: false, new_host_delay: 300, include_tags: true, silenced: {} },
    });
    expect(typeof created.body.id).toBe("number");
    expect(created.body.creator).toHaveProperty("handle");
    expect(created.text).toContain('"thresholds":{"critical":90.0,"warning":80.0}');
    const fetched = await json("GET", `/api/v1/monitor/${created.body.id}`);
    expect(fetched.body).toEqual({ ...created.body, restriction_policy: undefined });
    expect("restriction_policy" in fetched.body).toBe(false);
  });

  it("answers `critical: 0` as 0.0 and `multi: false` without a group by", async () => {
    const created = await json("POST", "/api/v1/monitor", metricMonitor({ query: "sum(last_6h):sum:pipeline.runs{status:failed}.as_count() > 0", options: { thresholds: { critical: 0 } } }));
    expect(created.status).toBe(200);
    expect(created.text).toContain('"thresholds":{"critical":0.0}');
    expect(created.body.multi).toBe(false);
  });

  it("merges top-level fields on PUT, replaces options (defaults re-added), clears with null, changes `modified`", async () => {
    const created = await json("POST", "/api/v1/monitor", metricMonitor({ priority: 2, options: { thresholds: { critical: 90, warning: 80 }, renotify_interval: 60, new_host_delay: 600 } }));
    const id = created.body.id;
    const updated = await json("PUT", `/api/v1/monitor/${id}`, { name: "renamed", priority: null, options: { thresholds: { critical: 90 }, evaluation_delay: 60 } });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe("renamed");
    expect(updated.body.priority).toBeNull();
    expect(updated.body.message).toBe(created.body.message);
    expect(updated.body.tags).toEqual(created.body.tags);
    expect(updated.body.options).toEqual({
      thresholds: { critical: 90 },
      evaluation_delay: 60,
      notify_no_data: false,
      notify_audit: false,
      new_host_delay: 300,
      include_tags: true,
      silenced: {},
    });
    expect(updated.body.modified).not.toBe(created.body.modified);
    expect(updated.body.created).toBe(created.body.created);
    expect("creator" in updated.body).toBe(false);
    const again = await json("PUT", `/api/v1/monitor/${id}`, { message: "m2" });
    expect(again.body.modified > updated.body.modified).toBe(true);
    expect(again.body.options).toEqual(updated.body.options);
  });

  it("refuses a type change and an update that breaks the thresholds", async () => {
    const { body } = await json("POST", "/api/v1/monitor", metricMonitor());
    expect(await json("PUT", `/api/v1/monitor/${body.id}`, { type: "log alert" })).toMatchObject({ status: 400, body: { errors: ["Monitor type change not allowed"] } });
    expect((await json("PUT", `/api/v1/monitor/${body.id}`, { type: "metric alert" })).status).toBe(200);
    expect(await json("PUT", `/api/v1/monitor/${body.id}`, { query: "avg(last_5m):avg:system.cpu.user{env:prod} by {host} > 95" })).toMatchObject({
      status: 400,
      body: { errors: ["Alert threshold (90.0) does not match that used in the query (95.0)."] },
    });
  });

  it("deletes, then answers 404 everywhere", async () => {
    const { body } = await json("POST", "/api/v1/monitor", metricMonitor());
    expect(await json("DELETE", `/api/v1/monitor/${body.id}`)).toMatchObject({ status: 200, body: { deleted_monitor_id: body.id } });
    for (const [method, payload] of [["GET"], ["PUT", {}], ["DELETE"]] as const) {
      expect(await json(method, `/api/v1/monitor/${body.id}`, payload)).toMatchObject({ status: 404, body: { errors: ["Monitor not found"] } });
    }
  });

  it("needs force to delete a monitor an SLO references; can_delete says why", async () => {
    const monitor = dd.seedMonitor({ name: "latency" });
    const slo = dd.seedSloReference(monitor.id, { id: "abc123", name: "Checkout SLO" });
    const check = await json("GET", `/api/v1/monitor/can_delete?monitor_ids=${monitor.id}`);
    expect(check).toMatchObject({
      status: 409,
      body: { errors: { [String(monitor.id)]: [`monitor [${monitor.id},latency] is referenced in slos: [abc123,Checkout SLO]`] }, data: { ok: [] } },
    });
    expect((await json("DELETE", `/api/v1/monitor/${monitor.id}`)).status).toBe(400);
    expect(await json("DELETE", `/api/v1/monitor/${monitor.id}?force=true`)).toMatchObject({ status: 200, body: { deleted_monitor_id: monitor.id } });
    expect(slo.id).toBe("abc123");
    expect(await json("GET", "/api/v1/monitor/can_delete?monitor_ids=")).toMatchObject({ status: 400, body: { errors: ["monitor_ids are required"] } });
  });
});

describe("validation answers", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["missing type", { type: "", query: "" }, "The parameter 'type' is required"],
    ["bad metric query", { type: "metric alert", query: "THIS IS A BAD QUERY", options: { thresholds: { critical: 200 } } }, "The value provided for parameter 'query' is invalid"],
    ["unknown space aggregator", { type: "query alert", query: "avg(last_5m):median:a.b{*} > 1" }, "The value provided for parameter 'query' is invalid"],
    ["bad time window", { type: "query alert", query: "avg(last_5x):avg:a.b{*} > 1" }, "The value provided for parameter 'query' is invalid"],
    ["missing scope", { type: "query alert", query: "avg(last_5m):avg:a.b > 1" }, "The value provided for parameter 'query' is invalid"],
    ["log query without comparison", { type: "log alert", query: "query" }, "The value provided for parameter 'query' is invalid: invalid operator specified: "],
    [
      "critical differs from the query",
      { type: "metric alert", query: "avg(last_1h):sum:system.net.bytes_rcvd{host:host0} > 200", options: { thresholds: { critical: 90 } } },
      "Alert threshold (90.0) does not match that used in the query (200.0).",
    ],
    [
      "warning above critical with >",
      { type: "query alert", query: "avg(last_5m):avg:a.b{*} > 20", options: { thresholds: { critical: 20, warning: 50 } } },
      "Warning threshold (50.0) must be less than the alert threshold (20.0) with > comparison.",
    ],
    [
      "warning below critical with <",
      { type: "query alert", query: "avg(last_5m):avg:a.b{*} < 100", options: { thresholds: { critical: 100, warning: 50 } } },
      "Warning threshold (50.0) must be greater than the alert threshold (100.0) with < comparison.",
    ],
  ];
  for (const [label, body, error] of cases) {
    it(`${label} → 400 on create and on validate`, async () => {
      for (const path of ["/api/v1/monitor", "/api/v1/monitor/validate"]) {
        const res = await json("POST", path, body);
        expect(res.status).toBe(400);
        expect(res.text).toBe(JSON.stringify({ errors: [error] }));
      }
      expect(dd.state.monitors.size).toBe(0);
    });
  }

  it("validates against an existing monitor, 404 when it does not exist", async () => {
    const { body } = await json("POST", "/api/v1/monitor", metricMonitor());
    expect(await json("POST", `/api/v1/monitor/${body.id}/validate`, metricMonitor())).toMatchObject({ status: 200, body: {} });
    expect((await json("POST", `/api/v1/monitor/999999/validate`, metricMonitor())).status).toBe(404);
  });

  it("accepts every monitor pipemon generates", async () => {
    const dirs = readdirSync(resolve(repoRoot, "generated")).map((env) => resolve(repoRoot, "generated", env, "datadog/monitors"));
    let count = 0;
    for (const dir of dirs) {
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith(".json"));
      } catch {
        continue;
      }
      for (const file of files) {
        for (const monitor of JSON.parse(readFileSync(resolve(dir, file), "utf8")) as Record<string, unknown>[]) {
          const res = await json("POST", "/api/v1/monitor", monitor);
          expect(res.status, `${file}: ${String(monitor.query)} → ${res.text}`).toBe(200);
          expect(res.body.type).toBe(monitor.type);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(50);
  });
});

describe("list and search", () => {
  beforeEach(() => {
    for (let i = 0; i < 7; i++) {
      dd.seedMonitor({ name: `pipeline ${i}`, tags: i % 2 === 0 ? ["managed-by:pipemon", `pipemon-id:p/${i}`] : ["team:x"], query: `avg(last_5m):avg:cpu{pipeline:p${i}} > 90` });
    }
  });

  it("returns everything without page, ascending ids", async () => {
    const { body } = await json("GET", "/api/v1/monitor");
    expect(body.map((m: { name: string }) => m.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `pipeline ${i}`));
    expect(body.every((m: object) => "matching_downtimes" in m)).toBe(true);
  });

  it("pages with page/page_size and id_offset", async () => {
    const ids = [...dd.state.monitors.keys()].sort((a, b) => a - b);
    const page = async (q: string) => (await json("GET", `/api/v1/monitor?${q}`)).body.map((m: { id: number }) => m.id);
    expect(await page("page=0&page_size=3")).toEqual(ids.slice(0, 3));
    expect(await page("page=2&page_size=3")).toEqual(ids.slice(6));
    expect(await page("page=3&page_size=3")).toEqual([]);
    expect(await page(`id_offset=${ids[2]}&page_size=2`)).toEqual(ids.slice(3, 5));
  });

  it("defaults page_size to 100 when page is given, and caps it at 1000", async () => {
    for (let i = 0; i < 1100; i++) dd.seedMonitor({ name: `bulk ${i}` });
    expect((await json("GET", "/api/v1/monitor?page=0")).body).toHaveLength(100);
    expect((await json("GET", "/api/v1/monitor?page=0&page_size=5000")).body).toHaveLength(1000);
    expect((await json("GET", "/api/v1/monitor")).body).toHaveLength(1107);
  });

  it("filters by monitor_tags (all must match), name and scope tags", async () => {
    const names = async (q: string) => (await json("GET", `/api/v1/monitor?${q}`)).body.map((m: { name: string }) => m.name);
    expect(await names("monitor_tags=managed-by:pipemon")).toEqual(["pipeline 0", "pipeline 2", "pipeline 4", "pipeline 6"]);
    expect(await names(`monitor_tags=${encodeURIComponent("managed-by:pipemon,pipemon-id:p/2")}`)).toEqual(["pipeline 2"]);
    expect(await names("name=PIPELINE%203")).toEqual(["pipeline 3"]);
    expect(await names("tags=pipeline:p5")).toEqual(["pipeline 5"]);
    expect(await json("GET", "/api/v1/monitor?group_states=notagroupstate")).toMatchObject({ status: 400, body: { errors: ["Invalid group_state filters."] } });
    expect((await json("GET", "/api/v1/monitor?group_states=alert,warn")).status).toBe(200);
  });

  it("searches with counts, monitors and metadata, 30 a page from page 0", async () => {
    for (let i = 0; i < 40; i++) dd.seedMonitor({ name: `extra ${i}` });
    const first = await json("GET", "/api/v1/monitor/search");
    expect(first.body.metadata).toEqual({ total_count: 47, page_count: 2, page: 0, per_page: 30 });
    expect(first.body.monitors).toHaveLength(30);
    expect(Object.keys(first.body.counts).sort()).toEqual(["muted", "status", "tag", "type"]);
    const second = await json("GET", "/api/v1/monitor/search?page=1");
    expect(second.body.monitors).toHaveLength(17);
    const tagged = await json("GET", `/api/v1/monitor/search?query=${encodeURIComponent('tag:"pipemon-id:p/4"')}`);
    expect(tagged.body.monitors.map((m: { name: string }) => m.name)).toEqual(["pipeline 4"]);
    expect(await json("GET", "/api/v1/monitor/search?query=status%3Anotastatus")).toMatchObject({
      status: 400,
      body: { errors: ["Query parsing error: 'notastatus' is not a valid monitor status"] },
    });
  });
});

describe("auth", () => {
  it("answers 403 with Datadog's body to a missing or wrong key", async () => {
    for (const headers of [{ "DD-API-KEY": "nope" }, { "DD-APPLICATION-KEY": "nope" }] as Record<string, string>[]) {
      const res = await call("GET", "/api/v1/monitor", undefined, headers);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        status: "error",
        code: 403,
        errors: ["Forbidden"],
        statuspage: "http://status.datadoghq.com",
        twitter: "http://twitter.com/datadogops",
        email: "support@datadoghq.com",
      });
    }
    const bare = await fetch(`${dd.url}/api/v1/monitor`);
    expect(bare.status).toBe(403);
  });

  it("takes configured keys", async () => {
    const other = await startDatadogEmulator({ apiKey: "k1", appKey: "a1" });
    try {
      expect((await fetch(`${other.url}/api/v1/monitor`, { headers: { "DD-API-KEY": "k1", "DD-APPLICATION-KEY": "a1" } })).status).toBe(200);
      expect((await fetch(`${other.url}/api/v1/monitor`, { headers: { "DD-API-KEY": dd.apiKey, "DD-APPLICATION-KEY": dd.appKey } })).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe("rate limits", () => {
  it("sends the recorded limit headers on every answer, errors included", async () => {
    const expectations: [string, string, unknown, string, string, string][] = [
      ["POST", "/api/v1/monitor", metricMonitor(), "post_monitors", "500", "10"],
      ["GET", "/api/v1/monitor", undefined, "get_all_monitors", "1000", "10"],
      ["GET", "/api/v1/monitor/1", undefined, "get_monitors", "3000", "10"],
      ["PUT", "/api/v1/monitor/1", {}, "put_monitors", "500", "10"],
      ["DELETE", "/api/v1/monitor/1", undefined, "global_org", "12000", "60"],
      ["POST", "/api/v1/monitor/validate", {}, "global_org", "12000", "60"],
    ];
    for (const [method, path, body, name, limit, period] of expectations) {
      const res = await call(method, path, body);
      expect(res.headers.get("x-ratelimit-name"), `${method} ${path}`).toBe(name);
      expect(res.headers.get("x-ratelimit-limit")).toBe(limit);
      expect(res.headers.get("x-ratelimit-period")).toBe(period);
      expect(Number(res.headers.get("x-ratelimit-remaining"))).toBeLessThan(Number(limit));
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(Number(period));
    }
  });

  it("answers 429 over the limit, then lets requests through after the window", async () => {
    const limited = await startDatadogEmulator({ rateLimits: { post_monitors: { limit: 3, periodSeconds: 0.5 } } });
    try {
      const post = () =>
        fetch(`${limited.url}/api/v1/monitor`, {
          method: "POST",
          headers: { "DD-API-KEY": limited.apiKey, "DD-APPLICATION-KEY": limited.appKey },
          body: JSON.stringify(metricMonitor()),
        });
      // Start right after a window boundary so the 3 allowed requests share one window.
      await new Promise((r) => setTimeout(r, 500 - (Date.now() % 500) + 5));
      const statuses: number[] = [];
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await post();
        statuses.push(res.status);
        remaining.push(res.headers.get("x-ratelimit-remaining"));
        if (res.status === 429) {
          expect(await res.json()).toEqual({ errors: ["Too many requests"] });
          expect(res.headers.get("x-ratelimit-limit")).toBe("3");
          expect(res.headers.get("x-ratelimit-reset")).toBe("1");
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(remaining).toEqual(["2", "1", "0", "0", "0"]);
      expect(limited.state.monitors.size).toBe(3);
      // Other limits are independent.
      expect((await fetch(`${limited.url}/api/v1/monitor`, { headers: { "DD-API-KEY": limited.apiKey, "DD-APPLICATION-KEY": limited.appKey } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 550));
      expect((await post()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("fault injection and control endpoints", () => {
  it("applies scripted faults before auth and rate limits, and records requests", async () => {
    dd.faults.add({ method: "POST", path: "^/api/v1/monitor$", after: 1, times: 2, fault: { kind: "status", status: 503 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("POST", "/api/v1/monitor", metricMonitor())).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect(dd.faults.requests.map((r) => r.status)).toEqual([200, 503, 503, 200]);
    expect(dd.state.monitors.size).toBe(2);
  });

  it("injects 429 storms with Datadog's headers", async () => {
    dd.faults.add({ path: "^/api/v1/monitor$", times: 1, fault: { kind: "status", status: 429, headers: { "X-RateLimit-Reset": "1" }, body: { errors: ["Too many requests"] } } });
    const res = await call("GET", "/api/v1/monitor");
    expect(res.status).toBe(429);
    expect(res.headers.get("x-ratelimit-reset")).toBe("1");
    expect((await call("GET", "/api/v1/monitor")).status).toBe(200);
  });

  it("drops connections on a reset fault", async () => {
    dd.faults.add({ times: 1, fault: { kind: "reset" } });
    await expect(call("GET", "/api/v1/monitor")).rejects.toThrow();
    expect((await call("GET", "/api/v1/monitor")).status).toBe(200);
  });

  it("serves /__emulator/state, seeding and the shared control endpoints over HTTP", async () => {
    const seeded = await fetch(`${dd.url}/__emulator/monitors`, { method: "POST", body: JSON.stringify({ name: "by hand", tags: ["pipemon-id:x/y"] }) });
    const monitor = (await seeded.json()) as { id: number };
    await fetch(`${dd.url}/__emulator/slo_references`, { method: "POST", body: JSON.stringify({ monitor_id: monitor.id, id: "s1", name: "S" }) });
    await fetch(`${dd.url}/__emulator/faults`, { method: "POST", body: JSON.stringify({ rules: [{ method: "DELETE", fault: { kind: "status", status: 500 } }] }) });
    const state = (await (await fetch(`${dd.url}/__emulator/state`)).json()) as { monitors: { name: string }[]; sloReferences: unknown };
    expect(state.monitors.map((m) => m.name)).toEqual(["by hand"]);
    expect(state.sloReferences).toEqual({ [String(monitor.id)]: [{ id: "s1", name: "S" }] });
    expect((await call("DELETE", `/api/v1/monitor/${monitor.id}`)).status).toBe(500);
    const requests = await (await fetch(`${dd.url}/__emulator/requests`)).json();
    expect(requests).toEqual([{ method: "DELETE", path: `/api/v1/monitor/${monitor.id}`, query: "", status: 500 }]);
  });

  it("has typed seeds for foreign and unmarked pipemon monitors", async () => {
    const foreign = dd.seedForeignMonitor();
    const unmarked = dd.seedUnmarkedPipemonMonitor("orders/cpu");
    expect(foreign.creator.handle).not.toBe(dd.state.creator.handle);
    expect(unmarked.tags).toEqual(["pipemon-id:orders/cpu"]);
    const listed = (await json("GET", "/api/v1/monitor?monitor_tags=pipemon-id:orders/cpu")).body;
    expect(listed.map((m: { id: number }) => m.id)).toEqual([unmarked.id]);
    expect(listed[0].options).toMatchObject({ notify_no_data: false, new_host_delay: 300, include_tags: true, silenced: {} });
  });
});

describe("the official client", () => {
  it("creates, lists, gets, updates and deletes through @datadog/datadog-api-client", async () => {
    const configuration = client.createConfiguration({
      baseServer: new client.BaseServerConfiguration(dd.url, {}),
      authMethods: { apiKeyAuth: dd.apiKey, appKeyAuth: dd.appKey },
    });
    const api = new v1.MonitorsApi(configuration);
    const created = await api.createMonitor({
      body: {
        name: "client monitor",
        type: "query alert",
        query: "avg(last_5m):avg:system.cpu.user{env:prod} by {host} > 90",
        message: "hi",
        tags: ["managed-by:pipemon"],
        priority: 3,
        options: { thresholds: { critical: 90, warning: 80 }, notifyNoData: false, newGroupDelay: 60 },
      },
    });
    expect(created.id).toBeTypeOf("number");
    expect(created.type).toBe("query alert");
    expect(created.options?.thresholds).toEqual({ critical: 90, warning: 80 });
    expect(created.overallState).toBe("No Data");
    expect(created.creator?.handle).toBe(dd.state.creator.handle);

    const page = await api.listMonitors({ page: 0, pageSize: 10, monitorTags: "managed-by:pipemon" });
    expect(page.map((m) => m.id)).toEqual([created.id]);
    const fetched = await api.getMonitor({ monitorId: created.id! });
    expect(fetched.name).toBe("client monitor");

    const updated = await api.updateMonitor({ monitorId: created.id!, body: { name: "renamed", options: { thresholds: { critical: 90 } } } });
    expect(updated.name).toBe("renamed");
    expect(updated.options?.thresholds?.warning).toBeUndefined();
    expect(updated.modified?.getTime()).toBeGreaterThanOrEqual(created.modified!.getTime());

    const validation = await api.validateMonitor({ body: { type: "query alert", query: "avg(last_5m):avg:a.b{*} > 1" } });
    expect(validation).toEqual({});
    const canDelete = await api.checkCanDeleteMonitor({ monitorIds: [created.id!] });
    expect(canDelete.data.ok).toEqual([created.id]);
    const search = await api.searchMonitors({ query: "renamed" });
    expect(search.metadata?.totalCount).toBe(1);

    const deleted = await api.deleteMonitor({ monitorId: created.id! });
    expect(deleted.deletedMonitorId).toBe(created.id);
    await expect(api.getMonitor({ monitorId: created.id! })).rejects.toMatchObject({ code: 404, body: { errors: ["Monitor not found"] } });
    await expect(api.createMonitor({ body: { type: "query alert", query: "nope" } })).rejects.toMatchObject({
      code: 400,
      body: { errors: ["The value provided for parameter 'query' is invalid"] },
    });
  });
});
