// Synthesises a realistic estate of N pipelines: 70% batch on a handful of schedules, 30%
// streaming, spread over 25 teams, one file per pipeline, every threshold kind in use.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SCHEDULES = ["0 * * * *", "*/15 * * * *", "0 3 * * *", "0 */6 * * *", "30 2 * * 1-5", "15 */4 * * *"];
const TEAMS = 25;

export function writeEstate(dir, count) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipemon.yaml"), `apiVersion: pipemon/v1
kind: Config
grafana: { url: "\${GRAFANA_URL}", token: "\${GRAFANA_TOKEN}", datasource: { type: prometheus, uid: prometheus }, ruleInterval: 1m }
datadog: { site: "\${DD_SITE:-datadoghq.com}", apiKey: "\${DD_API_KEY}", appKey: "\${DD_APP_KEY}" }
channels:
  oncall: { type: pagerduty, integrationKey: "\${PD_KEY}", datadog: "@pagerduty-oncall" }
  alerts: { type: slack, webhookUrl: "\${SLACK_WEBHOOK}", datadog: "@slack-alerts" }
  email:  { type: email, addresses: [data@example.com], datadog: "@data@example.com" }
routing: { critical: [oncall, alerts], high: [alerts], medium: [alerts], low: [email] }
teams:
  team-3: { routing: { critical: [oncall] } }
defaults:
  thresholds: { cpu: { warning: 80%, critical: 95% }, memory: { warning: 80%, critical: 95% } }
`);
  for (let t = 0; t < TEAMS; t++) mkdirSync(join(dir, `team-${t}`), { recursive: true });
  for (let i = 0; i < count; i++) {
    const team = `team-${i % TEAMS}`;
    const name = `pipeline-${String(i).padStart(5, "0")}`;
    const body = i % 10 < 7
      ? `  type: batch
  schedule: "${SCHEDULES[i % SCHEDULES.length]}"
  sla: { maxDuration: 10m, freshness: 4d }
  thresholds:
    failureRate: { warning: 1%, critical: 5% }
    minRecords: ${1000 + i}
    errors: { warning: 5, critical: 10 }
  alerts:
    slaBreach: { severity: critical, for: 5m }
${i % 3 === 0 ? "  routing: { high: [alerts, email] }\n" : ""}`
      : `  type: streaming
  thresholds:
    latencyP95: { warning: 500ms, critical: 2s }
    throughput: { warning: 500/s, critical: 100/s }
    backlog: { warning: 10000, critical: 100000 }
    errorRate: { warning: 0.1%, critical: 1% }
`;
    writeFileSync(join(dir, team, `${name}.yaml`), `apiVersion: pipemon/v1
kind: Pipeline
metadata:
  name: ${name}
  team: ${team}
  description: Synthetic pipeline ${i}
  labels: { tier: "${i % 3}" }
spec:
${body}`);
  }
}
