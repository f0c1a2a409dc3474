/** `prometheus:` (the query API backtest and report read) through load and map, with errors at file:line:col. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSpecs } from "../../src/spec/index.js";

const config = (prometheus: string, environments = "") => `apiVersion: pipemon/v1
kind: Config
${prometheus}
channels:
  data-alerts: { type: slack, webhookUrl: "\${SLACK_WEBHOOK}", datadog: "@slack-data-alerts" }
routing:
  critical: [data-alerts]
${environments}`;
const PIPELINE = "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: orders-etl, team: commerce }\nspec: { type: streaming }\n";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-prom-query-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function load(configText: string) {
  for (const [path, text] of Object.entries({ "pipemon.yaml": configText, "commerce/orders-etl.yaml": PIPELINE })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return loadSpecs({ root });
}

const errorsOf = (r: ReturnType<typeof load>) => r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.col} ${d.message}`);

describe("prometheus (the query API of backtest and report)", () => {
  it("maps url, auth and tenant; an environment's block replaces the config's whole", () => {
    const r = load(config("prometheus:\n  url: ${PROMETHEUS_URL}\n  bearerToken: ${PROM_TOKEN}\n  tenant: team-a", "environments:\n  staging:\n    prometheus: { url: http://staging:9090 }\n  production: {}\n"));
    expect(errorsOf(r)).toEqual([]);
    const byEnv = Object.fromEntries(r.projects.map((p) => [p.environment, p.prometheus]));
    expect(byEnv).toEqual({ production: { url: "${PROMETHEUS_URL}", bearerToken: "${PROM_TOKEN}", tenant: "team-a" }, staging: { url: "http://staging:9090" } });
  });

  it("refuses a literal token at its line and column", () => {
    const errors = errorsOf(load(config("prometheus:\n  url: http://prom:9090\n  bearerToken: abcdef123456")));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^5:16 .*environment reference like \$\{MY_SECRET\}/);
  });

  it("refuses bearerToken and basicAuth together, at basicAuth", () => {
    const errors = errorsOf(load(config("prometheus:\n  url: http://prom:9090\n  bearerToken: ${T}\n  basicAuth: { username: u, password: \"${P}\" }")));
    expect(errors).toEqual(["6:3 set either bearerToken or basicAuth, not both: the query API takes one Authorization header"]);
  });

  it("refuses a URL that is not http(s) nor a reference", () => {
    const errors = errorsOf(load(config("prometheus:\n  url: prom:9090")));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^4:8 .*an http\(s\) URL or an environment reference like \$\{PROMETHEUS_URL\}/);
  });
});
