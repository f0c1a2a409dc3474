// `make demo`: plan → apply → plan on the bundled specs against local emulators of Grafana
// (one per environment, as the config says) and Datadog, so a new user sees pipemon work
// without any account. Everything runs on 127.0.0.1 and is gone when the demo ends.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { startEmulator } from "./emulators.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const TOKEN = "demo-token";
const emulators = [];
const stopAll = () => emulators.forEach((e) => e.stop());
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

const production = await startEmulator("grafana", ["--token", TOKEN]);
const staging = await startEmulator("grafana", ["--token", TOKEN]);
const datadog = await startEmulator("datadog", ["--api-key", "demo-api-key", "--app-key", "demo-app-key"]);
emulators.push(production, staging, datadog);

// Demo-only stand-ins for the secrets the config references; real ones come from CI secrets.
const env = {
  ...process.env,
  GRAFANA_URL: production.url,
  GRAFANA_STAGING_URL: staging.url,
  GRAFANA_TOKEN: TOKEN,
  DD_HOST: datadog.url,
  DD_API_KEY: "demo-api-key",
  DD_APP_KEY: "demo-app-key",
  PD_DATA_ONCALL_KEY: "demo-pd-data-oncall",
  PD_PAYMENTS_KEY: "demo-pd-payments",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.com/services/demo/data-alerts",
  SLACK_GROWTH_WEBHOOK: "https://hooks.slack.com/services/demo/growth",
  ML_PLATFORM_WEBHOOK: "https://ml-platform.example.com/hooks/demo",
};

// Bold only on a terminal and without NO_COLOR: a CI log or a file gets plain text.
const bold = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb" ? (s) => `\u001b[1m${s}\u001b[22m` : (s) => s;

function step(title, args) {
  console.log(`\n${bold(`$ pipemon ${args.join(" ")}`)}   # ${title}`);
  const r = spawnSync(process.execPath, [resolve(ROOT, "bin/pipemon.js"), ...args], { cwd: ROOT, env, stdio: "inherit" });
  return r.status;
}

console.log(`grafana (production) ${production.url}\ngrafana (staging)    ${staging.url}\ndatadog              ${datadog.url}`);
const code = [
  step("what would change (everything is new)", ["plan", "--detailed-exitcode"]) === 2,
  step("make it so", ["apply", "--yes"]) === 0,
  step("nothing left to do", ["plan", "--detailed-exitcode"]) === 0,
].every(Boolean) ? 0 : 1;
stopAll();
process.exit(code);
