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
import { runSecrets } from "../lib/scrub.js";
import type { Project } from "../model/types.js";

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

/** One connection setting: the config's reference, the documented variable behind it, and what it is for. */
export interface ConnectionSetting {
  reference: string;
  fallbackVariable: string;
  what: string;
}

/**
 * Every unset variable behind these settings, all at once (the resolvers stop at the
 * first): what preflight names before any request is sent.
 */
export function missingSettingVariables(settings: readonly ConnectionSetting[], env: EnvLookup): MissingVariable[] {
  const missing: MissingVariable[] = [];
  for (const s of settings) {
    const { value, missing: names } = expandReferences(s.reference, env);
    if (names.length > 0) for (const name of names) missing.push({ name, usedBy: s.what });
    else if (value.trim() === "") missing.push({ name: referencedVariables(s.reference)[0] ?? s.fallbackVariable, usedBy: s.what });
  }
  return missing;
}

/** Runs a credentials resolver only to find what is wrong with the settings (a URL that is not one). */
export function credentialsProblem(resolve: () => unknown): string | undefined {
  try {
    resolve();
    return undefined;
  } catch (e) {
    if (e instanceof CredentialsError) return e.message;
    throw e;
  }
}

export interface Resolved {
  value: string;
  variable: string;
}

/** The config's reference (or literal), else the fallback variable. */
export function setting(configured: string | undefined, fallbackVariable: string, env: EnvLookup, what: string, target: string): Resolved {
  const reference = configured ?? `\${${fallbackVariable}}`;
  const { value, missing } = expandReferences(reference, env);
  const variable = referencedVariables(reference)[0] ?? fallbackVariable;
  if (missing.length > 0 || value.trim() === "") {
    throw new CredentialsError(`${target}: ${what} is not set: export ${missing[0] ?? variable} (read from ${configured ? `the config's ${JSON.stringify(configured)}` : "the environment"})`);
  }
  return { value, variable };
}

/**
 * Registers every secret value this run may send with the run's scrubber, before anything is
 * sent: the token and keys (the config's references or the documented variables), the
 * user:password of the Grafana URL, of DD_HOST and of the Prometheus query URL, the query
 * API's token or password, GITHUB_TOKEN, and every `${VAR}` value a channel's
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
  // The history store (backtest, report) and the pull-request comment's token.
  if (project?.prometheus?.bearerToken !== undefined) secret(project.prometheus.bearerToken);
  if (project?.prometheus?.basicAuth !== undefined) secret(project.prometheus.basicAuth.password);
  url(project?.prometheus?.url ?? "${PROMETHEUS_URL}");
  secret("${GITHUB_TOKEN}");
  const host = env("DD_HOST");
  if (host) runSecrets.addUrlCredentials(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`);
  for (const channel of Object.values(project?.channels ?? {})) {
    for (const value of Object.values(channel.settings)) for (const item of typeof value === "string" ? [value] : value) secret(item);
  }
}
