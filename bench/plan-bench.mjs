// Plan/apply benchmark: 1,000 synthetic pipelines against the Grafana and Datadog emulators
// with 20 ms added to every request. Reports wall time, requests per kind and failed
// requests. Targets (issue 3): plan ≤ 10 s, ≤ 3 Datadog requests per 1,000 monitors, no
// per-rule Grafana GETs; apply from empty with zero failed requests under the recorded
// Datadog limit (500 writes per 10 s, which the emulator enforces).
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeEstate } from "./estate.mjs";
import { startEmulator } from "../scripts/emulators.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const SIZE = Number(process.env.PLAN_BENCH_PIPELINES ?? 1000);
const LATENCY_MS = 20;
const dir = join(ROOT, ".bench", `plan-${SIZE}`);
mkdirSync(dir, { recursive: true });
writeEstate(join(dir, "specs"), SIZE);

const grafana = await startEmulator("grafana", ["--token", "bench-token", "--latency-ms", String(LATENCY_MS)]);
const datadog = await startEmulator("datadog", ["--api-key", "bench-api", "--app-key", "bench-app", "--latency-ms", String(LATENCY_MS)]);
process.on("exit", () => [grafana, datadog].forEach((e) => e.stop()));

const env = { ...process.env, NO_COLOR: "1", GRAFANA_URL: grafana.url, GRAFANA_TOKEN: "bench-token", DD_HOST: datadog.url, DD_API_KEY: "bench-api", DD_APP_KEY: "bench-app", PD_KEY: "bench-pd", SLACK_WEBHOOK: "https://hooks.slack.example/bench" };

async function requests(emulator) {
  // The keep-alive socket from before a long synchronous run may have been closed by the
  // server meanwhile; one retry opens a new one.
  const read = async () => (await fetch(`${emulator.url}/__emulator/requests`)).json();
  return read().catch(read);
}

/** Route templates: ids and uids collapse so requests group per kind of call. */
function route(r) {
  const path = r.path
    .replace(/\/api\/v1\/monitor\/\d+/, "/api/v1/monitor/{id}")
    .replace(/\/dashboards\/uid\/[^/]+/, "/dashboards/uid/{uid}")
    .replace(/\/folders\/[^/]+$/, "/folders/{uid}")
    .replace(/\/rule-groups\/[^/]+/, "/rule-groups/{group}")
    .replace(/\/folder\/[^/]+\//, "/folder/{uid}/")
    .replace(/\/contact-points\/[^/]+/, "/contact-points/{uid}")
    .replace(/\/alert-rules\/(?!export)[^/]+/, "/alert-rules/{uid}");
  return `${r.method} ${path}`;
}

async function run(label, args) {
  const before = { g: (await requests(grafana)).length, d: (await requests(datadog)).length };
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ROOT, "bin/pipemon.js"), "--specs", join(dir, "specs"), ...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 1 << 30 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (process.env.PIPEMON_DEBUG) process.stderr.write(`${label}:\n${r.stderr}`);
  if (r.status !== 0 && r.status !== 2) {
    console.error(r.stderr.slice(0, 4000));
    throw new Error(`${label}: pipemon exited with ${r.status}`);
  }
  const seen = [...(await requests(grafana)).slice(before.g).map((x) => ({ ...x, target: "grafana" })), ...(await requests(datadog)).slice(before.d).map((x) => ({ ...x, target: "datadog" }))];
  const byRoute = new Map();
  for (const x of seen) byRoute.set(`${x.target} ${route(x)}`, (byRoute.get(`${x.target} ${route(x)}`) ?? 0) + 1);
  const failed = seen.filter((x) => typeof x.status !== "number" || x.status >= 400);
  return { label, wallMs, total: seen.length, byRoute, failed, stdout: r.stdout };
}

const apply = await run("apply --yes (from empty)", ["apply", "--yes"]);
const plan = await run("plan (everything applied)", ["plan", "--detailed-exitcode"]);
const state = await (await fetch(`${datadog.url}/__emulator/state`).catch(() => fetch(`${datadog.url}/__emulator/state`))).json();
const monitors = Array.isArray(state.monitors) ? state.monitors.length : Object.keys(state.monitors ?? {}).length;

console.log(`pipemon plan/apply benchmark: ${SIZE} pipelines, ${monitors ?? "?"} monitors, +${LATENCY_MS} ms per request, node ${process.version}\n`);
for (const r of [apply, plan]) {
  console.log(`${r.label}: ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.total} requests, ${r.failed.length} failed${r.failed.length ? ` (${[...new Set(r.failed.map((f) => f.status))].join(", ")})` : ""}`);
  for (const [k, n] of [...r.byRoute].sort()) console.log(`    ${String(n).padStart(6)}  ${k}`);
  console.log("");
}
const ddReads = [...plan.byRoute].filter(([k]) => k.startsWith("datadog GET")).reduce((a, [, n]) => a + n, 0);
const perRuleGets = [...plan.byRoute].filter(([k]) => /GET \/api\/v1\/provisioning\/(alert-rules\/\{uid\}|folder\/\{uid\}\/rule-groups)/.test(k)).reduce((a, [, n]) => a + n, 0);
console.log("| check | measured | target |\n|---|---|---|");
console.log(`| plan wall time | ${(plan.wallMs / 1000).toFixed(2)} s | ≤ 10 s ${plan.wallMs <= 10_000 ? "✓" : "✗"} |`);
console.log(`| Datadog reads per 1,000 monitors | ${monitors ? ((ddReads * 1000) / monitors).toFixed(2) : "?"} (${ddReads} for ${monitors}) | ≤ 3 ${monitors && (ddReads * 1000) / monitors <= 3 ? "✓" : "✗"} |`);
console.log(`| per-rule / per-group Grafana GETs in plan | ${perRuleGets} | 0 ${perRuleGets === 0 ? "✓" : "✗"} |`);
console.log(`| plan after apply | ${/No changes/.test(plan.stdout) ? "no changes" : "CHANGES"} | no changes ${/No changes/.test(plan.stdout) ? "✓" : "✗"} |`);
console.log(`| apply from empty: failed requests | ${apply.failed.length} | 0 ${apply.failed.length === 0 ? "✓" : "✗"} |`);
process.exit(0);
