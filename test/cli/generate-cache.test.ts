/**
 * generate's incremental cache (node_modules/.cache/pipemon) may skip a pipeline only when its
 * inputs and its files on disk are exactly as recorded. These tests try to fool it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli.js";

let work: string;
const gen = (p: string) => join(work, "generated", p);
const cacheDir = () => join(work, "node_modules/.cache/pipemon");

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipemon-cache-"));
  cpSync(join(REPO_ROOT, "specs"), join(work, "specs"), { recursive: true });
  // The cache lives where JavaScript tools keep theirs: only in a project with node_modules.
  mkdirSync(join(work, "node_modules"));
  expect(runCli(["generate"], work).code).toBe(0);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function changedLines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => /^ {2}(created|updated|deleted) /.test(l)).map((l) => l.trim());
}

describe("generate's incremental cache", () => {
  it("is written on the first run and makes the second one a no-op", () => {
    expect(readdirSync(cacheDir())).toHaveLength(1);
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, 0 deleted, 94 unchanged/);
  });

  it("rebuilds a hand-edited file, even one edited to the same size", () => {
    const file = gen("production/grafana/dashboards/orders-etl.json");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace('"pm-orders-etl"', '"pm-orders-XXX"'));
    expect(statSync(file).size).toBe(Buffer.byteLength(original));
    const r = runCli(["generate"], work);
    expect(changedLines(r.stdout)).toEqual(["updated generated/production/grafana/dashboards/orders-etl.json"]);
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("recreates a deleted file", () => {
    rmSync(gen("staging/runbooks/payments-cdc.md"));
    const r = runCli(["generate"], work);
    expect(changedLines(r.stdout)).toEqual(["created generated/staging/runbooks/payments-cdc.md"]);
  });

  it("recompiles only the pipeline whose spec changed", () => {
    const spec = join(work, "specs/commerce/orders-etl.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("minRecords: 1000", "minRecords: 1500"));
    const r = runCli(["generate"], work);
    const changed = changedLines(r.stdout);
    expect(changed.length).toBeGreaterThan(0);
    // The pipeline's own files, and its team's Prometheus rule file (one group per pipeline).
    expect(changed.every((l) => l.includes("orders-etl") || l.endsWith("/prometheus/rules/commerce.yml"))).toBe(true);
    expect(changed).toContain("updated generated/production/datadog/monitors/orders-etl.json");
    expect(changed).toContain("updated generated/production/prometheus/rules/commerce.yml");
  });

  it("recompiles every pipeline when a project setting they depend on changes", () => {
    const config = join(work, "specs/pipemon.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("datasource: { type: prometheus, uid: prometheus }", "datasource: { type: prometheus, uid: mimir }"));
    const r = runCli(["generate"], work);
    const dashboards = changedLines(r.stdout).filter((l) => l.includes("/grafana/dashboards/") && !l.includes("team-"));
    // All 9 pipelines are on Grafana, in each of the two environments.
    expect(dashboards).toHaveLength(18);
    expect(readFileSync(gen("production/grafana/dashboards/orders-etl.json"), "utf8")).toContain('"mimir"');
  });

  it("is never trusted by --check, which compares the real bytes", () => {
    const file = gen("production/grafana/alert-rules/orders-etl.json");
    const { mtime, size } = statSync(file);
    const original = readFileSync(file, "utf8");
    // Same size and the same mtime as recorded: only reading the bytes can tell.
    writeFileSync(file, original.replace('"for": "5m"', '"for": "9m"'));
    utimesSync(file, mtime, mtime);
    expect(statSync(file).size).toBe(size);
    const check = runCli(["generate", "--check"], work);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("changed  generated/production/grafana/alert-rules/orders-etl.json");
  });

  it("finishes when worker threads are requested but the cache leaves nothing to compile", () => {
    // Started workers that get no work would wait forever and keep the process alive.
    const r = runCli(["generate"], work, { PIPEMON_WORKERS: "3" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, 0 deleted, 94 unchanged/);
    const spec = join(work, "specs/commerce/orders-etl.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("minRecords: 1000", "minRecords: 1200"));
    const one = runCli(["generate"], work, { PIPEMON_WORKERS: "3" });
    expect(one.code).toBe(0);
    expect(changedLines(one.stdout).every((l) => l.includes("orders-etl") || l.endsWith("/prometheus/rules/commerce.yml"))).toBe(true);
  });

  it("is not used with PIPEMON_CACHE=0", () => {
    rmSync(cacheDir(), { recursive: true });
    expect(runCli(["generate"], work, { PIPEMON_CACHE: "0" }).code).toBe(0);
    expect(existsSync(cacheDir())).toBe(false);
  });

  it("survives a damaged cache file", () => {
    const [name] = readdirSync(cacheDir());
    writeFileSync(join(cacheDir(), name!), "{not json");
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, 0 deleted, 94 unchanged/);
  });
});
