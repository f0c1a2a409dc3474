// make bench: validate + generate on synthetic estates of 1,000 and 10,000 pipelines, each
// command timed as a whole process (wall clock, CPU, peak RSS), median of several runs.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeEstate } from "./estate.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const WORK = join(ROOT, ".bench");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const TARGET_SECONDS = { 1000: 0.5, 10000: 2 };
const TARGET_RSS_MB = 300;

function run(args, cwd, env = {}) {
  const usageFile = join(WORK, "rusage.json");
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", join(ROOT, "bench/rusage.mjs"), join(ROOT, "bin/pipemon.js"), ...args], {
    cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1", PIPEMON_BENCH_RUSAGE: usageFile, ...env },
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`pipemon ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return { wallMs, ...JSON.parse(readFileSync(usageFile, "utf8")) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, size, args, cwd, before, env) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    before?.(i);
    samples.push(run(args, cwd, env));
  }
  return { label, size, wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)), maxRssMb: Math.max(...samples.map((s) => s.maxRssMb)) };
}

/**
 * What the filesystem alone costs for the tree generate writes: the same number of files of
 * the same sizes created with a bare writeFileSync loop (no compile, no temp file + rename),
 * then read back with open + read. A cold generate cannot be faster than the first figure,
 * nor a full --check than the second. Median of RUNS, in-process.
 */
function filesystemFloor(tree, size) {
  const files = readdirSync(tree, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const sizes = files.map((f) => statSync(f).size);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const blob = Buffer.alloc(Math.max(...sizes), "x");
  const write = [];
  const read = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = join(WORK, `floor-${size}-${i}`);
    mkdirSync(dir, { recursive: true });
    let started = process.hrtime.bigint();
    for (let f = 0; f < sizes.length; f++) writeFileSync(join(dir, `f${f}`), blob.subarray(0, sizes[f]));
    write.push(Number(process.hrtime.bigint() - started) / 1e6);
    started = process.hrtime.bigint();
    for (let f = 0; f < sizes.length; f++) {
      const fd = openSync(join(dir, `f${f}`), "r");
      readSync(fd, blob, 0, sizes[f], 0);
      closeSync(fd);
    }
    read.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  for (let i = 0; i < RUNS; i++) rmSync(join(WORK, `floor-${size}-${i}`), { recursive: true, force: true });
  return { size, files: files.length, mb: bytes / 1e6, writeMs: median(write), readMs: median(read) };
}

mkdirSync(WORK, { recursive: true });
const rows = [];
const floors = [];
for (const size of SIZES) {
  const dir = join(WORK, `estate-${size}`);
  writeEstate(join(dir, "specs"), size);
  const out = join(dir, "generated");
  rmSync(out, { recursive: true, force: true });
  // generate keeps its incremental cache in node_modules/.cache, as in a real project.
  const cache = join(dir, "node_modules/.cache");
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  rows.push(measure("validate", size, ["validate"], dir));
  // Cold runs write into a directory never used before, as on a new checkout: deleting the
  // previous tree right before a run makes the filesystem (ext4 with discard here) slow
  // down file creation by 3x, which measures the disk's housekeeping, not pipemon.
  let cold = 0;
  rows.push(measure("generate, cold (new generated/)", size, ["generate"], dir, () => {
    if (cold > 0) renameSync(out, join(dir, `old-${cold}`));
    rmSync(cache, { recursive: true, force: true });
    cold++;
  }));
  rows.push(measure("generate, nothing changed", size, ["generate"], dir));
  const spec = join(dir, "specs/team-1/pipeline-00001.yaml");
  const text = readFileSync(spec, "utf8");
  rows.push(measure("generate, one spec changed", size, ["generate"], dir, (i) => writeFileSync(spec, text.replace(/minRecords: \d+/, `minRecords: ${2000 + i}`))));
  rows.push(measure("generate, nothing changed, no cache", size, ["generate"], dir, undefined, { PIPEMON_CACHE: "0" }));
  rows.push(measure("generate --check (never cached)", size, ["generate", "--check"], dir));
  floors.push(filesystemFloor(out, size));
  for (const old of readdirSync(dir).filter((d) => d.startsWith("old-"))) rmSync(join(dir, old), { recursive: true, force: true });
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`pipemon benchmark: node ${process.version}, ${RUNS} runs each (median wall and CPU, max peak RSS)\n`);
console.log(`| ${pad("pipelines", 9)} | ${pad("command", 36)} | ${pad("wall", 8)} | ${pad("CPU", 8)} | ${pad("peak RSS", 9)} | target |`);
console.log(`|${"-".repeat(11)}|${"-".repeat(38)}|${"-".repeat(10)}|${"-".repeat(10)}|${"-".repeat(11)}|--------|`);
for (const r of rows) {
  const target = TARGET_SECONDS[r.size];
  const within = target === undefined ? "" : r.wallMs <= target * 1000 && r.maxRssMb < TARGET_RSS_MB ? `≤ ${target} s ✓` : `≤ ${target} s ✗`;
  console.log(`| ${pad(r.size.toLocaleString("en"), 9)} | ${pad(r.label, 36)} | ${pad(`${(r.wallMs / 1000).toFixed(3)} s`, 8)} | ${pad(`${(r.cpuMs / 1000).toFixed(3)} s`, 8)} | ${pad(`${r.maxRssMb.toFixed(0)} MB`, 9)} | ${within} |`);
}
console.log(`\nFilesystem floor: the same files written by a bare writeFileSync loop, then read back (median of ${RUNS}):\n`);
console.log("| pipelines | files  | size     | create all | read all |");
console.log("|-----------|--------|----------|------------|----------|");
for (const f of floors) {
  console.log(`| ${pad(f.size.toLocaleString("en"), 9)} | ${pad(f.files.toLocaleString("en"), 6)} | ${pad(`${f.mb.toFixed(0)} MB`, 8)} | ${pad(`${(f.writeMs / 1000).toFixed(3)} s`, 10)} | ${pad(`${(f.readMs / 1000).toFixed(3)} s`, 8)} |`);
}
