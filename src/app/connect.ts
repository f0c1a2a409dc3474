/**
 * The real connector: credentials from the environment, one circuit breaker per target and
 * project, every request counted. Loaded lazily so `validate` and `generate` never pay for
 * the HTTP clients.
 */
import { expandReferences } from "../lib/env-ref.js";
import { createDatadogHandlers } from "../targets/datadog/index.js";
import { createGrafanaHandlers } from "../targets/grafana/index.js";
import { CircuitBreaker } from "../targets/resilience.js";
import { datadogCredentials, grafanaCredentials } from "./credentials.js";
import type { Connector } from "./live-state.js";

export const connect: Connector = async (project, target, env, stats) => {
  const breaker = new CircuitBreaker(target);
  if (target === "grafana") {
    const c = grafanaCredentials(project, env);
    const handlers = createGrafanaHandlers({
      url: c.url,
      token: c.token,
      tokenVariable: c.tokenVariable,
      allowUiEdits: c.allowUiEdits,
      // Contact point secrets are resolved at write time only, never stored in a plan.
      resolveSecret: (name) => {
        const { value, missing } = expandReferences(`\${${name}}`, env);
        return missing.length ? undefined : value;
      },
      breaker,
      onRequest: (method, route, status) => stats.record("grafana", method, route, status),
    });
    return { target, handlers, breaker };
  }
  const c = datadogCredentials(project, env);
  const handlers = createDatadogHandlers({
    apiKey: c.apiKey,
    appKey: c.appKey,
    site: c.site,
    ...(c.host !== undefined ? { host: c.host } : {}),
    ...(project.environment !== undefined ? { environment: project.environment } : {}),
    breaker,
    onRequest: (method, route, status) => stats.record("datadog", method, route, status),
  });
  return { target, handlers, breaker };
};
