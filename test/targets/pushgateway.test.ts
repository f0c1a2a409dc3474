/**
 * The Pushgateway client against the real Pushgateway: counters accumulate by reading the
 * group back, series of a family that a push does not name survive, grouping keys with
 * awkward values round-trip, and faults are one short, secret-free phrase.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exposition, groupPath, pushGroups, pushgatewayTarget, redactUrl, type GroupUpdate } from "../../src/targets/pushgateway/index.js";
import { stopAll } from "../live/processes.js";
import { startPushgateway, type Pushgateway } from "../support/pushgateway.js";

let pgw: Pushgateway;
beforeAll(async () => {
  pgw = await startPushgateway();
}, 60_000);
afterAll(async () => {
  await stopAll();
});

const signal = () => AbortSignal.timeout(5000);

describe("pushgateway client, pure parts", () => {
  it("names the group in the URL, with @base64 for values holding a slash or empty", () => {
    expect(groupPath({ job: "pipemon", pipeline: "orders-etl" })).toBe("/metrics/job/pipemon/pipeline/orders-etl");
    expect(groupPath({ pipeline: "a/b", job: "x y", env: "" })).toBe(`/metrics/job/x%20y/env@base64/=/pipeline@base64/${Buffer.from("a/b").toString("base64url")}`);
  });

  it("writes every family with HELP and TYPE, labels escaped", () => {
    expect(exposition([{ name: "m_total", type: "counter", help: "a\\b\nc", samples: [{ labels: { error_type: 'say "hi"\n' }, value: 2 }, { labels: {}, value: 1e21 }] }])).toBe(
      '# HELP m_total a\\\\b\\nc\n# TYPE m_total counter\nm_total{error_type="say \\"hi\\"\\n"} 2\nm_total 1e+21\n',
    );
  });

  it("takes credentials out of the URL into a header, and never shows them", () => {
    expect(pushgatewayTarget("https://ci:s3cret@pgw.example.com:9091/")).toEqual({ url: "https://pgw.example.com:9091", authorization: `Basic ${Buffer.from("ci:s3cret").toString("base64")}` });
    expect(redactUrl("https://ci:s3cret@pgw.example.com/x")).toBe("https://pgw.example.com/x");
    expect(() => pushgatewayTarget("pgw:9091")).toThrow("'pgw:9091' is not an http(s) URL");
  });
});

describe("pushgateway client on the real Pushgateway", () => {
  const key = { job: "pipemon", pipeline: "client-test" };
  const run = (failed: number, errors: Record<string, number>): GroupUpdate[] => [{
    groupingKey: key,
    families: [
      { name: "pipeline_runs_total", type: "counter", help: "runs", op: "add", samples: [{ labels: { status: "success" }, value: 1 - failed }, { labels: { status: "failed" }, value: failed }] },
      { name: "pipeline_errors_total", type: "counter", help: "errors", op: "add", samples: Object.entries(errors).map(([t, n]) => ({ labels: { error_type: t }, value: n })) },
      { name: "pipeline_run_in_progress", type: "gauge", help: "in progress", op: "set", samples: [{ labels: {}, value: 0 }] },
    ],
  }];

  it("accumulates counters across pushes and keeps series a push does not name", async () => {
    const target = pushgatewayTarget(pgw.url);
    await pushGroups(target, run(1, { timeout: 2 }), signal());
    await pushGroups(target, run(0, { schema: 1 }), signal());
    await pushGroups(target, run(1, { timeout: 1 }), signal());
    expect(await pgw.value("pipeline_runs_total", { ...key, status: "success" })).toBe(1);
    expect(await pgw.value("pipeline_runs_total", { ...key, status: "failed" })).toBe(2);
    expect(await pgw.value("pipeline_errors_total", { ...key, error_type: "timeout" })).toBe(3);
    expect(await pgw.value("pipeline_errors_total", { ...key, error_type: "schema" })).toBe(1);
    expect(await pgw.value("pipeline_run_in_progress", key)).toBe(0);
  });

  it("adding 0 creates a counter at 0 and leaves an existing one as it is", async () => {
    const target = pushgatewayTarget(pgw.url);
    const other = { job: "pipemon", pipeline: "client-zero" };
    const zero: GroupUpdate[] = [{ groupingKey: other, families: [{ name: "pipeline_records_processed_total", type: "counter", help: "records", op: "add", samples: [{ labels: {}, value: 0 }] }] }];
    await pushGroups(target, zero, signal());
    expect(await pgw.value("pipeline_records_processed_total", other)).toBe(0);
    await pushGroups(target, [{ ...zero[0]!, families: [{ ...zero[0]!.families[0]!, samples: [{ labels: {}, value: 250 }] }] }], signal());
    await pushGroups(target, zero, signal());
    expect(await pgw.value("pipeline_records_processed_total", other)).toBe(250);
  });

  it("round-trips a grouping key whose values hold a slash", async () => {
    const target = pushgatewayTarget(pgw.url);
    const odd = { job: "team/loader", pipeline: "orders/v2" };
    const update = (n: number): GroupUpdate[] => [{ groupingKey: odd, families: [{ name: "pipeline_records_failed_total", type: "counter", help: "failed", op: "add", samples: [{ labels: {}, value: n }] }] }];
    await pushGroups(target, update(2), signal());
    await pushGroups(target, update(3), signal());
    expect(await pgw.value("pipeline_records_failed_total", odd)).toBe(5);
  });
});

describe("pushgateway client faults", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/api/v1/metrics") res.writeHead(200, { "content-type": "text/html" }).end("<html>proxy login</html>");
      else res.writeHead(503).end("overloaded\nsecond line");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("connection refused, an HTTP error and a non-Pushgateway answer are each one phrase", async () => {
    const add: GroupUpdate[] = [{ groupingKey: { job: "pipemon" }, families: [{ name: "x_total", type: "counter", help: "x", op: "add", samples: [] }] }];
    const set: GroupUpdate[] = [{ groupingKey: { job: "pipemon" }, families: [{ name: "x", type: "gauge", help: "x", op: "set", samples: [] }] }];
    const closed = await (async () => {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      const port = (s.address() as AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
      return `http://127.0.0.1:${port}`;
    })();
    await expect(pushGroups(pushgatewayTarget(closed), set, signal())).rejects.toThrow(/^connection refused$/);
    await expect(pushGroups(pushgatewayTarget(url), set, signal())).rejects.toThrow(/^POST \/metrics\/job\/pipemon answered HTTP 503: overloaded$/);
    await expect(pushGroups(pushgatewayTarget(url), add, signal())).rejects.toThrow("GET /api/v1/metrics did not answer JSON: is this a Pushgateway (1.0 or later)?");
  });
});
