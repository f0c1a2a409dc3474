/**
 * Preflight names every variable a run needs and lacks, across environments, targets and
 * the contact points the selected resources use, before any request.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareProject } from "../../src/app/live-state.js";
import { missingVariables, preflight, PreflightError } from "../../src/app/preflight.js";
import { parseSelection } from "../../src/app/desired.js";
import { loadSpecs } from "../../src/spec/index.js";
import { REPO_ROOT } from "../support/cli.js";

const load = loadSpecs({ root: join(REPO_ROOT, "specs") });
const projects = (select: string[] = []) => {
  const selection = parseSelection(select);
  return load.projects.map((p) => {
    const prepared = prepareProject(p, { ...(selection ? { selection } : {}) });
    return { project: p, targets: prepared.targets, resources: prepared.desired };
  });
};

const ALL: Record<string, string> = {
  GRAFANA_URL: "http://127.0.0.1:1",
  GRAFANA_STAGING_URL: "http://127.0.0.1:2",
  GRAFANA_TOKEN: "grafana-token-value",
  DD_API_KEY: "dd-api-key-value",
  DD_APP_KEY: "dd-app-key-value",
  PD_DATA_ONCALL_KEY: "pd-oncall-value",
  PD_PAYMENTS_KEY: "pd-payments-value",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.example/x",
  SLACK_GROWTH_WEBHOOK: "https://hooks.example/y",
  ML_PLATFORM_WEBHOOK: "https://ml.example/z",
};
const without = (...names: string[]) => (name: string) => (names.includes(name) ? undefined : ALL[name]);

describe("preflight", () => {
  it("passes when everything is set; DD_SITE has a default in the config and is not needed", () => {
    expect(load.projects.length).toBeGreaterThan(1);
    expect(() => preflight(projects(), without("DD_SITE"))).not.toThrow();
  });

  it("names every missing variable at once: credentials of each environment and the contact points' secrets", () => {
    const env = without("GRAFANA_TOKEN", "DD_APP_KEY", "PD_DATA_ONCALL_KEY", "GRAFANA_STAGING_URL");
    const names = [...new Set(missingVariables(projects(), env).map((m) => m.name))].sort();
    expect(names).toEqual(["DD_APP_KEY", "GRAFANA_STAGING_URL", "GRAFANA_TOKEN", "PD_DATA_ONCALL_KEY"]);
    let message = "";
    try {
      preflight(projects(), env);
    } catch (e) {
      expect(e).toBeInstanceOf(PreflightError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^4 environment variables this run needs are not set: /);
    expect(message).toContain("PD_DATA_ONCALL_KEY (contact point pipemon-data-oncall (production))");
    expect(message).toContain("GRAFANA_STAGING_URL (the URL of grafana (staging))");
    expect(message).toContain("GRAFANA_TOKEN (the service account token of grafana (production), the service account token of grafana (staging))");
    expect(message).toMatch(/Export them and run again; no request was sent$/);
    expect(message.split("\n")).toHaveLength(1);
    for (const value of Object.values(ALL)) expect(message).not.toContain(value);
  });

  it("asks only for what the selected resources use: --select writes no contact point, so needs no channel secret", () => {
    const env = without("PD_DATA_ONCALL_KEY", "PD_PAYMENTS_KEY", "SLACK_DATA_ALERTS_WEBHOOK", "SLACK_GROWTH_WEBHOOK", "ML_PLATFORM_WEBHOOK");
    expect(() => preflight(projects(["orders-etl"]), env)).not.toThrow();
    expect(() => preflight(projects(), env)).toThrow(/5 environment variables/);
  });

  it("a Datadog-only run asks for Datadog's keys only: monitor links use the literal grafana.publicUrl", () => {
    const datadogOnly = load.projects.map((p) => {
      const prepared = prepareProject(p, { targets: ["datadog"] });
      return { project: p, targets: prepared.targets, resources: prepared.desired };
    });
    expect(datadogOnly.every((p) => [...p.resources].length > 0)).toBe(true);
    expect(missingVariables(datadogOnly, without("GRAFANA_URL", "GRAFANA_STAGING_URL", "GRAFANA_TOKEN", "DD_API_KEY")).map((m) => m.name)).toEqual(["DD_API_KEY", "DD_API_KEY"]);
  });

  it("a malformed setting (not a URL) is reported too, still before any request", () => {
    expect(() => preflight(projects(), (name) => (name === "GRAFANA_URL" ? "grafana.example.com" : ALL[name]))).toThrow(/GRAFANA_URL must be an http\(s\) URL.*no request was sent/);
  });
});
