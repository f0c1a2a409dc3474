/**
 * The apply use case in process, against the emulators: the confirmation gate writes
 * nothing when refused, and plan and apply see the same world.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apply } from "../../src/app/apply.js";
import { plan } from "../../src/app/plan.js";
import type { PlanDocument } from "../../src/plan/document.js";
import { startDatadogEmulator, type DatadogEmulator } from "../emulators/datadog/server.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../emulators/grafana/server.js";
import { REPO_ROOT } from "../support/cli.js";

let grafana: GrafanaEmulator;
let datadog: DatadogEmulator;

beforeEach(async () => {
  grafana = await startGrafanaEmulator({ token: "t" });
  datadog = await startDatadogEmulator({ apiKey: "k", appKey: "a" });
});
afterEach(async () => {
  await Promise.all([grafana.close(), datadog.close()]);
});

const vars: Record<string, string> = {
  PD_DATA_ONCALL_KEY: "x",
  PD_PAYMENTS_KEY: "x",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.example/x",
  SLACK_GROWTH_WEBHOOK: "https://hooks.example/y",
  ML_PLATFORM_WEBHOOK: "https://ml.example/z",
  GRAFANA_TOKEN: "t",
  DD_API_KEY: "k",
  DD_APP_KEY: "a",
};

function options() {
  const env = (name: string): string | undefined => ({ ...vars, GRAFANA_URL: grafana.url, DD_HOST: datadog.url })[name];
  return { root: join(REPO_ROOT, "specs"), environment: "production", select: [], env, prune: false, concurrency: 4 };
}

const writes = () => [...grafana.faults.requests, ...datadog.faults.requests].filter((r) => r.method !== "GET");

describe("apply", () => {
  it("writes nothing when the confirmation is refused, and everything the plan showed when given", async () => {
    let shown: PlanDocument | undefined;
    const refused = await apply({ ...options(), confirm: async (doc) => ((shown = doc), false) });
    expect(refused.aborted).toBe(true);
    expect(refused.outcomes).toEqual([]);
    // Only the apply locks were written (taken before reading, given back after): one lock
    // dashboard and one lock monitor, each created and deleted; nothing else exists.
    expect(writes().map((r) => `${r.method} ${r.path.replace(/\d+$/, "<id>")}`).sort()).toEqual([
      "DELETE /api/dashboards/uid/pipemon_apply_lock_production",
      "DELETE /api/v1/monitor/<id>",
      "POST /api/dashboards/db",
      "POST /api/v1/monitor",
    ]);
    expect([grafana.state.dashboards.size, grafana.state.folders.size, datadog.state.monitors.size]).toEqual([0, 0, 0]);
    expect(shown!.summary.create).toBeGreaterThan(80);

    const done = await apply({ ...options(), confirm: async () => true });
    expect(done.outcomes.filter((o) => o.status === "applied")).toHaveLength(shown!.summary.create);
    const after = await plan(options());
    expect(after.document!.summary).toMatchObject({ create: 0, update: 0, delete: 0, noop: shown!.summary.create });
  });
});
