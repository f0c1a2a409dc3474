/**
 * Shared setup of the Grafana handler tests: the desired resources exactly as `generate`
 * wrote them (generated/production/grafana), and handlers wired to an emulator.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { DesiredResource, Json, ResourceKind } from "../../../src/plan/resource.js";
import type { KindHandler } from "../../../src/targets/handler.js";
import { createGrafanaHandlers, type GrafanaHandlerOptions } from "../../../src/targets/grafana/index.js";
import { CircuitBreaker } from "../../../src/targets/resilience.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../../emulators/grafana/server.js";

const GENERATED = new URL("../../../generated/production/grafana/", import.meta.url);
const read = (path: string): Json => JSON.parse(readFileSync(new URL(path, GENERATED), "utf8")) as Json;
type Obj = { [k: string]: Json };

/** The secrets the generated contact points refer to (values that must never leak). */
export const SECRETS: Record<string, string> = {
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.example/T0/B0/s3cr3t-data-alerts",
  SLACK_GROWTH_WEBHOOK: "https://hooks.slack.example/T0/B1/s3cr3t-growth",
  PD_DATA_ONCALL_KEY: "s3cr3t-pd-data",
  PD_PAYMENTS_KEY: "s3cr3t-pd-payments",
  ML_PLATFORM_WEBHOOK: "https://ml.example/hook?token=s3cr3t-ml",
};

export function desiredResources(): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const f of read("folders.json") as Obj[]) out.push({ kind: "grafana-folder", key: f.uid as string, body: f });
  for (const cp of read("contact-points.json") as Obj[]) out.push({ kind: "grafana-contact-point", key: cp.name as string, body: cp });
  for (const file of readdirSync(new URL("dashboards/", GENERATED)).sort()) {
    const d = read(`dashboards/${file}`) as Obj;
    const team = (d.tags as string[]).find((t) => t.startsWith("team:"))!.slice(5);
    out.push({ kind: "grafana-dashboard", key: d.uid as string, team, body: d });
  }
  for (const file of readdirSync(new URL("alert-rules/", GENERATED)).sort()) {
    const g = read(`alert-rules/${file}`) as Obj;
    out.push({ kind: "grafana-rule-group", key: `${g.folderUid as string}/${g.title as string}`, pipeline: g.title as string, body: g });
  }
  out.push({ kind: "grafana-notification-policy", key: "managed-subtree", body: read("notification-policy.json") });
  return out;
}

/**
 * One emulator for the test file, clean for every test: state, faults, hung requests,
 * forbidden routes and the request log are reset before each. `use` receives it once
 * started (call at the top level of the file).
 */
export function useGrafanaEmulator(use: (emulator: GrafanaEmulator) => void): void {
  let emulator: GrafanaEmulator | undefined;
  beforeAll(async () => {
    emulator = await startGrafanaEmulator();
    use(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    if (!emulator) return;
    emulator.reset();
    emulator.faults.clear();
    emulator.faults.releaseHung();
    emulator.auth.forbidden.length = 0;
    emulator.faults.requests.length = 0;
  });
}

export const FAST_POLICY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 2000 };

export interface Wired {
  handlers: Record<ResourceKind, KindHandler>;
  breaker: CircuitBreaker;
  requests: { method: string; route: string; status: number | "error" }[];
}

export function wire(emulator: GrafanaEmulator, overrides: Partial<GrafanaHandlerOptions> = {}): Wired {
  const requests: Wired["requests"] = [];
  const breaker = overrides.breaker ?? new CircuitBreaker("grafana", 50);
  const list = createGrafanaHandlers({
    url: emulator.url,
    token: emulator.token,
    tokenVariable: "GRAFANA_TOKEN",
    allowUiEdits: false,
    resolveSecret: (name) => SECRETS[name],
    breaker,
    policy: FAST_POLICY,
    onRequest: (method, route, status) => requests.push({ method, route, status }),
    ...overrides,
  });
  return { handlers: Object.fromEntries(list.map((h) => [h.kind, h])) as Record<ResourceKind, KindHandler>, breaker, requests };
}

/** Creates every desired resource in apply order, the way apply would on an empty Grafana. */
export async function createAll(handlers: KindHandler[], desired: DesiredResource[]): Promise<void> {
  for (const h of handlers) for (const d of desired.filter((x) => x.kind === h.kind)) await h.create(d);
}
