/**
 * The threshold registry is the one source: the README's reference table is rendered from it
 * (and pinned here), and the facts other tables still state must agree with it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOG, THRESHOLDS_BY_TYPE, thresholdFires } from "../../src/model/catalog.js";
import { PANEL, PANEL_TITLE } from "../../src/model/panels.js";
import { SIGNALS } from "../../src/model/signals.js";
import { THRESHOLD_KEYS, threshold, thresholdOfAlert, type ThresholdValueKind } from "../../src/model/thresholds.js";
import { PIPELINE_TYPES } from "../../src/model/types.js";
import { SCHEMA } from "../../src/spec/v1/schema.js";
import { REPO_ROOT } from "../support/cli.js";

const VALUE: Readonly<Record<ThresholdValueKind, string>> = {
  ratio: "ratio: `5%` or `0.05`",
  count: "whole number",
  duration: "duration: `500ms`, `2s`",
  rate: "rate: `100/s`, `6000/m`",
};

/** The README table, rendered from the registry. */
export function thresholdReferenceTable(): string {
  const rows = THRESHOLD_KEYS.map((key) => {
    const e = threshold(key);
    const metrics = (target: "prometheus" | "datadog") => e.signals.map((s) => `\`${SIGNALS[s][target]}\``).join(", ");
    return `| \`${key}\` | ${e.types.join(", ")} | ${VALUE[e.value]}${e.levels ? "; `{ warning, critical }`" : ""} | ${thresholdFires(key)} | \`${e.alert}\` | ${PANEL_TITLE[e.panel]("window")} | ${metrics("prometheus")} | ${metrics("datadog")} |`;
  });
  return [
    "| Threshold | Pipelines | Value | Fires when the value is | Alert | Dashboard panel | Prometheus metrics | Datadog metrics |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

describe("threshold registry", () => {
  it("is what the README's threshold reference table says", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const block = /<!-- thresholds:begin[^>]*-->\n([\s\S]*?)\n<!-- thresholds:end -->/.exec(readme);
    expect(block, "README.md has no <!-- thresholds:begin --> ... <!-- thresholds:end --> block").not.toBeNull();
    expect(block![1], "regenerate the README table from test/model/thresholds.test.ts's thresholdReferenceTable()").toBe(thresholdReferenceTable());
  });

  it("is the schema's list of thresholds, in the same order", () => {
    const defs = SCHEMA.definitions as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(defs.Thresholds!.properties)).toEqual(THRESHOLD_KEYS);
  });

  it("enables an alert of the threshold's pipeline types", () => {
    for (const key of THRESHOLD_KEYS) {
      const e = threshold(key);
      const alert = CATALOG[e.alert];
      for (const type of e.types) {
        expect(alert.types, key).toContain(type);
        expect(thresholdOfAlert(e.alert, type), `${e.alert} on ${type}`).toBe(key);
        expect(THRESHOLDS_BY_TYPE[type], type).toContain(key);
      }
      expect(PANEL[e.panel], key).toBeGreaterThan(0);
    }
  });

  it("gives every alert of every pipeline type at most one threshold", () => {
    for (const type of PIPELINE_TYPES) {
      const alerts = THRESHOLD_KEYS.filter((k) => threshold(k).types.includes(type)).map((k) => threshold(k).alert);
      expect(new Set(alerts).size, type).toBe(alerts.length);
    }
  });
});
