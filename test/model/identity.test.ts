import { describe, expect, it } from "vitest";
import { folderUid, ownerFromLabels, ownerFromTags, ownerSelected, pipemonIdOfTags } from "../../src/model/identity.js";

const select = (pipelines: string[], teams: string[]) => ({ pipelines: new Set(pipelines), teams: new Set(teams) });

describe("ownership of live resources", () => {
  it("reads pipeline and team from tags and labels, ignoring everything else", () => {
    expect(ownerFromTags(["pipemon", "managed-by-pipemon", "team:commerce", "pipeline:orders-etl", 7])).toEqual({ team: "commerce", pipeline: "orders-etl" });
    expect(ownerFromTags(undefined)).toEqual({});
    expect(ownerFromLabels({ managed_by: "pipemon", team: "commerce", pipeline: "orders-etl" })).toEqual({ team: "commerce", pipeline: "orders-etl" });
    expect(ownerFromLabels(null)).toEqual({});
    expect(pipemonIdOfTags(["pipemon-id:b/x", "pipemon-id:a/y", "team:z"])).toBe("a/y");
  });

  it("finds a team by the uid of its folder even when the uid is shortened with a hash", () => {
    const team = "a-team-whose-name-is-far-too-long-for-a-grafana-uid";
    const uid = folderUid(team);
    expect(uid).not.toBe(`pipemon-${team}`);
    expect(ownerSelected({ folderUid: uid }, select([], [team]))).toBe(true);
    expect(ownerSelected({ folderUid: uid }, select([], ["commerce"]))).toBe(false);
  });

  it("selects by pipeline or team; a resource that names no owner is in no selection", () => {
    expect(ownerSelected({ pipeline: "orders-etl", team: "commerce" }, select([], ["commerce"]))).toBe(true);
    expect(ownerSelected({ pipeline: "orders-etl", team: "commerce" }, select(["orders-etl"], []))).toBe(true);
    expect(ownerSelected({ pipeline: "orders-etl", team: "commerce" }, select(["ledger"], ["payments"]))).toBe(false);
    expect(ownerSelected(undefined, select(["orders-etl"], ["commerce"]))).toBe(false);
  });
});
