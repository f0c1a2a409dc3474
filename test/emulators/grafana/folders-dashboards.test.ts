import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import type { DashboardFullWithMeta, FolderResponse, SaveDashboardResponse, SearchHit } from "./types.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ clock: () => new Date("2024-05-01T10:00:00Z") });
});
afterEach(async () => {
  await h.emulator.close();
});

describe("folders", () => {
  it("creates a folder and answers the full swagger Folder shape", async () => {
    const answer = await h.call("POST", "/api/folders", { body: { uid: "pipemon-data", title: "Data Team" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: 1,
      uid: "pipemon-data",
      orgId: 1,
      title: "Data Team",
      url: "/dashboards/f/pipemon-data/data-team",
      hasAcl: false,
      canSave: true,
      canEdit: true,
      canAdmin: true,
      canDelete: true,
      createdBy: "sa-pipemon",
      created: "2024-05-01T10:00:00Z",
      updatedBy: "sa-pipemon",
      updated: "2024-05-01T10:00:00Z",
      version: 1,
    });
  });

  it("answers 409 for a second folder with the same uid and 400 for an empty title", async () => {
    await h.ok("POST", "/api/folders", { body: { uid: "f1", title: "One" } });
    const again = await h.call("POST", "/api/folders", { body: { uid: "f1", title: "Other" } });
    expect(again.status).toBe(409);
    const untitled = await h.call("POST", "/api/folders", { body: { uid: "f2", title: "" } });
    expect(untitled.status).toBe(400);
    expect(untitled.body).toEqual({ message: "folder title cannot be empty" });
  });

  it("answers 404 with status not-found for an unknown folder on GET, PUT and DELETE", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const answer = await h.call(method, "/api/folders/nope", method === "PUT" ? { body: { title: "x", version: 1 } } : {});
      expect(answer.status, method).toBe(404);
      expect(answer.body, method).toEqual({ status: "not-found", message: "folder not found" });
    }
  });

  it("lists folders sorted by title, 1000 per page by default, pages from 1", async () => {
    for (let i = 0; i < 1003; i++) h.emulator.seedFolder({ uid: `f-${String(i).padStart(4, "0")}`, title: `Folder ${String(i).padStart(4, "0")}` });
    const first = await h.ok<Array<{ uid: string }>>("GET", "/api/folders");
    expect(first).toHaveLength(1000);
    expect(first[0]).toEqual({ id: 1, uid: "f-0000", title: "Folder 0000" });
    const second = await h.ok<Array<{ uid: string }>>("GET", "/api/folders?page=2");
    expect(second.map((f) => f.uid)).toEqual(["f-1000", "f-1001", "f-1002"]);
    const small = await h.ok<Array<{ uid: string }>>("GET", "/api/folders?limit=2&page=3");
    expect(small.map((f) => f.uid)).toEqual(["f-0004", "f-0005"]);
  });

  it("PUT needs the current version unless overwrite, and bumps it", async () => {
    await h.ok("POST", "/api/folders", { body: { uid: "f1", title: "One" } });
    const stale = await h.call("PUT", "/api/folders/f1", { body: { title: "Renamed", version: 7 } });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ status: "version-mismatch", message: "The folder has been changed by someone else" });
    const renamed = await h.ok<FolderResponse>("PUT", "/api/folders/f1", { body: { title: "Renamed", version: 1 } });
    expect([renamed.title, renamed.version, renamed.url]).toEqual(["Renamed", 2, "/dashboards/f/f1/renamed"]);
    const forced = await h.ok<FolderResponse>("PUT", "/api/folders/f1", { body: { title: "Forced", overwrite: true } });
    expect(forced.version).toBe(3);
  });

  it("refuses to delete a folder holding alert rules unless forceDeleteRules=true, and takes its dashboards along", async () => {
    h.emulator.seedFolder({ uid: "f1", title: "One" });
    h.emulator.seedDashboard({ dashboard: { uid: "d1", title: "Inside" }, folderUid: "f1" });
    h.emulator.seedAlertRule(minimalRule({ folderUID: "f1", ruleGroup: "g" }));
    const refused = await h.call("DELETE", "/api/folders/f1");
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ message: "folder cannot be deleted: folder contains alert rules" });
    const deleted = await h.call("DELETE", "/api/folders/f1?forceDeleteRules=true");
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ title: "One", message: "Folder One deleted", id: 1 });
    expect(h.emulator.state.dashboards.size).toBe(0);
    expect(h.emulator.state.alertRules.size).toBe(0);
    expect((await h.call("GET", "/api/dashboards/uid/d1")).status).toBe(404);
  });
});

describe("dashboards", () => {
  beforeEach(() => {
    h.emulator.seedFolder({ uid: "pipemon-data", title: "Data" });
  });

  it("saves a new dashboard as version 1 and answers the documented save shape", async () => {
    const answer = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "pm-orders", title: "Orders ETL", tags: ["pipemon"] }, folderUid: "pipemon-data", overwrite: false, message: "pipemon apply" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: 2, uid: "pm-orders", url: "/d/pm-orders/orders-etl", status: "success", version: 1, slug: "orders-etl", folderUid: "pipemon-data" });
  });

  it("GET returns the stored document with server id/uid/version and every meta field", async () => {
    await h.ok("POST", "/api/dashboards/db", { body: { dashboard: { uid: "pm-orders", title: "Orders ETL", panels: [] }, folderUid: "pipemon-data" } });
    const answer = await h.ok<DashboardFullWithMeta>("GET", "/api/dashboards/uid/pm-orders");
    expect(answer.dashboard).toEqual({ uid: "pm-orders", title: "Orders ETL", panels: [], id: 2, version: 1 });
    expect(answer.meta).toEqual({
      type: "db",
      canSave: true,
      canEdit: true,
      canAdmin: true,
      canStar: true,
      canDelete: true,
      slug: "orders-etl",
      url: "/d/pm-orders/orders-etl",
      expires: "0001-01-01T00:00:00Z",
      created: "2024-05-01T10:00:00Z",
      updated: "2024-05-01T10:00:00Z",
      updatedBy: "sa-pipemon",
      createdBy: "sa-pipemon",
      version: 1,
      hasAcl: false,
      isFolder: false,
      folderId: 1,
      folderUid: "pipemon-data",
      folderTitle: "Data",
      folderUrl: "/dashboards/f/pipemon-data/data",
      provisioned: false,
      provisionedExternalId: "",
      annotationsPermissions: { dashboard: { canAdd: true, canEdit: true, canDelete: true }, organization: { canAdd: true, canEdit: true, canDelete: true } },
      publicDashboardEnabled: false,
    });
  });

  it("is a 412 version-mismatch to save over an existing uid without its version, unless overwrite", async () => {
    await h.ok("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D" }, folderUid: "pipemon-data" } });
    const blind = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D2" }, folderUid: "pipemon-data" } });
    expect(blind.status).toBe(412);
    expect(blind.body).toEqual({ status: "version-mismatch", message: "The dashboard has been changed by someone else" });
    const stale = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D2", version: 5 }, folderUid: "pipemon-data" } });
    expect(stale.status).toBe(412);
    const current = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D2", version: 1 }, folderUid: "pipemon-data" } });
    expect(current.version).toBe(2);
    const forced = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D3" }, folderUid: "pipemon-data", overwrite: true } });
    expect(forced.version).toBe(3);
  });

  it("finds the stored dashboard by id first; an unknown id is 404", async () => {
    const saved = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D" } } });
    const byId = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { id: saved.id, title: "Renamed", version: 1 } } });
    expect([byId.uid, byId.version]).toEqual(["d", 2]);
    const unknown = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { id: 999, title: "X" } } });
    expect(unknown.status).toBe(404);
  });

  it("generates a 14-character uid when none is sent, moves to the root when folderUid is omitted", async () => {
    const created = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { title: "No uid" }, folderUid: "pipemon-data" } });
    expect(created.uid).toMatch(/^[a-z][a-z0-9]{13}$/);
    const moved = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { uid: created.uid, title: "No uid", version: 1 } } });
    expect(moved.folderUid).toBe("");
    const meta = (await h.ok<DashboardFullWithMeta>("GET", `/api/dashboards/uid/${created.uid}`)).meta;
    expect([meta.folderId, meta.folderUid, meta.folderTitle, meta.folderUrl]).toEqual([0, "", "General", ""]);
  });

  it("accepts the legacy numeric folderId", async () => {
    const saved = await h.ok<SaveDashboardResponse>("POST", "/api/dashboards/db", { body: { dashboard: { uid: "legacy", title: "Legacy" }, folderId: 1 } });
    expect(saved.folderUid).toBe("pipemon-data");
    expect((await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "legacy2", title: "Legacy" }, folderId: 99 } })).status).toBe(400);
  });

  it("answers 400 for an empty title, an unknown folder, a bad or long uid", async () => {
    const empty = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "  " } } });
    expect([empty.status, empty.body]).toEqual([400, { message: "Dashboard title cannot be empty", status: "empty-name" }]);
    const folder = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "D" }, folderUid: "missing" } });
    expect(folder.status).toBe(400);
    const illegal = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "a/b c", title: "D" } } });
    expect([illegal.status, illegal.body]).toEqual([400, { message: "uid contains illegal characters" }]);
    const long = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "x".repeat(41), title: "D" } } });
    expect([long.status, long.body]).toEqual([400, { message: "uid too long, max 40 characters" }]);
    const exactly40 = await h.call("POST", "/api/dashboards/db", { body: { dashboard: { uid: "x".repeat(40), title: "D" } } });
    expect(exactly40.status).toBe(200);
  });

  it("deletes with the documented answer, 404 when absent, 400 when file-provisioned", async () => {
    await h.ok("POST", "/api/dashboards/db", { body: { dashboard: { uid: "d", title: "Orders" } } });
    const deleted = await h.call("DELETE", "/api/dashboards/uid/d");
    expect([deleted.status, deleted.body]).toEqual([200, { title: "Orders", message: "Dashboard Orders deleted", uid: "d" }]);
    const again = await h.call("DELETE", "/api/dashboards/uid/d");
    expect([again.status, again.body]).toEqual([404, { message: "Dashboard not found" }]);
    h.emulator.seedDashboard({ dashboard: { uid: "file", title: "From file" }, provisioned: true });
    expect((await h.call("DELETE", "/api/dashboards/uid/file")).status).toBe(400);
    const got = await h.ok<DashboardFullWithMeta>("GET", "/api/dashboards/uid/file");
    expect([got.meta.provisioned, got.meta.provisionedExternalId]).toEqual([true, "file.json"]);
  });
});

describe("search", () => {
  beforeEach(() => {
    h.emulator.seedFolder({ uid: "team-a", title: "Team A" });
    h.emulator.seedFolder({ uid: "team-b", title: "Team B" });
    h.emulator.seedDashboard({ dashboard: { uid: "pm-b", title: "beta", tags: ["pipemon", "team:a"] }, folderUid: "team-a" });
    h.emulator.seedDashboard({ dashboard: { uid: "pm-a", title: "Alpha", tags: ["team:b", "pipemon"] }, folderUid: "team-b" });
    h.emulator.seedDashboard({ dashboard: { uid: "other", title: "Someone else's", tags: ["team:a"] } });
  });

  it("answers swagger Hit objects, sorted by title, folder fields only inside a folder", async () => {
    const hits = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db");
    expect(hits.map((hit) => hit.uid)).toEqual(["pm-a", "pm-b", "other"]);
    expect(hits[1]).toEqual({
      id: 3,
      uid: "pm-b",
      title: "beta",
      uri: "db/beta",
      url: "/d/pm-b/beta",
      slug: "",
      type: "dash-db",
      tags: ["pipemon", "team:a"],
      isStarred: false,
      folderId: 1,
      folderUid: "team-a",
      folderTitle: "Team A",
      folderUrl: "/dashboards/f/team-a/team-a",
      sortMeta: 0,
      isDeleted: false,
    });
    expect(hits[2]).toEqual({ id: 5, uid: "other", title: "Someone else's", uri: "db/someone-else-s", url: "/d/other/someone-else-s", slug: "", type: "dash-db", tags: ["team:a"], isStarred: false, sortMeta: 0, isDeleted: false });
  });

  it("requires every tag to match and filters by folderUIDs", async () => {
    const both = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&tag=pipemon&tag=team:a");
    expect(both.map((hit) => hit.uid)).toEqual(["pm-b"]);
    const inFolders = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&folderUIDs=team-b&folderUIDs=general");
    expect(inFolders.map((hit) => hit.uid)).toEqual(["pm-a", "other"]);
  });

  it("lists folders before dashboards without a type, and only folders for dash-folder", async () => {
    const all = await h.ok<SearchHit[]>("GET", "/api/search");
    expect(all.map((hit) => `${hit.type}:${hit.uid}`)).toEqual(["dash-folder:team-a", "dash-folder:team-b", "dash-db:pm-a", "dash-db:pm-b", "dash-db:other"]);
    const folders = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-folder");
    expect(folders[0]).toEqual({ id: 1, uid: "team-a", title: "Team A", uri: "db/team-a", url: "/dashboards/f/team-a/team-a", slug: "", type: "dash-folder", tags: [], isStarred: false, sortMeta: 0, isDeleted: false });
  });

  it("pages from 1 with limit, and answers 422 above 5000", async () => {
    const page1 = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&limit=2&page=1");
    const page2 = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&limit=2&page=2");
    const page3 = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&limit=2&page=3");
    expect([page1.map((x) => x.uid), page2.map((x) => x.uid), page3]).toEqual([["pm-a", "pm-b"], ["other"], []]);
    expect((await h.call("GET", "/api/search?type=dash-db&limit=5000")).status).toBe(200);
    const tooMany = await h.call("GET", "/api/search?type=dash-db&limit=5001");
    expect([tooMany.status, tooMany.body]).toEqual([422, { message: "Limit is above maximum allowed (5000), use page" }]);
  });

  it("returns at most 1000 hits by default", async () => {
    for (let i = 0; i < 1001; i++) h.emulator.seedDashboard({ dashboard: { uid: `bulk-${i}`, title: `Bulk ${String(i).padStart(4, "0")}`, tags: ["bulk"] } });
    const hits = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&tag=bulk");
    expect(hits).toHaveLength(1000);
    const rest = await h.ok<SearchHit[]>("GET", "/api/search?type=dash-db&tag=bulk&page=2");
    expect(rest.map((hit) => hit.title)).toEqual(["Bulk 1000"]);
  });
});

function minimalRule(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    title: "rule",
    condition: "A",
    data: [{ refId: "A", datasourceUid: "prometheus", relativeTimeRange: { from: 600, to: 0 }, model: { expr: "up" } }],
    noDataState: "NoData",
    execErrState: "Error",
    for: "5m",
    ...fields,
  };
}
