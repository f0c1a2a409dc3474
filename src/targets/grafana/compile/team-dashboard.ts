/**
 * The team overview (DESIGN §4): one strip of status panels per pipeline of the team, each
 * linking to the pipeline's own dashboard.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dash from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { formatDuration } from "../../../lib/duration.js";
import { dashboardUid, teamDashboardUid } from "../../../model/identity.js";
import type { Pipeline, Project } from "../../../model/types.js";
import { DASHBOARD_OWNER_TAG, type Datasource, lastValue, link, promTarget, thresholds } from "./dashboard.js";
import * as q from "../../../compile/promql.js";
import { criticalOnly, panelSteps, stepsAbove } from "./thresholds.js";
import type { PanelKey } from "../../../model/panels.js";

/** The period SLA compliance is measured over. */
export const SLA_PERIOD = "7d";

/**
 * Panel ids: the n-th pipeline (1-based, by name) owns ids n*10 .. n*10+9, its row being
 * n*10. Stable for a given set of pipelines, and never colliding across pipelines.
 */
export const PIPELINE_ID_STRIDE = 10;

export function teamDashboardTags(team: string): string[] {
  return ["pipemon", DASHBOARD_OWNER_TAG, `team:${team}`];
}

export function teamDashboardTitle(team: string): string {
  return `${team}: pipeline overview`;
}

interface StatSpec {
  title: string;
  description: string;
  expr: string;
  unit: string;
  /** Undefined: the value has no threshold in the spec, so it is shown uncoloured. */
  steps?: dash.Threshold[];
  noValue?: string;
  mappings?: dash.ValueMapping[];
}

function stat(ds: Datasource, id: number, p: Pipeline, s: StatSpec): StatPanelBuilder {
  const b = new StatPanelBuilder()
    .id(id)
    .title(s.title)
    .description(s.description)
    .datasource(ds)
    // Instant queries: an overview of many pipelines should cost one sample per panel.
    .withTarget(promTarget(ds, "A", s.expr, s.title).instant())
    .unit(s.unit)
    .thresholds(thresholds(s.steps ?? [{ value: null, color: "text" }]))
    .colorMode(s.steps ? common.BigValueColorMode.Value : common.BigValueColorMode.None)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(lastValue())
    .links([link(`${p.name} dashboard`, `/d/${dashboardUid(p.name)}`)])
    .height(5)
    .span(6);
  if (s.noValue !== undefined) b.noValue(s.noValue);
  if (s.mappings) b.mappings(s.mappings);
  return b;
}

function batchStats(p: Pipeline): StatSpec[] {
  const w = formatDuration(q.windowSeconds(p));
  const maxDuration = p.sla.maxDurationSeconds;
  const freshness = p.sla.freshnessSeconds;
  const stats: StatSpec[] = [
    {
      title: `Run status (${w})`,
      description: `Whether a run failed and no later run has succeeded (from the failed-runs counter alone: a run failed within the schedule window, ${w}), which is what fires pipelineFailed.`,
      expr: `(${q.unresolvedFailure(p)}) > bool 0`,
      unit: "none",
      steps: [{ value: null, color: "green" }, { value: 1, color: "red" }],
      mappings: [
        {
          type: dash.MappingType.ValueToText,
          options: { "0": { text: "OK", color: "green", index: 0 }, "1": { text: "FAILED", color: "red", index: 1 } },
        },
      ],
      // Exporters often create the failed series only at the first failure.
      noValue: "no failures",
    },
    {
      title: "Since last success",
      description: `Time since the last successful run${freshness === undefined ? "" : `; freshness SLA ${formatDuration(freshness)}`}.`,
      expr: q.sinceLastSuccess(p),
      unit: "s",
      ...(freshness === undefined ? {} : { steps: stepsAbove(criticalOnly(freshness)) }),
    },
    {
      title: `Successful runs (${SLA_PERIOD})`,
      description: `Share of runs that succeeded over the last ${SLA_PERIOD}.`,
      expr: q.successShare(p, SLA_PERIOD),
      unit: "percentunit",
      noValue: "no runs",
    },
  ];
  // Without sla.maxDuration there is nothing to comply with, so no panel claims there is.
  if (maxDuration !== undefined) {
    stats.push({
      title: `Within ${formatDuration(maxDuration)} (${SLA_PERIOD})`,
      description: `Share of the last ${SLA_PERIOD} during which the last run had taken at most ${formatDuration(maxDuration)} (sla.maxDuration): the share of runs within the SLA, for a pipeline on a fixed schedule.`,
      expr: q.withinDurationShare(p, maxDuration, SLA_PERIOD),
      unit: "percentunit",
    });
  }
  return stats;
}

function streamingStats(p: Pipeline): StatSpec[] {
  const steps = (panel: PanelKey) => {
    const s = panelSteps(p, panel);
    return s ? { steps: s } : {};
  };
  return [
    { title: "Latency p95", description: "95th percentile of processing latency over 5m.", expr: q.latencyP95(p), unit: "s", ...steps("latency") },
    { title: "Throughput", description: "Records processed per second over 5m.", expr: q.throughput(p), unit: "cps", ...steps("throughput") },
    { title: "Backlog", description: "Records waiting to be processed.", expr: q.backlog(p), unit: "short", ...steps("backlog") },
    { title: "Error rate", description: "Failed / processed stream records over 5m.", expr: q.streamErrorRatio(p), unit: "percentunit", ...steps("streamErrorRate") },
  ];
}

/** The overview dashboard of one team; `pipelines` are its Grafana pipelines, sorted by name. */
export function teamDashboard(project: Project, team: string, pipelines: readonly Pipeline[]): dash.Dashboard {
  const ds = project.grafana.datasource;
  const b = new dash.DashboardBuilder(teamDashboardTitle(team))
    .uid(teamDashboardUid(team))
    .description(`Status of every ${team} pipeline pipemon manages.`)
    .tags(teamDashboardTags(team))
    .time({ from: `now-${SLA_PERIOD}`, to: "now" })
    .refresh("1m")
    // Every pipemon dashboard of the team (its pipelines and this overview), as a menu.
    .link(
      new dash.DashboardLinkBuilder(`${team} pipelines`)
        .type(dash.DashboardLinkType.Dashboards)
        .tags(["pipemon", `team:${team}`])
        .asDropdown(true)
        .icon("external link")
        .tooltip(""),
    );
  pipelines.forEach((p, index) => {
    const base = (index + 1) * PIPELINE_ID_STRIDE;
    b.withRow(new dash.RowBuilder(p.description ? `${p.name} — ${p.description}` : p.name).id(base));
    const stats = p.type === "batch" ? batchStats(p) : streamingStats(p);
    stats.forEach((s, i) => b.withPanel(stat(ds, base + 1 + i, p, s)));
  });
  const out = b.build();
  delete out.id;
  delete out.version;
  return out;
}
