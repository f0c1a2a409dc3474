/**
 * grafana-dashboard: pipeline and team dashboards, uid `pm-…`, owned by DASHBOARD_OWNER_TAG.
 * No list endpoint returns dashboard content, so listing is: search (paged) for identities,
 * then one GET per dashboard. Writes carry the version read at plan time with
 * overwrite:false, so a concurrent edit in the UI is a 412 conflict, never overwritten.
 */
import { folderUid, ownerFromTags } from "../../model/identity.js";
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { TargetError, type KindHandler } from "../handler.js";
import { GrafanaRequestError, type GrafanaClient } from "./client.js";
import { comparableNumbers, isJsonObject, sortedKeys, type JsonObject } from "./comparable.js";
import type { ListOptions } from "./folders.js";
import { listing, mapConcurrently, readAllPages } from "./listing.js";
import { DASHBOARD_OWNER_TAG, hasOwnerTag, isPipemonDashboardUid } from "./ownership.js";

/** Fields Grafana owns or adds on save; never part of a comparison. */
const SERVER_FIELDS = new Set(["id", "version", "iteration", "meta", "created", "updated"]);
/** GETs in flight while reading dashboards (a plan of 200 dashboards should not take 200 round trips in a row). */
const GET_CONCURRENCY = 16;

export type DashboardHandle = {
  version: number;
  folderUid: string | null;
};

export class DashboardHandler implements KindHandler {
  readonly kind = "grafana-dashboard" as const;
  readonly target = "grafana" as const;

  constructor(private readonly client: GrafanaClient, private readonly options: ListOptions) {}

  /**
   * Identities come from one paged search of every dashboard, keeping the `pm-…` uids: the
   * owner tag alone would miss a `pm-…` dashboard someone made by hand (or whose tag was
   * removed), wherever it lives, and such a dashboard must be reported (owned:false), never
   * blindly overwritten. A search page holds 1,000 hits, so this costs one request per 1,000
   * dashboards in the organisation; the content then needs one GET per pipemon dashboard.
   */
  list(): Promise<LiveResource[]> {
    return listing(this.kind, async () => {
      // readAllPages refuses a uid seen twice, so these are unique.
      const hits = await readAllPages(this.kind, "GET /api/search", this.options.pageSize, (page, limit) => this.client.search({ type: "dash-db", limit, page }), (h) => h.uid);
      const uids = hits.map((h) => h.uid).filter(isPipemonDashboardUid).sort();
      const read = await mapConcurrently(uids, GET_CONCURRENCY, async (uid): Promise<LiveResource | undefined> => {
        const found = await this.client.getDashboard(uid);
        // Deleted between search and GET: it no longer exists, which is what the listing says.
        if (!found) return undefined;
        const version = typeof found.dashboard.version === "number" ? found.dashboard.version : typeof found.meta.version === "number" ? found.meta.version : 0;
        const handle: DashboardHandle = { version, folderUid: typeof found.meta.folderUid === "string" ? found.meta.folderUid : null };
        return {
          kind: this.kind,
          key: uid,
          body: found.dashboard,
          owned: hasOwnerTag(found.dashboard.tags),
          fingerprint: `version:${version}`,
          handle,
          // Its tags say whose it is; the team folder it lives in says so too (a hashed uid cannot).
          owner: { ...ownerFromTags(found.dashboard.tags), ...(handle.folderUid ? { folderUid: handle.folderUid } : {}) },
        };
      });
      return read.filter((r): r is LiveResource => r !== undefined);
    });
  }

  normalise(body: Json): Json {
    if (!isJsonObject(body)) return body;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(body)) {
      if (SERVER_FIELDS.has(k)) continue;
      out[k] = k === "tags" && Array.isArray(v) ? [...v].sort((a, b) => String(a).localeCompare(String(b))) : v;
    }
    return sortedKeys(comparableNumbers(out));
  }

  async create(desired: DesiredResource): Promise<void> {
    const dashboard = dashboardBody(desired);
    const folder = folderFor(desired);
    try {
      await this.client.saveDashboard({ dashboard, folderUid: folder, overwrite: false, message: "pipemon apply" });
    } catch (e) {
      if (!(e instanceof GrafanaRequestError && e.status === 412)) throw e;
      // The uid exists: either a retried POST that did land (converged), or someone else's.
      const existing = await this.client.getDashboard(desired.key);
      if (existing && hasOwnerTag(existing.dashboard.tags) && JSON.stringify(this.normalise(existing.dashboard)) === JSON.stringify(this.normalise(desired.body))) return;
      const why = existing && !hasOwnerTag(existing.dashboard.tags) ? `without the ${DASHBOARD_OWNER_TAG} tag (in folder ${existing.meta.folderUid || "General"})` : "and was changed since plan";
      throw new TargetError("grafana", `grafana: dashboard ${desired.key} already exists ${why}; not overwritten`, 412);
    }
  }

  async update(desired: DesiredResource, live: LiveResource): Promise<void> {
    const handle = dashboardHandle(live);
    const dashboard = { ...dashboardBody(desired), version: handle.version };
    try {
      await this.client.saveDashboard({ dashboard, folderUid: folderFor(desired), overwrite: false, message: "pipemon apply" });
    } catch (e) {
      if (e instanceof GrafanaRequestError && e.status === 412) {
        throw new TargetError("grafana", `grafana: dashboard ${desired.key} was changed by someone else since version ${handle.version} was read; run plan again`, 412);
      }
      throw e;
    }
  }

  async delete(live: LiveResource): Promise<void> {
    await this.client.deleteDashboard(live.key);
  }
}

/** The desired dashboard as Grafana takes it: no id (found by uid), uid forced to the key. */
function dashboardBody(desired: DesiredResource): JsonObject {
  if (!isJsonObject(desired.body)) throw new TargetError("grafana", `grafana: desired dashboard ${desired.key} is not an object`);
  const { id: _id, version: _version, ...rest } = desired.body;
  return { ...rest, uid: desired.key };
}

/** The team's folder: from the resource's team, else from the dashboard's `team:<t>` tag. */
function folderFor(desired: DesiredResource): string {
  if (desired.team) return folderUid(desired.team);
  const tags = isJsonObject(desired.body) && Array.isArray(desired.body.tags) ? desired.body.tags : [];
  const teamTag = tags.find((t): t is string => typeof t === "string" && t.startsWith("team:"));
  if (teamTag) return folderUid(teamTag.slice("team:".length));
  throw new TargetError("grafana", `grafana: dashboard ${desired.key} has no team, so no folder to go in`);
}

function dashboardHandle(live: LiveResource): DashboardHandle {
  const h = live.handle;
  if (isJsonObject(h) && typeof h.version === "number") return { version: h.version, folderUid: typeof h.folderUid === "string" ? h.folderUid : null };
  throw new TargetError("grafana", `grafana: dashboard ${live.key} has no version handle (listed by another handler?)`);
}
