/**
 * Where plan and apply find their endpoints and credentials: the config's `${ENV}`
 * references (per environment), else the documented variables (GRAFANA_URL, GRAFANA_TOKEN,
 * DD_API_KEY, DD_APP_KEY, DD_SITE; DD_HOST overrides the Datadog base URL as in the
 * Terraform provider). Errors name the variable to set and never echo a value.
 */
import { expandReferences, referencedVariables, type EnvLookup } from "../lib/env-ref.js";
import type { Project } from "../model/types.js";
import type { TargetName } from "../plan/resource.js";

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

/** A variable the run needs and cannot find, and what needs it (never a value). */
export interface MissingVariable {
  name: string;
  usedBy: string;
}

/** The settings a target's connection resolves: the config's reference, else the documented variable. */
function connectionSettings(project: Project, target: TargetName): Array<{ reference: string; fallbackVariable: string; what: string }> {
  if (target === "grafana") {
    const where = project.environment ? `grafana (${project.environment})` : "grafana";
    return [
      { reference: project.grafana.url ?? "${GRAFANA_URL}", fallbackVariable: "GRAFANA_URL", what: `the URL of ${where}` },
      { reference: project.grafana.token ?? "${GRAFANA_TOKEN}", fallbackVariable: "GRAFANA_TOKEN", what: `the service account token of ${where}` },
    ];
  }
  return [
    { reference: project.datadog.apiKey ?? "${DD_API_KEY}", fallbackVariable: "DD_API_KEY", what: "the Datadog API key" },
    { reference: project.datadog.appKey ?? "${DD_APP_KEY}", fallbackVariable: "DD_APP_KEY", what: "the Datadog application key" },
  ];
}

/**
 * Every unset variable behind a target's URL and credentials, all at once (the resolvers
 * below stop at the first): what preflight names before any request is sent.
 */
export function missingConnectionVariables(project: Project, target: TargetName, env: EnvLookup): MissingVariable[] {
  const missing: MissingVariable[] = [];
  for (const s of connectionSettings(project, target)) {
    const { value, missing: names } = expandReferences(s.reference, env);
    if (names.length > 0) for (const name of names) missing.push({ name, usedBy: s.what });
    else if (value.trim() === "") missing.push({ name: referencedVariables(s.reference)[0] ?? s.fallbackVariable, usedBy: s.what });
  }
  return missing;
}

/** Resolves a target's connection settings only to find what is wrong with them (a URL that is not one). */
export function connectionProblem(project: Project, target: TargetName, env: EnvLookup): string | undefined {
  try {
    if (target === "grafana") grafanaCredentials(project, env);
    else datadogCredentials(project, env);
    return undefined;
  } catch (e) {
    if (e instanceof CredentialsError) return e.message;
    throw e;
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
