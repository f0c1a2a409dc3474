/**
 * A Prometheus Pushgateway client for `pipemon run`: reads a group's current values back and
 * pushes the updated families, so counters accumulate across runs of short-lived jobs.
 *
 * Protocol (https://github.com/prometheus/pushgateway): a group is named by its grouping key
 * in the URL (`/metrics/job/<job>/<label>/<value>…`); `POST` replaces only the metric families
 * it carries within that group, `GET /api/v1/metrics` lists every group with its values.
 * The grouping key's labels are attached to every series of the group, so pushed lines carry
 * only the labels beyond it (status, error_type). Every family is pushed with its `# TYPE`:
 * a line without one would turn the family untyped for the whole Pushgateway.
 *
 * Nothing here logs or retries forever: every call takes the caller's AbortSignal (the run's
 * per-phase budget), and a transient fault is retried once, briefly.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export type Labels = Readonly<Record<string, string>>;

export interface FamilyUpdate {
  name: string;
  type: "counter" | "gauge";
  help: string;
  /** Series of the family, by their labels beyond the grouping key. */
  samples: readonly { labels: Labels; value: number }[];
  /**
   * `set`: the samples replace the family in the group. `add`: each sample adds its value to
   * the series' current one (absent: 0, so `add 0` creates a counter at 0 and keeps an
   * existing one), and series of the family that are not named are pushed back unchanged.
   */
  op: "set" | "add";
}

export interface GroupUpdate {
  /** The grouping key: `job` plus the labels that select this pipeline's series. */
  groupingKey: Labels;
  families: readonly FamilyUpdate[];
}

export interface PushgatewayTarget {
  /** Base URL without credentials, e.g. `http://127.0.0.1:9091`. */
  url: string;
  /** From `http://user:password@host` in the configured URL. */
  authorization?: string;
}

/** A fault, worded for a one-line warning: never holds credentials. */
export class PushgatewayError extends Error {
  constructor(message: string, readonly transient: boolean) {
    super(message);
    this.name = "PushgatewayError";
  }
}

/** Splits credentials out of the configured URL (fetch refuses URLs that carry them). */
export function pushgatewayTarget(configured: string): PushgatewayTarget {
  let parsed: URL;
  try {
    parsed = new URL(configured);
  } catch {
    throw new PushgatewayError(`'${redactUrl(configured)}' is not a URL`, false);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new PushgatewayError(`'${redactUrl(configured)}' is not an http(s) URL`, false);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  const url = parsed.toString().replace(/\/+$/, "");
  return user || password ? { url, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } : { url };
}

/** The URL as it may be shown: any `user:password@` removed. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

/** `/metrics/job/<job>/<label>/<value>…`; values holding `/` (or empty) use the `@base64` form. */
export function groupPath(groupingKey: Labels): string {
  const job = groupingKey.job;
  if (job === undefined) throw new PushgatewayError("a grouping key needs a job label", false);
  const segment = (name: string, value: string): string =>
    value === "" || value.includes("/")
      ? `${name}@base64/${Buffer.from(value, "utf8").toString("base64url") || "="}`
      : `${name}/${encodeURIComponent(value)}`;
  const rest = Object.keys(groupingKey).filter((k) => k !== "job").sort();
  return `/metrics/${[segment("job", job), ...rest.map((k) => segment(k, groupingKey[k]!))].join("/")}`;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}

const seriesKey = (labels: Labels): string => JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));

/** The text exposition format (version 0.0.4) of the families. */
export function exposition(families: readonly { name: string; type: string; help: string; samples: readonly { labels: Labels; value: number }[] }[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const names = Object.keys(s.labels).sort();
      const labels = names.length ? `{${names.map((k) => `${k}="${escapeLabel(s.labels[k]!)}"`).join(",")}}` : "";
      lines.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** What `GET /api/v1/metrics` answers (the parts read here). */
interface ApiGroup {
  labels?: Record<string, string>;
  [family: string]: unknown;
}
interface ApiFamily {
  type?: string;
  metrics?: { labels?: Record<string, string>; value?: string }[];
}

/** Current series of one group: family name → series key → labels beyond the grouping key and value. */
export type GroupValues = Map<string, Map<string, { labels: Labels; value: number }>>;

/** Picks the group with exactly this grouping key out of the API's answer. */
export function groupValues(body: unknown, groupingKey: Labels): GroupValues {
  const out: GroupValues = new Map();
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new PushgatewayError("GET /api/v1/metrics answered without a data list: is this a Pushgateway?", false);
  const wanted = seriesKey(groupingKey);
  const group = (data as ApiGroup[]).find((g) => g && typeof g === "object" && seriesKey(g.labels ?? {}) === wanted);
  if (!group) return out;
  for (const [name, family] of Object.entries(group)) {
    if (name === "labels" || !family || typeof family !== "object" || !Array.isArray((family as ApiFamily).metrics)) continue;
    const series = new Map<string, { labels: Labels; value: number }>();
    for (const m of (family as ApiFamily).metrics!) {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.labels ?? {})) {
        // The grouping key's labels come from the URL; `instance=""` is added by the Pushgateway.
        if (k in groupingKey || (k === "instance" && v === "")) continue;
        labels[k] = v;
      }
      const value = Number(m.value);
      if (Number.isFinite(value)) series.set(seriesKey(labels), { labels, value });
    }
    out.set(name, series);
  }
  return out;
}

/** The families to push, given what the group holds now. */
export function mergeFamilies(current: GroupValues, families: readonly FamilyUpdate[]): FamilyUpdate[] {
  return families.map((f) => {
    if (f.op === "set") return f;
    const merged = new Map(current.get(f.name) ?? []);
    for (const s of f.samples) {
      const key = seriesKey(s.labels);
      merged.set(key, { labels: s.labels, value: (merged.get(key)?.value ?? 0) + s.value });
    }
    return { ...f, op: "set" as const, samples: [...merged.values()] };
  });
}

const RETRY_DELAY_MS = 200;

/**
 * One HTTP exchange with node:http(s). Not fetch: its first call loads undici, which costs
 * more than the whole exchange with a local Pushgateway, before every job.
 */
function exchange(target: PushgatewayTarget, method: "GET" | "POST", path: string, signal: AbortSignal, body?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (target.authorization) headers.authorization = target.authorization;
  if (body !== undefined) {
    headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const url = new URL(`${target.url}${path}`);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, signal, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function request(target: PushgatewayTarget, method: "GET" | "POST", path: string, signal: AbortSignal, body?: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await exchange(target, method, path, signal, body);
      if (response.status >= 200 && response.status < 300) return response.text;
      const transient = response.status === 429 || response.status >= 500;
      const text = response.text.trim();
      throw new PushgatewayError(`${method} ${path} answered HTTP ${response.status}${text ? `: ${text.split("\n")[0]!.slice(0, 200)}` : ""}`, transient);
    } catch (e) {
      const fault = describeFault(e);
      if (!fault.transient || attempt >= 2 || signal.aborted) throw fault;
      await sleep(RETRY_DELAY_MS, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A fault as one short phrase: the transport code, not a stack. */
export function describeFault(e: unknown): PushgatewayError {
  if (e instanceof PushgatewayError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return new PushgatewayError("no answer within the timeout", true);
  const code = err?.code ?? err?.cause?.code;
  if (code === "ECONNREFUSED") return new PushgatewayError("connection refused", true);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new PushgatewayError(`host not found (${code})`, true);
  if (code) return new PushgatewayError(code, true);
  return new PushgatewayError((err?.message ?? String(e)).replace(/\s+/g, " ").slice(0, 200), true);
}

/**
 * Applies the updates: one read of the current values (only when a family adds), then one
 * POST per group, in parallel. Rejects with a PushgatewayError on the first fault.
 */
export async function pushGroups(target: PushgatewayTarget, groups: readonly GroupUpdate[], signal: AbortSignal): Promise<void> {
  const needsRead = groups.some((g) => g.families.some((f) => f.op === "add"));
  let body: unknown;
  if (needsRead) {
    const text = await request(target, "GET", "/api/v1/metrics", signal);
    try {
      body = JSON.parse(text);
    } catch {
      throw new PushgatewayError("GET /api/v1/metrics did not answer JSON: is this a Pushgateway (1.0 or later)?", false);
    }
  }
  await Promise.all(groups.map((g) => {
    const families = needsRead ? mergeFamilies(groupValues(body, g.groupingKey), g.families) : g.families;
    return request(target, "POST", groupPath(g.groupingKey), signal, exposition(families));
  }));
}
