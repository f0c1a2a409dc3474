/**
 * The live run: real Prometheus and Alertmanager evaluate and route the rules pipemon
 * generates, for synthetic pipelines in known states (scenarios.ts) served by a synthetic
 * exporter. It asserts that exactly the expected alerts fire with the right severity, that
 * Alertmanager delivers each to exactly the channels its severity routes to (receivers are
 * rewritten to webhooks of a recording server; the routing tree is kept as generated), and
 * that healthy pipelines fire nothing, not even pending. The observed table is printed and
 * written to $PIPEMON_LIVE_REPORT (default: pipemon-live-last-run.md in the temporary folder),
 * never into the repository: tests do not rewrite tracked files.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertmanagerConfig, prometheusAlertName, prometheusRuleFile, prometheusTeams, type AlertmanagerConfig } from "../../src/targets/prometheus/compile/index.js";
import { startExporter, type Exporter } from "./exporter.js";
import { freePort, sleep, startAlertmanager, startPrometheus, startWebhooks, stopAll, writeCheckedAlertmanagerConfig, type Started, type Webhooks } from "./processes.js";
import { LIVE_SCENARIOS, liveProject, type LiveScenario } from "./scenarios.js";

const project = liveProject();
const dir = mkdtempSync(join(tmpdir(), "pipemon-live-"));
let exporter: Exporter | undefined;
let webhooks: Webhooks | undefined;
let prometheus: Started | undefined;
let promUrl = "";

/** Every channel becomes a webhook to the recording server; the routes stay as generated, only faster. */
function rewriteForTest(config: AlertmanagerConfig, webhookPort: number): AlertmanagerConfig {
  return {
    ...config,
    route: { ...config.route, group_wait: "1s", group_interval: "1s", repeat_interval: "1h" } as AlertmanagerConfig["route"],
    receivers: config.receivers.map((r) => {
      if (!r.name.startsWith("pipemon-") || r.name === "pipemon-default") return { name: r.name };
      const channel = r.name.slice("pipemon-".length);
      return { name: r.name, webhook_configs: [{ url: `http://127.0.0.1:${webhookPort}/${channel}`, send_resolved: false }] };
    }),
  };
}

beforeAll(async () => {
  exporter = await startExporter(LIVE_SCENARIOS.map((s) => ({ pipeline: s.pipeline, state: s.state })));
  webhooks = await startWebhooks();

  mkdirSync(join(dir, "rules"));
  const ruleFiles = [...prometheusTeams(project)].map(([team, pipelines]) => {
    const file = prometheusRuleFile(project, team, pipelines);
    return [file.path.replace(/^prometheus\/rules\//, ""), file.content] as const;
  });
  writeCheckedAlertmanagerConfig(dir, rewriteForTest(alertmanagerConfig(project), webhooks.port));

  const amPort = await freePort();
  const promPort = await freePort();
  writeFileSync(join(dir, "prometheus.yml"), stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [join(dir, "rules", "*.yml")],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
    scrape_configs: [{ job_name: "pipelines", static_configs: [{ targets: [`127.0.0.1:${exporter.port}`] }] }],
  }));
  // Alertmanager first: Prometheus resends a firing alert it could not deliver only after
  // the resend delay.
  await startAlertmanager(dir, amPort);
  prometheus = await startPrometheus(dir, promPort, "2s");
  promUrl = `http://127.0.0.1:${promPort}`;
  // Rules load once the exporter has been scraped: on an empty TSDB, every stale rule would
  // otherwise fire (absent metric) until the first scrape, and be delivered.
  const deadline = Date.now() + 30_000;
  while (exporter.scrapes() < 3 && Date.now() < deadline) await sleep(200);
  if (exporter.scrapes() < 3) throw new Error(`Prometheus does not scrape the exporter:\n${prometheus.log()}`);
  for (const [name, content] of ruleFiles) writeFileSync(join(dir, "rules", name), content);
  prometheus.child.kill("SIGHUP");
  const groups = [...prometheusTeams(project).values()].flat().length;
  while (Date.now() < deadline) {
    const r = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: unknown[] } };
    if (r.data.groups.length === groups) break;
    await sleep(200);
  }
}, 60_000);

afterAll(async () => {
  await stopAll();
  await exporter?.close();
  await webhooks?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing" | "inactive";
}

async function alerts(): Promise<PromAlert[]> {
  const r = await fetch(`${promUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
  const body = (await r.json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}

const key = (pipeline: string, alertname: string, severity: string): string => `${pipeline} ${alertname} ${severity}`;

interface Row {
  scenario: LiveScenario;
  expected: string[];
  observed: string[];
  pending: string[];
  receivers: { alert: string; expected: string[]; delivered: string[] }[];
}

function rows(firing: PromAlert[], pending: PromAlert[]): Row[] {
  return LIVE_SCENARIOS.map((scenario) => {
    const p = scenario.pipeline;
    const expected = scenario.expected.map((e) => key(p.name, prometheusAlertName(e.alert, e.level), e.severity));
    const mine = (a: PromAlert): boolean => a.labels.pipeline === p.name;
    const observed = firing.filter(mine).map((a) => key(p.name, a.labels.alertname!, a.labels.severity!)).sort();
    // Alerts that must have been delivered and then resolved count as deliveries too.
    const receivers = [...scenario.expected, ...(scenario.resolves?.alerts ?? [])].map((e) => {
      const alertname = prometheusAlertName(e.alert, e.level);
      const delivered = [...new Set(webhooks!.deliveries.filter((d) => d.labels.pipeline === p.name && d.labels.alertname === alertname && d.status === "firing").map((d) => d.channel))].sort();
      return { alert: alertname, expected: [...new Set(p.routing[e.severity])].sort(), delivered };
    });
    return { scenario, expected: expected.sort(), observed, pending: pending.filter(mine).map((a) => a.labels.alertname!), receivers };
  });
}

const settled = (rs: Row[]): boolean =>
  rs.every((r) => JSON.stringify(r.expected) === JSON.stringify(r.observed) && r.receivers.every((x) => JSON.stringify(x.expected) === JSON.stringify(x.delivered)));

function table(rs: Row[]): string {
  const short = (k: string): string => k.split(" ").slice(1).join(" (") + ")";
  const lines = [
    "# Live run: pipemon's Prometheus rules and Alertmanager routing on the real engines",
    "",
    "Written by `npx vitest run test/live` (test/live/alerts-live.test.ts): Debian's prometheus and",
    "prometheus-alertmanager on 127.0.0.1, a synthetic exporter serving each pipeline in its state,",
    "every channel's receiver rewritten to a recording webhook (routing tree as generated).",
    "",
    "| scenario | pipeline (team) | expected alerts (severity) | observed firing | receivers: expected → delivered |",
    "|---|---|---|---|---|",
  ];
  for (const r of rs) {
    const p = r.scenario.pipeline;
    const receivers = r.receivers.map((x) => `${x.alert}: ${x.expected.join(", ") || "(none)"} → ${x.delivered.join(", ") || "(none)"}`).join("<br>") || "—";
    const resolved = (r.scenario.resolves?.alerts ?? []).map((e) => `${prometheusAlertName(e.alert, e.level)} (${e.severity}), resolved after → ${r.scenario.resolves!.then}`);
    lines.push(`| ${r.scenario.state} | ${p.name} (${p.team}) | ${[...r.expected.map(short), ...resolved].join("<br>") || "none"} | ${r.observed.map(short).join("<br>") || "none"} | ${receivers} |`);
  }
  lines.push("", `${rs.length} scenarios, ${rs.reduce((n, r) => n + r.expected.length, 0)} expected alerts, ${rs.reduce((n, r) => n + r.observed.length, 0)} observed.`, "");
  return lines.join("\n");
}

describe("live run on Prometheus and Alertmanager", () => {
  it("fires exactly the expected alerts and delivers each to the channels its severity routes to", async () => {
    const begin = Date.now();
    const deadline = begin + 75_000;
    let current: Row[] = [];
    while (Date.now() < deadline) {
      const all = await alerts();
      current = rows(all.filter((a) => a.state === "firing"), all.filter((a) => a.state === "pending"));
      // A failure that reached its channels is followed by a successful retry (DESIGN §8: it must resolve).
      for (const r of current) {
        const then = r.scenario.resolves?.then;
        if (then && r.receivers.every((x) => x.delivered.length > 0 && JSON.stringify(x.expected) === JSON.stringify(x.delivered))) exporter!.setState(r.scenario.pipeline.name, then);
      }
      if (process.env.PIPEMON_LIVE_DEBUG) process.stdout.write(`${((Date.now() - begin) / 1000).toFixed(0)}s firing ${all.filter((a) => a.state === "firing").length} pending ${all.filter((a) => a.state === "pending").length} delivered ${webhooks!.deliveries.length}\n`);
      if (settled(current)) break;
      await sleep(1000);
    }
    const reached = (Date.now() - begin) / 1000;
    // A few more evaluation and notification cycles: nothing else may fire or be delivered.
    await sleep(4000);
    const all = await alerts();
    current = rows(all.filter((a) => a.state === "firing"), all.filter((a) => a.state === "pending"));
    writeFileSync(process.env.PIPEMON_LIVE_REPORT ?? join(tmpdir(), "pipemon-live-last-run.md"), table(current));
    process.stdout.write(`${table(current)}\nsettled ${reached.toFixed(1)}s after the rules were loaded\n`);

    for (const r of current) {
      expect(r.observed, `${r.scenario.state}: firing alerts`).toEqual(r.expected);
      for (const x of r.receivers) expect(x.delivered, `${r.scenario.state}: ${x.alert} delivered to`).toEqual(x.expected);
      if (r.expected.length === 0) expect(r.pending, `${r.scenario.state}: pending alerts`).toEqual([]);
    }
    // Nothing fired that no scenario expects (e.g. for a pipeline outside the estate), and nothing was delivered for it.
    const resolvedKeys = current.flatMap((r) => (r.scenario.resolves?.alerts ?? []).map((e) => key(r.scenario.pipeline.name, prometheusAlertName(e.alert, e.level), e.severity)));
    const expectedKeys = new Set([...current.flatMap((r) => r.expected), ...resolvedKeys]);
    const firingKeys = all.filter((a) => a.state === "firing").map((a) => key(a.labels.pipeline!, a.labels.alertname!, a.labels.severity!));
    expect(firingKeys.filter((k) => !expectedKeys.has(k) || resolvedKeys.includes(k))).toEqual([]);
    // The retried pipelines did fire before they resolved.
    expect(resolvedKeys.length).toBeGreaterThan(0);
    const deliveredKeys = webhooks!.deliveries.map((d) => key(d.labels.pipeline!, d.labels.alertname!, d.labels.severity!));
    expect(deliveredKeys.filter((k) => !expectedKeys.has(k))).toEqual([]);
    // Every delivered alert carries the identity labels.
    for (const d of webhooks!.deliveries) {
      expect(d.labels.managed_by).toBe("pipemon");
      expect(d.labels.alert).toBeDefined();
      expect(d.labels.team).toBe(LIVE_SCENARIOS.find((s) => s.pipeline.name === d.labels.pipeline)!.pipeline.team);
    }
  }, 110_000);
});
