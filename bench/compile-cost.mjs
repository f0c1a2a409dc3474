// Where a full compile's time goes, per pipeline and per target: compiles the 1,000-pipeline
// bench estate in-process (warm: the median of 5 rounds after one warm-up round), from the
// model to file text, without touching the disk. `node bench/compile-cost.mjs [N]` (after
// `make build`); profiling aid, not a target.
import { join, resolve } from "node:path";
import { writeEstate } from "./estate.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const dist = (p) => import(join(ROOT, "dist", p));
const { loadSpecs } = await dist("spec/index.js");
const { grafanaPipelineFiles, grafanaTeamFile, grafanaTeams } = await dist("targets/grafana/compile/index.js");
const { datadogPipelineFiles } = await dist("targets/datadog/compile/index.js");
const { runbookFile } = await dist("compile/runbooks/index.js");
const { prometheusRuleFile, prometheusTeams } = await dist("targets/prometheus/compile/index.js");

const count = Number(process.argv[2] ?? 1000);
const specs = join(ROOT, ".bench", `compile-cost-${count}`);
writeEstate(specs, count);
const project = loadSpecs({ root: specs }).projects[0];
const pipelines = project.pipelines;

const stages = {
  "Grafana dashboard + rule group": () => pipelines.flatMap((p) => grafanaPipelineFiles(project, p)),
  "Datadog monitors": () => pipelines.flatMap((p) => datadogPipelineFiles(project, p)),
  runbook: () => pipelines.map((p) => runbookFile(project, p)),
  "Prometheus rule files (per team)": () => [...prometheusTeams(project)].map(([team, ps]) => prometheusRuleFile(project, team, ps)),
  "team overviews": () => [...grafanaTeams(project)].map(([team, ps]) => grafanaTeamFile(project, team, ps)),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`compile cost per pipeline, ${count} pipelines, node ${process.version} (warm, median of 5 rounds)\n`);
console.log("| stage                            | µs/pipeline | KB/pipeline |");
console.log("|----------------------------------|-------------|-------------|");
let totalUs = 0;
let totalKb = 0;
for (const [name, run] of Object.entries(stages)) {
  run();
  const times = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    const files = run();
    times.push(Number(process.hrtime.bigint() - started) / 1e3 / count);
    bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  }
  totalUs += median(times);
  totalKb += bytes / 1000 / count;
  console.log(`| ${name.padEnd(32)} | ${median(times).toFixed(0).padStart(11)} | ${(bytes / 1000 / count).toFixed(1).padStart(11)} |`);
}
console.log(`| ${"total".padEnd(32)} | ${totalUs.toFixed(0).padStart(11)} | ${totalKb.toFixed(1).padStart(11)} |`);
