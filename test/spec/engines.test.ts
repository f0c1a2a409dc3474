/**
 * package.json `engines.node` is true to the code (issue 11, item 9): it names the newest
 * Node API that src/ uses, so npm warns a user whose Node would crash (Node 20.0 has no
 * Dirent.parentPath: detectFiles joined `undefined` and read no spec at all).
 *
 * Each row is a Node API added after 20.0 and the first release that has it (from the Node
 * docs' "Added in" history). Using an API newer than the floor fails here until engines (and
 * this table) say so; the floor is not set higher than an API actually used needs.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const NEWER_APIS: { api: string; uses: RegExp; since: string }[] = [
  { api: "fs.readdirSync({ recursive })", uses: /recursive:\s*true,\s*withFileTypes|withFileTypes:\s*true,\s*recursive/, since: "20.1.0" },
  { api: "AbortSignal.any", uses: /\bAbortSignal\.any\(/, since: "20.3.0" },
  { api: "import.meta.dirname / filename", uses: /\bimport\.meta\.(dirname|filename)\b/, since: "20.11.0" },
  { api: "Dirent.parentPath", uses: /\.parentPath\b/, since: "20.12.0" },
  { api: "util.styleText", uses: /\bstyleText\(/, since: "20.12.0" },
  { api: "process.loadEnvFile", uses: /\bprocess\.loadEnvFile\(/, since: "20.12.0" },
  { api: "Object.groupBy / Map.groupBy", uses: /\b(Object|Map)\.groupBy\(/, since: "21.0.0" },
  { api: "Promise.withResolvers", uses: /\bPromise\.withResolvers\(/, since: "22.0.0" },
  { api: "Array.fromAsync", uses: /\bArray\.fromAsync\(/, since: "22.0.0" },
  { api: "fs.glob / globSync", uses: /\bglob(Sync)?\(/, since: "22.0.0" },
  { api: "Set methods (union, intersection, ...)", uses: /\.(union|intersection|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/, since: "22.0.0" },
  { api: "process.getBuiltinModule", uses: /\bgetBuiltinModule\(/, since: "22.3.0" },
];

const version = (v: string): number[] => v.split(".").map(Number).concat([0, 0]).slice(0, 3);
const compare = (a: string, b: string): number => {
  const [x, y] = [version(a), version(b)];
  return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"));
}

describe("package.json engines", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines?: { node?: string } };
  const code = [...sources(join(REPO_ROOT, "src")), ...sources(join(REPO_ROOT, "bin"))].join("\n");
  const used = NEWER_APIS.filter((a) => a.uses.test(code));

  it("is a plain floor, >=X.Y[.Z]", () => {
    expect(pkg.engines?.node).toMatch(/^>=\d+(\.\d+){0,2}$/);
  });

  it("is the release that has every Node API pipemon uses, and no later one", () => {
    const floor = pkg.engines!.node!.slice(2);
    const needed = used.reduce((max, a) => (compare(a.since, max) > 0 ? a.since : max), "20.0.0");
    const newest = used.filter((a) => a.since === needed).map((a) => a.api);
    expect({ floor: version(floor).join("."), because: newest }).toEqual({ floor: needed, because: newest });
    // The scan does see the API that set the floor (a guard against a table that matches nothing).
    expect(used.map((a) => a.api)).toContain("Dirent.parentPath");
  });
});
