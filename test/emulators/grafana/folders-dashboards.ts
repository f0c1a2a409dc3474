/**
 * Folders, dashboards and search: /api/folders, /api/dashboards, /api/search with the
 * version, uid and pagination semantics of test/contracts/grafana/README.md.
 */
import { type ApiRequest, type RouteTable, bodyObject, fail, intParam, json, paginate } from "./http.js";
import { type GrafanaState, type StoredDashboard, type StoredFolder, MAX_UID_LENGTH, ORG_ID, UID_PATTERN, slugify } from "./state.js";
import type { DashboardFullWithMeta, FolderResponse, FolderSearchHit, JsonObject, SaveDashboardResponse, SearchHit } from "./types.js";

/** Who the emulator says made a change: a service-account token, as pipemon uses. */
export const ACTING_USER = "sa-pipemon";

const FOLDER_NOT_FOUND = { status: "not-found", message: "folder not found" };
const MAX_SEARCH_LIMIT = 5000;
const DEFAULT_LIMIT = 1000;

export function folderUrl(folder: Pick<StoredFolder, "uid" | "title">): string {
  return `/dashboards/f/${folder.uid}/${slugify(folder.title)}`;
}

export function dashboardUrl(dashboard: Pick<StoredDashboard, "uid" | "title">): string {
  return `/d/${dashboard.uid}/${slugify(dashboard.title)}`;
}

export function folderResponse(folder: StoredFolder): FolderResponse {
  const answer: FolderResponse = {
    id: folder.id,
    uid: folder.uid,
    orgId: ORG_ID,
    title: folder.title,
    url: folderUrl(folder),
    hasAcl: false,
    canSave: true,
    canEdit: true,
    canAdmin: true,
    canDelete: true,
    createdBy: folder.createdBy,
    created: folder.created,
    updatedBy: folder.updatedBy,
    updated: folder.updated,
    version: folder.version,
  };
  if (folder.parentUid) answer.parentUid = folder.parentUid;
  return answer;
}

/** 400 unless `uid` has Grafana's uid shape (≤ 40 characters of [a-zA-Z0-9-_]). */
export function assertValidUid(uid: string): void {
  if (uid.length > MAX_UID_LENGTH) fail(400, "uid too long, max 40 characters");
  if (!UID_PATTERN.test(uid)) fail(400, "uid contains illegal characters");
}

export interface NewFolder {
  uid?: string;
  title: string;
  description?: string;
  parentUid?: string;
}

/** Creates a folder (POST /api/folders and the seed helper share it). */
export function createFolder(state: GrafanaState, input: NewFolder): StoredFolder {
  if (!input.title?.trim()) fail(400, "folder title cannot be empty");
  const uid = input.uid || state.generateUid();
  assertValidUid(uid);
  if (state.folders.has(uid) || state.dashboards.has(uid)) fail(409, "a folder with the same uid already exists");
  if (input.parentUid && !state.folders.has(input.parentUid)) fail(404, "parent folder not found", { status: "not-found" });
  const now = state.now();
  const folder: StoredFolder = {
    id: state.allocateDashboardId(),
    uid,
    title: input.title,
    description: input.description ?? "",
    version: 1,
    created: now,
    updated: now,
    createdBy: ACTING_USER,
    updatedBy: ACTING_USER,
  };
  if (input.parentUid) folder.parentUid = input.parentUid;
  state.folders.set(uid, folder);
  return folder;
}

/** The folder and every folder nested below it. */
function folderSubtree(state: GrafanaState, uid: string): string[] {
  const uids = [uid];
  for (const folder of state.folders.values()) {
    if (folder.parentUid === uid) uids.push(...folderSubtree(state, folder.uid));
  }
  return uids;
}

export interface NewDashboard {
  dashboard: JsonObject;
  folderUid?: string;
  overwrite?: boolean;
  provisioned?: boolean;
}

/**
 * Saves a dashboard with Grafana's rules: found by `dashboard.id`, else by `uid`; a version
 * that differs from the stored one is a 412 unless `overwrite`; new → version 1, each save +1.
 */
export function saveDashboard(state: GrafanaState, input: NewDashboard): StoredDashboard {
  const document = structuredClone(input.dashboard);
  const title = typeof document.title === "string" ? document.title.trim() : "";
  if (!title) fail(400, "Dashboard title cannot be empty", { status: "empty-name" });
  const folderUid = input.folderUid ?? "";
  if (folderUid && !state.folders.has(folderUid)) fail(400, "folder not found", { status: "not-found" });

  const requestedId = typeof document.id === "number" && document.id > 0 ? document.id : undefined;
  const requestedUid = typeof document.uid === "string" && document.uid !== "" ? document.uid : undefined;
  if (requestedUid !== undefined) assertValidUid(requestedUid);

  let existing: StoredDashboard | undefined;
  if (requestedId !== undefined) {
    existing = [...state.dashboards.values()].find((d) => d.id === requestedId);
    if (!existing) fail(404, "Dashboard not found", { status: "not-found" });
    if (requestedUid !== undefined && requestedUid !== existing.uid && state.dashboards.has(requestedUid)) {
      fail(400, "Dashboard with the same uid already exists", { status: "uid-exists" });
    }
  } else if (requestedUid !== undefined) {
    existing = state.dashboards.get(requestedUid);
    if (!existing && state.folders.has(requestedUid)) fail(400, "Dashboard with the same uid already exists", { status: "uid-exists" });
  }

  const now = state.now();
  if (existing) {
    const sentVersion = typeof document.version === "number" ? document.version : 0;
    if (sentVersion !== existing.version && !input.overwrite) {
      fail(412, "The dashboard has been changed by someone else", { status: "version-mismatch" });
    }
    if (existing.provisioned && !input.overwrite) {
      // Grafana refuses API saves of file-provisioned dashboards.
      fail(400, "Cannot save provisioned dashboard", { status: "provisioned-dashboard" });
    }
    const uid = requestedUid ?? existing.uid;
    const version = existing.version + 1;
    const saved: StoredDashboard = {
      ...existing,
      uid,
      title,
      folderUid,
      version,
      document: { ...document, id: existing.id, uid, version, title: document.title as string },
      updated: now,
      updatedBy: ACTING_USER,
    };
    if (uid !== existing.uid) state.dashboards.delete(existing.uid);
    state.dashboards.set(uid, saved);
    return saved;
  }

  const uid = requestedUid ?? state.generateUid();
  const id = state.allocateDashboardId();
  const saved: StoredDashboard = {
    id,
    uid,
    title,
    folderUid,
    version: 1,
    document: { ...document, id, uid, version: 1 },
    created: now,
    updated: now,
    createdBy: ACTING_USER,
    updatedBy: ACTING_USER,
    provisioned: input.provisioned ?? false,
    provisionedExternalId: input.provisioned ? `${uid}.json` : "",
  };
  state.dashboards.set(uid, saved);
  return saved;
}

function dashboardTags(dashboard: StoredDashboard): string[] {
  const tags = dashboard.document.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

export function dashboardWithMeta(state: GrafanaState, dashboard: StoredDashboard): DashboardFullWithMeta {
  const folder = dashboard.folderUid ? state.folders.get(dashboard.folderUid) : undefined;
  const slug = slugify(dashboard.title);
  const permissions = { canAdd: true, canEdit: true, canDelete: true };
  return {
    dashboard: structuredClone(dashboard.document),
    meta: {
      type: "db",
      canSave: true,
      canEdit: true,
      canAdmin: true,
      canStar: true,
      canDelete: true,
      slug,
      url: dashboardUrl(dashboard),
      expires: "0001-01-01T00:00:00Z",
      created: dashboard.created,
      updated: dashboard.updated,
      updatedBy: dashboard.updatedBy,
      createdBy: dashboard.createdBy,
      version: dashboard.version,
      hasAcl: false,
      isFolder: false,
      folderId: folder?.id ?? 0,
      folderUid: folder?.uid ?? "",
      folderTitle: folder?.title ?? "General",
      folderUrl: folder ? folderUrl(folder) : "",
      provisioned: dashboard.provisioned,
      provisionedExternalId: dashboard.provisionedExternalId,
      annotationsPermissions: { dashboard: { ...permissions }, organization: { ...permissions } },
      publicDashboardEnabled: false,
    },
  };
}

/** Case-insensitive title order, then uid, so pages are stable. */
function byTitle(a: { title: string; uid: string }, b: { title: string; uid: string }): number {
  const ta = a.title.toLowerCase();
  const tb = b.title.toLowerCase();
  return ta < tb ? -1 : ta > tb ? 1 : a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}

/** Every value of a repeated query parameter, also split on commas (clients send either form). */
function listParam(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

function folderHit(state: GrafanaState, folder: StoredFolder): SearchHit {
  const hit: SearchHit = {
    id: folder.id,
    uid: folder.uid,
    title: folder.title,
    uri: `db/${slugify(folder.title)}`,
    url: folderUrl(folder),
    slug: "",
    type: "dash-folder",
    tags: [],
    isStarred: false,
    sortMeta: 0,
    isDeleted: false,
  };
  const parent = folder.parentUid ? state.folders.get(folder.parentUid) : undefined;
  if (parent) Object.assign(hit, { folderId: parent.id, folderUid: parent.uid, folderTitle: parent.title, folderUrl: folderUrl(parent) });
  return hit;
}

function dashboardHit(state: GrafanaState, dashboard: StoredDashboard): SearchHit {
  const folder = dashboard.folderUid ? state.folders.get(dashboard.folderUid) : undefined;
  return {
    id: dashboard.id,
    uid: dashboard.uid,
    title: dashboard.title,
    uri: `db/${slugify(dashboard.title)}`,
    url: dashboardUrl(dashboard),
    slug: "",
    type: "dash-db",
    tags: dashboardTags(dashboard).sort(),
    isStarred: false,
    ...(folder ? { folderId: folder.id, folderUid: folder.uid, folderTitle: folder.title, folderUrl: folderUrl(folder) } : {}),
    sortMeta: 0,
    isDeleted: false,
  };
}

/**
 * One page of search hits. Matches are filtered and ordered on the stored objects; only the
 * page's hits are built (slugs and folder look-ups), as pipemon pages through every dashboard.
 */
function searchPage(state: GrafanaState, query: URLSearchParams, limit: number, page: number): SearchHit[] {
  const type = query.get("type");
  const text = (query.get("query") ?? "").toLowerCase();
  const tags = listParam(query, "tag");
  // "general" names the root, as in Grafana's search.
  const folderUids = new Set(listParam(query, "folderUIDs").map((uid) => (uid === "general" ? "" : uid)));
  const dashboardUids = new Set(listParam(query, "dashboardUIDs"));

  const folders: StoredFolder[] = [];
  if (type !== "dash-db" && !tags.length) {
    for (const folder of state.folders.values()) {
      if (text && !folder.title.toLowerCase().includes(text)) continue;
      if (folderUids.size && !folderUids.has(folder.parentUid ?? "")) continue;
      if (dashboardUids.size && !dashboardUids.has(folder.uid)) continue;
      folders.push(folder);
    }
  }
  const dashboards: StoredDashboard[] = [];
  if (type !== "dash-folder") {
    for (const dashboard of state.dashboards.values()) {
      if (text && !dashboard.title.toLowerCase().includes(text)) continue;
      if (tags.length) {
        const dashboardTagList = dashboardTags(dashboard);
        if (!tags.every((tag) => dashboardTagList.includes(tag))) continue;
      }
      if (folderUids.size && !folderUids.has(dashboard.folderUid)) continue;
      if (dashboardUids.size && !dashboardUids.has(dashboard.uid)) continue;
      dashboards.push(dashboard);
    }
  }
  // Grafana's HitList order: folders before dashboards, then by title.
  const ordered = [...folders.sort(byTitle).map((folder) => ({ folder })), ...dashboards.sort(byTitle).map((dashboard) => ({ dashboard }))];
  return paginate(ordered, limit, page).map((m) => ("folder" in m ? folderHit(state, m.folder) : dashboardHit(state, m.dashboard)));
}

export function registerFolderAndDashboardRoutes(routes: RouteTable, state: GrafanaState): void {
  const folderOr404 = (uid: string | undefined): StoredFolder => {
    const folder = uid === undefined ? undefined : state.folders.get(uid);
    if (!folder) fail(404, FOLDER_NOT_FOUND.message, { status: FOLDER_NOT_FOUND.status });
    return folder;
  };

  routes
    .add("GET", "/api/folders", (req) => {
      const limit = intParam(req.query, "limit", DEFAULT_LIMIT);
      const page = intParam(req.query, "page", 1);
      const parentUid = req.query.get("parentUid") ?? "";
      const folders = [...state.folders.values()].filter((f) => (f.parentUid ?? "") === parentUid).sort(byTitle);
      const hits: FolderSearchHit[] = paginate(folders, limit, page).map((f) => ({ id: f.id, uid: f.uid, title: f.title, ...(f.parentUid ? { parentUid: f.parentUid } : {}) }));
      return json(200, hits);
    })
    .add("POST", "/api/folders", (req) => {
      const body = bodyObject(req);
      const folder = createFolder(state, {
        uid: typeof body.uid === "string" ? body.uid : undefined,
        title: typeof body.title === "string" ? body.title : "",
        description: typeof body.description === "string" ? body.description : undefined,
        parentUid: typeof body.parentUid === "string" ? body.parentUid : undefined,
      });
      return json(200, folderResponse(folder));
    })
    .add("GET", "/api/folders/{uid}", (req) => json(200, folderResponse(folderOr404(req.params.uid))))
    .add("PUT", "/api/folders/{uid}", (req) => {
      const folder = folderOr404(req.params.uid);
      const body = bodyObject(req);
      if (body.version !== folder.version && body.overwrite !== true) {
        fail(409, "The folder has been changed by someone else", { status: "version-mismatch" });
      }
      if (body.title !== undefined && (typeof body.title !== "string" || !body.title.trim())) fail(400, "folder title cannot be empty");
      const updated: StoredFolder = {
        ...folder,
        title: typeof body.title === "string" ? body.title : folder.title,
        description: typeof body.description === "string" ? body.description : folder.description,
        version: folder.version + 1,
        updated: state.now(),
        updatedBy: ACTING_USER,
      };
      state.folders.set(folder.uid, updated);
      return json(200, folderResponse(updated));
    })
    .add("DELETE", "/api/folders/{uid}", (req) => {
      const folder = folderOr404(req.params.uid);
      const subtree = new Set(folderSubtree(state, folder.uid));
      const rulesInside = [...state.alertRules.values()].filter((r) => subtree.has(r.folderUID));
      if (rulesInside.length && req.query.get("forceDeleteRules") !== "true") {
        fail(400, "folder cannot be deleted: folder contains alert rules");
      }
      // Deleting a folder takes its dashboards, alert rules and subfolders with it, as in Grafana.
      for (const rule of rulesInside) state.alertRules.delete(rule.uid);
      state.pruneEmptyGroups();
      for (const dashboard of [...state.dashboards.values()]) if (subtree.has(dashboard.folderUid)) state.dashboards.delete(dashboard.uid);
      for (const uid of subtree) state.folders.delete(uid);
      return json(200, { title: folder.title, message: `Folder ${folder.title} deleted`, id: folder.id });
    })
    .add("POST", "/api/dashboards/db", (req) => {
      const body = bodyObject(req);
      const document = body.dashboard;
      if (typeof document !== "object" || document === null || Array.isArray(document)) fail(400, "bad request data");
      let folderUid = typeof body.folderUid === "string" ? body.folderUid : undefined;
      if (folderUid === undefined && typeof body.folderId === "number" && body.folderId > 0) {
        // Legacy clients address the folder by numeric id.
        const byId = [...state.folders.values()].find((f) => f.id === body.folderId);
        if (!byId) fail(400, "folder not found", { status: "not-found" });
        folderUid = byId.uid;
      }
      const saved = saveDashboard(state, { dashboard: document as JsonObject, folderUid, overwrite: body.overwrite === true });
      const answer: SaveDashboardResponse = {
        id: saved.id,
        uid: saved.uid,
        url: dashboardUrl(saved),
        status: "success",
        version: saved.version,
        slug: slugify(saved.title),
        folderUid: saved.folderUid,
      };
      return json(200, answer);
    })
    .add("GET", "/api/dashboards/uid/{uid}", (req) => {
      const dashboard = state.dashboards.get(req.params.uid ?? "");
      if (!dashboard) fail(404, "Dashboard not found");
      return json(200, dashboardWithMeta(state, dashboard));
    })
    .add("DELETE", "/api/dashboards/uid/{uid}", (req) => {
      const dashboard = state.dashboards.get(req.params.uid ?? "");
      if (!dashboard) fail(404, "Dashboard not found");
      if (dashboard.provisioned) fail(400, "provisioned dashboard cannot be deleted", { status: "provisioned-dashboard" });
      state.dashboards.delete(dashboard.uid);
      return json(200, { title: dashboard.title, message: `Dashboard ${dashboard.title} deleted`, uid: dashboard.uid });
    })
    .add("GET", "/api/search", (req: ApiRequest) => {
      const limit = intParam(req.query, "limit", DEFAULT_LIMIT);
      if (limit > MAX_SEARCH_LIMIT) fail(422, "Limit is above maximum allowed (5000), use page");
      const page = intParam(req.query, "page", 1);
      return json(200, searchPage(state, req.query, limit, page));
    });
}
