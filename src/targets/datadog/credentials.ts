/**
 * Datadog's connection settings: datadog.apiKey, appKey and site of the config, else
 * DD_API_KEY, DD_APP_KEY and DD_SITE; DD_HOST overrides the API base URL as in the Terraform
 * provider. Datadog authenticates with its keys only, so a DD_HOST carrying user:password is refused.
 */
import { DATADOG_DEFAULT_SITE } from "../../lib/datadog-query.js";
import { expandReferences, type EnvLookup } from "../../lib/env-ref.js";
import type { Project } from "../../model/types.js";
import { CredentialsError, missingSettingVariables, setting, type MissingVariable } from "../credentials.js";

export interface DatadogCredentials {
  apiKey: string;
  appKey: string;
  site: string;
  host?: string;
}

/** Every unset variable behind the keys. */
export function datadogMissingVariables(project: Project, env: EnvLookup): MissingVariable[] {
  return missingSettingVariables([
    { reference: project.datadog.apiKey ?? "${DD_API_KEY}", fallbackVariable: "DD_API_KEY", what: "the Datadog API key" },
    { reference: project.datadog.appKey ?? "${DD_APP_KEY}", fallbackVariable: "DD_APP_KEY", what: "the Datadog application key" },
  ], env);
}

export function datadogCredentials(project: Project, env: EnvLookup): DatadogCredentials {
  const apiKey = setting(project.datadog.apiKey, "DD_API_KEY", env, "the API key", "datadog");
  const appKey = setting(project.datadog.appKey, "DD_APP_KEY", env, "the application key", "datadog");
  const site = project.datadog.site ? expandReferences(project.datadog.site, env).value : env("DD_SITE") || DATADOG_DEFAULT_SITE;
  const host = env("DD_HOST");
  // Checked before any use: fetch would refuse the URL and quote it whole in its error.
  if (host && /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i.test(host)) {
    throw new CredentialsError("datadog: DD_HOST carries user:password (not shown): Datadog authenticates with DD_API_KEY and DD_APP_KEY only; set DD_HOST to the bare base URL, e.g. https://api.datadoghq.eu");
  }
  return { apiKey: apiKey.value, appKey: appKey.value, site, ...(host ? { host: host.replace(/\/+$/, "") } : {}) };
}
