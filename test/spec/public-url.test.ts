/** grafana.publicUrl (links in generated files) and metadata.notes (runbook notes) through load and map. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSpecs } from "../../src/spec/index.js";

const config = (grafana: string, environments = "") => `apiVersion: pipemon/v1
kind: Config
grafana:
  url: \${GRAFANA_URL}
${grafana}
channels:
  data-alerts: { type: slack, webhookUrl: "\${SLACK_WEBHOOK}", datadog: "@slack-data-alerts" }
routing:
  critical: [data-alerts]
${environments}`;
const PIPELINE = `apiVersion: pipemon/v1
kind: Pipeline
metadata:
  name: orders-etl
  team: commerce
  notes: |
    DAG: [orders_etl](https://airflow.example.com/dags/orders_etl).
    Backfill: \`airflow dags backfill orders_etl\`.
spec: { type: streaming }
`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-public-url-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function load(configText: string, environment?: string) {
  for (const [path, text] of Object.entries({ "pipemon.yaml": configText, "commerce/orders-etl.yaml": PIPELINE })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return loadSpecs({ root, ...(environment ? { environment } : {}) });
}

describe("grafana.publicUrl", () => {
  it("maps to the model without its trailing slash, per environment", () => {
    const r = load(config("  publicUrl: https://grafana.example.com/", "environments:\n  staging:\n    grafana: { publicUrl: https://grafana-staging.example.com }\n  production: {}\n"));
    expect(r.diagnostics).toEqual([]);
    const byEnv = Object.fromEntries(r.projects.map((p) => [p.environment, p.grafana.publicUrl]));
    expect(byEnv).toEqual({ staging: "https://grafana-staging.example.com", production: "https://grafana.example.com" });
  });

  it.each([
    ["a ${...} reference", '"${GRAFANA_URL}"'],
    ["credentials", "https://admin:secret@grafana.example.com"],
    ["a relative URL", "grafana.example.com"],
    ["another scheme", "ftp://grafana.example.com"],
    ["a template", '"https://grafana.example.com/{{team}}"'],
  ])("refuses %s with one error at the value", (_what, value) => {
    const r = load(config(`  publicUrl: ${value}`));
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((d) => d.path.join(".") === "grafana.publicUrl")).toBe(true);
    expect(errors[0]!.line).toBe(5);
  });
});

describe("grafana.publicUrl with credentials", () => {
  it("is refused without echoing them, in the message or the excerpt", () => {
    const r = load(config("  publicUrl: https://admin:s3cret@grafana.example.com"));
    const [d] = r.diagnostics;
    expect(d!.message).toBe("'publicUrl' holds credentials (user:password@, not shown): it is written into generated files, so give the URL without them");
    expect(d!.redact).toBe(true);
    expect(JSON.stringify(r.diagnostics)).not.toContain("s3cret");
  });
});

describe("metadata.notes", () => {
  it("keeps multi-line markdown for the runbook", () => {
    const r = load(config(""));
    expect(r.diagnostics).toEqual([]);
    expect(r.projects[0]!.pipelines[0]!.notes).toBe("DAG: [orders_etl](https://airflow.example.com/dags/orders_etl).\nBackfill: `airflow dags backfill orders_etl`.\n");
  });
});
