/**
 * Where plan and apply find their endpoints and credentials: the config's `${ENV}`
 * references (per environment), else the documented variables (GRAFANA_URL, GRAFANA_TOKEN,
 * DD_API_KEY, DD_APP_KEY, DD_SITE; DD_HOST overrides the Datadog base URL as in the
 * Terraform provider). Errors name the variable to set and never echo a value.
 *
 * user:password in the Grafana URL means what it means to curl: HTTP Basic auth. It is used
 * only when no token is set (both at once is refused as ambiguous) and never leaves the
 * Authorization header: links, messages and plans show the URL without it. Datadog
 * authenticates with its keys only, so a DD_HOST carrying user:password is refused.
 */
import { expandReferences, referencedVariables, type EnvLookup } from "../lib/env-ref.js";
import { runSecrets, urlCredentials } from "../lib/scrub.js";
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
  // user:password in the Grafana URL is Basic auth: then no token is needed.
  const basicAuth = target === "grafana" && urlCredentials(expandReferences(project.grafana.url ?? "${GRAFANA_URL}", env).value) !== undefined;
  for (const s of connectionSettings(project, target).slice(0, basicAuth ? 1 : undefined)) {
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
  const base = url.value.replace(/\/+$/, "");
  const tokenReference = project.grafana.token ?? "${GRAFANA_TOKEN}";
  if (urlCredentials(base)) {
    const tokenVariable = referencedVariables(tokenReference)[0] ?? "the config's grafana.token";
    if (expandReferences(tokenReference, env).missing.length === 0) {
      throw new CredentialsError(`${where}: ${url.variable} carries user:password (not shown) and ${tokenVariable} is set too: use one, preferably the token, and remove user:password from ${url.variable}`);
    }
    return { url: base, token: "", tokenVariable: `the user:password in ${url.variable}`, allowUiEdits: project.grafana.allowUiEdits };
  }
  const token = setting(project.grafana.token, "GRAFANA_TOKEN", env, "the service account token", where);
  return { url: base, token: token.value, tokenVariable: token.variable, allowUiEdits: project.grafana.allowUiEdits };
}

export function datadogCredentials(project: Project, env: EnvLookup): DatadogCredentials {
  const apiKey = setting(project.datadog.apiKey, "DD_API_KEY", env, "the API key", "datadog");
  const appKey = setting(project.datadog.appKey, "DD_APP_KEY", env, "the application key", "datadog");
  const site = project.datadog.site ? expandReferences(project.datadog.site, env).value : env("DD_SITE") || "datadoghq.com";
  const host = env("DD_HOST");
  // Checked before any use: fetch would refuse the URL and quote it whole in its error.
  if (host && /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i.test(host)) {
    throw new CredentialsError("datadog: DD_HOST carries user:password (not shown): Datadog authenticates with DD_API_KEY and DD_APP_KEY only; set DD_HOST to the bare base URL, e.g. https://api.datadoghq.eu");
  }
  return { apiKey: apiKey.value, appKey: appKey.value, site, ...(host ? { host: host.replace(/\/+$/, "") } : {}) };
}

/**
 * Registers every secret value this run may send with the run's scrubber, before anything is
 * sent: the token and keys (the config's references or the documented variables), the
 * user:password of the Grafana URL and of DD_HOST, and every `${VAR}` value a channel's
 * settings resolve to. Without a project, the documented variables only (validate, generate
 * and test resolve nothing, but a value may still be echoed somewhere).
 */
export function registerRunSecrets(project: Project | undefined, env: EnvLookup): void {
  const secret = (reference: string): void => {
    for (const name of referencedVariables(reference)) runSecrets.add(env(name));
    const { value, missing } = expandReferences(reference, env);
    if (missing.length === 0 && referencedVariables(reference).length > 0) runSecrets.add(value);
  };
  const url = (reference: string): void => {
    for (const name of referencedVariables(reference)) runSecrets.addUrlCredentials(env(name));
    runSecrets.addUrlCredentials(expandReferences(reference, env).value);
  };
  secret(project?.grafana.token ?? "${GRAFANA_TOKEN}");
  secret(project?.datadog.apiKey ?? "${DD_API_KEY}");
  secret(project?.datadog.appKey ?? "${DD_APP_KEY}");
  url(project?.grafana.url ?? "${GRAFANA_URL}");
  const host = env("DD_HOST");
  if (host) runSecrets.addUrlCredentials(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`);
  for (const channel of Object.values(project?.channels ?? {})) {
    for (const value of Object.values(channel.settings)) for (const item of typeof value === "string" ? [value] : value) secret(item);
  }
}
