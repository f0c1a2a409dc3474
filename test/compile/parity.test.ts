/**
 * Same meaning on every target (DESIGN §3), proven on the generated output itself: for every
 * pipeline of the demo estate (the committed generated/, both environments) and of the
 * edge-case models, each target's files are PARSED back into what an alert means —
 * threshold, comparator, window, severity, channels, behaviour on absent data — and the
 * targets are compared with each other:
 *
 * - Grafana: the rule group JSON (threshold C's evaluator and params, the ranges in query A,
 *   `for`, the severity label, noDataState), and its channels by routing the rule's labels
 *   through the notification-policy subtree with Alertmanager's routing code (`amtool config
 *   routes test`: Grafana's notification policies are Alertmanager's routing tree).
 * - Prometheus: the rule file (the comparison in the expression, its ranges, `for`, labels),
 *   and its channels by routing through the generated alertmanager.yml with amtool.
 * - Datadog: the monitor (query comparator and number, options.thresholds critical/warning,
 *   `last_X`, the severity tag and priority, the severity and @-handles of each
 *   `{{#is_alert}}`/`{{#is_warning}}` block mapped back to channels by the config's handles).
 *
 * Intentional differences are asserted below as named exceptions (DATADOG_EXCEPTIONS), each
 * checked for what Datadog does instead; nothing is skipped silently.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { contactPointName } from "../../src/model/identity.js";
import { CATALOG, DEFAULT_PENDING_SECONDS, PRIORITY, RATIO_OR_RATE_ALERTS } from "../../src/model/catalog.js";
import type { AlertKey, Project, Severity, Target } from "../../src/model/types.js";
import { parseDuration } from "../../src/lib/duration.js";
import { parseMetricQuery } from "../../src/lib/datadog-query.js";
import { loadSpecs } from "../../src/spec/index.js";
import { REPO_ROOT } from "../support/cli.js";
import { compileProject, edgeProjects, routesTest, scratch, writeTree } from "../targets/prometheus/compile/tools.js";

type Level = "critical" | "warning";

/** What one level of one alert means on one target. */
interface Meaning {
  comparator: ">" | "<";
  threshold: number;
  /** The window the value is measured over, seconds (see windowOf), or undefined for an instant value. */
  window: number | undefined;
  forSeconds: number | undefined;
  severity: Severity;
  /** Channel names, sorted. */
  channels: string[];
  /**
   * Absence of the metrics (DESIGN §8): `fire` (stale: a pipeline that never reported),
   * `afterReporting` (lowThroughput: a stream that reported and stopped), `silent`. Datadog
   * cannot tell the last two kinds of absence apart: `noData` says what its monitor does.
   */
  whenAbsent: "fire" | "afterReporting" | "silent";
  /** Grafana and Prometheus: the PromQL value compared with the threshold (the same on both). */
  expr?: string;
  /** Datadog only: notify_no_data, and after how long (no_data_timeframe, seconds). */
  noData?: { notify: boolean; afterSeconds?: number };
}

type Observed = Map<string, Meaning>; // `${pipeline}/${key}/${level}` → meaning

const SUSTAINED: ReadonlySet<AlertKey> = new Set<AlertKey>(["cpu", "memory", "highLatency", "lowThroughput", "highBacklog"]);

/** How throughput reads a dead stream as 0 (a counter's `present_over_time(…) offset` is only a presence check). */
const DEAD_STREAM_BRANCH = "(0 * group(present_over_time(";

const dir = scratch("parity");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let scratchFiles = 0;

function seconds(text: string): number {
  const s = parseDuration(text);
  if (s === undefined) throw new Error(`not a duration: ${text}`);
  return s;
}

/**
 * The window of a PromQL value: the alert's pending period for sustained alerts (the value
 * must hold for `for`), else the one range its selectors use (`[1h]`), else undefined (an
 * instant value such as the last run's duration or the time since the last success).
 */
function promWindow(key: AlertKey, expr: string, forSeconds: number): number | undefined {
  if (SUSTAINED.has(key)) return forSeconds;
  // A range read one window back (`[1h] offset 1d`) only asks whether a counter was seen then.
  const ranges = [...new Set([...expr.matchAll(/\[(\w+)\](?! offset)/g)].map((m) => seconds(m[1]!)))];
  expect(ranges.length, `${key}: one range in ${expr}`).toBeLessThanOrEqual(1);
  return ranges[0];
}

/** Routes labels through an Alertmanager config file, cached per label set that routing reads. */
function channelsVia(configFile: string, receiverToChannel: (r: string) => string | undefined, labels: Record<string, string>, cache: Map<string, string[]>): string[] {
  const key = `${configFile}|${labels.team}|${labels.pipeline}|${labels.severity}|${labels.managed_by}`;
  let hit = cache.get(key);
  if (!hit) {
    const channels = routesTest(configFile, labels).map(receiverToChannel).filter((c): c is string => c !== undefined);
    hit = [...new Set(channels)].sort();
    cache.set(key, hit);
  }
  return hit;
}

function channelOfReceiver(project: Project): (receiver: string) => string | undefined {
  const byName = new Map(Object.keys(project.channels).map((c) => [contactPointName(c), c]));
  return (receiver) => {
    if (receiver === "pipemon-default" || receiver === "grafana-default") return undefined;
    const channel = byName.get(receiver);
    if (!channel) throw new Error(`receiver ${receiver} is no channel's`);
    return channel;
  };
}

interface GrafanaRuleJson {
  title: string;
  data: { refId: string; model: { expr?: string; type?: string; conditions?: { evaluator: { type: string; params: number[] } }[] } }[];
  noDataState: string;
  for: string;
  labels: Record<string, string>;
}
interface GrafanaRouteJson { receiver?: string; group_by?: string[]; object_matchers: [string, string, string][]; continue?: boolean; routes?: GrafanaRouteJson[] }

/** Grafana's notification-policy subtree as an Alertmanager config: its routing engine is Alertmanager's. */
function grafanaPolicyAsAlertmanager(files: ReadonlyMap<string, string>): string {
  const convert = (r: GrafanaRouteJson): Record<string, unknown> => ({
    ...(r.receiver !== undefined ? { receiver: r.receiver } : {}),
    ...(r.group_by !== undefined ? { group_by: r.group_by } : {}),
    matchers: r.object_matchers.map(([l, op, v]) => `${l}${op}${JSON.stringify(v)}`),
    ...(r.continue !== undefined ? { continue: r.continue } : {}),
    ...(r.routes !== undefined ? { routes: r.routes.map(convert) } : {}),
  });
  const policy = JSON.parse(files.get("grafana/notification-policy.json")!) as GrafanaRouteJson;
  const contactPoints = JSON.parse(files.get("grafana/contact-points.json")!) as { name: string }[];
  const file = join(dir, `grafana-policy-${scratchFiles++}.yml`);
  writeTree(dir, new Map([[file.slice(dir.length + 1), stringify({
    // The live tree's default receiver: what gets a severity routed to no channel.
    route: { receiver: "grafana-default", routes: [convert(policy)] },
    receivers: [{ name: "grafana-default" }, ...contactPoints.map((c) => ({ name: c.name }))],
  })]]));
  return file;
}

function grafanaMeanings(project: Project, files: ReadonlyMap<string, string>): Observed {
  const out: Observed = new Map();
  const config = grafanaPolicyAsAlertmanager(files);
  const cache = new Map<string, string[]>();
  const toChannel = channelOfReceiver(project);
  for (const [path, content] of files) {
    if (!path.startsWith("grafana/alert-rules/")) continue;
    for (const rule of (JSON.parse(content) as { rules: GrafanaRuleJson[] }).rules) {
      const key = rule.labels.alert as AlertKey;
      const level = rule.title.split(" ").pop() as Level;
      const expr = rule.data.find((d) => d.refId === "A")!.model.expr!;
      const reduce = rule.data.find((d) => d.model.type === "reduce")!;
      expect((reduce.model as { reducer?: string }).reducer).toBe("last");
      const evaluator = rule.data.find((d) => d.model.type === "threshold")!.model.conditions![0]!.evaluator;
      const forSeconds = seconds(rule.for);
      out.set(`${rule.labels.pipeline}/${key}/${level}`, {
        comparator: evaluator.type === "gt" ? ">" : "<",
        threshold: evaluator.params[0]!,
        window: promWindow(key, expr, forSeconds),
        forSeconds,
        severity: rule.labels.severity as Severity,
        channels: channelsVia(config, toChannel, { ...rule.labels, alertname: rule.title }, cache),
        // noDataState Alerting pages on absence itself; a dead stream is covered by the query
        // (present_over_time), so its rule must not page on no data (a stream that never reported).
        whenAbsent: rule.noDataState === "Alerting" ? "fire" : rule.noDataState === "OK" && expr.includes(DEAD_STREAM_BRANCH) ? "afterReporting" : "silent",
        expr,
      });
    }
  }
  return out;
}

interface PromRuleYaml { alert: string; expr: string; for: string; labels: Record<string, string> }

function prometheusMeanings(project: Project, files: ReadonlyMap<string, string>, treeDir: string): Observed {
  const out: Observed = new Map();
  const config = join(treeDir, "prometheus/alertmanager.yml");
  const cache = new Map<string, string[]>();
  const toChannel = channelOfReceiver(project);
  for (const [path, content] of files) {
    if (!path.startsWith("prometheus/rules/")) continue;
    for (const group of (parse(content) as { groups: { name: string; rules: PromRuleYaml[] }[] }).groups) {
      for (const rule of group.rules) {
        const m = /^\((.*)\) ([<>]) (\S+)$/s.exec(rule.expr);
        if (!m) throw new Error(`not a threshold comparison: ${rule.expr}`);
        const key = rule.labels.alert as AlertKey;
        const level: Level = rule.alert.endsWith("Warning") ? "warning" : "critical";
        expect(group.name).toBe(rule.labels.pipeline);
        const forSeconds = seconds(rule.for);
        out.set(`${rule.labels.pipeline}/${key}/${level}`, {
          comparator: m[2] as ">" | "<",
          threshold: Number(m[3]),
          window: promWindow(key, m[1]!, forSeconds),
          forSeconds,
          severity: rule.labels.severity as Severity,
          channels: channelsVia(config, toChannel, { ...rule.labels, alertname: rule.alert }, cache),
          // Prometheus has no no-data state: an expression fires on absence only if it turns absence into a value.
          whenAbsent: /or on \(\) \(absent\(.*\) \* Inf\)$/.test(m[1]!) ? "fire" : m[1]!.includes(DEAD_STREAM_BRANCH) ? "afterReporting" : "silent",
          expr: m[1]!,
        });
      }
    }
  }
  return out;
}

interface MonitorJson { query: string; message: string; tags: string[]; priority: number; options: { thresholds: { critical: number; warning?: number }; notify_no_data: boolean; no_data_timeframe?: number } }

/** Datadog's stale condition is its own (see DATADOG_EXCEPTIONS); everything else shares Grafana's. */
interface DatadogExtra { timeAggregation: string; query: string; message: string; condition: { comparator: string; threshold: number } }

function datadogMeanings(project: Project, files: ReadonlyMap<string, string>): { observed: Observed; extra: Map<string, DatadogExtra> } {
  const observed: Observed = new Map();
  const extra = new Map<string, DatadogExtra>();
  const byHandle = new Map<string, string[]>();
  for (const c of Object.values(project.channels)) byHandle.set(c.datadog, [...(byHandle.get(c.datadog) ?? []), c.name]);
  const block = (message: string, name: string): { severity: Severity; priority: number; channels: string[] } | undefined => {
    const m = new RegExp(`\\{\\{#${name}\\}\\}\\n([\\s\\S]*?)\\{\\{/${name}\\}\\}`).exec(message);
    if (!m) return undefined;
    const head = /^Severity (\w+) \(priority (\d)\)/.exec(m[1]!);
    if (!head) throw new Error(`no severity line in ${name}`);
    const notify = /^Notify:(.*)$/m.exec(m[1]!);
    // Handles appear only inside blocks, each after whitespace; map them back to channels.
    const handles = notify ? notify[1]!.trim().split(/\s+/) : [];
    if (!notify) expect(m[1]).toContain("No channel is routed");
    const channels = handles.flatMap((h) => byHandle.get(h) ?? [`unknown handle ${h}`]);
    return { severity: head[1] as Severity, priority: Number(head[2]), channels: [...new Set(channels)].sort() };
  };
  const noDataChannels = (message: string): string[] => {
    const m = /\{\{#is_no_data\}\}\n([\s\S]*?)\{\{\/is_no_data\}\}/.exec(message);
    const notify = m ? /^Notify:(.*)$/m.exec(m[1]!) : null;
    const handles = notify ? notify[1]!.trim().split(/\s+/) : [];
    return [...new Set(handles.flatMap((h) => byHandle.get(h) ?? [`unknown handle ${h}`]))].sort();
  };
  for (const [path, content] of files) {
    if (!path.startsWith("datadog/monitors/")) continue;
    for (const monitor of JSON.parse(content) as MonitorJson[]) {
      const tag = (k: string): string => monitor.tags.find((t) => t.startsWith(`${k}:`))!.slice(k.length + 1);
      const key = tag("alert") as AlertKey;
      const pipeline = tag("pipeline");
      // pipemon's one Datadog grammar (src/lib/datadog-query.ts), as validation and the emulator use it.
      const q = parseMetricQuery(monitor.query, { isDistribution: () => true });
      const comparator = q.comparator as ">" | "<";
      // The number in the query is the critical threshold Datadog evaluates.
      expect(Number(q.threshold)).toBe(monitor.options.thresholds.critical);
      const window = q.windowSeconds;
      const expression = monitor.query.slice(monitor.query.indexOf(":") + 1, monitor.query.lastIndexOf(` ${q.comparator} `));
      const critical = block(monitor.message, "is_alert")!;
      expect(critical.severity).toBe(tag("severity"));
      expect(monitor.priority).toBe(PRIORITY[critical.severity]);
      expect(critical.priority).toBe(monitor.priority);
      const noData = { notify: monitor.options.notify_no_data, ...(monitor.options.no_data_timeframe !== undefined ? { afterSeconds: monitor.options.no_data_timeframe * 60 } : {}) };
      // A no-data notification reaches the critical channels, or nobody hears it.
      if (noData.notify) expect(noDataChannels(monitor.message), `${pipeline}/${key} no data`).toEqual(critical.channels);
      const whenAbsent = noData.notify ? "fire" : "silent";
      const id = `${pipeline}/${key}`;
      extra.set(id, { timeAggregation: q.timeAggregation, query: expression, message: monitor.message, condition: { comparator, threshold: monitor.options.thresholds.critical } });
      observed.set(`${id}/critical`, { comparator, threshold: monitor.options.thresholds.critical, window, forSeconds: undefined, severity: critical.severity, channels: critical.channels, whenAbsent, noData });
      const warning = block(monitor.message, "is_warning");
      expect(warning === undefined).toBe(monitor.options.thresholds.warning === undefined);
      if (warning) {
        expect(warning.priority).toBe(PRIORITY[warning.severity]);
        observed.set(`${id}/warning`, { comparator, threshold: monitor.options.thresholds.warning!, window, forSeconds: undefined, severity: warning.severity, channels: warning.channels, whenAbsent, noData });
      }
    }
  }
  return { observed, extra };
}

/**
 * Datadog windows are whole minutes, at least one (`last_Xm`): a pending period of 30s or 90s
 * is widened to 1m or 2m there. Every other window is the same number of seconds.
 */
function datadogWindow(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60)) * 60;
}

/** Datadog thresholds are written without float noise (0.1 + 0.2 → 0.3): equal up to that. */
function sameNumber(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Where Datadog intentionally measures differently, and what it does instead (asserted).
 * Keys not listed here must agree with Grafana on everything but `for` (Datadog monitors
 * have no pending period).
 */
const DATADOG_EXCEPTIONS: Partial<Record<AlertKey, string>> = {
  stale:
    "Datadog counts successful runs in the freshness window (`< 1`) instead of comparing the seconds since the last success with it: " +
    "its window is Grafana's threshold, and it pages on missing data (notify_no_data) as Grafana's noDataState: Alerting does.",
  slaBreach:
    "Datadog has no time(), so it checks the last run's duration only (max over the schedule window); the current-run half is Grafana/Prometheus only.",
  pipelineFailed:
    "Datadog aggregates a window (sum/min/max/avg) and cannot tell which of two sparse points came last, so it counts the failed runs in the " +
    "schedule window: it pages on the first failure as Grafana/Prometheus do, but resolves when the failed run leaves the window, not at a " +
    "later success (as Grafana/Prometheus do for a job that does not report its last-failure time). Its message says so.",
};

/**
 * Datadog monitors have no pending period. Sustained alerts carry theirs as the evaluation
 * window (asserted below); any other alert given a `for` (orders-etl's `slaBreach: { for: 5m }`)
 * waits that long on Grafana and Prometheus only.
 */
const DATADOG_NO_PENDING_PERIOD = "a `for` on a non-sustained alert is not carried to Datadog";

interface Case {
  name: string;
  project: Project;
  files: ReadonlyMap<string, string>;
  treeDir: string;
}

function demoCases(): Case[] {
  const loaded = loadSpecs({ root: join(REPO_ROOT, "specs") });
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return loaded.projects.map((project) => {
    // The committed output, not a fresh compile: generate --check keeps the two equal.
    const treeDir = join(REPO_ROOT, "generated", project.environment ?? "");
    const files = new Map<string, string>();
    for (const rel of readdirSync(treeDir, { recursive: true, encoding: "utf8" })) {
      if (/^(grafana|prometheus|datadog)\/.+\.(json|yml)$/.test(rel)) files.set(rel, readFileSync(join(treeDir, rel), "utf8"));
    }
    return { name: `demo ${project.environment ?? ""}`, project, files, treeDir };
  });
}

function edgeCases(): Case[] {
  return edgeProjects().map((project) => {
    const treeDir = join(dir, `edge-${project.environment}`);
    const files = compileProject(project);
    writeTree(treeDir, files);
    return { name: `edge ${project.environment}`, project, files, treeDir };
  });
}

function checkParity(c: Case): { compared: number; exceptions: number } {
  const grafana = grafanaMeanings(c.project, c.files);
  const prometheus = prometheusMeanings(c.project, c.files, c.treeDir);
  const { observed: datadog, extra } = datadogMeanings(c.project, c.files);
  let compared = 0;
  let exceptions = 0;
  for (const p of c.project.pipelines) {
    const on = (t: Target): boolean => p.targets.includes(t);
    const keysOf = (o: Observed): string[] => [...o.keys()].filter((k) => k.startsWith(`${p.name}/`)).sort();
    const reference = on("grafana") ? grafana : on("prometheus") ? prometheus : datadog;
    const ids = keysOf(reference);
    // Every target of the pipeline has the same alerts and levels; the others have none.
    expect(keysOf(grafana), `${p.name} grafana`).toEqual(on("grafana") ? ids : []);
    expect(keysOf(prometheus), `${p.name} prometheus`).toEqual(on("prometheus") ? ids : []);
    expect(keysOf(datadog), `${p.name} datadog`).toEqual(on("datadog") ? ids : []);
    for (const id of ids) {
      const g = grafana.get(id) ?? prometheus.get(id)!;
      const key = id.split("/")[1] as AlertKey;
      if (RATIO_OR_RATE_ALERTS.includes(key)) {
        // DESIGN §8: a ratio or rate alert waits its pending period: the spec's `for`, else the catalog's (≥ 5m).
        expect(g.forSeconds, `${c.name} ${id}: pending period`).toBe(p.alerts[key]?.forSeconds ?? CATALOG[key].defaultForSeconds);
        if (p.alerts[key]?.forSeconds === undefined) expect(g.forSeconds!).toBeGreaterThanOrEqual(DEFAULT_PENDING_SECONDS);
      }
      if (on("grafana") && on("prometheus")) {
        // Same engine semantics: everything agrees, `for` included.
        expect(prometheus.get(id), `${c.name} ${id}: prometheus vs grafana`).toEqual(grafana.get(id));
        compared++;
      }
      if (!on("datadog")) continue;
      const d = datadog.get(id)!;
      const where = `${c.name} ${id}: datadog vs grafana/prometheus`;
      expect(d.severity, where).toBe(g.severity);
      expect(d.channels, where).toEqual(g.channels);
      // Absence: stale pages after the freshness window (its Datadog window), a dead stream
      // after the pending period, on every target; nothing else pages on absence.
      if (g.whenAbsent === "silent") expect(d.noData, where).toEqual({ notify: false });
      else if (g.whenAbsent === "fire") expect(d.noData, where).toEqual({ notify: true, afterSeconds: d.window });
      else expect(d.noData, where).toEqual({ notify: true, afterSeconds: datadogWindow(g.forSeconds!) });
      compared++;
      if (!SUSTAINED.has(key) && g.forSeconds! > 0) {
        // DATADOG_NO_PENDING_PERIOD: the monitor fires on its first evaluation above the threshold.
        expect(d.forSeconds).toBeUndefined();
        exceptions++;
      }
      if (key === "pipelineFailed") {
        exceptions++;
        // DATADOG_EXCEPTIONS.pipelineFailed: Grafana/Prometheus read the last-failure time against the last success,
        // and count a failed-runs series born with its first failure; Datadog sums the failed runs of the window.
        expect(g.expr, where).toContain(`max(${p.signals.lastFailure.prometheus}{`);
        expect(g.expr, where).toMatch(/ unless present_over_time\(\S+\[\w+\] offset \w+\)\)\)$/);
        const dd = extra.get(id.replace(/\/\w+$/, ""))!;
        expect(dd.timeAggregation, where).toBe("sum");
        expect(dd.query, where).toMatch(/status:failed\}\.as_count\(\)$/);
        expect(d.window, where).toBe(datadogWindow(g.window!));
        expect(dd.message, where).toContain("not at a later success");
        continue;
      }
      if (key === "stale") {
        exceptions++;
        // DATADOG_EXCEPTIONS.stale: its own condition, measured over Grafana's threshold.
        expect(g.comparator).toBe(">");
        expect(g.window).toBeUndefined();
        expect({ comparator: d.comparator, threshold: d.threshold }, where).toEqual({ comparator: "<", threshold: 1 });
        expect(d.window, where).toBe(g.threshold);
        expect(extra.get(id.replace(/\/\w+$/, ""))!.timeAggregation).toBe("sum");
        expect(d.whenAbsent).toBe("fire");
        continue;
      }
      expect(d.comparator, where).toBe(g.comparator);
      expect(sameNumber(d.threshold, g.threshold), `${where}: ${d.threshold} vs ${g.threshold}`).toBe(true);
      const ddExtra = extra.get(id.replace(/\/\w+$/, ""))!;
      if (key === "slaBreach") {
        exceptions++;
        // DATADOG_EXCEPTIONS.slaBreach: the last run's duration, its maximum over the schedule window.
        expect(g.window).toBeUndefined();
        expect(ddExtra.timeAggregation).toBe("max");
        expect(d.window, where).toBe(p.schedule!.windowSeconds);
        continue;
      }
      if (SUSTAINED.has(key)) {
        // Held for the whole pending period: min over it (above a threshold) or max (below one).
        expect(d.window, where).toBe(datadogWindow(g.forSeconds!));
        expect(ddExtra.timeAggregation, where).toBe(g.comparator === ">" ? "min" : "max");
      } else {
        expect(d.window, where).toBe(datadogWindow(g.window!));
      }
    }
  }
  return { compared, exceptions };
}

describe("Grafana, Prometheus and Datadog agree on every alert", () => {
  it("names its Datadog exceptions", () => {
    expect(Object.keys(DATADOG_EXCEPTIONS).sort()).toEqual(["pipelineFailed", "slaBreach", "stale"]);
    expect(DATADOG_NO_PENDING_PERIOD).toContain("Datadog");
  });

  it("on the demo estate (committed generated/), in both environments", () => {
    const cases = demoCases();
    expect(cases.map((c) => c.name)).toEqual(["demo production", "demo staging"]);
    let compared = 0;
    for (const c of cases) compared += checkParity(c).compared;
    expect(compared).toBeGreaterThan(300);
  });

  it("on edge-case models: warning levels, overridden severities and metrics, per-pipeline channels, every channel type, two environments", () => {
    let total = { compared: 0, exceptions: 0 };
    for (const c of edgeCases()) {
      const r = checkParity(c);
      total = { compared: total.compared + r.compared, exceptions: total.exceptions + r.exceptions };
    }
    expect(total.compared).toBeGreaterThan(200);
    expect(total.exceptions).toBeGreaterThan(0);
  });

  it("gives every ratio or rate alert a pending period of at least 5m by default (DESIGN §8)", () => {
    for (const key of RATIO_OR_RATE_ALERTS) expect(CATALOG[key].defaultForSeconds, key).toBeGreaterThanOrEqual(DEFAULT_PENDING_SECONDS);
    expect(DEFAULT_PENDING_SECONDS).toBe(300);
  });

  it("would notice a disagreement: a dead stream that pages nobody on Datadog", () => {
    const [c] = edgeCases();
    const files = new Map(c!.files);
    const path = "datadog/monitors/clickstream.json";
    const monitors = JSON.parse(files.get(path)!) as { tags: string[]; options: Record<string, unknown> }[];
    const low = monitors.find((m) => m.tags.includes("alert:lowThroughput"))!;
    low.options = { ...low.options, notify_no_data: false };
    delete low.options.no_data_timeframe;
    files.set(path, JSON.stringify(monitors));
    expect(() => checkParity({ ...c!, files })).toThrow(/clickstream\/lowThroughput\/critical: datadog vs grafana/);
  });

  it("would notice a disagreement: a Grafana lowThroughput rule that pages a stream which never reported", () => {
    const [c] = edgeCases();
    const files = new Map(c!.files);
    const path = "grafana/alert-rules/clickstream.json";
    const group = JSON.parse(files.get(path)!) as { rules: { labels: Record<string, string>; noDataState: string }[] };
    for (const r of group.rules) if (r.labels.alert === "lowThroughput") r.noDataState = "Alerting";
    files.set(path, JSON.stringify(group));
    expect(() => checkParity({ ...c!, files })).toThrow(/prometheus vs grafana/);
  });

  it("would notice a disagreement: a Prometheus threshold changed by hand", () => {
    const [c] = edgeCases();
    const files = new Map(c!.files);
    const path = "prometheus/rules/commerce.yml";
    files.set(path, files.get(path)!.replace("> 0.05\n", "> 0.06\n"));
    expect(files.get(path)).not.toBe(c!.files.get(path));
    expect(() => checkParity({ ...c!, files })).toThrow(/prometheus vs grafana/);
  });

  it("would notice a disagreement: a channel routed differently by alertmanager.yml", () => {
    const [c] = edgeCases();
    const treeDir = join(dir, "edge-tampered");
    const am = c!.files.get("prometheus/alertmanager.yml")!.replace(/receiver: pipemon-data-email/g, "receiver: pipemon-data-alerts");
    writeTree(treeDir, new Map([...c!.files, ["prometheus/alertmanager.yml", am]]));
    expect(() => checkParity({ ...c!, treeDir })).toThrow(/prometheus vs grafana/);
  });
});
