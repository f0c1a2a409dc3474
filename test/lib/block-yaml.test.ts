import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { blockYaml, blockYamlKeyedSequence } from "../../src/lib/block-yaml.js";
import { REPO_ROOT } from "../support/cli.js";

/** Strings that a careless emitter turns into something else, or into invalid YAML. */
const TRICKY = [
  "", " lead", "trail ", "true", "False", "yes", "NO", "on", "off", "y", "n", "null", "~", "Null",
  "1", "-1", "+1", "1.5", ".5", "1e3", "0x1F", "0o17", "1_000", "12:30", "1:02:03", ".inf", "-.Inf", ".NaN", "2024-01-02", "2024-1-2T10:00:00Z", "<<", "=",
  "-", "- a", "?", "? a", ":", "a:", "a: b", "a:b", "#x", "a #b", "a#b", "&a", "*a", "!tag", "|", ">", "'", "\"", "%", "@x", "`x", "[a]", "{a}", ",", "a,b", "a{b}[c]",
  "line\nbreak", "tab\there", "nul\u0000", "del\u007f", "ls\u2028", "bom\ufeff", "émoji 🚨", "back\\slash", "it's", 'say "hi"', `both ' and "`,
  '{{ if eq .CommonLabels.severity "critical" }}critical{{ end }}', '(sum(increase(x{pipeline="a",status="failed"}[1h]))) > 0', "https://example.com/a?b=c#d",
];

describe("blockYaml", () => {
  it("writes every tricky string so that YAML 1.2 and YAML 1.1 readers read it back unchanged", () => {
    const value = { keys: Object.fromEntries(TRICKY.filter(Boolean).map((s, i) => [s, i])), list: TRICKY, nested: [{ a: TRICKY, b: [[1, "x"], []], c: {} }] };
    const text = blockYaml(value);
    expect(parse(text)).toEqual(value);
    expect(jsyaml.load(text)).toEqual(value);
  });

  it("reads back numbers, booleans, null, empty collections", () => {
    const value = { n: 0, f: 0.0005, neg: -3, big: 1e21, t: true, f2: false, z: null, e: [], o: {}, deep: [{ x: [{ y: 1 }] }] };
    const text = blockYaml(value);
    expect(parse(text)).toEqual(value);
    expect(jsyaml.load(text)).toEqual(value);
    expect(() => blockYaml({ x: Number.NaN })).toThrow(/cannot write NaN/);
  });

  it("writes a keyed sequence item by item exactly as the whole document", () => {
    const items = [{ name: "a", rules: [{ alert: "X", labels: { a: "1" }, e: [], o: {} }] }, "plain", [1, [2]], { name: "b", rules: [] }];
    expect(blockYamlKeyedSequence("groups", items)).toBe(blockYaml({ groups: items }));
    expect(blockYamlKeyedSequence("groups", [])).toBe(blockYaml({ groups: [] }));
    expect(blockYamlKeyedSequence("yes", [{ x: TRICKY }])).toBe(blockYaml({ yes: [{ x: TRICKY }] }));
  });

  it("lays out generated rule files exactly as the yaml package would", () => {
    for (const env of ["production", "staging"]) {
      const dir = join(REPO_ROOT, "generated", env, "prometheus");
      const files = [join(dir, "alertmanager.yml"), ...readdirSync(join(dir, "rules")).map((f) => join(dir, "rules", f))];
      for (const file of files) {
        const value = parse(readFileSync(file, "utf8")) as Parameters<typeof blockYaml>[0];
        expect(blockYaml(value)).toBe(stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }));
      }
    }
  });
});
