import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/spec/diagnostics.js";
import { checkValues } from "../../src/spec/v1/values.js";

const messages = (kind: "Config" | "Pipeline", value: unknown): string[] => {
  const out: Diagnostic[] = [];
  checkValues(kind, value, "specs/x.yaml", 0, out);
  return out.map((d) => `${d.path.join(".")}: ${d.message}`);
};

describe("rules on every value of a document", () => {
  it("lets ${NAME} through only where plan/apply resolves it", () => {
    expect(messages("Config", { grafana: { url: "${GRAFANA_URL}", token: "${T}" }, datadog: { site: "${DD_SITE:-datadoghq.com}" } })).toEqual([]);
    expect(messages("Config", { environments: { staging: { grafana: { url: "${STAGING_URL}" } } }, channels: { oncall: { integrationKey: "${K}" } } })).toEqual([]);
    expect(messages("Config", { channels: { alerts: { channel: "${SLACK_CHANNEL}" } } })).toEqual([
      "channels.alerts.channel: channels.alerts.channel holds ${...}, which pipemon never resolves here (only in grafana.url and token, datadog.site, apiKey and appKey, metrics.pushgateway.url, prometheus.*, and channel secrets): write the value itself",
    ]);
    expect(messages("Pipeline", { metadata: { labels: { region: "eu-${REGION}" } } })).toHaveLength(1);
  });

  it("still names a malformed reference where references are resolved", () => {
    expect(messages("Config", { grafana: { url: "${GRAFANA_URL" } })).toEqual(["grafana.url: malformed environment reference in '${GRAFANA_URL': write ${NAME} or ${NAME:-default}"]);
  });

  it("refuses control characters everywhere, and line breaks outside descriptions and queries", () => {
    expect(messages("Pipeline", { metadata: { description: "two\nlines\tand a tab" }, spec: { metrics: { signals: { cpu: { promql: "max(\n  x\n)" } } } } })).toEqual([]);
    expect(messages("Pipeline", { metadata: { description: "nul\0" } })).toEqual(["metadata.description: metadata.description contains a NUL byte: remove it (spec text is printable characters)"]);
    expect(messages("Pipeline", { metadata: { labels: { a: "x\ny" } } })).toEqual(["metadata.labels.a: metadata.labels.a contains a line break: write it on one line"]);
    expect(messages("Pipeline", { metadata: { labels: { a: "\u0085" } } })).toEqual(["metadata.labels.a: metadata.labels.a contains the control character U+0085: remove it (spec text is printable characters)"]);
  });

  it("refuses template delimiters, which every target would expand", () => {
    expect(messages("Pipeline", { metadata: { runbook: "https://x/}}" } })).toEqual([
      "metadata.runbook: metadata.runbook contains '}}', which Prometheus, Grafana and Datadog read as a template: remove it",
    ]);
  });

  it("refuses numbers that are not finite or beyond 2^53-1", () => {
    expect(messages("Pipeline", { spec: { thresholds: { backlog: { critical: Number.MAX_SAFE_INTEGER, warning: 1.5 } } } })).toEqual([]);
    expect(messages("Pipeline", { spec: { thresholds: { backlog: { critical: NaN } } } })).toEqual(["spec.thresholds.backlog.critical: spec.thresholds.backlog.critical is NaN: write a finite number"]);
    expect(messages("Pipeline", { spec: { thresholds: { backlog: { critical: -1e300 } } } })).toHaveLength(1);
  });
});
