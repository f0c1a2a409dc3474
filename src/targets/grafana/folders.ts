/**
 * grafana-folder: one folder per team, uid `pipemon-<team>` (see ownership.ts). The list
 * answer holds only uid and title, so the fingerprint is a hash of those (no GET per folder).
 */
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { TargetError, type KindHandler } from "../handler.js";
import type { GrafanaClient } from "./client.js";
import { contentHash, isJsonObject } from "./comparable.js";
import { listing, readAllPages } from "./listing.js";
import { hasManagedLabel, hasOwnerTag, isPipemonDashboardUid, isPipemonFolderUid } from "./ownership.js";

export interface ListOptions {
  /** Page size of paged lists (Grafana's default and pipemon's is 1000; tests use small ones). */
  pageSize: number;
}

export class FolderHandler implements KindHandler {
  readonly kind = "grafana-folder" as const;
  readonly target = "grafana" as const;

  constructor(private readonly client: GrafanaClient, private readonly options: ListOptions) {}

  list(): Promise<LiveResource[]> {
    return listing(this.kind, async () => {
      const folders = await listPipemonFolders(this.client, this.options.pageSize);
      return folders.map((f) => {
        const body: Json = { uid: f.uid, title: f.title };
        return { kind: this.kind, key: f.uid, body, owned: true, fingerprint: contentHash(body), owner: { folderUid: f.uid } };
      });
    });
  }

  normalise(body: Json): Json {
    if (!isJsonObject(body)) return body;
    return { title: body.title ?? null, uid: body.uid ?? null };
  }

  async create(desired: DesiredResource): Promise<void> {
    const { uid, title } = folderBody(desired.body);
    const created = await this.client.createFolder({ uid, title });
    if (created) return;
    // 409: the uid exists. After a retried POST whose first attempt did land, that is success.
    const existing = await this.client.getFolder(uid);
    if (existing?.title === title) return;
    throw new TargetError("grafana", `grafana: folder ${uid} already exists${existing ? ` (titled "${existing.title}"${existing.parentUid ? `, inside folder ${existing.parentUid}` : ""})` : ""} but was not listed; move it back to the top level or delete it`, 409);
  }

  async update(desired: DesiredResource): Promise<void> {
    const { uid, title } = folderBody(desired.body);
    const current = await this.client.getFolder(uid);
    if (!current) throw new TargetError("grafana", `grafana: folder ${uid} disappeared since it was listed; run plan again`, 404);
    // Sending the version read just now makes a concurrent rename a 409/412, not a silent overwrite.
    await this.client.updateFolder(uid, { title, version: current.version ?? 0 });
  }

  /**
   * Only a folder that holds nothing pipemon does not own: deleting a Grafana folder deletes
   * its dashboards, so a user's dashboard, sub-folder or alert rule in it blocks the delete.
   * Rules are checked here and again by Grafana (no forceDeleteRules).
   */
  async delete(live: LiveResource): Promise<void> {
    const uid = live.key;
    const hits = await readAllPages(this.kind, `search in folder ${uid}`, this.options.pageSize, (page, limit) => this.client.search({ folderUids: [uid], limit, page }), (h) => `${h.type}/${h.uid}`);
    const foreign = hits.filter((h) => !(h.type === "dash-db" && isPipemonDashboardUid(h.uid) && hasOwnerTag(h.tags)));
    const foreignRules = (await this.client.listAlertRules()).filter((r) => r.folderUID === uid && !hasManagedLabel(r.labels));
    if (foreign.length > 0 || foreignRules.length > 0) {
      const what = [...foreign.map((h) => `${h.type === "dash-folder" ? "folder" : "dashboard"} "${h.title}" (${h.uid})`), ...foreignRules.map((r) => `alert rule "${r.title}" (${r.uid})`)];
      const shown = what.slice(0, 3).join(", ") + (what.length > 3 ? ` and ${what.length - 3} more` : "");
      throw new TargetError("grafana", `grafana: folder ${uid} not deleted: it holds ${shown} that pipemon does not own`);
    }
    await this.client.deleteFolder(uid);
  }
}

/** Every top-level folder with a pipemon uid (paged `GET /api/folders`). */
export async function listPipemonFolders(client: GrafanaClient, pageSize: number): Promise<{ uid: string; title: string }[]> {
  const all = await readAllPages("grafana-folder", "GET /api/folders", pageSize, (page, limit) => client.listFoldersPage(page, limit), (f) => f.uid);
  return all.filter((f) => isPipemonFolderUid(f.uid)).map((f) => ({ uid: f.uid, title: f.title }));
}

function folderBody(body: Json): { uid: string; title: string } {
  if (!isJsonObject(body) || typeof body.uid !== "string" || typeof body.title !== "string") throw new TargetError("grafana", "grafana: a desired folder has no uid or title");
  return { uid: body.uid, title: body.title };
}
