/**
 * The real CLI, end to end: the committed generated/ is the main golden set, and these tests
 * pin the behaviours around it — determinism, rewriting only what changed, --check, pruning
 * of files pipemon no longer produces, nothing written on error, secrets never resolved.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli.js";

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipemon-generate-"));
  cpSync(join(REPO_ROOT, "specs"), join(work, "specs"), { recursive: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe("pipemon generate on the bundled specs", () => {
  it("produces exactly the committed generated/ tree", () => {
    const r = runCli(["generate"], work);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const produced = listFiles(join(work, "generated"));
    const committed = listFiles(join(REPO_ROOT, "generated"));
    expect(produced).toEqual(committed);
    const differing = produced.filter((f) => readFileSync(join(work, "generated", f), "utf8") !== readFileSync(join(REPO_ROOT, "generated", f), "utf8"));
    expect(differing).toEqual([]);
  });

  it("writes the same bytes when worker threads share the work", () => {
    // Large estates are split between worker threads; force that path on the demo estate.
    const r = runCli(["generate"], work, { PIPEMON_WORKERS: "3" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const produced = listFiles(join(work, "generated"));
    expect(produced).toEqual(listFiles(join(REPO_ROOT, "generated")));
    for (const f of produced) expect(readFileSync(join(work, "generated", f), "utf8"), f).toBe(readFileSync(join(REPO_ROOT, "generated", f), "utf8"));
    // And a second parallel run finds nothing to do.
    expect(runCli(["generate"], work, { PIPEMON_WORKERS: "3" }).stdout).toMatch(/0 created, 0 updated, 0 deleted/);
  });

  it("writes one tree per environment and the published schema", () => {
    runCli(["generate"], work);
    const files = listFiles(join(work, "generated"));
    expect(files).toContain("schema/pipemon.schema.json");
    for (const env of ["production", "staging"]) {
      expect(files).toContain(`${env}/grafana/folders.json`);
      expect(files).toContain(`${env}/grafana/contact-points.json`);
      expect(files).toContain(`${env}/grafana/notification-policy.json`);
      expect(files).toContain(`${env}/grafana/dashboards/orders-etl.json`);
      expect(files).toContain(`${env}/grafana/dashboards/team-payments.json`);
      expect(files).toContain(`${env}/grafana/alert-rules/clickstream-flink.json`);
      expect(files).toContain(`${env}/datadog/monitors/payments-cdc.json`);
      expect(files).toContain(`${env}/runbooks/ledger-stream.md`);
    }
    // crm-reverse-etl targets Grafana only.
    expect(files).not.toContain("production/datadog/monitors/crm-reverse-etl.json");
    expect(files).toContain("production/grafana/alert-rules/crm-reverse-etl.json");
    // No base tree next to the environment trees.
    expect(files.some((f) => f.startsWith("grafana/"))).toBe(false);
  });

  it("is deterministic and rewrites nothing when nothing changed", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    const file = join(work, "generated/production/grafana/dashboards/orders-etl.json");
    const past = new Date("2020-01-01T00:00:00Z");
    utimesSync(file, past, past);
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, 0 deleted, \d+ unchanged/);
    expect(statSync(file).mtime.getTime()).toBe(past.getTime());
  });

  it("gives byte-identical output when the YAML keys are written in another order", () => {
    runCli(["generate", "--out", "first"], work);
    const spec = join(work, "specs/commerce/orders-etl.yaml");
    const text = readFileSync(spec, "utf8")
      .replace('labels: { tier: "1" }', 'labels: { tier: "1" }')
      .replace("sla: { maxDuration: 45m, freshness: 2h }", "sla: { freshness: 2h, maxDuration: 45m }")
      .replace("routing: { high: [data-alerts, data-email] }", "routing: { high: [data-alerts, data-email] }");
    // Move the thresholds block above the schedule: same spec, other order.
    const reordered = text.replace(/(  schedule: "0 \* \* \* \*"\n)([\s\S]*?)(  thresholds:\n(?: {4}.*\n)+)/, "$3$1$2");
    expect(reordered).not.toBe(text);
    writeFileSync(spec, reordered);
    const config = join(work, "specs/pipemon.yaml");
    const configText = readFileSync(config, "utf8");
    const swapped = configText.replace(/(  data-oncall: .*\n)(  data-alerts: .*\n)/, "$2$1");
    expect(swapped).not.toBe(configText);
    writeFileSync(config, swapped);
    runCli(["generate", "--out", "second"], work);
    const a = listFiles(join(work, "first"));
    expect(listFiles(join(work, "second"))).toEqual(a);
    for (const f of a) expect(readFileSync(join(work, "second", f), "utf8"), f).toBe(readFileSync(join(work, "first", f), "utf8"));
  });

  it("--check lists changed, missing and extra files and exits 1 without writing", () => {
    runCli(["generate"], work);
    const gen = join(work, "generated");
    writeFileSync(join(gen, "production/grafana/dashboards/orders-etl.json"), "{}\n");
    rmSync(join(gen, "staging/runbooks/payments-cdc.md"));
    // A file an earlier run wrote (the manifest lists it) that the specs no longer produce.
    writeFileSync(join(gen, "production/datadog/monitors/retired-pipeline.json"), "[]\n");
    const manifest = JSON.parse(readFileSync(join(gen, ".pipemon-manifest.json"), "utf8")) as { files: string[] };
    writeFileSync(join(gen, ".pipemon-manifest.json"), JSON.stringify({ ...manifest, files: [...manifest.files, "production/datadog/monitors/retired-pipeline.json"] }));
    const r = runCli(["generate", "--check"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        "generated/ is stale: 4 files differ from the specs:",
        "  changed  generated/.pipemon-manifest.json",
        "  extra    generated/production/datadog/monitors/retired-pipeline.json",
        "  changed  generated/production/grafana/dashboards/orders-etl.json",
        "  missing  generated/staging/runbooks/payments-cdc.md",
        "run 'make generate' (pipemon generate) and commit the result",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(gen, "production/grafana/dashboards/orders-etl.json"), "utf8")).toBe("{}\n");
    expect(existsSync(join(gen, "staging/runbooks/payments-cdc.md"))).toBe(false);
    expect(runCli(["generate"], work).code).toBe(0);
    expect(runCli(["generate", "--check"], work).code).toBe(0);
  });

  it("deletes the files of a removed pipeline", () => {
    runCli(["generate"], work);
    rmSync(join(work, "specs/growth/customer-ltv-spark.yaml"));
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deleted generated/production/grafana/dashboards/customer-ltv-spark.json");
    const left = listFiles(join(work, "generated")).filter((f) => f.includes("customer-ltv-spark"));
    expect(left).toEqual([]);
  });

  it("leaves files it does not own alone", () => {
    runCli(["generate"], work);
    writeFileSync(join(work, "generated/NOTES.md"), "hand-written\n");
    runCli(["generate"], work);
    expect(readFileSync(join(work, "generated/NOTES.md"), "utf8")).toBe("hand-written\n");
  });

  it("writes nothing when the specs have errors", () => {
    writeFileSync(join(work, "specs/commerce/broken.yaml"), "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: broken, team: commerce }\nspec: { type: batchy }\n");
    const r = runCli(["generate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("specs/commerce/broken.yaml:4:15: error: 'type' is 'batchy': expected one of batch, streaming");
    expect(r.stderr).toContain("1 error: nothing was written");
    expect(existsSync(join(work, "generated"))).toBe(false);
  });

  it("refuses an output path that is a file in one line, and exits even with worker threads started", () => {
    writeFileSync(join(work, "not-a-dir"), "");
    for (const workers of ["0", "2"]) {
      const r = runCli(["generate", "--out", "not-a-dir"], work, { PIPEMON_WORKERS: workers });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("pipemon: --out not-a-dir is a file, not a folder: choose another --out\n");
    }
  });

  it("refuses an --out that cannot be made in one line, where Node's recursive mkdir would hang (/proc)", () => {
    const r = runCli(["generate", "--out", "/proc/pipemon-nope"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pipemon: --out /proc/pipemon-nope cannot be made (ENOENT: no such file or directory, mkdir '/proc/pipemon-nope'): choose another --out\n");
  });

  it("rejects unknown commands and options with usage help and exit 1", () => {
    const command = runCli(["frobnicate"], work);
    expect(command.code).toBe(1);
    expect(command.stderr).toBe("error: unknown command 'frobnicate'\n(run pipemon --help for usage)\n");
    const option = runCli(["generate", "--bogus"], work);
    expect(option.code).toBe(1);
    expect(option.stderr).toBe("error: unknown option '--bogus'\n(run pipemon --help for usage)\n");
  });

  it("--env builds one environment and rejects an unknown one", () => {
    const r = runCli(["generate", "--env", "staging"], work);
    expect(r.code).toBe(0);
    const files = listFiles(join(work, "generated"));
    expect(files.some((f) => f.startsWith("staging/"))).toBe(true);
    expect(files.some((f) => f.startsWith("production/"))).toBe(false);
    const bad = runCli(["generate", "--env", "prod"], work);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error: unknown environment 'prod': the config declares production, staging");
  });

  it("never resolves ${ENV} references, even when the variables are set", () => {
    const secrets = { PD_DATA_ONCALL_KEY: "pd-secret-123", SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.test/T000/SECRET", GRAFANA_URL: "https://grafana.internal.test", DD_API_KEY: "dd-secret-456" };
    expect(runCli(["generate"], work, secrets).code).toBe(0);
    const all = listFiles(join(work, "generated")).map((f) => readFileSync(join(work, "generated", f), "utf8")).join("\n");
    for (const value of Object.values(secrets)) expect(all).not.toContain(value);
    const contactPoints = readFileSync(join(work, "generated/production/grafana/contact-points.json"), "utf8");
    expect(contactPoints).toContain("${PD_DATA_ONCALL_KEY}");
    expect(contactPoints).toContain("${SLACK_DATA_ALERTS_WEBHOOK}");
  });
});

describe("pipemon generate without environments", () => {
  it("writes the flat layout and switching layouts removes the old tree", () => {
    const config = join(work, "specs/pipemon.yaml");
    const withEnvs = readFileSync(config, "utf8");
    runCli(["generate"], work);
    writeFileSync(config, withEnvs.replace(/\nenvironments:\n[\s\S]*$/, "\n"));
    // Pipelines' own environment blocks would now name undeclared environments.
    for (const f of ["commerce/orders-etl.yaml", "growth/clickstream.yaml"]) {
      const path = join(work, "specs", f);
      writeFileSync(path, readFileSync(path, "utf8").replace(/ {2}environments:\n(?: {4,}.*\n)+/, ""));
    }
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    const files = listFiles(join(work, "generated"));
    expect(files).toContain("grafana/dashboards/orders-etl.json");
    expect(files.filter((f) => f.startsWith("production/") || f.startsWith("staging/"))).toEqual([]);
  });
});
