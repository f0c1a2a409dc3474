/**
 * Grafana's connection settings: grafana.url and grafana.token of the config (per
 * environment), else GRAFANA_URL and GRAFANA_TOKEN. user:password in the URL means what it
 * means to curl: HTTP Basic auth, used only when no token is set (both at once is refused as
 * ambiguous), and it never leaves the Authorization header.
 */
import { expandReferences, referencedVariables, type EnvLookup } from "../../lib/env-ref.js";
import { urlCredentials } from "../../lib/scrub.js";
import type { Project } from "../../model/types.js";
import { CredentialsError, missingSettingVariables, setting, type ConnectionSetting, type MissingVariable } from "../credentials.js";

export interface GrafanaCredentials {
  url: string;
  token: string;
  /** The variable the token came from, for error messages. */
  tokenVariable: string;
  allowUiEdits: boolean;
}

function connectionSettings(project: Project): ConnectionSetting[] {
  const where = project.environment ? `grafana (${project.environment})` : "grafana";
  return [
    { reference: project.grafana.url ?? "${GRAFANA_URL}", fallbackVariable: "GRAFANA_URL", what: `the URL of ${where}` },
    { reference: project.grafana.token ?? "${GRAFANA_TOKEN}", fallbackVariable: "GRAFANA_TOKEN", what: `the service account token of ${where}` },
  ];
}

/** Every unset variable behind the URL and token; with user:password in the URL (Basic auth) no token is needed. */
export function grafanaMissingVariables(project: Project, env: EnvLookup): MissingVariable[] {
  const basicAuth = urlCredentials(expandReferences(project.grafana.url ?? "${GRAFANA_URL}", env).value) !== undefined;
  return missingSettingVariables(connectionSettings(project).slice(0, basicAuth ? 1 : undefined), env);
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
