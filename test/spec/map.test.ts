/**
 * Mapping validated documents to the model: the merge order of every layer, routing per
 * severity, defaults that do not fit a type dropped, units converted, one Project per
 * environment — on small in-memory documents and on the bundled demo specs.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Pipeline, Project } from "../../src/model/types.js";
import { loadSpecs } from "../../src/spec/index.js";
import { environmentNames, mapProjects } from "../../src/spec/v1/map.js";
import type { Located, RawConfig, RawPipeline } from "../../src/spec/v1/raw.js";
import { REPO_ROOT } from "../support/cli.js";

const DAY = 86400;

function config(extra: Partial<RawConfig> = {}): Located<RawConfig> {
  return {
    file: "specs/pipemon.yaml",
    relative: "pipemon.yaml",
    doc: 0,
    value: {
      apiVersion: "pipemon/v1",
      kind: "Config",
      channels: {
        "data-oncall": { type: "pagerduty", integrationKey: "${PD_KEY}", datadog: "@pagerduty-data-oncall" },
        "data-alerts": { type: "slack", webhookUrl: "${SLACK_WEBHOOK}", datadog: "@slack-data-alerts" },
      },
      routing: { critical: ["data-oncall"] },
      ...extra,
    },
  };
}

function pipeline(name: string, spec: Partial<RawPipeline["spec"]> = {}, metadata: Partial<RawPipeline["metadata"]> = {}, file = `specs/${name}.yaml`): Located<RawPipeline> {
  const type = spec.type ?? "batch";
  return {
    file,
    relative: file.replace(/^specs\//, ""),
    doc: 0,
    value: {
      apiVersion: "pipemon/v1",
      kind: "Pipeline",
      metadata: { name, team: "commerce", ...metadata },
      spec: { type, ...(type === "batch" ? { schedule: "0 * * * *" } : {}), ...spec },
    },
  };
}

function map(c: Located<RawConfig>, ps: Located<RawPipeline>[], only?: string): Project[] {
  const r = mapProjects(c, ps, only);
  expect(r.diagnostics).toEqual([]);
  return r.projects;
}

const only = (projects: Project[], env?: string): Pipeline => {
  const project = projects.find((p) => p.environment === env);
  if (!project) throw new Error(`no project for ${env}`);
  expect(project.pipelines).toHaveLength(1);
  return project.pipelines[0]!;
};

describe("merge order: defaults < team defaults < pipeline < environment overrides < pipeline environment block", () => {
  const layered = config({
    defaults: { thresholds: { failureRate: { warning: "1%", critical: "5%" }, cpu: { warning: "50%", critical: "60%" }, memory: { warning: "50%", critical: "60%" } } },
    teams: {
      commerce: { defaults: { thresholds: { cpu: { warning: "60%", critical: "70%" }, memory: { warning: "60%", critical: "70%" }, errors: { critical: 1 } } } },
      other: { defaults: { thresholds: { minRecords: 99 } } },
    },
    environments: {
      staging: { overrides: { thresholds: { errors: { critical: 3 }, minRecords: 30 } } },
      production: null,
    },
  });
  const p = pipeline("orders-etl", {
    thresholds: { memory: { warning: "70%", critical: "80%" }, errors: { critical: 2 }, minRecords: 20 },
    environments: { staging: { thresholds: { minRecords: 40 } } },
  });

  it("each layer wins over the ones below it", () => {
    const projects = map(layered, [p]);
    const staging = only(projects, "staging").thresholds;
    expect(staging.failureRate).toEqual({ warning: 0.01, critical: 0.05 }); // defaults only
    expect(staging.cpu).toEqual({ warning: 0.6, critical: 0.7 }); // team over defaults
    expect(staging.memory).toEqual({ warning: 0.7, critical: 0.8 }); // pipeline over team
    expect(staging.errors).toEqual({ critical: 3 }); // environment overrides over pipeline
    expect(staging.minRecords).toBe(40); // pipeline environment block over environment overrides
    const production = only(projects, "production").thresholds;
    expect(production.errors).toEqual({ critical: 2 });
    expect(production.minRecords).toBe(20);
    expect(production.memory).toEqual({ warning: 0.7, critical: 0.8 });
  });

  it("another team's defaults do not apply", () => {
    const projects = map(layered, [pipeline("orders-etl", {}, { team: "growth" })]);
    const t = only(projects, "production").thresholds;
    expect(t.minRecords).toBeUndefined();
    expect(t.cpu).toEqual({ warning: 0.5, critical: 0.6 });
    expect(t.errors).toBeUndefined();
  });

  it("a threshold is replaced whole: a warning is never paired with another layer's critical", () => {
    const c = config({ defaults: { thresholds: { cpu: { warning: "80%", critical: "95%" } } } });
    const t = only(map(c, [pipeline("orders-etl", { thresholds: { cpu: { critical: "90%" } } })])).thresholds;
    expect(t.cpu).toEqual({ critical: 0.9 });
  });

  it("sla fields merge one by one", () => {
    const c = config({
      defaults: { sla: { freshness: "2h", maxDuration: "10m" } },
      environments: { staging: { overrides: { sla: { freshness: "3h" } } } },
    });
    const projects = map(c, [pipeline("orders-etl", { sla: { maxDuration: "45m" } })]);
    expect(only(projects, "staging").sla).toEqual({ maxDurationSeconds: 2700, freshnessSeconds: 3 * 3600 });
  });

  it("alert overrides merge field by field", () => {
    const c = config({
      defaults: { alerts: { cpu: { for: "15m" }, memory: { severity: "low" } } },
      environments: { staging: { overrides: { alerts: { cpu: { enabled: false } } } } },
    });
    const p2 = pipeline("orders-etl", { thresholds: { cpu: { critical: "90%" } }, alerts: { cpu: { severity: "high" }, slaBreach: { severity: "critical", for: "5m" } } });
    const projects = map(c, [p2]);
    expect(only(projects, "staging").alerts).toEqual({
      cpu: { forSeconds: 900, severity: "high", enabled: false },
      memory: { severity: "low" },
      slaBreach: { severity: "critical", forSeconds: 300 },
    });
  });

  it("targets: the highest layer that sets them, in canonical order", () => {
    const c = config({ defaults: { targets: ["grafana"] }, environments: { staging: { overrides: { targets: ["datadog", "grafana"] } }, production: null } });
    const projects = map(c, [pipeline("orders-etl")]);
    expect(only(projects, "staging").targets).toEqual(["grafana", "datadog"]);
    expect(only(projects, "production").targets).toEqual(["grafana"]);
    // Unset everywhere: every target.
    expect(only(map(config(), [pipeline("orders-etl")])).targets).toEqual(["grafana", "datadog", "prometheus"]);
  });
});

describe("routing", () => {
  const c = config({
    routing: { critical: ["data-oncall", "data-alerts"], high: ["data-alerts"], medium: ["data-alerts"] },
    teams: { commerce: { routing: { critical: ["team-oncall"] } } },
    environments: { staging: { routing: { medium: ["env-alerts"] } }, production: {} },
  });
  const p = pipeline("orders-etl", { routing: { high: ["pipeline-alerts"] }, environments: { staging: { routing: { low: ["pipeline-env-email"] } } } });

  it("each layer replaces only the severities it names", () => {
    const projects = map(c, [p]);
    expect(only(projects, "staging").routing).toEqual({
      critical: ["team-oncall"],
      high: ["pipeline-alerts"],
      medium: ["env-alerts"],
      low: ["pipeline-env-email"],
    });
    expect(only(projects, "production").routing).toEqual({
      critical: ["team-oncall"],
      high: ["pipeline-alerts"],
      medium: ["data-alerts"],
      low: [],
    });
  });

  it("an explicitly empty level silences it", () => {
    const projects = map(config({ routing: { critical: ["data-oncall"], high: ["data-alerts"] } }), [pipeline("orders-etl", { routing: { high: [] } })]);
    expect(only(projects).routing).toEqual({ critical: ["data-oncall"], high: [], medium: [], low: [] });
  });
});

describe("defaults that do not apply to a type are dropped", () => {
  const c = config({
    defaults: {
      thresholds: { failureRate: { critical: "5%" }, minRecords: 10, errors: { critical: 1 }, cpu: { critical: "90%" }, backlog: { critical: 1000 } },
      alerts: { stale: { severity: "critical" }, highBacklog: { for: "10m" }, cpu: { for: "20m" } },
      sla: { freshness: "2h", maxDuration: "30m" },
    },
  });

  it("a streaming pipeline keeps only streaming and shared settings", () => {
    const p = only(map(c, [pipeline("clicks", { type: "streaming" })]));
    expect(p.thresholds).toEqual({ cpu: { critical: 0.9 }, backlog: { critical: 1000 } });
    expect(p.alerts).toEqual({ highBacklog: { forSeconds: 600 }, cpu: { forSeconds: 1200 } });
    expect(p.sla).toEqual({});
    expect(p.schedule).toBeUndefined();
  });

  it("a batch pipeline keeps only batch and shared settings", () => {
    const p = only(map(c, [pipeline("orders-etl")]));
    expect(p.thresholds).toEqual({ failureRate: { critical: 0.05 }, minRecords: 10, errors: { critical: 1 }, cpu: { critical: 0.9 } });
    expect(p.alerts).toEqual({ stale: { severity: "critical" }, cpu: { forSeconds: 1200 } });
    expect(p.sla).toEqual({ freshnessSeconds: 7200, maxDurationSeconds: 1800 });
  });
});

describe("units", () => {
  it("ratios, rates, durations and counts in base units", () => {
    const s = only(
      map(config(), [
        pipeline("clicks", {
          type: "streaming",
          thresholds: {
            latencyP95: { warning: "500ms", critical: "2s" },
            throughput: { warning: "6000/m", critical: 10 },
            backlog: { warning: 10000, critical: 100000 },
            errorRate: { warning: "0.1%", critical: 0.01 },
            memory: { warning: "33.3%", critical: "95%" },
          },
          alerts: { lowThroughput: { for: "1h30m" } },
        }),
      ]),
    );
    expect(s.thresholds).toEqual({
      latencyP95: { warning: 0.5, critical: 2 },
      throughput: { warning: 100, critical: 10 },
      backlog: { warning: 10000, critical: 100000 },
      errorRate: { warning: 0.001, critical: 0.01 },
      memory: { warning: 0.333, critical: 0.95 },
    });
    expect(s.alerts.lowThroughput).toEqual({ forSeconds: 5400 });
  });

  it("the schedule window is the longest gap between runs", () => {
    const p = only(map(config(), [pipeline("recon", { schedule: "0 6 * * 1-5", sla: { maxDuration: "1h", freshness: "3d" } })]));
    expect(p.schedule).toEqual({ cron: "0 6 * * 1-5", windowSeconds: 3 * DAY });
    expect(p.sla).toEqual({ maxDurationSeconds: 3600, freshnessSeconds: 3 * DAY });
  });
});

describe("signals", () => {
  it("default metric names, selected by pipeline=<name>", () => {
    const p = only(map(config(), [pipeline("orders-etl")]));
    expect(p.signals.runs).toEqual({ prometheus: "pipeline_runs_total", datadog: "pipeline.runs", matchers: { pipeline: "orders-etl" } });
    expect(p.signals.backlog).toEqual({ prometheus: "stream_backlog_records", datadog: "stream.backlog", matchers: { pipeline: "orders-etl" } });
  });

  it("a spec selector replaces the default for every signal; a signal's own selector and names win", () => {
    const p = only(
      map(config(), [
        pipeline("ledger", {
          type: "streaming",
          metrics: {
            selector: { job: "ledger", application_id: "poster" },
            signals: {
              throughput: { prometheus: "kafka_records_total", datadog: "kafka.records" },
              latency: { selector: { topic: "ledger" } },
              backlog: { promql: "sum(lag)", datadogQuery: "sum:kafka.lag{*}" },
            },
          },
        }),
      ]),
    );
    expect(Object.keys(p.signals.cpu.matchers)).toEqual(["application_id", "job"]);
    expect(p.signals.cpu).toEqual({ prometheus: "pipeline_cpu_usage_ratio", datadog: "pipeline.cpu.usage", matchers: { application_id: "poster", job: "ledger" } });
    expect(p.signals.throughput).toEqual({ prometheus: "kafka_records_total", datadog: "kafka.records", matchers: { application_id: "poster", job: "ledger" } });
    expect(p.signals.latency).toEqual({ prometheus: "stream_processing_latency_seconds", datadog: "stream.processing.latency", matchers: { topic: "ledger" } });
    expect(p.signals.backlog).toEqual({
      prometheus: "stream_backlog_records",
      datadog: "stream.backlog",
      matchers: { application_id: "poster", job: "ledger" },
      promql: "sum(lag)",
      datadogQuery: "sum:kafka.lag{*}",
    });
  });
});

describe("projects", () => {
  it("without environments: one project, no environment name", () => {
    const projects = map(config(), [pipeline("orders-etl")]);
    expect(projects).toHaveLength(1);
    expect(projects[0]).not.toHaveProperty("environment");
    expect(environmentNames(config().value)).toEqual([undefined]);
  });

  it("one project per environment, sorted by name; `only` builds one", () => {
    const c = config({ environments: { staging: {}, production: null, dev: {} } });
    expect(map(c, [pipeline("orders-etl")]).map((p) => p.environment)).toEqual(["dev", "production", "staging"]);
    expect(map(c, [pipeline("orders-etl")], "staging").map((p) => p.environment)).toEqual(["staging"]);
    expect(environmentNames(c.value)).toEqual(["dev", "production", "staging"]);
  });

  it("pipelines sorted by name; source file relative to the specs root", () => {
    const ps = [pipeline("zeta"), pipeline("alpha", {}, {}, "specs/team/x.yaml"), pipeline("mid")];
    const [project] = map(config(), ps);
    expect(project!.pipelines.map((p) => p.name)).toEqual(["alpha", "mid", "zeta"]);
    expect(project!.pipelines[0]!.sourceFile).toBe("team/x.yaml");
  });

  it("channels keep their settings and references verbatim, sorted by name", () => {
    const [project] = map(config(), [pipeline("orders-etl")]);
    expect(Object.keys(project!.channels)).toEqual(["data-alerts", "data-oncall"]);
    expect(project!.channels["data-oncall"]).toEqual({ name: "data-oncall", type: "pagerduty", datadog: "@pagerduty-data-oncall", settings: { integrationKey: "${PD_KEY}" } });
  });

  it("grafana, datadog and runbook settings: defaults, and the environment's overlay", () => {
    const c = config({
      grafana: { url: "${GRAFANA_URL}", token: "${GRAFANA_TOKEN}", ruleInterval: "2m" },
      datadog: { site: "${DD_SITE:-datadoghq.com}" },
      runbooks: { baseUrl: "https://example.com/generated/" },
      environments: { staging: { grafana: { url: "${GRAFANA_STAGING_URL}" }, datadog: { site: "datadoghq.eu" } }, production: null },
    });
    const projects = map(c, [pipeline("orders-etl")]);
    const staging = projects.find((p) => p.environment === "staging")!;
    const production = projects.find((p) => p.environment === "production")!;
    expect(staging.grafana).toEqual({ url: "${GRAFANA_STAGING_URL}", token: "${GRAFANA_TOKEN}", datasource: { type: "prometheus", uid: "prometheus" }, ruleIntervalSeconds: 120, allowUiEdits: false });
    expect(production.grafana.url).toBe("${GRAFANA_URL}");
    expect(staging.datadog).toEqual({ site: "datadoghq.eu" });
    expect(production.datadog).toEqual({ site: "${DD_SITE:-datadoghq.com}" });
    expect(production.runbookBaseUrl).toBe("https://example.com/generated");
    const [bare] = map(config(), [pipeline("orders-etl")]);
    expect(bare!.grafana).toEqual({ datasource: { type: "prometheus", uid: "prometheus" }, ruleIntervalSeconds: 60, allowUiEdits: false });
    expect(bare).not.toHaveProperty("runbookBaseUrl");
  });
});

describe("problems found while mapping", () => {
  it("an alert enabled without its threshold or SLA", () => {
    const p = pipeline("orders-etl", { alerts: { lowVolume: { enabled: true }, stale: { enabled: true }, cpu: { enabled: true } }, thresholds: { cpu: { critical: "90%" } } });
    const r = mapProjects(config(), [p]);
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", file: "specs/orders-etl.yaml", path: ["spec", "alerts", "stale", "enabled"], message: "alert 'stale' is enabled but sla.freshness is not set: set it, or remove enabled" }),
      expect.objectContaining({ path: ["spec", "alerts", "lowVolume", "enabled"], message: "alert 'lowVolume' is enabled but thresholds.minRecords is not set: set it, or remove enabled" }),
    ]);
  });

  // Regression: an "(environment <env>)" suffix once defeated mapProjects' dedupe, so a
  // mistake written once in the pipeline was reported once per environment.
  it("a mistake in the pipeline itself is reported once, not once per environment", () => {
    const c = config({ environments: { staging: {}, production: {} } });
    const r = mapProjects(c, [pipeline("orders-etl", { alerts: { lowVolume: { enabled: true } } })]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.path).toEqual(["spec", "alerts", "lowVolume", "enabled"]);
  });

  it("dataQuality needs failureRate on batch, errorRate on streaming", () => {
    const batch = mapProjects(config(), [pipeline("a", { alerts: { dataQuality: { enabled: true } } })]);
    expect(batch.diagnostics.map((d) => d.message)).toEqual(["alert 'dataQuality' is enabled but thresholds.failureRate is not set: set it, or remove enabled"]);
    const streaming = mapProjects(config(), [pipeline("b", { type: "streaming", alerts: { dataQuality: { enabled: true } } })]);
    expect(streaming.diagnostics.map((d) => d.message)).toEqual(["alert 'dataQuality' is enabled but thresholds.errorRate is not set: set it, or remove enabled"]);
  });

  it("a threshold from any layer satisfies enabled", () => {
    const c = config({ defaults: { thresholds: { minRecords: 5 } } });
    expect(mapProjects(c, [pipeline("orders-etl", { alerts: { lowVolume: { enabled: true } } })]).diagnostics).toEqual([]);
  });

  it("a window longer than Datadog's one week, unless the pipeline targets Grafana only", () => {
    const monthly = pipeline("monthly", { schedule: "0 0 1 * *", sla: { freshness: "8d" } });
    const r = mapProjects(config(), [monthly]);
    expect(r.diagnostics.map((d) => [d.path, d.message])).toEqual([
      [["spec", "schedule"], "schedule '0 0 1 * *' leaves up to 31d between runs, longer than Datadog's longest monitor window (1w): shorten it, or set targets: [grafana] for this pipeline"],
      [["spec", "sla", "freshness"], "sla.freshness 8d is longer than Datadog's longest monitor window (1w): shorten it, or set targets: [grafana] for this pipeline"],
    ]);
    expect(mapProjects(config(), [pipeline("monthly", { schedule: "0 0 1 * *", sla: { freshness: "8d" }, targets: ["grafana"] })]).diagnostics).toEqual([]);
    expect(mapProjects(config(), [pipeline("weekly", { schedule: "@weekly", sla: { freshness: "1w" } })]).diagnostics).toEqual([]);
  });

  it("a sustained alert's pending period longer than Datadog's one week, when the alert is generated", () => {
    const cpu = { critical: "90%" };
    const r = mapProjects(config(), [pipeline("slow-cpu", { thresholds: { cpu }, alerts: { cpu: { for: "8d" } } })]);
    expect(r.diagnostics.map((d) => [d.path, d.message])).toEqual([
      [["spec", "alerts", "cpu", "for"], "alerts.cpu.for 8d is longer than Datadog's longest monitor window (1w): shorten it, or set targets: [grafana] for this pipeline"],
    ]);
    // Not generated (disabled, no threshold), not on Datadog, or not measured over its pending period: nothing to say.
    expect(mapProjects(config(), [pipeline("a", { thresholds: { cpu }, alerts: { cpu: { for: "8d", enabled: false } } })]).diagnostics).toEqual([]);
    expect(mapProjects(config(), [pipeline("b", { alerts: { cpu: { for: "8d" } } })]).diagnostics).toEqual([]);
    expect(mapProjects(config(), [pipeline("c", { thresholds: { cpu }, alerts: { cpu: { for: "8d" } }, targets: ["grafana"] })]).diagnostics).toEqual([]);
    expect(mapProjects(config(), [pipeline("d", { alerts: { pipelineFailed: { for: "8d" } } })]).diagnostics).toEqual([]);
  });
});

describe("the bundled demo specs", () => {
  const loaded = loadSpecs({ root: join(REPO_ROOT, "specs") });
  const get = (env: string, name: string): Pipeline => {
    const p = loaded.projects.find((x) => x.environment === env)?.pipelines.find((x) => x.name === name);
    if (!p) throw new Error(`${env}/${name} not found`);
    return p;
  };

  it("load without diagnostics into one project per environment, pipelines sorted", () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.environments).toEqual(["production", "staging"]);
    expect(loaded.projects.map((p) => p.environment)).toEqual(["production", "staging"]);
    const names = loaded.projects[0]!.pipelines.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["orders-etl", "warehouse-dbt-daily", "crm-reverse-etl", "clickstream-flink", "ledger-stream", "settlement-recon"]));
    expect(loaded.projects[1]!.pipelines.map((p) => p.name)).toEqual(names);
  });

  it("per-environment pipeline blocks: orders-etl minRecords, clickstream throughput in records/s", () => {
    expect(get("production", "orders-etl").thresholds.minRecords).toBe(1000);
    expect(get("staging", "orders-etl").thresholds.minRecords).toBe(10);
    expect(get("production", "clickstream-flink").thresholds.throughput).toEqual({ warning: 500, critical: 100 });
    expect(get("staging", "clickstream-flink").thresholds.throughput).toEqual({ warning: 100, critical: 1 });
  });

  it("environment overrides beat the pipeline: stale is medium in staging", () => {
    expect(get("production", "warehouse-dbt-daily").alerts.stale).toEqual({ severity: "critical" });
    expect(get("staging", "warehouse-dbt-daily").alerts.stale).toEqual({ severity: "medium" });
    expect(get("staging", "orders-etl").alerts.stale).toEqual({ severity: "medium" });
    expect(get("staging", "clickstream-flink").alerts).not.toHaveProperty("stale");
  });

  it("team defaults beat config defaults; batch thresholds never reach streaming pipelines", () => {
    expect(get("production", "settlement-recon").thresholds.failureRate).toEqual({ warning: 0.001, critical: 0.005 });
    expect(get("production", "orders-etl").thresholds.failureRate).toEqual({ warning: 0.01, critical: 0.05 });
    expect(get("production", "payments-cdc").thresholds).not.toHaveProperty("failureRate");
    expect(get("production", "payments-cdc").thresholds.errorRate).toEqual({ warning: 0.0001, critical: 0.001 });
    expect(get("production", "payments-cdc").thresholds.cpu).toEqual({ warning: 0.8, critical: 0.95 });
  });

  it("routing by severity through team, pipeline and environment", () => {
    expect(get("production", "settlement-recon").routing).toEqual({ critical: ["payments-oncall", "data-alerts"], high: ["payments-oncall"], medium: ["data-alerts"], low: ["data-email"] });
    expect(get("staging", "settlement-recon").routing).toEqual({ critical: ["data-alerts"], high: ["data-alerts"], medium: ["data-alerts"], low: ["data-email"] });
    expect(get("production", "ml-feature-store").routing).toEqual({ critical: ["data-oncall", "ml-platform"], high: ["growth-alerts", "ml-platform"], medium: ["growth-alerts"], low: ["growth-alerts"] });
    expect(get("production", "orders-etl").routing.high).toEqual(["data-alerts", "data-email"]);
  });

  it("schedules, SLAs and targets", () => {
    expect(get("production", "settlement-recon").schedule).toEqual({ cron: "0 6 * * 1-5", windowSeconds: 3 * DAY });
    expect(get("production", "orders-etl").schedule).toEqual({ cron: "0 * * * *", windowSeconds: 3600 });
    expect(get("production", "orders-etl").sla).toEqual({ maxDurationSeconds: 2700, freshnessSeconds: 7200 });
    expect(get("production", "orders-etl").alerts.slaBreach).toEqual({ severity: "critical", forSeconds: 300 });
    expect(get("production", "crm-reverse-etl").targets).toEqual(["grafana"]);
    expect(get("production", "orders-etl").targets).toEqual(["grafana", "datadog", "prometheus"]);
  });

  it("signal overrides of ledger-stream", () => {
    const s = get("production", "ledger-stream").signals;
    expect(s.throughput).toEqual({ prometheus: "kafka_streams_records_processed_total", datadog: "kafka.streams.records_processed", matchers: { application_id: "ledger-poster" } });
    expect(s.backlog.promql).toBe('sum(kafka_consumergroup_lag{consumergroup="ledger-poster"})');
    expect(s.backlog.datadogQuery).toBe("sum:kafka.consumer_lag{consumer_group:ledger-poster}");
    expect(s.runs.matchers).toEqual({ application_id: "ledger-poster" });
    expect(get("production", "orders-etl").signals.runs.matchers).toEqual({ pipeline: "orders-etl" });
  });
});
