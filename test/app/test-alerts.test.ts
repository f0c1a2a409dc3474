/** The `pipemon test` use case: selection, promtool discovery and per-case verdicts. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSelection } from "../../src/app/desired.js";
import { findPromtool, parsePromtoolFailures, testAlerts } from "../../src/app/test-alerts.js";
import { REPO_ROOT } from "../support/cli.js";

const specs = join(REPO_ROOT, "specs");

describe("pipemon test (use case)", () => {
  it("parses --select values: names and team:<team>, repeatable and comma-separated", () => {
    expect(parseSelection([])).toBeUndefined();
    const s = parseSelection(["orders-etl,team:payments", " clickstream-flink "])!;
    expect([...s.pipelines]).toEqual(["orders-etl", "clickstream-flink"]);
    expect([...s.teams]).toEqual(["payments"]);
  });

  it("reads promtool's failures per test group", () => {
    const output = [
      "Unit Testing:  tests/a/errors.yml",
      "  FAILED:",
      "    name: a errors critical past,",
      "    alertname: PipemonErrorsCritical, time: 1m, ",
      "        exp:[], ",
      "        got:[x]",
      "    name: a errors other-pipeline,",
      "    alertname: PipemonErrorsCritical, time: 1m, ",
      "Unit Testing:  tests/a/cpu.yml",
      "  SUCCESS",
    ].join("\n");
    const failures = parsePromtoolFailures(output);
    expect([...failures.keys()]).toEqual(["a errors critical past", "a errors other-pipeline"]);
    expect(failures.get("a errors critical past")).toContain("got:[x]");
  });

  it("runs the selected pipelines' cases and returns a verdict per case", async () => {
    const r = await testAlerts({ root: specs, environment: "production", select: ["team:payments", "orders-etl"] });
    expect(r.promtoolFound).toBe(true);
    expect(r.ok).toBe(true);
    expect([...new Set(r.cases.map((c) => c.pipeline))].sort()).toEqual(["ledger-stream", "orders-etl", "payments-cdc", "settlement-recon"]);
    expect(r.cases.every((c) => c.environment === "production" && c.ok)).toBe(true);
    expect(r.cases.find((c) => c.name === "orders-etl errors critical past")).toMatchObject({ alert: "errors", level: "critical", kind: "past" });
    expect(r.skipped).toEqual([expect.objectContaining({ pipeline: "ledger-stream", alert: "highBacklog" })]);
  }, 120_000);

  it("fails a selector that matches nothing, and reports a missing promtool without running anything", async () => {
    const unmatched = await testAlerts({ root: specs, environment: "production", select: ["no-such-pipeline"] });
    expect(unmatched.ok).toBe(false);
    expect(unmatched.unmatched).toEqual(["no-such-pipeline"]);
    const missing = await testAlerts({ root: specs, promtool: "/nonexistent/promtool" });
    expect(missing).toMatchObject({ promtoolFound: false, ok: false, cases: [] });
    expect(findPromtool("/nonexistent/promtool")).toBeUndefined();
  });
});
