/**
 * Replays a recorded scenario against a fresh emulator and lists every difference from the
 * recording: status, response shape (key sets and types, recursively), values where they are
 * meaningful, threshold numbers as written (`2.0`), and rate-limit headers.
 *
 * Ids: the emulator hands out its own ids. Each recorded create's id is mapped to the
 * emulator's, and later URLs, request bodies and expected responses are rewritten through that
 * map (whole-number matches). `id_offset=<n>` (a recorded id minus one) maps to the emulator id
 * of the next recorded monitor, minus one.
 *
 * State the recording did not create (the org's existing monitors that lists, searches and
 * GETs return) is seeded from the recorded answers before the replay, with the recorded ids.
 */
import type { DatadogEmulator } from "./server.js";
import { isEmulatedMonitorCall, sideCallKind, tryJson, type RecordedInteraction, type Scenario } from "./cassettes.js";

export interface ReplayResult {
  replayed: number;
  mismatches: string[];
}

/** Keys whose values differ per run or per org: only presence (and, for creator, key set) is compared. */
const VOLATILE_KEYS = new Set(["created", "modified", "created_at", "org_id", "overall_state_modified", "creator"]);
/**
 * Keys the emulator sends that older recordings lack: fields Datadog added later (`draft_status`,
 * `assets`, `restriction_policy` — absent before 2025; `priority` — absent in 2020) and
 * `groupby_simple_monitor`, a log-monitor default absent from 2023 recordings.
 */
const EXTRA_KEYS_ALLOWED = new Set(["draft_status", "assets", "restriction_policy", "groupby_simple_monitor", "priority"]);
/**
 * Keys recordings have that the emulator does not send: `run_as` / `restricted` /
 * `avalanche_window` appear only for org 2 (Datadog's own org, feature-flagged); `locked` was an
 * option default before 2022.
 */
const MISSING_KEYS_ALLOWED = new Set(["run_as", "restricted", "avalanche_window", "locked"]);

export async function replayScenario(dd: DatadogEmulator, scenario: Scenario): Promise<ReplayResult> {
  const ids = new IdMap();
  seedPreexistingMonitors(dd, scenario);
  const mismatches: string[] = [];
  let replayed = 0;
  for (const [index, recorded] of inRecordedOrderOfEffects(scenario.interactions).entries()) {
    const path = recorded.url.split("?")[0]!;
    const side = sideCallKind(recorded.method, path);
    if (side) {
      applySideCall(dd, side, recorded, ids);
      continue;
    }
    if (!isEmulatedMonitorCall(recorded.method, path)) continue;
    replayed++;
    const where = `#${index} ${recorded.method} ${recorded.url}`;
    const forbidden = recorded.status === 403;
    const res = await fetch(dd.url + ids.rewriteUrl(recorded.url), {
      method: recorded.method,
      headers: {
        // The recorded 403s come from the clients' fake-credentials tests.
        "DD-API-KEY": forbidden ? "fake-api-key" : dd.apiKey,
        "DD-APPLICATION-KEY": forbidden ? "fake-app-key" : dd.appKey,
        "content-type": "application/json",
      },
      ...(recorded.requestBody !== "" && recorded.method !== "GET" && recorded.method !== "DELETE" ? { body: ids.rewrite(recorded.requestBody) } : {}),
    });
    const text = await res.text();
    if (res.status !== recorded.status) {
      mismatches.push(`${where}: status ${res.status}, recorded ${recorded.status}; answer ${text.slice(0, 300)}`);
      continue;
    }
    const actual = tryJson(text);
    if (recorded.method === "POST" && path === "/api/v1/monitor" && res.status === 200) {
      ids.add((tryJson(recorded.responseBody) as { id: number }).id, (actual as { id: number }).id);
    }
    const expected = tryJson(ids.rewrite(recorded.responseBody));
    const searchAnswer = path === "/api/v1/monitor/search" && res.status === 200;
    // A real monitor starts evaluating after its creation: later reads may say "OK" or "Alert"
    // where the emulator (which evaluates nothing) keeps "No Data".
    const volatile = recorded.method === "GET" ? ["overall_state"] : [];
    compareJson(expected, actual, "$", searchAnswer ? "shape" : "values", (m) => mismatches.push(`${where}: ${m}`), volatile);
    // List answers hold the org's older monitors, some written before thresholds were floats.
    if (!(recorded.method === "GET" && (path === "/api/v1/monitor" || searchAnswer))) {
      for (const m of compareThresholdText(ids.rewrite(recorded.responseBody), text)) mismatches.push(`${where}: ${m}`);
    }
    for (const m of compareRateLimitHeaders(recorded, res.headers)) mismatches.push(`${where}: ${m}`);
  }
  return { replayed, mismatches };
}

/**
 * Terraform creates resources in parallel, and go-vcr can save a list answer that already holds
 * a monitor whose create it saved later (TestAccDatadogMonitorsDatasource). Such creates are
 * moved before the first answer that shows their monitor.
 */
function inRecordedOrderOfEffects(interactions: RecordedInteraction[]): RecordedInteraction[] {
  const isCreate = (i: RecordedInteraction) => i.method === "POST" && i.url.split("?")[0] === "/api/v1/monitor" && i.status === 200;
  const createdId = (i: RecordedInteraction) => (tryJson(i.responseBody) as { id: number }).id;
  const ordered = [...interactions];
  for (const create of interactions.filter(isCreate)) {
    const id = createdId(create);
    const from = ordered.indexOf(create);
    const firstSeen = ordered.findIndex((i, n) => n < from && i.method === "GET" && i.status === 200 && new RegExp(`"id":\\s*${id}\\b`).test(i.responseBody));
    if (firstSeen >= 0) {
      ordered.splice(from, 1);
      ordered.splice(firstSeen, 0, create);
    }
  }
  return ordered;
}

class IdMap {
  private map = new Map<number, number>();

  add(recorded: number, emulated: number): void {
    this.map.set(recorded, emulated);
  }

  rewrite(text: string): string {
    if (this.map.size === 0) return text;
    return text.replace(/\b\d{5,}\b/g, (n) => String(this.map.get(Number(n)) ?? n));
  }

  rewriteUrl(url: string): string {
    const [path, query = ""] = url.split("?") as [string, string?];
    const params = new URLSearchParams(query);
    const offset = params.get("id_offset");
    if (offset !== null && !this.map.has(Number(offset))) {
      const next = [...this.map.keys()].filter((id) => id > Number(offset)).sort((a, b) => a - b)[0];
      if (next !== undefined) params.set("id_offset", String(this.map.get(next)! - 1));
    }
    const rewrittenQuery = this.rewrite(params.toString());
    return this.rewrite(path) + (query === "" && rewrittenQuery === "" ? "" : `?${rewrittenQuery}`);
  }
}

function applySideCall(dd: DatadogEmulator, kind: "slo-create" | "slo-delete" | "opaque", recorded: RecordedInteraction, ids: IdMap): void {
  if (kind === "slo-create") {
    const request = tryJson(recorded.requestBody) as { monitor_ids?: number[] };
    const slo = (tryJson(recorded.responseBody) as { data: { id: string; name: string }[] }).data[0]!;
    for (const monitorId of request.monitor_ids ?? []) {
      dd.state.addSloReference(Number(ids.rewrite(String(monitorId))), { id: slo.id, name: slo.name });
    }
  } else if (kind === "slo-delete") {
    dd.state.removeSloReference(recorded.url.split("?")[0]!.split("/").pop()!);
  }
}

type RecordedMonitor = Record<string, unknown> & { id: number; type: string; query: string };

/** Monitors the recorded answers show but the scenario never created: the org's existing state. */
function seedPreexistingMonitors(dd: DatadogEmulator, scenario: Scenario): void {
  const created = new Set<number>();
  for (const i of scenario.interactions) {
    if (i.method === "POST" && i.url.split("?")[0] === "/api/v1/monitor" && i.status === 200) created.add((tryJson(i.responseBody) as { id: number }).id);
  }
  for (const i of scenario.interactions) {
    const path = i.url.split("?")[0]!;
    if (i.method !== "GET" || i.status !== 200) continue;
    let monitors: RecordedMonitor[] = [];
    if (path === "/api/v1/monitor") monitors = tryJson(i.responseBody) as RecordedMonitor[];
    else if (/^\/api\/v1\/monitor\/\d+$/.test(path)) monitors = [tryJson(i.responseBody) as RecordedMonitor];
    else if (path === "/api/v1/monitor/search") monitors = (tryJson(i.responseBody) as { monitors: RecordedMonitor[] }).monitors;
    for (const m of monitors) {
      if (created.has(m.id) || dd.state.monitors.has(m.id)) continue;
      const creator = m.creator as { name: string | null; handle: string; email?: string; id: number };
      const seeded = dd.state.seed({
        id: m.id,
        type: m.type,
        query: m.query,
        name: String(m.name),
        message: typeof m.message === "string" ? m.message : "",
        tags: (m.tags as string[]) ?? [],
        multi: Boolean(m.multi),
        priority: (m.priority as number | null) ?? null,
        restrictedRoles: (m.restricted_roles as string[] | null) ?? null,
        draftStatus: typeof m.draft_status === "string" ? m.draft_status : "published",
        assets: Array.isArray(m.assets) ? m.assets : [],
        creator: { name: creator?.name ?? null, handle: creator?.handle ?? "", email: creator?.email ?? creator?.handle ?? "", id: typeof creator?.id === "number" ? creator.id : 0 },
        overallState: typeof m.overall_state === "string" ? m.overall_state : typeof m.status === "string" ? m.status : "No Data",
        ...(Array.isArray(m.matching_downtimes) ? { matchingDowntimes: m.matching_downtimes } : {}),
      });
      // Recorded options are stored verbatim: the server already added its defaults.
      if (m.options) dd.state.monitors.set(m.id, { ...seeded, options: m.options as Record<string, unknown> });
    }
  }
}

/**
 * Recursive comparison of a recorded answer with the emulator's. "values" compares every
 * value (ids already mapped) except the volatile keys; "shape" compares key sets and types
 * only, arrays by their first element (for answers that depend on a whole org's state).
 */
export function compareJson(
  expected: unknown,
  actual: unknown,
  path: string,
  mode: "values" | "shape",
  report: (m: string) => void,
  volatileKeys: readonly string[] = [],
): void {
  const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  if (kind(expected) !== kind(actual)) {
    if (mode === "shape" && (expected === null || actual === null)) return;
    report(`${path}: ${kind(actual)} ${JSON.stringify(actual)?.slice(0, 120)}, recorded ${kind(expected)} ${JSON.stringify(expected)?.slice(0, 120)}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (mode === "shape") {
      if (expected.length > 0 && actual.length > 0) compareJson(expected[0], actual[0], `${path}[0]`, mode, report);
      return;
    }
    if (expected.length !== actual.length) {
      report(`${path}: ${actual.length} items, recorded ${expected.length}`);
      return;
    }
    expected.forEach((e, i) => compareJson(e, actual[i], `${path}[${i}]`, mode, report, volatileKeys));
    return;
  }
  if (expected && typeof expected === "object") {
    const exp = expected as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    const missing = Object.keys(exp).filter((k) => !(k in act) && !MISSING_KEYS_ALLOWED.has(k));
    const extra = Object.keys(act).filter((k) => !(k in exp) && !EXTRA_KEYS_ALLOWED.has(k));
    if (missing.length > 0) report(`${path}: missing keys ${missing.join(", ")}`);
    if (extra.length > 0) report(`${path}: extra keys ${extra.join(", ")}`);
    for (const key of Object.keys(exp)) {
      if (!(key in act)) continue;
      if (key === "overall_state_modified") continue;
      if (VOLATILE_KEYS.has(key) || volatileKeys.includes(key)) {
        compareJson(exp[key], act[key], `${path}.${key}`, "shape", report);
        continue;
      }
      compareJson(exp[key], act[key], `${path}.${key}`, mode, report, volatileKeys);
    }
    return;
  }
  if (mode === "values" && expected !== actual) report(`${path}: ${JSON.stringify(actual)}, recorded ${JSON.stringify(expected)}`);
}

/** Threshold numbers as written: Datadog answers `"critical":2.0`, JSON.parse cannot tell. */
function compareThresholdText(recordedText: string, actualText: string): string[] {
  const tokens = (text: string) =>
    [...text.matchAll(/"thresholds":\{([^{}]*)\}/g)]
      .flatMap((m) => m[1]!.split(","))
      .filter((t) => t !== "")
      .sort();
  const expected = tokens(recordedText);
  const actual = tokens(actualText);
  return expected.join() === actual.join() ? [] : [`thresholds written as ${actual.join(" ")}, recorded ${expected.join(" ")}`];
}

function compareRateLimitHeaders(recorded: RecordedInteraction, headers: Headers): string[] {
  const out: string[] = [];
  for (const name of ["x-ratelimit-limit", "x-ratelimit-period", "x-ratelimit-name"]) {
    const expected = recorded.responseHeaders[name];
    if (expected !== undefined && headers.get(name) !== expected) out.push(`header ${name}: ${headers.get(name)}, recorded ${expected}`);
  }
  return out;
}
