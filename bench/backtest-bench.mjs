// Backtest benchmark: the 1,000-pipeline estate (bench/estate.mjs) over 7 days of backfilled
// history on a local Prometheus (Debian package). Reports wall time, query count and peak
// memory of `pipemon backtest --since 7d` (targets, issue 13: ≤ 60 s, ≤ 300 MB), then of
// `--base HEAD` after one pipeline's threshold changed (target ≤ 5 s); and, as the floor
// under the first figure, Prometheus alone answering the same queries.
//
// History: the estate's timeline is scripted (test/support/history.ts): batch runs on each
// pipeline's schedule with a few failures, slow and hung runs; streams with incidents and a
// dead one. Samples every 300 s (so a week is ~25 million samples rather than 125 million at
// 60 s); the TSDB is cached in .bench/backtest-<N>/ across runs (`make clean` drops it).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { register } from "tsx/esm/api";
import { writeEstate } from "./estate.mjs";

register();
const { startHistoryPrometheus, recentOrigin } = await import("../test/support/history.ts");

const ROOT = resolve(import.meta.dirname, "..");
const SIZE = Number(process.env.BACKTEST_BENCH_PIPELINES ?? 1000);
const SCRAPE_SECONDS = 300;
const DAY = 86400;
const DAYS = 7;
const dir = join(ROOT, ".bench", `backtest-${SIZE}`);
mkdirSync(dir, { recursive: true });

// The estate's schedules (bench/estate.mjs SCHEDULES, in order) as a period and an offset.
const SCHEDULES = [
  { every: 3600, at: 0 },
  { every: 900, at: 0 },
  { every: DAY, at: 3 * 3600 },
  { every: 6 * 3600, at: 0 },
  { every: DAY, at: 2.5 * 3600 },
  { every: 4 * 3600, at: 900 },
];

/** A deterministic pseudo-random number in [0, 1) from two integers. */
const noise = (a, b) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

function timeline() {
  const duration = DAYS * DAY;
  const pipelines = [];
  for (let i = 0; i < SIZE; i++) {
    const name = `pipeline-${String(i).padStart(5, "0")}`;
    if (i % 10 < 7) {
      const { every, at } = SCHEDULES[i % SCHEDULES.length];
      const runs = [];
      for (let start = at, k = 0; start < duration; start += every, k++) {
        const r = noise(i, k);
        // 3% fail, 2% run past the 10m SLA, one pipeline in 50 hangs on day 6.
        const hung = i % 50 === 7 && start >= 6 * DAY;
        const durationSeconds = hung ? null : Math.min(every - 60, r < 0.02 ? 15 * 60 : 120 + Math.floor(r * 360));
        runs.push({ start, duration: durationSeconds, status: r > 0.97 ? "failed" : "success", records: r > 0.95 ? 200 : 5000 + i, failedRecords: r > 0.9 ? 100 : 0, errors: r > 0.97 ? { timeout: 12 } : {}, cpu: 0.3 + r / 2, memory: 0.4 + r / 3 });
        if (hung) break;
      }
      pipelines.push({ type: "batch", name, runs, ...(i % 40 === 3 ? { gaps: [[2 * DAY, 2 * DAY + 1800]] } : {}) });
    } else {
      pipelines.push({
        type: "streaming",
        name,
        normal: { throughput: 1000 + i, latency: 0.08, backlog: 100, errorRatio: 0.0001, cpu: 0.3, memory: 0.4 },
        incidents: [{ from: (1 + (i % 5)) * DAY, to: (1 + (i % 5)) * DAY + 1800, latency: 4, backlog: 500_000 }],
        ...(i % 100 === 9 ? { deadAt: 5 * DAY } : {}),
      });
    }
  }
  return { duration, scrapeSeconds: SCRAPE_SECONDS, pipelines };
}

// The TSDB is rebuilt when the estate size or the day changed (the history must end in the
// recent past for the default --since 7d to cover it).
const tl = timeline();
const origin = recentOrigin(tl);
const stamp = join(dir, "history.json");
const cached = existsSync(stamp) && JSON.parse(readFileSync(stamp, "utf8")).origin === origin;
const backfillStarted = Date.now();
const prom = await startHistoryPrometheus(tl, { origin, dir, maxBlockDuration: "24h", reuse: cached });
const backfillSeconds = (Date.now() - backfillStarted) / 1000;
const samples = cached ? JSON.parse(readFileSync(stamp, "utf8")).samples : prom.samples;
writeFileSync(stamp, JSON.stringify({ origin, samples }));
process.on("exit", () => prom.process.child.kill("SIGKILL"));

const specs = join(dir, "repo", "specs");
rmSync(join(dir, "repo"), { recursive: true, force: true });
writeEstate(specs, SIZE);
const git = (...args) => {
  const r = spawnSync("git", args, { cwd: join(dir, "repo"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
};
git("init", "-q");
git("add", ".");
git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "estate");

const until = origin + tl.duration;
/** Prometheus's own CPU seconds so far (its /metrics): how the wall time splits between server and client. */
async function promCpuSeconds() {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total ([0-9.e+]+)$/m.exec(text)?.[1]);
}

/** One measured run of the CLI (text output: its header holds the query count). */
function backtest(label, args) {
  const rusage = join(dir, `rusage-${label}.json`);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", join(ROOT, "bench/rusage.mjs"), join(ROOT, "bin/pipemon.js"), "--specs", specs, "backtest", "--until", String(until), ...args], {
    cwd: join(dir, "repo"),
    env: { ...process.env, NO_COLOR: "1", PROMETHEUS_URL: prom.url, PIPEMON_BENCH_RUSAGE: rusage },
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
  const { maxRssMb, cpuMs } = JSON.parse(readFileSync(rusage, "utf8"));
  const lines = r.stdout.trimEnd().split("\n");
  return { wallSeconds, maxRssMb, cpuMs, header: lines[0], second: lines[1], last: lines[lines.length - 1] };
}

const cpuBefore = await promCpuSeconds();
const all = backtest("all", ["--since", "7d"]);
const promCpu = (await promCpuSeconds()) - cpuBefore;
const loadAverage = (await import("node:os")).loadavg()[0];

// The floor: Prometheus alone answering the very queries backtest sends, as many at once,
// with pipemon's parsing and rule walking taken out (bodies read and dropped).
const { loadSpecs } = await import("../src/spec/index.ts");
const { pipelineRules } = await import("../src/app/backtest.ts");
const { backtestQueries } = await import("../src/history/backtest.ts");
const { DEFAULT_QUERY_CONCURRENCY } = await import("../src/targets/prometheus/query-api.ts");
const project = loadSpecs({ root: specs }).projects[0];
const queries = backtestQueries(project.pipelines.flatMap((p) => pipelineRules(project, p)), until - DAYS * DAY, until);
const floor = { count: queries.length, cpuBefore: await promCpuSeconds(), started: process.hrtime.bigint() };
await Promise.all(
  Array.from({ length: 2 * DEFAULT_QUERY_CONCURRENCY }, async () => {
    for (let q = queries.pop(); q !== undefined; q = queries.pop()) {
      const { start, step, count } = q.grid;
      const body = new URLSearchParams({ query: q.expr, start: String(start), end: String(start + (count - 1) * step), step: String(step) });
      const r = await fetch(`${prom.url}/api/v1/query_range`, { method: "POST", body });
      if (!r.ok) throw new Error(`replay: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
      await r.arrayBuffer();
    }
  }),
);
floor.wallSeconds = Number(process.hrtime.bigint() - floor.started) / 1e9;
floor.promCpu = (await promCpuSeconds()) - floor.cpuBefore;

// One spec change: pipeline-00000's minRecords tightened.
const changed = join(specs, "team-0", "pipeline-00000.yaml");
writeFileSync(changed, readFileSync(changed, "utf8").replace(/minRecords: \d+/, "minRecords: 999999"));
const one = backtest("base", ["--since", "7d", "--base", "HEAD"]);

const fmt = (n, d = 1) => n.toFixed(d);
console.log(`backtest bench: ${SIZE} pipelines, ${DAYS} days of history sampled every ${SCRAPE_SECONDS}s (${samples.toLocaleString("en")} samples; backfill + start ${fmt(backfillSeconds)}s${cached ? ", TSDB reused" : ""}), rules evaluated every 1m`);
console.log(`  whole estate:       ${fmt(all.wallSeconds)} s wall, pipemon ${fmt(all.cpuMs / 1000)} s CPU, Prometheus ${fmt(promCpu)} s CPU, peak RSS ${fmt(all.maxRssMb, 0)} MB (machine load average ${fmt(loadAverage)})   (targets: ≤ 60 s, ≤ 300 MB)`);
console.log(`      ${all.header}`);
console.log(`      ${all.last}`);
console.log(`  Prometheus alone:   ${fmt(floor.wallSeconds)} s wall, ${fmt(floor.promCpu)} s CPU answering the same ${floor.count.toLocaleString("en")} queries with nothing done to the answers (the floor under the whole-estate run on this machine)`);
console.log(`  --base, one change: ${fmt(one.wallSeconds)} s wall, peak RSS ${fmt(one.maxRssMb, 0)} MB   (target: ≤ 5 s)`);
console.log(`      ${one.header}`);
console.log(`      ${one.second}`);
await prom.stop();
