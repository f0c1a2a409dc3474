/** Shared setup: the Datadog emulator and a handler pointed at it with a fast retry policy. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DesiredResource, Json } from "../../../src/plan/resource.js";
import type { KindHandler } from "../../../src/targets/handler.js";
import { CircuitBreaker, type RetryPolicy } from "../../../src/targets/resilience.js";
import { createDatadogHandlers, desiredMonitors } from "../../../src/targets/datadog/index.js";
import { startDatadogEmulator, type DatadogEmulator, type DatadogEmulatorOptions } from "../../emulators/datadog/server.js";

export const GRAFANA_URL = "https://grafana.example.com";

/** Small delays so retries are fast; only a server-requested wait can make a test slow. */
export const FAST_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 5_000, timeoutMs: 400 };

export interface RequestCount {
  method: string;
  route: string;
  status: number | "error";
}

export interface Setup {
  emulator: DatadogEmulator;
  handler: KindHandler;
  breaker: CircuitBreaker;
  requests: RequestCount[];
  /** Requests the emulator saw for a method and path (regexp source), e.g. ("GET", "^/api/v1/monitor$"). */
  seen(method: string, path: string): number;
}

export interface SetupOptions {
  emulator?: DatadogEmulatorOptions;
  environment?: string;
  policy?: RetryPolicy;
  breakerThreshold?: number;
  apiKey?: string;
  appKey?: string;
  lateCommitWindowMs?: number;
}

export async function setup(opts: SetupOptions = {}): Promise<Setup> {
  const emulator = await startDatadogEmulator(opts.emulator);
  const breaker = new CircuitBreaker("datadog", opts.breakerThreshold ?? 5);
  const requests: RequestCount[] = [];
  const [handler] = createDatadogHandlers({
    apiKey: opts.apiKey ?? emulator.apiKey,
    appKey: opts.appKey ?? emulator.appKey,
    host: emulator.url,
    ...(opts.environment ? { environment: opts.environment } : {}),
    breaker,
    policy: opts.policy ?? FAST_POLICY,
    onRequest: (method, route, status) => requests.push({ method, route, status }),
    variables: { GRAFANA_URL },
    // Short: a create reset before the server stored it is resent after this much looking.
    lateCommitWindowMs: opts.lateCommitWindowMs ?? 300,
  });
  if (!handler) throw new Error("no handler");
  const seen = (method: string, path: string) => emulator.faults.requests.filter((r) => r.method === method && new RegExp(path).test(r.path)).length;
  return { emulator, handler, breaker, requests, seen };
}

const GENERATED = join(import.meta.dirname, "../../../generated/production/datadog/monitors");

/** Every monitor `pipemon generate` wrote for the production environment of the demo specs. */
export function productionMonitors(): DesiredResource[] {
  const bodies: Json[] = [];
  for (const file of readdirSync(GENERATED).filter((f) => f.endsWith(".json")).sort()) {
    bodies.push(...(JSON.parse(readFileSync(join(GENERATED, file), "utf8")) as Json[]));
  }
  return desiredMonitors(bodies, "production");
}

/** A minimal valid pipemon monitor body for `<pipeline>/<alert>` in an environment. */
export function monitorBody(pipeline: string, alert: string, env = "production"): Json {
  return {
    name: `[pipemon] ${pipeline}: ${alert} (${env})`,
    type: "query alert",
    query: `avg(last_5m):avg:system.cpu.user{pipeline:${pipeline}} > 90`,
    message: `CPU of ${pipeline}. Dashboard: \${GRAFANA_URL}/d/pm-${pipeline}`,
    priority: 3,
    tags: ["managed-by:pipemon", `pipemon-id:${pipeline}/${alert}`, `env:${env}`, `pipeline:${pipeline}`, "team:data"],
    options: { thresholds: { critical: 90, warning: 80 }, notify_no_data: false, include_tags: true },
  };
}

export function desired(pipeline: string, alert: string, env = "production"): DesiredResource {
  const [resource] = desiredMonitors([monitorBody(pipeline, alert, env)], env);
  return resource!;
}

/** Runs `tasks` with at most `limit` at a time (what apply --concurrency does). */
export async function runConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(workers);
}
