/**
 * The pipeline dashboard (DESIGN §4): the seed's panels, each at the fixed id of PANEL so
 * alert annotations and runbook links keep pointing at the right panel.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dash from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as GaugePanelBuilder } from "@grafana/grafana-foundation-sdk/gauge";
import { DataqueryBuilder, QueryEditorMode } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { formatDuration } from "../../../lib/duration.js";
import { dashboardUid, runbookUrl, teamDashboardUid } from "../../../model/identity.js";
import { PANEL, PANEL_TITLE } from "../../../model/panels.js";
import type { Pipeline, Project, ThresholdLevels } from "../../../model/types.js";
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import { describeLevel } from "../../../compile/alert-definitions.js";
import * as q from "../../../compile/promql.js";
import { criticalOnly, drawn, stepsAbove, stepsBelow, type ThresholdSide } from "./thresholds.js";

import { DASHBOARD_OWNER_TAG } from "../ownership.js";

export { DASHBOARD_OWNER_TAG };

export function pipelineDashboardTags(p: Pipeline): string[] {
  return ["pipemon", DASHBOARD_OWNER_TAG, `team:${p.team}`, `pipeline:${p.name}`];
}

export type Datasource = { type: string; uid: string };

/**
 * Row panels need ids too; they start above every id in PANEL so adding a panel to PANEL
 * never renumbers a row (a test checks the ranges stay apart).
 */
export const ROW_ID_BASE = 100;

/** A Prometheus range query for a panel. */
export function promTarget(ds: Datasource, refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(ds)
    .refId(refId)
    .expr(expr)
    .legendFormat(legend)
    .editorMode(QueryEditorMode.Code)
    .range();
}

export function thresholds(steps: dash.Threshold[]): dash.ThresholdsConfigBuilder {
  return new dash.ThresholdsConfigBuilder().mode(dash.ThresholdsMode.Absolute).steps(steps);
}

function thresholdStyle(mode: common.GraphThresholdsStyleMode): common.GraphThresholdsStyleConfigBuilder {
  return new common.GraphThresholdsStyleConfigBuilder().mode(mode);
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .calcs([]);
}

export const lastValue = (): common.ReduceDataOptionsBuilder => new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false);

/**
 * A time series whose levels are drawn as lines. An above-alert draws its warning/critical
 * lines in their colours; a below-alert also shades the area, because its critical colour
 * is the base step, which Grafana draws as a region and never as a line.
 */
function timeseries(
  ds: Datasource,
  id: number,
  title: string,
  unit: string,
  levels: ThresholdLevels | undefined,
  direction: ThresholdSide = "above",
): TimeseriesPanelBuilder {
  const style = levels === undefined
    ? common.GraphThresholdsStyleMode.Off
    : direction === "above" ? common.GraphThresholdsStyleMode.Line : common.GraphThresholdsStyleMode.LineAndArea;
  return new TimeseriesPanelBuilder()
    .id(id)
    .title(title)
    .datasource(ds)
    .unit(unit)
    .thresholds(thresholds(direction === "above" ? stepsAbove(levels) : stepsBelow(levels)))
    .thresholdsStyle(thresholdStyle(style))
    .legend(legend())
    .lineWidth(1)
    .fillOpacity(10)
    .height(8);
}

function gauge(ds: Datasource, id: number, title: string, expr: string, levels: ThresholdLevels | undefined, direction: ThresholdSide): GaugePanelBuilder {
  return new GaugePanelBuilder()
    .id(id)
    .title(title)
    .datasource(ds)
    .withTarget(promTarget(ds, "A", expr, title))
    .unit("percentunit")
    .min(0)
    .max(1)
    .thresholds(thresholds(direction === "above" ? stepsAbove(levels) : stepsBelow(levels)))
    .showThresholdMarkers(true)
    .showThresholdLabels(false)
    .reduceOptions(lastValue())
    .height(8);
}

type Override = Parameters<StatPanelBuilder["withOverride"]>[0];

/**
 * Field overrides for the series with these display names (their legends). `byNames`
 * rather than `byName`/`byFrameRefID`: the dashboard schema only admits object matcher
 * options, and Grafana's multi-name matcher is the one that takes an object.
 */
function forSeries(names: string[], properties: dash.DynamicConfigValue[]): Override {
  return { matcher: { id: "byNames", options: { mode: "include", names } }, properties };
}

/** "Alerts: Data quality: failed records: medium when > 5%, low when > 1%." */
function alertNote(defs: readonly AlertDefinition[], panelId: number): string {
  const notes = defs
    .filter((d) => PANEL[d.panel] === panelId)
    .map((d) => `${d.title}: ${d.levels.map((l) => `${l.severity} when ${d.comparator} ${describeLevel(d, l)}`).join(", ")}`);
  return notes.length === 0 ? "" : ` Alerts: ${notes.join("; ")}.`;
}

function batchPanels(b: dash.DashboardBuilder, p: Pipeline, ds: Datasource, defs: readonly AlertDefinition[]): void {
  const w = formatDuration(q.windowSeconds(p));
  const maxDuration = p.sla.maxDurationSeconds;
  const freshness = p.sla.freshnessSeconds;

  b.withRow(new dash.RowBuilder("Runs").id(ROW_ID_BASE + 1));
  b.withPanel(
    new StatPanelBuilder()
      .id(PANEL.runStatus)
      .title(PANEL_TITLE.runStatus(w))
      .description(
        `Runs that succeeded and failed within the schedule window (${w}), and "unresolved": the value pipelineFailed compares with 0 ` +
          `(1 while the last failure is later than the last success; from the counters alone, the failed runs in the window).${alertNote(defs, PANEL.runStatus)}`,
      )
      .datasource(ds)
      .withTarget(promTarget(ds, "A", q.successfulRuns(p), "succeeded"))
      .withTarget(promTarget(ds, "B", q.failedRuns(p), "failed"))
      .withTarget(promTarget(ds, "C", q.unresolvedFailure(p), "unresolved"))
      .unit("none")
      .decimals(0)
      .noValue("no runs")
      .thresholds(thresholds([{ value: null, color: "green" }]))
      // A failed run in the window turns it red; "unresolved" is the pipelineFailed alert itself.
      .withOverride(forSeries(["failed", "unresolved"], [{ id: "thresholds", value: { mode: dash.ThresholdsMode.Absolute, steps: [{ value: null, color: "green" }, { value: 1, color: "red" }] } }]))
      .textMode(common.BigValueTextMode.ValueAndName)
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.None)
      .reduceOptions(lastValue())
      .height(8)
      .span(6),
  );
  b.withPanel(
    new StatPanelBuilder()
      .id(PANEL.lastSuccess)
      .title(PANEL_TITLE.lastSuccess(w))
      .description(
        `Seconds since the last successful run; infinite when the pipeline never reported one.${freshness === undefined ? "" : ` Freshness SLA: ${formatDuration(freshness)}.`}${alertNote(defs, PANEL.lastSuccess)}`,
      )
      .datasource(ds)
      .withTarget(promTarget(ds, "A", q.sinceLastSuccess(p), "since last success"))
      .unit("s")
      .thresholds(thresholds(stepsAbove(criticalOnly(freshness))))
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.Area)
      .reduceOptions(lastValue())
      .height(8)
      .span(6),
  );
  b.withPanel(
    timeseries(ds, PANEL.duration, PANEL_TITLE.duration(w), "s", criticalOnly(maxDuration))
      .description(
        `Duration of the last run, and how long the current run has been going.${maxDuration === undefined ? "" : ` SLA: ${formatDuration(maxDuration)}.`}${alertNote(defs, PANEL.duration)}`,
      )
      .withTarget(promTarget(ds, "A", q.lastRunDuration(p), "last run"))
      .withTarget(promTarget(ds, "B", q.currentRunDuration(p), "current run"))
      .min(0)
      .span(12),
  );

  b.withRow(new dash.RowBuilder("Records").id(ROW_ID_BASE + 2));
  b.withPanel(
    timeseries(ds, PANEL.records, PANEL_TITLE.records(w), "short", ...drawn(p, "records"))
      .description(`Records processed and failed within the schedule window.${alertNote(defs, PANEL.records)}`)
      .withTarget(promTarget(ds, "A", q.recordsProcessed(p), "processed"))
      .withTarget(promTarget(ds, "B", q.recordsFailed(p), "failed"))
      // minRecords is about processed records: the failed series must not draw it again.
      .withOverride(forSeries(["failed"], [
        { id: "custom.thresholdsStyle", value: { mode: common.GraphThresholdsStyleMode.Off } },
        { id: "color", value: { mode: dash.FieldColorModeId.Fixed, fixedColor: "red" } },
      ]))
      .min(0)
      .span(8),
  );
  b.withPanel(
    timeseries(ds, PANEL.failureRatio, PANEL_TITLE.failureRatio(w), "percentunit", ...drawn(p, "failureRatio"))
      .description(`Failed / processed records within the schedule window.${alertNote(defs, PANEL.failureRatio)}`)
      .withTarget(promTarget(ds, "A", q.failureRatio(p), "failed / processed"))
      .min(0)
      .span(8),
  );
  b.withPanel(
    timeseries(ds, PANEL.volume, PANEL_TITLE.volume(w), "decbytes", undefined)
      .description("Bytes processed within the schedule window.")
      .withTarget(promTarget(ds, "A", q.bytesProcessed(p), "bytes"))
      .min(0)
      .span(8),
  );

  b.withRow(new dash.RowBuilder("Resources and errors").id(ROW_ID_BASE + 3));
  b.withPanel(gauge(ds, PANEL.cpu, PANEL_TITLE.cpu(w), q.cpuUsage(p), ...drawn(p, "cpu")).description(`CPU usage ratio.${alertNote(defs, PANEL.cpu)}`).span(6));
  b.withPanel(gauge(ds, PANEL.memory, PANEL_TITLE.memory(w), q.memoryUsage(p), ...drawn(p, "memory")).description(`Memory usage ratio.${alertNote(defs, PANEL.memory)}`).span(6));
  b.withPanel(
    timeseries(ds, PANEL.errors, PANEL_TITLE.errors(w), "short", ...drawn(p, "errors"))
      .description(`Errors within the schedule window, by error type and in total.${alertNote(defs, PANEL.errors)}`)
      .withTarget(promTarget(ds, "A", q.errorsByType(p), "{{error_type}}"))
      .withTarget(promTarget(ds, "B", q.errorsTotal(p), "total"))
      .min(0)
      .span(12),
  );
}

function streamingPanels(b: dash.DashboardBuilder, p: Pipeline, ds: Datasource, defs: readonly AlertDefinition[]): void {
  const w = formatDuration(q.windowSeconds(p));
  b.withRow(new dash.RowBuilder("Stream").id(ROW_ID_BASE + 1));
  b.withPanel(
    timeseries(ds, PANEL.latency, PANEL_TITLE.latency(w), "s", ...drawn(p, "latency"))
      .description(`95th percentile of processing latency over 5m.${alertNote(defs, PANEL.latency)}`)
      .withTarget(promTarget(ds, "A", q.latencyP95(p), "p95"))
      .min(0)
      .span(12),
  );
  b.withPanel(
    timeseries(ds, PANEL.throughput, PANEL_TITLE.throughput(w), "cps", ...drawn(p, "throughput"))
      .description(`Records processed per second over 5m.${alertNote(defs, PANEL.throughput)}`)
      .withTarget(promTarget(ds, "A", q.throughput(p), "records/s"))
      .min(0)
      .span(12),
  );

  b.withRow(new dash.RowBuilder("Backlog, errors and resources").id(ROW_ID_BASE + 2));
  b.withPanel(
    timeseries(ds, PANEL.backlog, PANEL_TITLE.backlog(w), "short", ...drawn(p, "backlog"))
      .description(`Records waiting to be processed.${alertNote(defs, PANEL.backlog)}`)
      .withTarget(promTarget(ds, "A", q.backlog(p), "records waiting"))
      .min(0)
      .span(8),
  );
  b.withPanel(
    timeseries(ds, PANEL.streamErrorRate, PANEL_TITLE.streamErrorRate(w), "percentunit", ...drawn(p, "streamErrorRate"))
      .description(`Failed / processed stream records over 5m.${alertNote(defs, PANEL.streamErrorRate)}`)
      .withTarget(promTarget(ds, "A", q.streamErrorRatio(p), "failed / processed"))
      .min(0)
      .span(8),
  );
  b.withPanel(gauge(ds, PANEL.cpu, PANEL_TITLE.cpu(w), q.cpuUsage(p), ...drawn(p, "cpu")).description(`CPU usage ratio.${alertNote(defs, PANEL.cpu)}`).span(4));
  b.withPanel(gauge(ds, PANEL.memory, PANEL_TITLE.memory(w), q.memoryUsage(p), ...drawn(p, "memory")).description(`Memory usage ratio.${alertNote(defs, PANEL.memory)}`).span(4));
}

/** A link to another Grafana page; `/`-relative so Grafana adds its sub-path itself. */
export function link(title: string, url: string, tooltip = ""): dash.DashboardLinkBuilder {
  return new dash.DashboardLinkBuilder(title).type(dash.DashboardLinkType.Link).url(url).tooltip(tooltip).icon("dashboard");
}

/**
 * The dashboard JSON of one pipeline: the `dashboard` of `POST /api/dashboards/db`, without
 * the server-owned `id` and `version`.
 */
export function pipelineDashboard(project: Project, p: Pipeline, defs: readonly AlertDefinition[]): dash.Dashboard {
  const ds = project.grafana.datasource;
  // Enough history to see several scheduled runs, even for daily or weekly pipelines.
  const span = p.type === "batch" ? Math.max(86400, 4 * q.windowSeconds(p)) : 86400;
  const b = new dash.DashboardBuilder(p.name)
    .uid(dashboardUid(p.name))
    .description(p.description)
    .tags(pipelineDashboardTags(p))
    .time({ from: `now-${formatDuration(span)}`, to: "now" })
    .refresh("1m")
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .link(link(`${p.team} overview`, `/d/${teamDashboardUid(p.team)}`, `Status of every ${p.team} pipeline`));
  // Without a runbookBaseUrl the runbook is a repository path, which means nothing to Grafana.
  const runbook = runbookUrl(p, project);
  if (/^https?:\/\//.test(runbook)) b.link(link("Runbook", runbook).icon("doc").targetBlank(true));
  if (p.type === "batch") batchPanels(b, p, ds, defs);
  else streamingPanels(b, p, ds, defs);
  const out = b.build();
  // Server-owned: the SDK never sets them, but a stray one would make every apply a conflict.
  delete out.id;
  delete out.version;
  return out;
}
