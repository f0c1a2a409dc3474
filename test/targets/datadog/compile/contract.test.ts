/**
 * Cross-check against recorded Datadog traffic (test/contracts/datadog/cassettes): every
 * field pipemon puts in a monitor body, with its JSON type, must appear in a monitor create
 * or validate request that the real API answered with 2xx. The OpenAPI document lists
 * fields the API may no longer accept together (new_host_delay vs new_group_delay, ...);
 * recordings show what Datadog really took.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { datadogPipelineFiles } from "../../../../src/targets/datadog/compile/index.js";
import { fullProject } from "../../../fixtures/model.js";
import { parseMetricQuery } from "../../../../src/lib/datadog-query.js";

const CASSETTES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../contracts/datadog/cassettes");
const MONITOR_CREATE = /\/api\/v1\/monitor(\/validate)?$/;

interface Recorded {
  source: string;
  body: Record<string, unknown>;
}

function walkFiles(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out.sort();
}

/** Accepted monitor create/validate bodies of metric monitors, from HAR and go-vcr files. */
function recordedBodies(): Recorded[] {
  const out: Recorded[] = [];
  const add = (source: string, method: string, url: string, status: number, text: string | undefined): void => {
    if (method !== "POST" || !MONITOR_CREATE.test(new URL(url).pathname) || status < 200 || status > 299 || !text) return;
    const body = JSON.parse(text) as Record<string, unknown>;
    if (body.type === "query alert" || body.type === "metric alert") out.push({ source, body });
  };
  const har = join(CASSETTES, "datadog-api-client-typescript/cassettes/v1");
  for (const file of walkFiles(har, (p) => p.includes("/Monitors_") && p.endsWith("recording.har"))) {
    const log = JSON.parse(readFileSync(file, "utf8")) as {
      log: { entries: { request: { method: string; url: string; postData?: { text?: string } }; response: { status: number } }[] };
    };
    for (const e of log.log.entries) add(file, e.request.method, e.request.url, e.response.status, e.request.postData?.text);
  }
  const vcr = join(CASSETTES, "terraform-provider-datadog/datadog/tests/cassettes");
  for (const file of walkFiles(vcr, (p) => /TestAccDatadogMonitor[^/]*\.yaml$/.test(p))) {
    const doc = parseYaml(readFileSync(file, "utf8")) as {
      interactions?: { request: { method: string; url: string; body?: string }; response: { code: number } }[];
    };
    for (const i of doc.interactions ?? []) add(file, i.request.method, i.request.url, i.response.code, i.request.body?.trim());
  }
  return out;
}

/** `path → JSON types seen`, arrays as `path[]`. */
function fieldTypes(value: unknown, path = "", out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  const note = (type: string): void => {
    if (!out.has(path)) out.set(path, new Set());
    out.get(path)!.add(type);
  };
  if (Array.isArray(value)) {
    note("array");
    for (const v of value) fieldTypes(v, `${path}[]`, out);
  } else if (value !== null && typeof value === "object") {
    if (path) note("object");
    for (const [k, v] of Object.entries(value)) fieldTypes(v, path ? `${path}.${k}` : k, out);
  } else {
    note(value === null ? "null" : typeof value);
  }
  return out;
}

const recorded = recordedBodies();
const accepted = new Map<string, Set<string>>();
for (const r of recorded) {
  for (const [path, types] of fieldTypes(r.body)) {
    if (!accepted.has(path)) accepted.set(path, new Set());
    for (const t of types) accepted.get(path)!.add(t);
  }
}

const proj = fullProject();
const generated = proj.pipelines.flatMap((p) => datadogPipelineFiles(proj, p).flatMap((f) => JSON.parse(f.content) as Record<string, unknown>[]));

describe("monitor bodies against recorded Datadog traffic", () => {
  it("found accepted metric-monitor create/validate requests in the cassettes", () => {
    expect(recorded.length).toBeGreaterThan(20);
    expect(new Set(recorded.map((r) => r.source.includes("terraform") ? "terraform" : "typescript"))).toEqual(new Set(["terraform", "typescript"]));
  });

  it("sends only fields (and JSON types) Datadog accepted in a real request", () => {
    const unseen: string[] = [];
    for (const body of generated) {
      for (const [path, types] of fieldTypes(body)) {
        for (const t of types) if (!accepted.get(path)?.has(t)) unseen.push(`${path}: ${t}`);
      }
    }
    expect([...new Set(unseen)].sort()).toEqual([]);
  });

  it("would notice a field Datadog never took", () => {
    const body = { ...generated[0]!, options: { ...(generated[0]!.options as object), notify_nodata: true } };
    expect([...fieldTypes(body).keys()].filter((p) => !accepted.has(p))).toEqual(["options.notify_nodata"]);
  });

  it("sends renotify_statuses, recovery thresholds and new_group_delay the way recordings do", () => {
    // Each was recorded in an accepted request together with the others pipemon sends.
    const together = recorded.filter((r) => {
      const o = r.body.options as Record<string, unknown> | undefined;
      const t = o?.thresholds as Record<string, unknown> | undefined;
      return o && Array.isArray(o.renotify_statuses) && typeof o.new_group_delay === "number" && t && "critical_recovery" in t && "warning_recovery" in t;
    });
    expect(together.length).toBeGreaterThan(0);
  });

  it("the grammar parser accepts every recorded plain metric query", () => {
    const plain = [...new Set(recorded.map((r) => String(r.body.query)))].filter((q) => /^(avg|sum|min|max)\(last_\w+\):(avg|sum|min|max):/.test(q));
    expect(plain.length).toBeGreaterThan(3);
    for (const q of plain) expect(() => parseMetricQuery(q), q).not.toThrow();
  });

  it("recorded thresholds keep critical_recovery between warning and critical, as pipemon does", () => {
    for (const r of recorded) {
      const q = String(r.body.query);
      const t = (r.body.options as { thresholds?: Record<string, number> } | undefined)?.thresholds;
      if (!t || t.critical_recovery === undefined || t.warning === undefined || !/ >=? [\d.]+$/.test(q)) continue;
      expect(t.critical_recovery, r.source).toBeLessThan(t.critical!);
      expect(t.critical_recovery, r.source).toBeGreaterThanOrEqual(t.warning);
    }
  });
});
