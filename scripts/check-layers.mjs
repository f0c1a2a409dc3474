// Imports point one way: cli → app → spec · compile · targets → plan → model → lib. This fails the lint when
// a module reaches up or sideways, and when product code imports test code or the Datadog
// client outside the layer that talks to Datadog.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";

const SRC = resolve(import.meta.dirname, "../src");
const ALLOWED = {
  lib: ["lib"],
  model: ["model", "lib"],
  spec: ["spec", "model", "lib"],
  compile: ["compile", "model", "lib"],
  plan: ["plan", "model", "lib"],
  history: ["history", "model", "lib"],
  targets: ["targets", "plan", "model", "lib"],
  app: ["app", "spec", "compile", "plan", "targets", "history", "model", "lib"],
  cli: ["cli", "app", "spec", "plan", "history", "model", "lib"],
};
const FORBIDDEN_PACKAGES = { compile: ["@datadog/datadog-api-client"], plan: ["@datadog/datadog-api-client"], spec: ["@datadog/datadog-api-client", "@grafana/grafana-foundation-sdk"], model: ["@datadog/datadog-api-client"], lib: ["@datadog/datadog-api-client"] };

const problems = [];
for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const layer = relative(SRC, file).split("/")[0];
  const text = readFileSync(file, "utf8");
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
    if (spec.startsWith(".")) {
      const target = relative(SRC, resolve(dirname(file), spec));
      if (target.startsWith("..")) problems.push(`${relative(SRC, file)}: imports outside src/: ${spec}`);
      const targetLayer = target.split("/")[0];
      if (!(ALLOWED[layer] ?? []).includes(targetLayer)) problems.push(`${relative(SRC, file)}: layer '${layer}' must not import '${targetLayer}' (${spec})`);
    } else if ((FORBIDDEN_PACKAGES[layer] ?? []).some((p) => spec === p || spec.startsWith(`${p}/`))) {
      problems.push(`${relative(SRC, file)}: layer '${layer}' must not import ${spec}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("layers: imports point one way");
