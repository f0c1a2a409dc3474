/**
 * Where plan and apply find their endpoints and credentials: the config's `${ENV}`
 * references (per environment), else the documented variables (GRAFANA_URL, GRAFANA_TOKEN,
 * DD_API_KEY, DD_APP_KEY, DD_SITE; DD_HOST overrides the Datadog base URL as in the
 * Terraform provider). Errors name the variable to set and never echo a value.
 */
import { expandReferences, referencedVariables, type EnvLookup } from "../lib/env-ref.js";
import type { Project } from "../model/types.js";

export interface GrafanaCredentials {
  url: string;
  token: string;
  /** The variable the token came from, for error messages. */
  tokenVariable: string;
  allowUiEdits: boolean;
}

export interface DatadogCredentials {
  apiKey: string;
  appKey: string;
  site: string;
  host?: string;
}

/** A setting that cannot be resolved: one line, says which variable to set. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialsError";
  }
}

interface Resolved {
  value: string;
  variable: string;
}

/** The config's reference (or literal), else the fallback variable. */
function setting(configured: string | undefined, fallbackVariable: string, env: EnvLookup, what: string, target: string): Resolved {
  const reference = configured ?? `\${${fallbackVariable}}`;
  const { value, missing } = expandReferences(reference, env);
  const variable = referencedVariables(reference)[0] ?? fallbackVariable;
  if (missing.length > 0 || value.trim() === "") {
    throw new CredentialsError(`${target}: ${what} is not set: export ${missing[0] ?? variable} (read from ${configured ? `the config's ${JSON.stringify(configured)}` : "the environment"})`);
  }
  return { value, variable };
}

export function grafanaCredentials(project: Project, env: EnvLookup): GrafanaCredentials {
  const where = project.environment ? `grafana (${project.environment})` : "grafana";
  const url = setting(project.grafana.url, "GRAFANA_URL", env, "the Grafana URL", where);
  if (!/^https?:\/\//.test(url.value)) throw new CredentialsError(`${where}: ${url.variable} must be an http(s) URL, e.g. https://grafana.example.com`);
  const token = setting(project.grafana.token, "GRAFANA_TOKEN", env, "the service account token", where);
  return { url: url.value.replace(/\/+$/, ""), token: token.value, tokenVariable: token.variable, allowUiEdits: project.grafana.allowUiEdits };
}

export function datadogCredentials(project: Project, env: EnvLookup): DatadogCredentials {
  const apiKey = setting(project.datadog.apiKey, "DD_API_KEY", env, "the API key", "datadog");
  const appKey = setting(project.datadog.appKey, "DD_APP_KEY", env, "the application key", "datadog");
  const site = project.datadog.site ? expandReferences(project.datadog.site, env).value : env("DD_SITE") || "datadoghq.com";
  const host = env("DD_HOST");
  return { apiKey: apiKey.value, appKey: appKey.value, site, ...(host ? { host: host.replace(/\/+$/, "") } : {}) };
}
