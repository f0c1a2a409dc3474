/**
 * An alert's description (runbook, Grafana annotation, Datadog message) states the pending
 * period the rule really has: "for 15m" in the text is the rule's `for`, never a default.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertDefinitions } from "../../../src/compile/alert-definitions.js";
import { formatDuration } from "../../../src/lib/duration.js";
import { loadSpecs } from "../../../src/spec/index.js";
import { batchPipeline, fullProject, streamingPipeline } from "../../fixtures/model.js";

const demo = loadSpecs({ root: join(import.meta.dirname, "../../../specs") }).projects;
const pipelines = [
  ...demo.flatMap((p) => p.pipelines),
  ...fullProject().pipelines,
  batchPipeline({ alerts: { memory: { forSeconds: 900 }, dataQuality: { forSeconds: 1200 } } }),
  streamingPipeline({ alerts: { lowThroughput: { forSeconds: 600 }, highBacklog: { forSeconds: 1800 } } }),
];

/** Durations the text gives as a pending period: "for 10m", "pending period (5m ...)". */
function pendingPeriods(text: string): string[] {
  return [...text.matchAll(/\b(?:for|pending period \()\s*(\d+(?:[smhdw]\d*)*[smhdw])\b/g)].map((m) => m[1]!);
}

describe("alert descriptions and the rule's for", () => {
  const defs = pipelines.flatMap((p) => alertDefinitions(p).map((d) => [`${p.name}/${d.key} for ${formatDuration(d.forSeconds)}`, d] as const));

  it("covers demo alerts with overridden pending periods", () => {
    expect(defs.some(([, d]) => d.key === "memory" && d.forSeconds === 900)).toBe(true);
  });

  it.each(defs)("%s", (_name, def) => {
    const said = pendingPeriods(def.description);
    for (const d of said) expect(d).toBe(formatDuration(def.forSeconds));
  });
});
