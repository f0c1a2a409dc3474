/**
 * The real connector: credentials from the environment, one circuit breaker per target and
 * project, every request counted. Loaded lazily so `validate` and `generate` never pay for
 * the HTTP clients.
 */
import { referencedVariables } from "../lib/env-ref.js";
import { withoutCredentials } from "../lib/scrub.js";
import { createDatadogHandlers, createDatadogLock, type DatadogHandlerOptions } from "../targets/datadog/index.js";
import { createGrafanaHandlers, createGrafanaLock, type GrafanaHandlerOptions } from "../targets/grafana/index.js";
import { CircuitBreaker } from "../targets/resilience.js";
import { datadogCredentials, grafanaCredentials, registerRunSecrets } from "./credentials.js";
import type { Connector } from "./live-state.js";
import type { Progress } from "./progress.js";
import type { TargetName } from "../plan/resource.js";

/** The retry wait, told to the progress display (a run stuck on a rate limit says so). */
function reportedSleep(target: TargetName, progress: Progress | undefined): ((ms: number) => Promise<void>) | undefined {
  if (!progress) return undefined;
  return (ms) => {
    progress.waiting(target, ms);
    return new Promise<void>((resolve) => setTimeout(resolve, ms)).finally(() => progress.waited(target));
  };
}

export const connect: Connector = async (project, target, env, stats, progress) => {
  // Before anything is resolved or sent: every message from here on is scrubbed of them.
  registerRunSecrets(project, env);
  const breaker = new CircuitBreaker(target);
  const sleep = reportedSleep(target, progress);
  if (target === "grafana") {
    const c = grafanaCredentials(project, env);
    const options: GrafanaHandlerOptions = {
      url: c.url,
      token: c.token,
      tokenVariable: c.tokenVariable,
      allowUiEdits: c.allowUiEdits,
      // Contact point secrets are resolved at write time only, never stored in a plan.
      resolveSecret: (name) => env(name) || undefined,
      breaker,
      onRequest: (method, route) => stats.record("grafana", method, route),
      ...(sleep ? { sleep } : {}),
    };
    return { target, handlers: createGrafanaHandlers(options), breaker, lock: createGrafanaLock(options, project.environment) };
  }
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
    breaker,
    onRequest: (method, route) => stats.record("datadog", method, route),
    ...(sleep ? { sleep } : {}),
  };
  return { target, handlers: createDatadogHandlers(options), breaker, lock: createDatadogLock(options) };
};

function linkValue(value: string | undefined): string | undefined {
  return value === undefined ? undefined : withoutCredentials(value).replace(/\/+$/, "");
}
