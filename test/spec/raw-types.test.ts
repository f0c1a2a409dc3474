/**
 * The raw spec types (src/spec/v1/raw.ts) against the JSON Schema they describe: every
 * definition's properties and required keys are the interface's properties and non-optional
 * keys, read with the TypeScript compiler itself. RawThresholds is a mapped type over the
 * threshold registry, so a threshold added there reaches both, and this test keeps them equal.
 */
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { SCHEMA } from "../../src/spec/v1/schema.js";
import { REPO_ROOT } from "../support/cli.js";

type Definition = { properties?: Record<string, Definition>; required?: string[]; additionalProperties?: Definition | boolean };
const defs = SCHEMA.definitions as Record<string, Definition>;
const configEnvironment = (defs.Config!.properties!.environments!.additionalProperties as Definition);
const pipelineSpec = defs.Pipeline!.properties!.spec!;

/** Raw type (exported from raw.ts, or a property path into one) → the schema object it must match. */
const PAIRS: [string, string[], Definition][] = [
  ["RawConfig", [], defs.Config!],
  ["RawPipeline", [], defs.Pipeline!],
  ["RawPipeline", ["metadata"], defs.Pipeline!.properties!.metadata!],
  ["RawPipeline", ["spec"], pipelineSpec],
  ["RawPipeline", ["spec", "metrics"], pipelineSpec.properties!.metrics!],
  ["RawGrafana", [], defs.Grafana!],
  ["RawDatadog", [], defs.Datadog!],
  ["RawMetricSinks", [], defs.MetricSinks!],
  ["RawChannel", [], defs.Channel!],
  ["RawPipelineDefaults", [], defs.PipelineDefaults!],
  ["RawPipelineDefaults", ["sla"], defs.Sla!],
  ["RawThresholds", [], defs.Thresholds!],
  ["RawAlertOverride", [], defs.AlertOverride!],
  ["RawSignalOverride", [], defs.SignalOverride!],
  ["RawEnvironment", [], configEnvironment],
  ["RawPrometheusQuery", [], defs.PrometheusQuery!],
  ["RawPrometheusQuery", ["basicAuth"], defs.PrometheusQuery!.properties!.basicAuth!],
];

describe("raw spec types", () => {
  const file = join(REPO_ROOT, "src/spec/v1/raw.ts");
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => [s.name, s]));

  const shape = (type: ts.Type): { properties: string[]; required: string[] } => {
    const props = checker.getPropertiesOfType(checker.getNonNullableType(type));
    return {
      properties: props.map((p) => p.name).sort(),
      required: props.filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name).sort(),
    };
  };

  it.each(PAIRS.map(([name, path, def]) => [`${name}${path.map((p) => `.${p}`).join("")}`, name, path, def] as const))("%s has the schema's properties and required keys", (_label, name, path, def) => {
    const symbol = exported.get(name);
    expect(symbol, `${name} is exported from raw.ts`).toBeDefined();
    let type = checker.getDeclaredTypeOfSymbol(symbol!);
    for (const key of path) type = checker.getTypeOfSymbol(checker.getPropertyOfType(type, key)!);
    const raw = shape(type);
    expect(raw.properties).toEqual(Object.keys(def.properties ?? {}).sort());
    expect(raw.required).toEqual([...(def.required ?? [])].sort());
  });

  it("types each threshold as levels exactly where the schema has levels", () => {
    const thresholds = checker.getDeclaredTypeOfSymbol(exported.get("RawThresholds")!);
    for (const [key, def] of Object.entries(defs.Thresholds!.properties!)) {
      const t = checker.getNonNullableType(checker.getTypeOfSymbol(checker.getPropertyOfType(thresholds, key)!));
      const hasLevels = checker.getPropertyOfType(t, "critical") !== undefined;
      expect(hasLevels, key).toBe(def.properties?.critical !== undefined);
    }
  });
});
