/**
 * A clone of pipemon must pass `make test` on its own: nothing the tests, the build or the
 * benchmarks read may live outside the repository (the shared contract folder beside the
 * development checkout is not there in a user's clone).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const SCANNED = ["src", "test", "scripts", "bench", "Makefile", ".ci", "vitest.config.ts"];
// A path that climbs out of the repository into a sibling folder, or an absolute workplace path.
const OUTSIDE = /(?:\.\.\/)+shared\/|\/work\/shared\b/;

function files(path: string): string[] {
  const full = join(root, path);
  try {
    return readdirSync(full, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mjs|js|json|sh)$|^run$/.test(e.name) && !join(e.parentPath, e.name).includes(`${join(root, "test/contracts")}/`))
      .map((e) => relative(root, join(e.parentPath, e.name)));
  } catch {
    return [path];
  }
}

describe("the repository stands alone", () => {
  it("no test, script or benchmark reads a file outside the repository", () => {
    const offenders = SCANNED.flatMap(files).filter((file) => OUTSIDE.test(readFileSync(join(root, file), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the contract copies the tests read are in the repository", () => {
    expect(readdirSync(join(root, "test/contracts/datadog/cassettes")).sort()).toEqual(["datadog-api-client-go", "datadog-api-client-typescript", "datadogpy", "terraform-provider-datadog"]);
    expect(readdirSync(join(root, "test/contracts/grafana/fixtures"))).toContain("post-rulegroup-101.json");
  });
});
