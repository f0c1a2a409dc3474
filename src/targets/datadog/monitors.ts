/**
 * The `datadog-monitor` kind: list, compare and write monitors through the official
 * client's `v1.MonitorsApi`. Identity is the `pipemon-id:<pipeline>/<alert>` tag;
 * ownership is the `managed-by:pipemon` tag (DESIGN §5).
 */
import { client, v1 } from "@datadog/datadog-api-client";
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { ListingIncompleteError, TargetError, type KindHandler } from "../handler.js";
import { isJsonObject, type JsonObject } from "../json.js";
import { isTransportFault } from "../resilience.js";
import { DATADOG_MANAGED_TAG, ownerFromTags, PIPEMON_ID_TAG_PREFIX, pipemonIdOfTags } from "../../model/identity.js";
import { DatadogCallError, type DatadogCaller } from "./calls.js";
import { normaliseMonitor, resolvePlaceholders, SERVER_OWNED_FIELDS, unresolvedPlaceholders } from "./normalise.js";
import { monitorKey } from "../../model/identity.js";

export { PIPEMON_ID_TAG_PREFIX };
/**
 * Default of `lateCommitWindowMs`: long enough for a commit that lands seconds after the
 * client's timeout; bounded, so a create that was truly lost is sent again. A later commit
 * still cannot hide: the next plan reports the duplicate and apply deletes it.
 */
export const DEFAULT_LATE_COMMIT_WINDOW_MS = 20_000;
/** Datadog's maximum page size: 1,000 monitors cost one request (plus a final short page). */
export const LIST_PAGE_SIZE = 1000;
/** A listing that never ends is a broken server, not a large estate. */
const MAX_PAGES = 10_000;

export { monitorKey };

function tagsOf(body: Json): string[] {
  const tags = (body as JsonObject | null)?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/** `<pipeline>/<alert>` from a body's `pipemon-id:` tag (the smallest when, oddly, several). */
export function pipemonIdOf(body: Json): string | undefined {
  return pipemonIdOfTags(tagsOf(body));
}

function tagValue(body: Json, key: string): string | undefined {
  const tag = tagsOf(body).find((t) => t.startsWith(`${key}:`));
  return tag?.slice(key.length + 1);
}

/**
 * DesiredResources from generated monitor files (`generated/[<env>/]datadog/monitors/*.json`,
 * each an array of create bodies), keyed exactly as `list()` keys live monitors.
 */
export function desiredMonitors(bodies: readonly Json[], environment?: string): DesiredResource[] {
  return bodies.map((body) => {
    const id = pipemonIdOf(body);
    if (!id) throw new TargetError("datadog", `a generated monitor has no ${PIPEMON_ID_TAG_PREFIX} tag: ${String((body as JsonObject | null)?.name ?? "(unnamed)")}`);
    const resource: DesiredResource = { kind: "datadog-monitor", key: monitorKey(id, environment), body };
    const pipeline = tagValue(body, "pipeline");
    const team = tagValue(body, "team");
    if (pipeline) resource.pipeline = pipeline;
    if (team) resource.team = team;
    return resource;
  });
}

export interface MonitorHandlerOptions {
  api: v1.MonitorsApi;
  caller: DatadogCaller;
  environment?: string;
  /** Values for `${NAME}` references in desired bodies (GRAFANA_URL for the dashboard link). */
  variables: Readonly<Record<string, string | undefined>>;
  /**
   * How long a create whose answer was lost is looked for before it is sent again: a server
   * may commit it well after the client gave up. Looked up with backoff within this window.
   */
  lateCommitWindowMs?: number;
  /** For tests: replaces the wait between look-ups. */
  sleep?: (ms: number) => Promise<void>;
}

interface LiveMonitor {
  id: number;
  body: JsonObject;
  pipemonId: string;
  owned: boolean;
}

export class DatadogMonitorHandler implements KindHandler {
  readonly kind = "datadog-monitor" as const;
  readonly target = "datadog" as const;

  constructor(private readonly options: MonitorHandlerOptions) {}

  /**
   * Listing strategy: one paged `GET /api/v1/monitor` over the environment's monitors,
   * filtered client-side to those with a `pipemon-id:` tag.
   *
   * Filtering server-side on `managed-by:pipemon` would be cheaper but blind to exactly
   * the monitors that must be reported as unowned (a pipemon id without the marker), and
   * Datadog's tag filter has no "tag key exists" form for `pipemon-id:*`. With an
   * environment, `monitor_tags=env:<env>` narrows the listing server-side to that
   * environment (owned and unowned monitors both carry the env tag); without one, the
   * whole org is listed. Either way it is ~1 request per 1,000 monitors at page_size=1000,
   * and the client-side check repeats the env filter in case a server ignores it.
   *
   * Pages are cut by `id_offset` (ids above the last one seen), not by page number: a
   * monitor deleted while listing would shift a numbered page and silently skip another
   * monitor, which plan would then "create" again. Ids only grow, so offsets never skip.
   */
  async list(): Promise<LiveResource[]> {
    const { environment } = this.options;
    const envTag = environment ? `env:${environment}` : undefined;
    const monitors: LiveMonitor[] = [];
    const seenIds = new Set<number>();
    let lastId = 0;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new ListingIncompleteError(this.kind, `more than ${MAX_PAGES} pages of monitors; the listing does not end`);
      let batch: v1.Monitor[];
      try {
        batch = await this.options.caller.call(`list monitors (page ${page})`, () =>
          this.options.api.listMonitors({ idOffset: lastId, pageSize: LIST_PAGE_SIZE, ...(envTag ? { monitorTags: envTag } : {}) }),
        );
      } catch (e) {
        throw this.listingFailure(e);
      }
      if (!Array.isArray(batch)) throw new ListingIncompleteError(this.kind, `page ${page} was not a list of monitors`);
      if (batch.length > LIST_PAGE_SIZE) throw new ListingIncompleteError(this.kind, `page ${page} held ${batch.length} monitors, more than the ${LIST_PAGE_SIZE} asked for`);
      for (const model of batch) {
        const body = v1.ObjectSerializer.serialize(model, "Monitor", "") as JsonObject;
        const id = body.id;
        if (typeof id !== "number") throw new ListingIncompleteError(this.kind, `page ${page} holds a monitor without an id`);
        // Each page must hold ascending ids above the offset asked for; anything else (a
        // server ignoring id_offset, a set that moved) would be a listing prune cannot trust.
        if (seenIds.has(id) || id <= lastId) throw new ListingIncompleteError(this.kind, `pagination is inconsistent: page ${page} returned monitor ${id}, not above the previous id ${lastId}`);
        seenIds.add(id);
        lastId = id;
        const pipemonId = pipemonIdOf(body);
        if (!pipemonId) continue;
        const tags = tagsOf(body);
        if (envTag && !tags.includes(envTag)) continue;
        monitors.push({ id, body, pipemonId, owned: tags.includes(DATADOG_MANAGED_TAG) });
      }
      if (batch.length < LIST_PAGE_SIZE) break;
    }
    return this.toLiveResources(monitors);
  }

  /**
   * Every monitor with a pipemon id, under its key. A key can match several monitors (two
   * applies at once, a create committed after its timeout, a monitor cloned in the UI): each
   * is listed with its id as `instance`, and the plan reports the extra copies and deletes
   * pipemon's own (plan/compute.ts decides which one is kept).
   */
  private toLiveResources(monitors: LiveMonitor[]): LiveResource[] {
    return monitors.map((m) => ({
      kind: this.kind,
      key: monitorKey(m.pipemonId, this.options.environment),
      body: m.body,
      owned: m.owned,
      fingerprint: `${m.id}@${String(m.body.modified ?? "")}`,
      handle: m.id,
      instance: String(m.id),
      owner: ownerFromTags(m.body.tags),
    }));
  }

  private listingFailure(e: unknown): Error {
    // Bad credentials are the user's to fix, with the one line that says how.
    if (e instanceof DatadogCallError && (e.status === 401 || e.status === 403)) return e;
    // Anything else, an open circuit included, leaves the listing incomplete.
    return new ListingIncompleteError(this.kind, e instanceof Error ? e.message : String(e));
  }

  normalise(body: Json, side: "desired" | "live"): Json {
    return normaliseMonitor(side === "desired" ? resolvePlaceholders(body, this.options.variables) : body);
  }

  /** The body to send: placeholders resolved, refusing to write a dangling `${NAME}`. */
  private writableBody(desired: DesiredResource): JsonObject {
    const body = resolvePlaceholders(desired.body, this.options.variables);
    const missing = unresolvedPlaceholders(body);
    if (missing.length > 0) throw new TargetError("datadog", `monitor ${desired.key}: ${missing.map((n) => `\${${n}}`).join(", ")} is not set; set ${missing.join(", ")} to write it`);
    if (!isJsonObject(body)) throw new TargetError("datadog", `monitor ${desired.key}: the desired body is not an object`);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(body)) if (!SERVER_OWNED_FIELDS.has(k)) out[k] = v;
    return out;
  }

  async create(desired: DesiredResource): Promise<void> {
    const body = this.writableBody(desired);
    const model = v1.ObjectSerializer.deserialize(body, "Monitor", "") as v1.Monitor;
    const pipemonId = pipemonIdOf(body);
    // A create whose answer was lost (timeout, dropped connection) may have been made, or
    // may still be made: before sending it again, look for it for a while, so a retry never
    // leaves a duplicate monitor.
    let mayExist = false;
    await this.options.caller.call(`create monitor ${desired.key}`, async () => {
      if (mayExist && pipemonId && (await this.awaitLateCommit(pipemonId))) return;
      try {
        await this.options.api.createMonitor({ body: model });
      } catch (e) {
        // No answer, or a 5xx (a gateway may time out after the monitor was made).
        if (e instanceof client.ApiException ? e.code >= 500 : isTransportFault(e)) mayExist = true;
        throw e;
      }
    });
  }

  /**
   * Looks for a monitor with this pipemon id until it shows up or the window closes, waiting
   * 250 ms, 500 ms, 1 s, … (capped at 2 s) between look-ups. True when found.
   */
  private async awaitLateCommit(pipemonId: string): Promise<boolean> {
    const windowMs = this.options.lateCommitWindowMs ?? DEFAULT_LATE_COMMIT_WINDOW_MS;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = Date.now() + windowMs;
    for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
      if ((await this.findByPipemonId(pipemonId)) !== undefined) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(wait, left));
    }
  }

  /** The monitor with this exact pipemon id (in this environment), by a tag-filtered listing. */
  private async findByPipemonId(pipemonId: string): Promise<number | undefined> {
    const idTag = `${PIPEMON_ID_TAG_PREFIX}${pipemonId}`;
    const envTag = this.options.environment ? `env:${this.options.environment}` : undefined;
    const found = await this.options.api.listMonitors({ monitorTags: idTag, page: 0, pageSize: LIST_PAGE_SIZE });
    const match = found.find((m) => (m.tags ?? []).includes(idTag) && (!envTag || (m.tags ?? []).includes(envTag)));
    return match?.id;
  }

  /**
   * PUT with the full desired body. Datadog merges top-level fields (only what is sent
   * changes) but replaces `options` whole, so a field someone added live that the spec
   * does not have is sent as null to clear it — otherwise it would be a perpetual diff.
   */
  async update(desired: DesiredResource, live: LiveResource): Promise<void> {
    const id = this.liveId(live);
    const body: JsonObject = this.writableBody(desired);
    const liveComparable = normaliseMonitor(live.body);
    if (isJsonObject(liveComparable)) {
      for (const key of Object.keys(liveComparable)) if (!(key in body)) body[key] = null;
    }
    const model = v1.ObjectSerializer.deserialize(body, "MonitorUpdateRequest", "") as v1.MonitorUpdateRequest;
    try {
      await this.options.caller.call(`update monitor ${desired.key} (id ${id})`, () => this.options.api.updateMonitor({ monitorId: id, body: model }));
    } catch (e) {
      if (e instanceof DatadogCallError && e.status === 404) throw new TargetError("datadog", `update monitor ${desired.key}: monitor ${id} no longer exists in Datadog; run plan again`, 404);
      throw e;
    }
  }

  async delete(live: LiveResource): Promise<void> {
    const id = this.liveId(live);
    try {
      // Never `force`: a monitor an SLO or composite depends on is the user's decision.
      await this.options.caller.call(`delete monitor ${live.key} (id ${id})`, () => this.options.api.deleteMonitor({ monitorId: id }));
    } catch (e) {
      // Already gone (an earlier interrupted apply, or someone else): the goal is reached.
      if (e instanceof DatadogCallError && e.status === 404) return;
      if (e instanceof DatadogCallError && (e.status === 400 || e.status === 409) && /referenced|slo|composite/i.test(e.message)) {
        throw new TargetError("datadog", `cannot delete monitor ${live.key} (id ${id}): it is referenced by an SLO or a composite monitor; remove that reference first (pipemon never force-deletes)`, e.status);
      }
      throw e;
    }
  }

  private liveId(live: LiveResource): number {
    const id = typeof live.handle === "number" ? live.handle : (live.body as JsonObject | null)?.id;
    if (typeof id !== "number") throw new TargetError("datadog", `monitor ${live.key}: no Datadog id known for it`);
    return id;
  }
}
