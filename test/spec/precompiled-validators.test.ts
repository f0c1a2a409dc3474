/**
 * The CLI uses validators precompiled at build time (scripts/postbuild.mjs); tests of
 * src/ use the runtime compilation. Both must report the same errors for the same input, or
 * the exact-message fixtures would test something users do not run.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { ErrorObject, ValidateFunction } from "ajv";
import { createAjv, VALIDATOR_IDS } from "../../src/spec/v1/ajv.js";
import { REPO_ROOT } from "../support/cli.js";

type Validators = { Config: ValidateFunction; Pipeline: ValidateFunction };

function documents(): { file: string; kind: "Config" | "Pipeline"; doc: unknown }[] {
  const out: { file: string; kind: "Config" | "Pipeline"; doc: unknown }[] = [];
  for (const base of ["specs", "test/fixtures/invalid"]) {
    const root = join(REPO_ROOT, base);
    for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith(".yaml")) continue;
      const file = join(e.parentPath, e.name);
      let docs;
      try {
        docs = parseAllDocuments(readFileSync(file, "utf8"));
      } catch {
        continue;
      }
      if (!Array.isArray(docs)) continue;
      for (const d of docs) {
        if (d.errors.length) continue;
        let value: unknown;
        try {
          value = d.toJS({ maxAliasCount: 100 });
        } catch {
          continue;
        }
        out.push({ file, kind: e.name === "pipemon.yaml" ? "Config" : "Pipeline", doc: value });
      }
    }
  }
  return out;
}

const essentials = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, schemaPath: e.schemaPath, params: e.params, data: e.data, expect: (e.parentSchema as Record<string, unknown> | undefined)?.["x-expect"] }));

describe("precompiled spec validators", () => {
  it("report exactly what the runtime-compiled ones report, on every spec and fixture document", async () => {
    const precompiled = (await import(join(REPO_ROOT, "dist/spec/v1/schema-validators.js"))) as Validators;
    const ajv = createAjv();
    const runtime: Validators = { Config: ajv.getSchema(VALIDATOR_IDS.Config)!, Pipeline: ajv.getSchema(VALIDATOR_IDS.Pipeline)! };
    const docs = documents();
    expect(docs.length).toBeGreaterThan(40);
    let invalid = 0;
    for (const { file, kind, doc } of docs) {
      const a = precompiled[kind](doc);
      const b = runtime[kind](doc);
      expect(a, file).toBe(b);
      if (!a) invalid++;
      expect(essentials(precompiled[kind].errors), file).toEqual(essentials(runtime[kind].errors));
    }
    expect(invalid).toBeGreaterThan(10);
  });
});
