// pipemon run benchmark: the wall-time overhead of `pipemon run <pipeline> -- true` over a
// bare `true` (medians of alternating runs), for the repo's specs/ and a 1,000-pipeline
// estate, with:
//   - a local Pushgateway (Debian's prometheus-pushgateway, in memory)   target ≤ 150 ms
//   - the sink down, refusing connections                                 target ≤ the sink timeout (2 s)
//   - the sink down, accepting connections and never answering            each phase ≤ the sink timeout (+10%: the
//                                                                          scheduling delay of a loaded machine)
// and, for reference, no sink at all (start-up and spec loading only).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { writeEstate } from "./estate.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.RUN_BENCH_RUNS ?? 15);
const SINK_TIMEOUT_MS = 2000;
const TARGET_MS = 150;

function freePort() {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

async function startPushgateway() {
  const bin = spawnSync("sh", ["-c", "command -v prometheus-pushgateway || command -v pushgateway"], { encoding: "utf8" }).stdout.trim();
  if (!bin) throw new Error("prometheus-pushgateway not found: make test-deps (apt-get install prometheus-pushgateway)");
  const port = await freePort();
  const child = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file=", "--log.level=warn"], { stdio: "ignore" });
  process.on("exit", () => child.kill("SIGKILL"));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return url;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the Pushgateway did not start");
}

/** Accepts connections and never answers (the kernel accepts even while this process waits on a child). */
async function startHanging() {
  const sockets = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${server.address().port}`;
}

function wall(command, args, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, status: r.status, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median of `runs` wrapped runs and of as many bare runs, alternated so load drifts hit both. */
function overhead(label, specs, pipeline, extraArgs, sinkEnv, runs, expectWarning) {
  const env = { PATH: process.env.PATH, NO_COLOR: "1", ...sinkEnv };
  const wrapped = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    bare.push(wall("true", [], env).ms);
    const r = wall(process.execPath, [join(ROOT, "bin/pipemon.js"), "--specs", specs, "run", pipeline, ...extraArgs, "--", "true"], env);
    if (r.status !== 0) throw new Error(`${label}: pipemon run exited ${r.status}: ${r.stderr}`);
    if (expectWarning !== /warning/.test(r.stderr)) throw new Error(`${label}: unexpected stderr: ${JSON.stringify(r.stderr)}`);
    wrapped.push(r.ms);
  }
  const result = { label, bare: median(bare), wrapped: median(wrapped), overhead: median(wrapped) - median(bare), max: Math.max(...wrapped) - median(bare) };
  console.log(`${label}: pipemon run ${result.wrapped.toFixed(0)} ms, bare true ${result.bare.toFixed(1)} ms → overhead ${result.overhead.toFixed(0)} ms (median of ${runs}; worst ${result.max.toFixed(0)} ms)`);
  return result;
}

const pushgateway = await startPushgateway();
const refused = `http://127.0.0.1:${await freePort()}`;
const hanging = await startHanging();

const estateDir = join(ROOT, ".bench", "run-1000");
mkdirSync(estateDir, { recursive: true });
writeEstate(join(estateDir, "specs"), 1000);

console.log(`pipemon run benchmark: node ${process.version}, sink timeout ${SINK_TIMEOUT_MS} ms per phase\n`);
// The floor under any Node CLI on this machine now: the figures below are read against it.
const nodeStart = median(Array.from({ length: RUNS }, () => wall(process.execPath, ["-e", "0"], { PATH: process.env.PATH }).ms));
const cliStart = median(Array.from({ length: RUNS }, () => wall(process.execPath, [join(ROOT, "bin/pipemon.js"), "--version"], { PATH: process.env.PATH }).ms));
console.log(`node -e 0 (Node's own start-up, for reference): ${nodeStart.toFixed(0)} ms; pipemon --version (the CLI's start-up): ${cliStart.toFixed(0)} ms (medians of ${RUNS})\n`);
const estates = [
  { name: "repo specs/ (9 pipelines)", specs: join(ROOT, "specs"), pipeline: "orders-etl", args: ["--env", "production"] },
  { name: "1,000-pipeline estate", specs: join(estateDir, "specs"), pipeline: "pipeline-00000", args: [] },
];
const rows = [];
for (const e of estates) {
  const none = overhead(`${e.name}, no sink`, e.specs, e.pipeline, e.args, {}, RUNS, true);
  const local = overhead(`${e.name}, local Pushgateway`, e.specs, e.pipeline, e.args, { PIPEMON_PUSHGATEWAY_URL: pushgateway }, RUNS, false);
  const down = overhead(`${e.name}, Pushgateway refusing`, e.specs, e.pipeline, e.args, { PIPEMON_PUSHGATEWAY_URL: refused }, Math.ceil(RUNS / 3), true);
  const hung = overhead(`${e.name}, Pushgateway hanging`, e.specs, e.pipeline, e.args, { PIPEMON_PUSHGATEWAY_URL: hanging }, 3, true);
  rows.push({ e, none, local, down, hung });
  console.log("");
}

console.log("| specs | check | measured | target |\n|---|---|---|---|");
console.log(`| — | node -e 0 / pipemon --version (reference) | ${nodeStart.toFixed(0)} ms / ${cliStart.toFixed(0)} ms | — |`);
for (const { e, none, local, down, hung } of rows) {
  const ok = (b) => (b ? "✓" : "✗");
  console.log(`| ${e.name} | no sink (start-up + specs) | ${none.overhead.toFixed(0)} ms | — |`);
  console.log(`| ${e.name} | local Pushgateway | ${local.overhead.toFixed(0)} ms | ≤ ${TARGET_MS} ms ${ok(local.overhead <= TARGET_MS)} |`);
  console.log(`| ${e.name} | sink down (refused) | ${down.overhead.toFixed(0)} ms | ≤ ${SINK_TIMEOUT_MS} ms ${ok(down.overhead <= SINK_TIMEOUT_MS)} |`);
  // Each phase waits on a timer of exactly the timeout (test/app/run.test.ts pins it with fake
  // timers); what a loaded machine adds on top is its scheduling delay, hence the 10%.
  const perPhase = (hung.overhead - local.overhead) / 2;
  console.log(`| ${e.name} | sink hanging, wait per phase ((hanging − local) / 2) | ${perPhase.toFixed(0)} ms | ≤ ${SINK_TIMEOUT_MS} ms (+10% scheduling) ${ok(perPhase <= SINK_TIMEOUT_MS * 1.1)} |`);
}
process.exit(0);
