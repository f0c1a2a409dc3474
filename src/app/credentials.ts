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
