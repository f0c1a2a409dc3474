/**
 * The last-failure gauge is a signal of the metric contract like the others (DESIGN §2): a
 * spec may rename it or give it its own labels (`spec.metrics.signals.lastFailure`), and the
 * pipelineFailed rule then reads that series; it is a batch signal only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alertDefinitions } from "../../src/compile/alert-definitions.js";
import { monitorBody } from "../../src/targets/datadog/compile/monitor.js";
import { datadogAlerts } from "../../src/targets/datadog/compile/alert-query.js";
import { SIGNALS } from "../../src/model/signals.js";
import { loadSpecs } from "../../src/spec/index.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = `apiVersion: pipemon/v1
kind: Config
grafana: { datasource: { type: prometheus, uid: prometheus } }
channels:
  data-alerts: { type: slack, webhookUrl: "\${SLACK}", datadog: "@slack-data-alerts" }
routing: { critical: [data-alerts], high: [data-alerts], medium: [data-alerts], low: [data-alerts] }
`;

function load(pipeline: string): ReturnType<typeof loadSpecs> {
  const root = mkdtempSync(join(tmpdir(), "pipemon-lastfailure-"));
  dirs.push(root);
  mkdirSync(join(root, "team"));
  writeFileSync(join(root, "pipemon.yaml"), CONFIG);
  writeFileSync(join(root, "team", "p.yaml"), pipeline);
  return loadSpecs({ root });
}

describe("the last-failure signal", () => {
  it("has the contract's names on both targets", () => {
    expect(SIGNALS.lastFailure).toMatchObject({ prometheus: "pipeline_last_failure_timestamp_seconds", datadog: "pipeline.last_failure", kind: "gauge", types: ["batch"] });
  });

  it("takes a spec's name and labels, and pipelineFailed reads them", () => {
    const loaded = load(`apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: orders-etl, team: commerce }
spec:
  type: batch
  schedule: "0 * * * *"
  metrics:
    signals:
      lastFailure: { prometheus: etl_last_failed_at_seconds, datadog: etl.last_failed_at, selector: { job: orders } }
`);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const [project] = loaded.projects;
    const p = project!.pipelines[0]!;
    expect(p.signals.lastFailure).toEqual({ prometheus: "etl_last_failed_at_seconds", datadog: "etl.last_failed_at", matchers: { job: "orders" } });
    const def = alertDefinitions(p).find((d) => d.key === "pipelineFailed")!;
    expect(def.promql).toContain('max(etl_last_failed_at_seconds{job="orders"}) > bool (max(pipeline_last_success_timestamp_seconds{pipeline="orders-etl"})');
    // Datadog counts failed runs over the window (see the parity test's exception), whatever the gauge is called.
    expect(monitorBody(project!, p, datadogAlerts(p).find((d) => d.key === "pipelineFailed")!).query).toBe("sum(last_1h):sum:pipeline.runs{pipeline:orders-etl,status:failed}.as_count() > 0");
  });

  it("is refused on a streaming pipeline, which has no runs", () => {
    const loaded = load(`apiVersion: pipemon/v1
kind: Pipeline
metadata: { name: clicks, team: growth }
spec:
  type: streaming
  metrics:
    signals:
      lastFailure: { prometheus: x_last_failure }
`);
    expect(loaded.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([expect.stringContaining("signal 'lastFailure' is not emitted by streaming pipelines")]);
  });
});
