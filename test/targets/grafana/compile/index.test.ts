import { describe, expect, it } from "vitest";
import { grafanaPipelineFiles, grafanaProjectFiles } from "../../../../src/targets/grafana/compile/index.js";
import type { OutputFile } from "../../../../src/compile/output.js";
import type { Project } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { UID } from "./contract.js";

function allFiles(pr: Project): OutputFile[] {
  return [...grafanaProjectFiles(pr), ...pr.pipelines.flatMap((p) => grafanaPipelineFiles(pr, p))];
}

const file = (files: OutputFile[], path: string): unknown => JSON.parse(files.find((f) => f.path === path)!.content);

describe("grafana files", () => {
  it("writes the project's files and two per pipeline, under grafana/", () => {
    expect(allFiles(project()).map((f) => f.path)).toEqual([
      "grafana/folders.json",
      "grafana/contact-points.json",
      "grafana/notification-policy.json",
      "grafana/dashboards/team-commerce.json",
      "grafana/dashboards/team-growth.json",
      "grafana/dashboards/orders-etl.json",
      "grafana/alert-rules/orders-etl.json",
      "grafana/dashboards/clickstream.json",
      "grafana/alert-rules/clickstream.json",
    ]);
  });

  it("writes JSON with a two-space indent and a trailing newline", () => {
    for (const f of allFiles(project())) {
      expect(f.content.endsWith("}\n") || f.content.endsWith("]\n"), f.path).toBe(true);
      expect(f.content).toBe(JSON.stringify(JSON.parse(f.content), null, 2) + "\n");
    }
    expect(file(allFiles(project()), "grafana/dashboards/orders-etl.json")).toMatchObject({ uid: "pm-orders-etl" });
  });

  it("writes one folder per team with a Grafana pipeline, sorted by uid", () => {
    const pr = project([
      streamingPipeline({ team: "zeta", name: "z" }),
      batchPipeline({ team: "alpha", name: "a" }),
      batchPipeline({ team: "datadog-team", name: "d", targets: ["datadog"] }),
    ]);
    const files = allFiles(pr);
    expect(file(files, "grafana/folders.json")).toEqual([
      { uid: "pipemon-alpha", title: "pipemon: alpha" },
      { uid: "pipemon-zeta", title: "pipemon: zeta" },
    ]);
    expect(files.map((f) => f.path).filter((p) => p.includes("team-"))).toEqual(["grafana/dashboards/team-alpha.json", "grafana/dashboards/team-zeta.json"]);
  });

  it("writes nothing for a pipeline that does not target Grafana, nor shows it on its team's overview", () => {
    const skipped = batchPipeline({ name: "dd-only", targets: ["datadog"] });
    const pr = project([batchPipeline(), skipped]);
    expect(grafanaPipelineFiles(pr, skipped)).toEqual([]);
    const overview = [...grafanaProjectFiles(pr)].find((f) => f.path === "grafana/dashboards/team-commerce.json")!;
    expect(overview.content).not.toContain("dd-only");
  });

  it("writes empty project files when no pipeline targets Grafana", () => {
    const files = [...grafanaProjectFiles(project([batchPipeline({ targets: ["datadog"] })]))];
    expect(files.map((f) => [f.path, f.content])).toEqual([
      ["grafana/folders.json", "[]\n"],
      ["grafana/contact-points.json", "[]\n"],
      ["grafana/notification-policy.json", expect.stringContaining('"managed_by"')],
    ]);
  });

  it("keeps every uid Grafana-valid, even for long team and pipeline names", () => {
    const team = "the-data-platform-engineering-team-of-europe";
    const pr = project([
      batchPipeline({ team, name: "a-very-long-pipeline-name-that-goes-on-and-on-forever" }),
      streamingPipeline({ team, name: "another-very-long-streaming-pipeline-name-indeed" }),
    ]);
    const uids: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
          if ((k === "uid" || k === "folderUid" || k === "folderUID" || k === "__dashboardUid__") && typeof v === "string") uids.push(v);
          else collect(v);
        }
      }
    };
    for (const f of allFiles(pr)) collect(JSON.parse(f.content));
    // Datasource uids come from the config; every other uid is derived from a name.
    const derived = uids.filter((u) => u !== "prometheus" && u !== "__expr__");
    expect(derived.length).toBeGreaterThan(20);
    for (const uid of derived) expect(uid).toMatch(UID);
  });

  it("is deterministic: compiling twice gives identical files", () => {
    const a = allFiles(project());
    const b = allFiles(project());
    expect(b).toEqual(a);
  });

  it("never writes a resolved environment variable", () => {
    process.env.GRAFANA_URL = "https://grafana.internal.example.com";
    process.env.PD_DATA_ONCALL_KEY = "resolved-pagerduty-key";
    try {
      const all = allFiles(project()).map((f) => f.content).join("");
      expect(all).not.toContain("grafana.internal.example.com");
      expect(all).not.toContain("resolved-pagerduty-key");
    } finally {
      delete process.env.GRAFANA_URL;
      delete process.env.PD_DATA_ONCALL_KEY;
    }
  });
});
