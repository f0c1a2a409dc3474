/** `--select` that matches nothing: which selectors match, and the one line that says so. */
import { describe, expect, it } from "vitest";
import { parseSelection, selectionProblem } from "../../src/app/desired.js";
import { folderUid } from "../../src/model/identity.js";
import type { LiveResource } from "../../src/plan/resource.js";
import { batchPipeline, project } from "../fixtures/model.js";

const specs = [project([batchPipeline({ name: "orders-etl", team: "commerce" }), batchPipeline({ name: "ledger", team: "payments" })])];
const live = (owner: LiveResource["owner"], owned = true): LiveResource => ({ kind: "grafana-dashboard", key: "k", body: {}, owned, fingerprint: "1", ...(owner ? { owner } : {}) });
const problem = (selectors: string[], liveResources: LiveResource[] = []) => selectionProblem(parseSelection(selectors)!, specs, liveResources);

describe("selectionProblem", () => {
  it("accepts selectors the specs know", () => {
    expect(problem(["orders-etl", "team:payments"])).toBeUndefined();
  });

  it("names every unmatched selector with a close name, then the known pipelines and teams", () => {
    expect(problem(["orders-etI", "team:paymnts", "zzz"])).toBe(
      "--select orders-etI (did you mean orders-etl?), zzz, team:paymnts (did you mean team:payments?) match no pipeline or team in the specs or among pipemon's live resources; pipelines: ledger, orders-etl; teams: team:commerce, team:payments",
    );
    // A team written as a name is pointed to its team: form.
    expect(problem(["commerce"])).toMatch(/^--select commerce \(did you mean team:commerce\?\) matches no pipeline/);
  });

  it("matches a pipeline or team that only pipemon's live resources still name (being pruned), never a resource it does not own", () => {
    expect(problem(["returns-etl"], [live({ pipeline: "returns-etl", team: "commerce" })])).toBeUndefined();
    expect(problem(["team:legacy"], [live({ folderUid: folderUid("legacy") })])).toBeUndefined();
    expect(problem(["returns-etl"], [live({ pipeline: "returns-etl" }, false)])).toMatch(/^--select returns-etl matches no pipeline/);
  });

  it("lists at most 12 names and says how many more", () => {
    const many = [project(Array.from({ length: 20 }, (_, i) => batchPipeline({ name: `p${String(i).padStart(2, "0")}`, team: "t" })))];
    expect(selectionProblem(parseSelection(["nope-nope"])!, many, [])).toContain("pipelines: p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11 (and 8 more); teams: team:t");
  });
});
