/**
 * `validate` notes where medium and low alerts go when only the config routes them (issue 11,
 * item 9): a note, not a warning, only for levels some alert uses, and only on valid specs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validate } from "../../src/app/validate.js";

const config = (extra = "") => `apiVersion: pipemon/v1
kind: Config
channels:
  oncall: { type: slack, webhookUrl: "\${ONCALL}", datadog: "@slack-oncall" }
  data-alerts: { type: slack, webhookUrl: "\${ALERTS}", datadog: "@slack-data-alerts" }
  data-email: { type: email, addresses: [data@example.com], datadog: "@data@example.com" }
  team-chat: { type: slack, webhookUrl: "\${TEAM}", datadog: "@slack-team" }
routing:
  critical: [oncall]
  high: [oncall]
  medium: [data-alerts]
  low: [data-email]
${extra}`;

/** A batch pipeline; cpu (medium) with a warning level (low) when `cpu` is true. */
const pipeline = (name: string, team: string, spec = "", cpu = true) => `apiVersion: pipemon/v1
kind: Pipeline
metadata:
  name: ${name}
  team: ${team}
spec:
  type: batch
  schedule: "0 * * * *"
${cpu ? "  thresholds: { cpu: { warning: 80%, critical: 95% } }\n" : ""}${spec}`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-validate-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function notes(files: Record<string, string>): string[] {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const result = validate({ root });
  return result.diagnostics.map((d) => `${relative(root, join(process.cwd(), d.file))}:${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

describe("validate's routing notes", () => {
  it("names the config's channels per level, at the pipeline's name, as a note that keeps validation green", () => {
    writeFileSync(join(root, "pipemon.yaml"), config());
    const result = validate({ root });
    expect(result.ok).toBe(true);
    expect(notes({ "a.yaml": pipeline("orders-etl", "commerce") })).toEqual([
      "a.yaml:4:9: note: medium alerts of orders-etl go to data-alerts and low alerts to data-email, by the config's routing: no team or pipeline routing sets those levels",
    ]);
  });

  it("says nothing for levels that a team or the pipeline routes, nor for levels no alert uses", () => {
    expect(
      notes({
        "pipemon.yaml": config("teams:\n  growth: { routing: { medium: [team-chat], low: [team-chat] } }\n"),
        "routed-by-team.yaml": pipeline("clicks", "growth"),
        "routed-by-pipeline.yaml": pipeline("ledger", "payments", "  routing: { low: [team-chat] }\n"),
        // Only failure alerts (critical and high): no medium or low level at all.
        "no-low-alerts.yaml": pipeline("quiet", "payments", "", false),
      }),
    ).toEqual(["routed-by-pipeline.yaml:4:9: note: medium alerts of ledger go to data-alerts, by the config's routing: no team or pipeline routing sets that level"]);
  });

  it("one line when levels share channels; per environment when they differ", () => {
    const envs = "environments:\n  production: {}\n  staging: { routing: { low: [data-alerts] } }\n";
    expect(notes({ "pipemon.yaml": config(envs), "a.yaml": pipeline("orders-etl", "commerce") })).toEqual([
      "a.yaml:4:9: note: medium alerts of orders-etl go to data-alerts and low alerts to data-email, by the config's routing: no team or pipeline routing sets those levels (in production)",
      "a.yaml:4:9: note: medium and low alerts of orders-etl go to data-alerts, by the config's routing: no team or pipeline routing sets those levels (in staging)",
    ]);
  });

  it("a level the config's environment routes over the team's routing counts as the config's", () => {
    const extra = "teams:\n  growth: { routing: { low: [team-chat] } }\nenvironments:\n  production: { routing: { low: [data-email] } }\n";
    expect(notes({ "pipemon.yaml": config(extra), "a.yaml": pipeline("clicks", "growth") })).toEqual([
      "a.yaml:4:9: note: medium alerts of clicks go to data-alerts and low alerts to data-email, by the config's routing: no team or pipeline routing sets those levels",
    ]);
  });

  it("points at the pipeline's name however it is written (found by text, or by the parser when the text is ambiguous)", () => {
    const flow = (name: string, labels = "") => pipeline(name, "commerce").replace(`metadata:\n  name: ${name}\n  team: commerce\n`, `metadata: { name: "${name}", team: commerce${labels} }\n`);
    const found = notes({
      "pipemon.yaml": config(),
      "quoted.yaml": flow("quoted"),
      // The same text twice (a label value): the slow parser settles it.
      "twice.yaml": flow("twice", ", labels: { job: 'twice' }").replace("metadata:", "# name: twice\nmetadata:"),
    });
    expect(found.map((d) => d.slice(0, d.indexOf(": note: ")))).toEqual(["quoted.yaml:3:19", "twice.yaml:4:19"]);
  });

  it("no notes when the specs have errors: they are about where valid alerts go", () => {
    const found = notes({ "pipemon.yaml": config(), "a.yaml": pipeline("orders-etl", "commerce"), "b.yaml": pipeline("Bad_Name", "commerce") });
    expect(found.some((d) => d.includes(": error: "))).toBe(true);
    expect(found.filter((d) => d.includes(": note: "))).toEqual([]);
  });
});
