/**
 * The Grafana target: one handler per kind over one client (one breaker, one request log).
 */
import type { KindHandler } from "../handler.js";
import { TargetError } from "../handler.js";
import { CircuitBreaker, type RetryPolicy } from "../resilience.js";
import { GrafanaClient, type RequestObserver } from "./client.js";
import { ContactPointHandler } from "./contact-points.js";
import { DashboardHandler } from "./dashboards.js";
import { FolderHandler } from "./folders.js";
import type { TargetLock } from "../lock.js";
import { GrafanaApplyLock } from "./lock.js";
import { NotificationPolicyHandler } from "./notification-policy.js";
import { RuleGroupHandler } from "./rule-groups.js";

export { GrafanaClient, GrafanaRequestError, type GrafanaRoute, type RequestObserver } from "./client.js";
export { DASHBOARD_OWNER_TAG } from "./ownership.js";
export { MANAGED_SUBTREE_KEY } from "./notification-policy.js";
export { SECRET_MARKER } from "./contact-point-secrets.js";
export { ruleGroupKey } from "./rule-groups.js";

export interface GrafanaHandlerOptions {
  url: string;
  token: string;
  /** Where the token came from (e.g. GRAFANA_TOKEN): named in auth errors, never its value. */
  tokenVariable: string;
  /** Writes send X-Disable-Provenance so people can still edit the resources in the UI. */
  allowUiEdits: boolean;
  /** Value of a `${NAME}` secret placeholder, resolved at write time only. */
  resolveSecret: (name: string) => string | undefined;
  breaker: CircuitBreaker;
  policy?: RetryPolicy;
  /** Once per HTTP attempt, with the route template (`/api/dashboards/uid/{uid}`). */
  onRequest?: RequestObserver;
  /** Page size of paged lists; 1000 (Grafana's default) unless a test needs small pages. */
  pageSize?: number;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_PAGE_SIZE = 1000;

function clientFor(opts: GrafanaHandlerOptions): GrafanaClient {
  return new GrafanaClient({
    url: opts.url,
    token: opts.token,
    tokenVariable: opts.tokenVariable,
    allowUiEdits: opts.allowUiEdits,
    breaker: opts.breaker,
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  });
}

/** Handlers in apply order: folders, contact points, dashboards, rule groups, policy. */
export function createGrafanaHandlers(opts: GrafanaHandlerOptions): KindHandler[] {
  const client = clientFor(opts);
  const list = { pageSize: opts.pageSize ?? DEFAULT_PAGE_SIZE };
  return [
    new FolderHandler(client, list),
    new ContactPointHandler(client, opts.resolveSecret),
    new DashboardHandler(client, list),
    new RuleGroupHandler(client),
    new NotificationPolicyHandler(client),
  ];
}

/** The apply lock of this Grafana and environment (grafana/lock.ts). */
export function createGrafanaLock(opts: GrafanaHandlerOptions, environment?: string): TargetLock {
  // Its own breaker: a lock must still be released after the target's circuit opened.
  return new GrafanaApplyLock(clientFor({ ...opts, breaker: new CircuitBreaker("grafana") }), environment);
}

/**
 * Fails early with a one-line error when Grafana is unreachable, unhealthy or rejects the
 * token: health (no auth), then the cheapest authenticated read. Returns Grafana's version.
 */
export async function checkGrafana(opts: GrafanaHandlerOptions): Promise<{ version: string | undefined }> {
  const client = clientFor(opts);
  const health = await client.health();
  if (health.database !== "ok") throw new TargetError("grafana", `grafana: ${client.displayUrl} is unhealthy (database: ${health.database})`);
  await client.listFoldersPage(1, 1);
  return { version: health.version };
}
