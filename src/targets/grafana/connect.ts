/** Grafana's handlers and apply lock for one project, from its resolved connection settings. */
import type { EnvLookup } from "../../lib/env-ref.js";
import type { Project } from "../../model/types.js";
import type { ConnectContext, TargetConnection } from "../target.js";
import { grafanaCredentials } from "./credentials.js";
import { createGrafanaHandlers, createGrafanaLock, type GrafanaHandlerOptions } from "./index.js";

export function connectGrafana(project: Project, env: EnvLookup, context: ConnectContext): TargetConnection {
  const c = grafanaCredentials(project, env);
  const options: GrafanaHandlerOptions = {
    url: c.url,
    token: c.token,
    tokenVariable: c.tokenVariable,
    allowUiEdits: c.allowUiEdits,
    // Contact point secrets are resolved at write time only, never stored in a plan.
    resolveSecret: (name) => env(name) || undefined,
    breaker: context.breaker,
    onRequest: (method, route) => context.onRequest(method, route),
    ...(context.sleep ? { sleep: context.sleep } : {}),
  };
  return { handlers: createGrafanaHandlers(options), lock: createGrafanaLock(options, project.environment) };
}
