/**
 * Loads the recorded Datadog traffic in test/contracts/datadog/cassettes into one shape,
 * whatever recorded it: Polly.JS HAR (TypeScript client), go-vcr v2 YAML (Go client, Terraform
 * provider) and vcrpy YAML with gzip-compressed bodies (datadogpy). Then decides which
 * recordings the fidelity replay covers, and why the others are left out.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";

export interface RecordedInteraction {
  method: string;
  /** Path and query, without scheme and host. */
  url: string;
  requestBody: string;
  status: number;
  responseBody: string;
  /** Response headers, names lower-cased. */
  responseHeaders: Record<string, string>;
}

export interface Cassette {
  /** Path relative to the cassettes root. */
  name: string;
  format: "har" | "go-vcr" | "vcrpy";
  interactions: RecordedInteraction[];
}

export function loadAllCassettes(root: string): Cassette[] {
  const files = walk(root).filter((f) => f.endsWith(".har") || f.endsWith(".yaml"));
  return files.map((file) => loadCassette(file, relative(root, file))).filter((c) => c.interactions.length > 0);
}

export function loadCassette(file: string, name: string): Cassette {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".har")) return { name, format: "har", interactions: loadHar(text) };
  const doc = (parseYaml(text, { customTags: ["binary"] }) ?? {}) as { interactions?: unknown[] };
  const interactions = (doc.interactions ?? []) as Record<string, Record<string, unknown>>[];
  const isVcrpy = interactions.some((i) => typeof i.request?.uri === "string");
  return { name, format: isVcrpy ? "vcrpy" : "go-vcr", interactions: interactions.map(isVcrpy ? fromVcrpy : fromGoVcr) };
}

interface HarEntry {
  request: { method: string; url: string; postData?: { text?: string } };
  response: { status: number; headers: { name: string; value: string }[]; content: { text?: string; encoding?: string } };
}

function loadHar(text: string): RecordedInteraction[] {
  const har = JSON.parse(text) as { log: { entries: HarEntry[] } };
  return har.log.entries.map((e) => ({
    method: e.request.method,
    url: pathAndQuery(e.request.url),
    requestBody: e.request.postData?.text ?? "",
    status: e.response.status,
    responseBody: e.response.content.encoding === "base64" ? Buffer.from(e.response.content.text ?? "", "base64").toString("utf8") : (e.response.content.text ?? ""),
    responseHeaders: Object.fromEntries(e.response.headers.map((h) => [h.name.toLowerCase(), h.value])),
  }));
}

function fromGoVcr(i: Record<string, Record<string, unknown>>): RecordedInteraction {
  const req = i.request!;
  const res = i.response!;
  return {
    method: String(req.method),
    url: pathAndQuery(String(req.url)),
    requestBody: String(req.body ?? "").trim(),
    status: Number(res.code),
    responseBody: String(res.body ?? ""),
    responseHeaders: flattenHeaders(res.headers),
  };
}

function fromVcrpy(i: Record<string, Record<string, unknown>>): RecordedInteraction {
  const req = i.request!;
  const res = i.response!;
  const raw = (res.body as { string?: unknown } | undefined)?.string;
  const headers = flattenHeaders(res.headers);
  let responseBody = "";
  if (raw instanceof Uint8Array) responseBody = (headers["content-encoding"] === "gzip" ? gunzipSync(raw) : Buffer.from(raw)).toString("utf8");
  else if (typeof raw === "string") responseBody = raw;
  return {
    method: String(req.method),
    url: pathAndQuery(String(req.uri)),
    requestBody: typeof req.body === "string" ? req.body : "",
    status: Number((res.status as { code: number }).code),
    responseBody,
    responseHeaders: headers,
  };
}

function flattenHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((headers ?? {}) as Record<string, unknown>)) out[k.toLowerCase()] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

function pathAndQuery(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

// ---- scenarios -----------------------------------------------------------------------------

export interface Scenario {
  name: string;
  interactions: RecordedInteraction[];
}

/**
 * The Go client's hand-written tests record a parent cassette (setup and the deferred cleanup)
 * and one cassette per subtest (`TestX/403_Forbidden.yaml`) that uses the parent's monitors.
 * Replayed as one scenario: the parent's non-DELETE calls, the subtests (by name), then the
 * parent's DELETEs.
 */
export function toScenarios(cassettes: Cassette[]): Scenario[] {
  const stem = (c: Cassette) => c.name.replace(/\.(yaml|har)$/, "");
  const stems = new Set(cassettes.map(stem));
  const isChild = (c: Cassette) => c.format === "go-vcr" && stems.has(dirname(stem(c)));
  const scenarios: Scenario[] = [];
  for (const cassette of cassettes) {
    if (isChild(cassette)) continue;
    const children = cassettes.filter((c) => isChild(c) && dirname(stem(c)) === stem(cassette)).sort((a, b) => a.name.localeCompare(b.name));
    if (children.length === 0) {
      scenarios.push({ name: cassette.name, interactions: cassette.interactions });
      continue;
    }
    const setup = cassette.interactions.filter((i) => i.method !== "DELETE");
    const cleanup = cassette.interactions.filter((i) => i.method === "DELETE");
    scenarios.push({
      name: `${cassette.name} + ${children.map((c) => basename(c.name)).join(", ")}`,
      interactions: [...setup, ...children.flatMap((c) => c.interactions), ...cleanup],
    });
  }
  return scenarios;
}

/** The monitor calls pipemon makes, which the emulator serves. */
export function isEmulatedMonitorCall(method: string, path: string): boolean {
  return (
    (path === "/api/v1/monitor" && (method === "GET" || method === "POST")) ||
    (/^\/api\/v1\/monitor\/\d+$/.test(path) && ["GET", "PUT", "DELETE"].includes(method)) ||
    (path === "/api/v1/monitor/search" && method === "GET") ||
    (path === "/api/v1/monitor/can_delete" && method === "GET") ||
    (/^\/api\/v1\/monitor\/(\d+\/)?validate$/.test(path) && method === "POST")
  );
}

/** Calls outside the monitor API that the replay handles without an emulator. */
export function sideCallKind(method: string, path: string): "slo-create" | "slo-delete" | "opaque" | undefined {
  if (method === "POST" && path === "/api/v1/slo") return "slo-create";
  if (method === "DELETE" && /^\/api\/v1\/slo\/[^/]+$/.test(path)) return "slo-delete";
  // Roles only feed `restricted_roles`, which the emulator stores as opaque ids.
  if (/^\/api\/v2\/(roles|permissions)(\/|$)/.test(path)) return "opaque";
  return undefined;
}

/** Monitor kinds the emulator validates (metric by grammar, log by comparison, composite by ids). */
export const REPLAYED_MONITOR_TYPES = new Set(["metric alert", "query alert", "log alert", "composite"]);

/**
 * Why a scenario is not replayed, or undefined when it is. Left out:
 * - scenarios with no call of the monitor endpoints pipemon uses (other APIs; the v2 monitor
 *   notification-rule / template / config-policy APIs; `/monitor/groups/search`);
 * - scenarios that depend on APIs the emulator does not have and that change monitor answers:
 *   downtimes (`silenced`, `matching_downtimes`), mute/unmute, synthetics tests, restriction
 *   policies, v2 tag policies;
 * - monitor kinds whose grammar and server-side defaults are not implemented: synthetics, service
 *   check, cost, data-jobs, data-quality, RUM, CI pipelines/tests, error tracking, LLM
 *   observability, and formula-and-functions metric queries (`formula(...)` with
 *   `options.variables`), which pipemon does not generate.
 */
export function exclusionReason(scenario: Scenario): string | undefined {
  const paths = scenario.interactions.map((i) => ({ method: i.method, path: i.url.split("?")[0]! }));
  if (!paths.some((p) => isEmulatedMonitorCall(p.method, p.path))) return "no call of the emulated monitor endpoints";
  for (const { method, path } of paths) {
    if (isEmulatedMonitorCall(method, path) || sideCallKind(method, path)) continue;
    return `depends on ${method} ${path.replace(/\/[0-9a-f-]{6,}$/i, "/{id}")}, not emulated`;
  }
  for (const i of scenario.interactions) {
    const path = i.url.split("?")[0]!;
    if (!isEmulatedMonitorCall(i.method, path) || !(i.method === "POST" || i.method === "PUT")) continue;
    const body = tryJson(i.requestBody) as { type?: unknown; query?: unknown } | undefined;
    const response = tryJson(i.responseBody) as { type?: unknown } | undefined;
    for (const type of [body?.type, response?.type]) {
      if (typeof type === "string" && type !== "" && !REPLAYED_MONITOR_TYPES.has(type)) return `monitor type "${type}" not implemented`;
    }
    if (typeof body?.query === "string" && body.query.trimStart().startsWith("formula(")) return "formula-and-functions query not implemented";
  }
  return undefined;
}

export function tryJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
