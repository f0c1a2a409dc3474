/**
 * The emulator's monitors: storage, the validation Datadog applies to a monitor definition,
 * the fields the server adds, and the shapes of each endpoint's answer. Every rule here is
 * taken from the recordings in test/contracts/datadog/cassettes (see the fidelity tests);
 * the few that no recording shows are marked "unverified".
 */
import {
  INVALID_QUERY,
  parseCompositeQuery,
  parseMetricQuery,
  parseOtherQuery,
  type ComparisonOperator,
  type ParsedComparison,
  type ParsedMetricQuery,
} from "./query-grammar.js";

/** An answer other than 2xx, with Datadog's body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

export function badRequest(...errors: string[]): ApiError {
  return new ApiError(400, { errors });
}

export const MONITOR_NOT_FOUND = (): ApiError => new ApiError(404, { errors: ["Monitor not found"] });

export interface Creator {
  name: string | null;
  handle: string;
  email: string;
  id: number;
}

export interface SloReference {
  id: string;
  name: string;
}

export interface StoredMonitor {
  id: number;
  orgId: number;
  type: string;
  name: string;
  message: string;
  tags: string[];
  query: string;
  options: Record<string, unknown>;
  multi: boolean;
  /** Microseconds since the epoch: Datadog's timestamps have microseconds. */
  createdMicros: number;
  modifiedMicros: number;
  priority: number | null;
  restrictedRoles: string[] | null;
  draftStatus: string;
  assets: unknown[];
  creator: Creator;
  overallState: string;
  /** Downtimes are not emulated; a seeded monitor can carry the ones it matches. */
  matchingDowntimes?: unknown[];
}

/** What an endpoint answers with: the recorded key sets differ per endpoint. */
export type MonitorView = "create" | "get" | "update" | "list";

export type JsonObject = Record<string, unknown>;

/** A number Datadog writes as a Python float (`2.0`, not `2`); see wire-format.ts. */
export class PythonFloat {
  constructor(readonly value: number) {}
  toJSON(): string {
    return `${FLOAT_SENTINEL}${pythonFloatRepr(this.value)}`;
  }
}
export const FLOAT_SENTINEL = "\u0000float:";

/** Python's `repr(float)`: how Datadog prints numbers in answers and in error messages. */
export function pythonFloatRepr(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "inf" : n < 0 ? "-inf" : "nan";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
    const sign = exponent.startsWith("-") ? "-" : "+";
    const digits = exponent.replace(/^[-+]/, "").padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

const METRIC_TYPES = new Set(["metric alert", "query alert"]);
/** Kinds whose answers carry `groupby_simple_monitor: false` among the default options. */
const GROUPBY_SIMPLE_KINDS = new Set(["log alert", "rum alert", "ci-pipelines alert", "ci-tests alert", "error-tracking alert", "llm-observability alert"]);
const THRESHOLD_KEYS = ["critical", "warning", "critical_recovery", "warning_recovery", "ok", "unknown"];

export interface MonitorStoreOptions {
  orgId?: number;
  creator?: Creator;
  /** First id handed out; ids then increase by one. */
  firstId?: number;
  now?: () => number;
}

export const DEFAULT_CREATOR: Creator = { name: "Emulator User", handle: "emulator@example.com", email: "emulator@example.com", id: 1445416 };

interface CheckedDefinition {
  type: string;
  query: string;
  multi: boolean;
  comparison?: ParsedComparison;
  metric?: ParsedMetricQuery;
}

export class MonitorStore {
  readonly monitors = new Map<number, StoredMonitor>();
  /** SLOs that reference a monitor (seeded by tests; the SLO API is not emulated). */
  readonly sloReferences = new Map<number, SloReference[]>();
  readonly orgId: number;
  readonly creator: Creator;
  private nextId: number;
  private lastMicros = 0;
  private readonly now: () => number;

  constructor(opts: MonitorStoreOptions = {}) {
    this.orgId = opts.orgId ?? 321813;
    this.creator = opts.creator ?? DEFAULT_CREATOR;
    this.nextId = opts.firstId ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  // ---- endpoints ---------------------------------------------------------------------------

  create(body: JsonObject): StoredMonitor {
    const checked = this.checkDefinition(body);
    const micros = this.tick();
    const monitor: StoredMonitor = {
      id: this.allocateId(),
      orgId: this.orgId,
      type: storedType(checked.type, checked.query),
      name: typeof body.name === "string" && body.name !== "" ? body.name : defaultName(checked),
      message: typeof body.message === "string" ? body.message.trim() : "",
      tags: normalizeTags(body.tags),
      query: checked.query,
      options: normalizeOptions(asObject(body.options), checked.type, undefined),
      multi: checked.multi,
      createdMicros: micros,
      modifiedMicros: micros,
      priority: normalizePriority(body.priority),
      restrictedRoles: Array.isArray(body.restricted_roles) ? (body.restricted_roles as string[]) : null,
      draftStatus: typeof body.draft_status === "string" ? body.draft_status : "published",
      assets: normalizeAssets(body.assets),
      creator: this.creator,
      overallState: "No Data",
    };
    this.monitors.set(monitor.id, monitor);
    return monitor;
  }

  get(id: number): StoredMonitor {
    const monitor = this.monitors.get(id);
    if (!monitor) throw MONITOR_NOT_FOUND();
    return monitor;
  }

  /** PUT: top-level fields merge; a sent `options` replaces the stored one (defaults re-added). */
  update(id: number, body: JsonObject): StoredMonitor {
    const current = this.get(id);
    if (typeof body.type === "string" && body.type !== "" && !sameKind(body.type, current.type)) {
      throw badRequest("Monitor type change not allowed");
    }
    const query = typeof body.query === "string" ? body.query : current.query;
    const options = "options" in body ? normalizeOptions(asObject(body.options), current.type, current.options.silenced) : current.options;
    const checked = this.checkDefinition({ type: current.type, query, options });
    const updated: StoredMonitor = {
      ...current,
      query: checked.query,
      multi: checked.multi,
      options,
      modifiedMicros: this.tick(),
    };
    if ("name" in body && typeof body.name === "string") updated.name = body.name;
    if ("message" in body) updated.message = typeof body.message === "string" ? body.message.trim() : "";
    if ("tags" in body) updated.tags = normalizeTags(body.tags);
    if ("priority" in body) updated.priority = normalizePriority(body.priority);
    if ("restricted_roles" in body) updated.restrictedRoles = Array.isArray(body.restricted_roles) ? (body.restricted_roles as string[]) : null;
    if ("draft_status" in body && typeof body.draft_status === "string") updated.draftStatus = body.draft_status;
    if ("assets" in body) updated.assets = normalizeAssets(body.assets);
    this.monitors.set(id, updated);
    return updated;
  }

  delete(id: number, force: boolean): { deleted_monitor_id: number } {
    const monitor = this.get(id);
    const blockers = this.referenceErrors(monitor);
    // Unverified: no recording deletes a referenced monitor without force; the status and
    // wording are can_delete's.
    if (blockers.length > 0 && !force) throw badRequest(...blockers);
    this.monitors.delete(id);
    this.sloReferences.delete(id);
    return { deleted_monitor_id: id };
  }

  /** POST /validate and /{id}/validate: the checks of a create, without storing. */
  validate(body: JsonObject, existingId?: number): JsonObject {
    if (existingId !== undefined) this.get(existingId);
    this.checkDefinition(body);
    normalizeOptions(asObject(body.options), String(body.type), undefined);
    return {};
  }

  canDelete(ids: number[]): { status: number; body: JsonObject } {
    const ok: number[] = [];
    const errors: Record<string, string[]> = {};
    for (const id of ids) {
      const monitor = this.monitors.get(id);
      const blockers = monitor ? this.referenceErrors(monitor) : [];
      if (blockers.length > 0) errors[String(id)] = blockers;
      else ok.push(id);
    }
    if (Object.keys(errors).length > 0) return { status: 409, body: { errors, data: { ok } } };
    return { status: 200, body: { data: { ok }, errors: null } };
  }

  list(params: URLSearchParams): StoredMonitor[] {
    const groupStates = params.get("group_states");
    if (groupStates !== null) checkGroupStates(groupStates);
    const name = params.get("name")?.toLowerCase();
    const scopeTags = splitList(params.get("tags"));
    const monitorTags = splitList(params.get("monitor_tags"));
    const idOffset = params.has("id_offset") ? Number(params.get("id_offset")) : undefined;
    // One pass, cheapest test first: each page of an id_offset listing skips the monitors
    // before it without parsing their queries.
    let result: StoredMonitor[] = [];
    for (const m of this.monitors.values()) {
      if (idOffset !== undefined && !(m.id > idOffset)) continue;
      if (name !== undefined && !m.name.toLowerCase().includes(name)) continue;
      if (!monitorTags.every((tag) => m.tags.includes(tag))) continue;
      if (scopeTags.length > 0) {
        const inQuery = queryScopeTags(m);
        if (!scopeTags.every((tag) => inQuery.includes(tag))) continue;
      }
      result.push(m);
    }
    result.sort((a, b) => a.id - b.id);
    // No page → everything; a page (or a page size) paginates, 100 a page by default, 1000 at most.
    if (params.has("page") || params.has("page_size")) {
      const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
      const pageSize = Math.min(1000, Math.max(1, Number(params.get("page_size") ?? 100) || 100));
      result = result.slice(page * pageSize, (page + 1) * pageSize);
    }
    return result;
  }

  search(params: URLSearchParams): JsonObject {
    const filters = parseSearchQuery(params.get("query") ?? "");
    const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
    const perPage = Math.max(1, Number(params.get("per_page") ?? 30) || 30);
    const matching = [...this.monitors.values()].filter((m) => filters.every((f) => f(m))).sort((a, b) => a.id - b.id);
    return {
      counts: searchCounts(matching),
      monitors: matching.slice(page * perPage, (page + 1) * perPage).map((m) => searchView(m)),
      metadata: { total_count: matching.length, page_count: Math.ceil(matching.length / perPage), page, per_page: perPage },
    };
  }

  // ---- seeding -----------------------------------------------------------------------------

  /** Stores a monitor as given, without validation (pre-existing state for tests). */
  seed(monitor: Partial<StoredMonitor> & { query: string; type: string }): StoredMonitor {
    const micros = this.tick();
    const id = monitor.id ?? this.allocateId();
    if (id >= this.nextId) this.nextId = id + 1;
    const stored: StoredMonitor = {
      id,
      orgId: this.orgId,
      name: monitor.query,
      message: "",
      tags: [],
      multi: /\bby\s*\{|\.by\(/.test(monitor.query),
      createdMicros: micros,
      modifiedMicros: micros,
      priority: null,
      restrictedRoles: null,
      draftStatus: "published",
      assets: [],
      creator: this.creator,
      overallState: "No Data",
      ...monitor,
      // Seeded options are what a create would have sent: server defaults are added.
      options: normalizeOptions(monitor.options ?? {}, monitor.type, undefined),
    };
    this.monitors.set(id, stored);
    return stored;
  }

  addSloReference(monitorId: number, slo: SloReference): void {
    this.sloReferences.set(monitorId, [...(this.sloReferences.get(monitorId) ?? []), slo]);
  }

  removeSloReference(sloId: string): void {
    for (const [monitorId, refs] of this.sloReferences) {
      const kept = refs.filter((r) => r.id !== sloId);
      if (kept.length === 0) this.sloReferences.delete(monitorId);
      else this.sloReferences.set(monitorId, kept);
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  private checkDefinition(body: JsonObject): CheckedDefinition {
    const type = typeof body.type === "string" ? body.type : "";
    if (type === "") throw badRequest("The parameter 'type' is required");
    // Recorded: surrounding whitespace is trimmed from the query (and the message).
    const query = typeof body.query === "string" ? body.query.trim() : "";
    if (query === "") throw badRequest("The parameter 'query' is required");
    const thresholds = asObject(asObject(body.options).thresholds);
    if (type === "composite") {
      const ids = parseCompositeQuery(query);
      if (!ids.ok) throw badRequest(ids.error);
      const missing = ids.value.filter((id) => !this.monitors.has(id));
      // Unverified wording: no recording references a missing monitor.
      if (missing.length > 0) throw badRequest(`Composite query references unknown monitors: ${missing.join(", ")}`);
      return { type, query, multi: false };
    }
    if (METRIC_TYPES.has(type)) {
      const parsed = parseMetricQuery(query);
      if (!parsed.ok) throw badRequest(parsed.error);
      checkThresholds(parsed.value, thresholds);
      return { type, query, multi: parsed.value.multi, comparison: parsed.value, metric: parsed.value };
    }
    const parsed = parseOtherQuery(query);
    if (!parsed.ok) throw badRequest(parsed.error);
    checkThresholds(parsed.value, thresholds);
    return { type, query, multi: parsed.value.multi, comparison: parsed.value };
  }

  /** Why a monitor cannot be deleted: the SLOs and composite monitors that reference it. */
  private referenceErrors(monitor: StoredMonitor): string[] {
    const label = `monitor [${monitor.id},${monitor.name}]`;
    const errors: string[] = [];
    const slos = this.sloReferences.get(monitor.id) ?? [];
    if (slos.length > 0) errors.push(`${label} is referenced in slos: ${slos.map((s) => `[${s.id},${s.name}]`).join(", ")}`);
    const composites = [...this.monitors.values()].filter((m) => {
      if (m.type !== "composite" || m.id === monitor.id) return false;
      const ids = parseCompositeQuery(m.query);
      return ids.ok && ids.value.includes(monitor.id);
    });
    if (composites.length > 0) errors.push(`${label} is referenced in composite monitors: ${composites.map((c) => `[${c.id},${c.name}]`).join(", ")}`);
    return errors;
  }

  private allocateId(): number {
    return this.nextId++;
  }

  /** A timestamp strictly after the previous one, so `modified` changes on every update. */
  private tick(): number {
    this.lastMicros = Math.max(this.now() * 1000, this.lastMicros + 1);
    return this.lastMicros;
  }
}

// ---- answer shapes -----------------------------------------------------------------------------

/**
 * A monitor as an endpoint answers it. Key order and key sets are the recorded ones:
 * POST adds `restriction_policy`; PUT has no `creator`; GET by id has no `restriction_policy`
 * and adds `matching_downtimes` only with `with_downtimes=true`; list items always carry
 * `matching_downtimes` and no `restriction_policy`.
 */
export interface ViewParams {
  withDowntimes?: boolean;
  withAssets?: boolean;
}

export function monitorView(m: StoredMonitor, view: MonitorView, params: ViewParams = {}): JsonObject {
  const out: JsonObject = {
    id: m.id,
    org_id: m.orgId,
    type: m.type,
    name: m.name,
    message: m.message,
    tags: m.tags,
    query: m.query,
    options: optionsView(m.options),
    multi: m.multi,
    created_at: Math.floor(m.createdMicros / 1_000_000) * 1000,
    created: formatMicros(m.createdMicros),
    modified: formatMicros(m.modifiedMicros),
    deleted: null,
    priority: m.priority,
    restricted_roles: m.restrictedRoles,
  };
  if (view === "create" || view === "update") out.restriction_policy = null;
  out.draft_status = m.draftStatus;
  out.assets = assetsView(m, view, params.withAssets === true);
  out.overall_state_modified = null;
  out.overall_state = m.overallState;
  if (view !== "update") out.creator = m.creator;
  if (view === "list" || params.withDowntimes) out.matching_downtimes = m.matchingDowntimes ?? [];
  return out;
}

/**
 * Recorded: create and update answers list the assets with their `monitor_id`; GET lists them
 * (without `monitor_id`) only with `with_assets=true`, else `[]`.
 */
function assetsView(m: StoredMonitor, view: MonitorView, withAssets: boolean): unknown[] {
  if (view === "create" || view === "update") return m.assets.map((a) => ({ monitor_id: m.id, ...(a as JsonObject) }));
  if (view === "get" && withAssets) return m.assets;
  return view === "list" ? m.assets : [];
}

/** An asset as stored: empty `template_variables` / `options` added, missing resource fields null. */
function normalizeAssets(assets: unknown): JsonObject[] {
  if (!Array.isArray(assets)) return [];
  return assets.map((raw) => {
    const a = asObject(raw);
    return {
      name: a.name,
      category: a.category,
      url: a.url,
      template_variables: a.template_variables ?? {},
      options: a.options ?? {},
      resource_key: a.resource_key ?? null,
      resource_type: a.resource_type ?? null,
    };
  });
}

function optionsView(options: Record<string, unknown>): JsonObject {
  const thresholds = options.thresholds;
  if (!thresholds || typeof thresholds !== "object") return options;
  const floats: JsonObject = {};
  for (const [k, v] of Object.entries(thresholds)) floats[k] = typeof v === "number" ? new PythonFloat(v) : v;
  return { ...options, thresholds: floats };
}

/** The item shape of /monitor/search (recorded: a summary, not a full monitor). */
function searchView(m: StoredMonitor): JsonObject {
  const metric = parseMetricQuery(m.query);
  return {
    status: m.overallState,
    scopes: metric.ok ? (metric.value.scopeTags.length > 0 ? metric.value.scopeTags : ["*"]) : [],
    classification: classification(m.type),
    creator: { handle: m.creator.handle, id: m.creator.id, name: m.creator.name },
    metrics: metric.ok ? metric.value.metrics : [],
    notifications: [],
    muted_until_ts: null,
    query: m.query,
    id: m.id,
    last_triggered_ts: null,
    name: m.name,
    tags: m.tags,
    org_id: m.orgId,
    priority: m.priority,
    overall_state_modified: null,
    restricted_roles: m.restrictedRoles ?? [],
    type: m.type,
  };
}

function searchCounts(monitors: StoredMonitor[]): JsonObject {
  const count = (values: unknown[]) => {
    const counts = new Map<unknown, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ count: n, name }));
  };
  return {
    status: count(monitors.map((m) => m.overallState)),
    muted: count(monitors.map((m) => Object.keys(asObject(m.options.silenced)).length > 0)),
    tag: count(monitors.flatMap((m) => m.tags)),
    type: count(monitors.map((m) => classification(m.type))),
  };
}

function classification(type: string): string {
  if (METRIC_TYPES.has(type)) return "metric";
  return type.replace(/ alert$/, "").replace(/ check$/, "");
}

const SEARCH_STATUSES = new Set(["alert", "warn", "no data", "ok", "ignored", "skipped", "unknown"]);

/** `status:alert type:metric tag:"a:b" id:1 text`, every term must match. */
function parseSearchQuery(query: string): ((m: StoredMonitor) => boolean)[] {
  const terms = query.match(/[a-z_]+:"[^"]*"|[a-z_]+:\S+|"[^"]*"|\S+/gi) ?? [];
  return terms.map((term) => {
    const m = /^([a-z_]+):"?([^"]*)"?$/i.exec(term);
    if (!m) {
      const text = term.replace(/"/g, "").toLowerCase();
      return (mon) => mon.name.toLowerCase().includes(text);
    }
    const [, field, value] = m as unknown as [string, string, string];
    switch (field.toLowerCase()) {
      case "status":
        if (!SEARCH_STATUSES.has(value.toLowerCase())) throw badRequest(`Query parsing error: '${value}' is not a valid monitor status`);
        return (mon) => mon.overallState.toLowerCase() === value.toLowerCase();
      case "type":
        return (mon) => classification(mon.type) === value.toLowerCase() || mon.type === value;
      case "tag":
        return (mon) => mon.tags.includes(value);
      case "id":
        return (mon) => mon.id === Number(value);
      case "creator":
        return (mon) => mon.creator.email === value || mon.creator.handle === value;
      default:
        return (mon) => mon.name.toLowerCase().includes(term.toLowerCase());
    }
  });
}

// ---- definition rules --------------------------------------------------------------------------

/**
 * The type Datadog stores. Recorded: "metric alert" comes back as "query alert" only for
 * calendar-aligned monthly windows (`current_1mo`); otherwise the sent type is kept.
 */
function storedType(type: string, query: string): string {
  if (type === "metric alert" && /^[a-z_]+\(current_1mo\)/.test(query)) return "query alert";
  return type;
}

function sameKind(a: string, b: string): boolean {
  return a === b || (METRIC_TYPES.has(a) && METRIC_TYPES.has(b));
}

/** Sent options as stored: nulls in thresholds dropped, server defaults added. */
function normalizeOptions(sent: JsonObject, type: string, previousSilenced: unknown): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(sent)) {
    if (key === "thresholds") {
      const kept = Object.fromEntries(Object.entries(asObject(value)).filter(([, v]) => v !== null && v !== undefined));
      for (const [k, v] of Object.entries(kept)) {
        if (THRESHOLD_KEYS.includes(k) && typeof v !== "number") throw badRequest(`Invalid threshold value for ${k}`); // unverified wording
      }
      if (Object.keys(kept).length > 0) out.thresholds = kept;
    } else if (key === "on_missing_data" && value === "default") {
      // Recorded: "default" is not kept.
    } else if (key === "escalation_message" && typeof value === "string") {
      out[key] = value.trim();
    } else if (key !== "silenced") {
      out[key] = value;
    }
  }
  if (!("notify_no_data" in sent) && !("on_missing_data" in sent)) out.notify_no_data = false;
  if (!("notify_audit" in sent)) out.notify_audit = false;
  if (!("new_host_delay" in sent)) out.new_host_delay = 300;
  if (!("include_tags" in sent)) out.include_tags = true;
  if (GROUPBY_SIMPLE_KINDS.has(type) && !("groupby_simple_monitor" in sent)) out.groupby_simple_monitor = false;
  // `silenced` belongs to muting: an options update without it keeps the current one.
  out.silenced = "silenced" in sent && sent.silenced !== null ? sent.silenced : (previousSilenced ?? {});
  return out;
}

function checkThresholds(comparison: ParsedComparison, thresholds: JsonObject): void {
  const num = (k: string) => (typeof thresholds[k] === "number" ? (thresholds[k] as number) : undefined);
  const critical = num("critical");
  const warning = num("warning");
  const criticalRecovery = num("critical_recovery");
  const warningRecovery = num("warning_recovery");
  const op = comparison.operator;
  const f = pythonFloatRepr;
  if (critical !== undefined && critical !== comparison.threshold) {
    throw badRequest(`Alert threshold (${f(critical)}) does not match that used in the query (${f(comparison.threshold)}).`);
  }
  const above = op === ">" || op === ">=";
  const below = op === "<" || op === "<=";
  if (!above && !below) return;
  // "Worse" is higher for > and lower for <: warning must be less bad than critical.
  const lessSevere = (a: number, b: number) => (above ? a < b : a > b);
  const relation = above ? "less" : "greater";
  if (warning !== undefined && critical !== undefined && !lessSevere(warning, critical)) {
    throw badRequest(`Warning threshold (${f(warning)}) must be ${relation} than the alert threshold (${f(critical)}) with ${op} comparison.`);
  }
  // Unverified wordings: no recording has a recovery threshold on the wrong side.
  if (criticalRecovery !== undefined && critical !== undefined && !lessSevere(criticalRecovery, critical)) {
    throw badRequest(`Alert recovery threshold (${f(criticalRecovery)}) must be ${relation} than the alert threshold (${f(critical)}) with ${op} comparison.`);
  }
  if (warningRecovery !== undefined && warning !== undefined && !lessSevere(warningRecovery, warning)) {
    throw badRequest(`Warning recovery threshold (${f(warningRecovery)}) must be ${relation} than the warning threshold (${f(warning)}) with ${op} comparison.`);
  }
}

/**
 * Datadog names an unnamed metric monitor after its query, e.g.
 * "**system.net.bytes_rcvd** over **host:host0** was **> 100.0** on average during the **last 5m**."
 * Only the `avg` phrase is recorded; the others are unverified.
 */
function defaultName(checked: CheckedDefinition): string {
  const metric = checked.metric;
  if (!metric) return checked.query;
  const phrases: Record<string, string> = { avg: "on average", sum: "in total", max: "at least once", min: "at all times" };
  const scope = metric.scopeTags.length > 0 ? metric.scopeTags.join(",") : "*";
  const window = metric.timeWindow.replace(/^last_/, "last ").replace(/^current_/, "current ");
  const phrase = phrases[metric.timeAggregator] ?? metric.timeAggregator;
  return `**${metric.metrics[0]}** over **${scope}** was **${metric.operator} ${pythonFloatRepr(metric.threshold)}** ${phrase} during the **${window}**.`;
}

function normalizeTags(tags: unknown): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) throw badRequest("Invalid tags"); // unverified wording
  return tags as string[];
}

/** Recorded: priority 0 is stored as null. Out-of-range wording is unverified. */
function normalizePriority(priority: unknown): number | null {
  if (priority === undefined || priority === null || priority === 0) return null;
  if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 1 || priority > 5) {
    throw badRequest("Priority must be an integer between 1 and 5");
  }
  return priority;
}

const GROUP_STATES = new Set(["all", "alert", "warn", "no data", "ok"]);

export function checkGroupStates(value: string): void {
  const states = value.split(",").map((s) => s.trim().toLowerCase());
  if (states.some((s) => !GROUP_STATES.has(s))) throw badRequest("Invalid group_state filters.");
}

function queryScopeTags(m: StoredMonitor): string[] {
  const parsed = parseMetricQuery(m.query);
  return parsed.ok ? parsed.value.scopeTags : [];
}

function splitList(value: string | null): string[] {
  return value ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}

function asObject(value: unknown): JsonObject {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const extra = String(Math.floor(micros % 1000)).padStart(3, "0");
  return new Date(ms).toISOString().replace(/Z$/, `${extra}+00:00`);
}

export { INVALID_QUERY, type ComparisonOperator };
