/** Datadog's handlers and apply lock for one project, from its resolved connection settings. */
import { referencedVariables, type EnvLookup } from "../../lib/env-ref.js";
import { withoutCredentials } from "../../lib/scrub.js";
import type { Project } from "../../model/types.js";
import type { ConnectContext, TargetConnection } from "../target.js";
import { datadogCredentials } from "./credentials.js";
import { createDatadogHandlers, createDatadogLock, type DatadogHandlerOptions } from "./index.js";

export function connectDatadog(project: Project, env: EnvLookup, context: ConnectContext): TargetConnection {
  const c = datadogCredentials(project, env);
  const options: DatadogHandlerOptions = {
    apiKey: c.apiKey,
    appKey: c.appKey,
    site: c.site,
    ...(c.host !== undefined ? { host: c.host } : {}),
    ...(project.environment !== undefined ? { environment: project.environment } : {}),
    // Monitor messages link to Grafana through the config's URL reference: the URL is not a
    // secret, its user:password is (Basic auth for pipemon only), so links never carry it.
    variables: Object.fromEntries(referencedVariables(project.grafana.url ?? "${GRAFANA_URL}").map((name) => [name, linkValue(env(name))])),
    breaker: context.breaker,
    onRequest: (method, route) => context.onRequest(method, route),
    ...(context.sleep ? { sleep: context.sleep } : {}),
  };
  return { handlers: createDatadogHandlers(options), lock: createDatadogLock(options) };
}

function linkValue(value: string | undefined): string | undefined {
  return value === undefined ? undefined : withoutCredentials(value).replace(/\/+$/, "");
}
