/**
 * The schema published at generated/schema/pipemon.schema.json is what editors use through
 * `# yaml-language-server: $schema=...`: it must be a valid draft-07 schema on its own (no
 * pipemon code), accept the bundled specs and reject a typo, with descriptions for hovers.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { SCHEMA_PATH } from "../../src/app/generate.js";
import { REPO_ROOT } from "../support/cli.js";

const published = JSON.parse(readFileSync(join(REPO_ROOT, "generated", SCHEMA_PATH), "utf8")) as Record<string, unknown>;

function editorValidator() {
  // An editor's validator knows nothing of pipemon's annotation keyword.
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(published);
}

function specDocuments(): { file: string; doc: unknown }[] {
  const root = join(REPO_ROOT, "specs");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .flatMap((e) => {
      const file = join(e.parentPath, e.name);
      return readFileSync(file, "utf8")
        .split(/^---$/m)
        .map((text) => ({ file, doc: parse(text) as unknown }));
    });
}

describe("the published JSON Schema", () => {
  it("is a valid draft-07 schema", () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(published)).toBe(true);
    expect(published.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("accepts every bundled spec document, Config and Pipeline", () => {
    const validate = editorValidator();
    const docs = specDocuments();
    expect(docs.length).toBeGreaterThanOrEqual(10);
    for (const { file, doc } of docs) expect(validate(doc) ? [] : validate.errors, file).toEqual([]);
  });

  it("rejects a misspelt key, so editors underline it", () => {
    const validate = editorValidator();
    const doc = { apiVersion: "pipemon/v1", kind: "Pipeline", metadata: { name: "x", team: "t" }, spec: { type: "batch", thresold: {} } };
    expect(validate(doc)).toBe(false);
    expect(validate.errors?.some((e) => e.keyword === "additionalProperties" && (e.params as { additionalProperty: string }).additionalProperty === "thresold")).toBe(true);
  });

  it("describes the keys editors show on hover", () => {
    const defs = published.definitions as Record<string, { properties?: Record<string, { description?: string }> }>;
    expect(defs.Thresholds?.properties?.throughput?.description).toContain("BELOW");
    expect(defs.Grafana?.properties?.allowUiEdits?.description).toContain("X-Disable-Provenance");
    const pipelineSpec = (defs.Pipeline?.properties as Record<string, { properties?: Record<string, { description?: string }> }>).spec;
    expect(pipelineSpec?.properties?.schedule?.description).toContain("cron");
  });
});
