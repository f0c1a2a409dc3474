// The import rules of src/, checked by dependency-cruiser in `make lint` (README "Import rules").
// Rule names are what a failing lint prints; test/lint/import-rules.test.ts proves each one fails.
// Computed `import(expr)` / `require(expr)` are invisible to dependency-cruiser (it records only
// string-literal specifiers); scripts/check-computed-imports.mjs covers those.

/** A layer is a folder src/<layer>/; it may import itself and the layers listed. */
const LAYERS = {
  lib: ["lib"],
  model: ["model", "lib"],
  spec: ["spec", "model", "lib"],
  plan: ["plan", "model", "lib"],
  history: ["history", "model", "lib"],
  preview: ["preview", "model", "lib"],
  compile: ["compile", "model", "lib"],
  targets: ["targets", "compile", "plan", "model", "lib"],
  app: [], // everything but cli, filled in below
  cli: ["cli", "app", "spec", "plan", "history", "preview", "model", "lib"],
};
LAYERS.app = Object.keys(LAYERS).filter((layer) => layer !== "cli");

/** Each vendor SDK is imported only inside its target's folder. */
const VENDOR_SDKS = {
  "@datadog/datadog-api-client": "src/targets/datadog/",
  "@grafana/grafana-foundation-sdk": "src/targets/grafana/",
};

const folders = (layers) => `^src/(${layers.join("|")})/`;
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Layers `layer` reaches through the table (itself included). */
function reach(layer, seen = new Set()) {
  if (seen.has(layer)) return seen;
  seen.add(layer);
  for (const next of LAYERS[layer]) reach(next, seen);
  return seen;
}

/**
 * Every import a layer may not make, named by how it goes wrong: `layer-upward` (the imported
 * layer is above, i.e. it reaches this one), `layer-skip` (below, but only through another layer:
 * cli must go through app), `layer-sideways` (neither reaches the other).
 */
function layerRules() {
  const rules = [];
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    const forbidden = Object.keys(LAYERS).filter((other) => !allowed.includes(other));
    const kinds = {
      "layer-upward": forbidden.filter((other) => reach(other).has(layer)),
      "layer-skip": forbidden.filter((other) => !reach(other).has(layer) && reach(layer).has(other)),
      "layer-sideways": forbidden.filter((other) => !reach(other).has(layer) && !reach(layer).has(other)),
    };
    for (const [name, targets] of Object.entries(kinds)) {
      if (targets.length === 0) continue;
      rules.push({
        name,
        severity: "error",
        comment: `src/${layer}/ may import only ${allowed.join(", ")} (layer table in .dependency-cruiser.cjs)`,
        from: { path: folders([layer]) },
        to: { path: folders(targets) },
      });
    }
  }
  return rules;
}

function vendorRules() {
  return Object.entries(VENDOR_SDKS).map(([sdk, home]) => ({
    name: "vendor-sdk-outside-target",
    severity: "error",
    comment: `${sdk} is imported only under ${home}`,
    from: { pathNot: `^${escape(home)}` },
    to: { path: `(^|/)node_modules/${escape(sdk)}/` },
  }));
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: "layer-unknown",
      severity: "error",
      comment: "every file of src/ lives in a layer folder of the table; add a new layer to LAYERS",
      from: { path: "^src/", pathNot: folders(Object.keys(LAYERS)) },
      to: {},
    },
    {
      name: "target-sibling",
      severity: "error",
      comment:
        "a target folder imports neither a sibling target folder nor the table of targets (src/targets/index.ts); share through src/targets/*.ts, compile/, plan/, model/ or lib/",
      from: { path: "^src/targets/([^/]+)/" },
      to: { path: "^src/targets/([^/]+/|index\\.ts$)", pathNot: "^src/targets/$1/" },
    },
    ...vendorRules(),
    {
      name: "no-cycle",
      severity: "error",
      comment: "imports form no cycle (type-only imports included)",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-test-code",
      severity: "error",
      comment: "product code never imports test/, bench/ or scripts/",
      from: { path: "^src/" },
      to: { path: "^(test|bench|scripts)/" },
    },
    {
      name: "no-import-outside-src",
      severity: "error",
      comment: "src/ imports only src/, node: built-ins and npm packages (test/, bench/, scripts/: no-test-code)",
      from: { path: "^src/" },
      to: { pathNot: "^(src|test|bench|scripts)/|(^|/)node_modules/", dependencyTypesNot: ["core", "unknown"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "every import resolves (a typo or a file that moved)",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "not-to-dev-dep",
      severity: "error",
      comment: "src/ is shipped: it never imports a devDependency (vitest, fast-check, ...)",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-non-package-json",
      severity: "error",
      comment: "a package src/ loads at run time is declared in package.json",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: {
      dot: { collapsePattern: "^src/[^/]+|node_modules/(@[^/]+/)?[^/]+" },
    },
  },
};
