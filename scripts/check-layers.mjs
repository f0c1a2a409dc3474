// Imports point one way: cli → app → spec · targets (→ compile, plan) · history · preview → model → lib. This fails the lint when
// a module reaches up or sideways, when one target's folder imports another's, and when a
// vendor SDK is imported outside its target's folder.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";

const SRC = resolve(import.meta.dirname, "../src");
const ALLOWED = {
  lib: ["lib"],
  model: ["model", "lib"],
  spec: ["spec", "model", "lib"],
  plan: ["plan", "model", "lib"],
  history: ["history", "model", "lib"],
  preview: ["preview", "model", "lib"],
  compile: ["compile", "model", "lib"],
  targets: ["targets", "compile", "plan", "model", "lib"],
  app: ["app", "spec", "compile", "plan", "history", "preview", "targets", "model", "lib"],
  cli: ["cli", "app", "spec", "plan", "history", "preview", "model", "lib"],
};
/** Vendor SDKs live in their target's folder only. */
const VENDOR_SDKS = { "@datadog/datadog-api-client": "targets/datadog", "@grafana/grafana-foundation-sdk": "targets/grafana" };
/** `targets/<name>/...` → name; files directly under targets/ (the table, shared helpers) → undefined. */
const targetFolder = (path) => (/^targets\/([^/]+)\//.exec(path) ?? [])[1];

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
      const from = targetFolder(relative(SRC, file));
      const to = targetFolder(target);
      if (from !== undefined && to !== undefined && from !== to) problems.push(`${relative(SRC, file)}: target '${from}' must not import target '${to}' (${spec})`);
    } else {
      for (const [sdk, home] of Object.entries(VENDOR_SDKS)) {
        if ((spec === sdk || spec.startsWith(`${sdk}/`)) && !relative(SRC, file).startsWith(`${home}/`)) problems.push(`${relative(SRC, file)}: ${sdk} is imported only in src/${home}/`);
      }
    }
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("layers: imports point one way");
