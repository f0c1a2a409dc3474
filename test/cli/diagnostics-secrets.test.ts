/**
 * Spec excerpts never show a secret field's literal value: not on the error's own line, and
 * not on a neighbour's line when another error's excerpt shows it as context (the line above
 * an unknown key, a multi-line block scalar, the line above a YAML syntax error).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../src/cli/diagnostics.js";
import { runSecrets } from "../../src/lib/scrub.js";
import { loadSpecs } from "../../src/spec/index.js";

const PLAIN = { red: (s: string) => s, yellow: (s: string) => s, green: (s: string) => s, bold: (s: string) => s, dim: (s: string) => s };
const LITERAL = "SECRET-MARKER-literal-3b9e07";
const BLOCK = "SECRET-MARKER-block-3b9e07";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pipemon-excerpt-"));
  mkdirSync(join(root, "team"));
  writeFileSync(
    join(root, "team", "p.yaml"),
    "apiVersion: pipemon/v1\nkind: Pipeline\nmetadata: { name: p, team: t }\nspec:\n  type: batch\n  schedule: '0 * * * *'\n  routing: { high: [a] }\n",
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function render(config: string): string {
  writeFileSync(join(root, "pipemon.yaml"), config);
  const result = loadSpecs({ root });
  expect(result.diagnostics.length).toBeGreaterThan(0);
  // What the CLI prints goes through the run's scrubber too; the excerpt must not rely on it.
  return result.diagnostics.map((d) => renderDiagnostic(d, result.sources, PLAIN)).join("\n");
}

const HEAD = "apiVersion: pipemon/v1\nkind: Config\nrouting: { high: [a] }\nchannels:\n";

describe("excerpts hide secret values on every line they show", () => {
  it("a literal key as the context line of the next line's error", () => {
    const text = render(`${HEAD}  a:\n    type: pagerduty\n    integrationKey: ${LITERAL}\n    datadogg: "@pd"\n`);
    expect(text).toMatch(/pipemon\.yaml:8:5: error: unknown key 'datadogg'/);
    expect(text).toContain("   7 |     integrationKey: <redacted>");
    expect(text).not.toContain(LITERAL);
  });

  it("every line of a block scalar, the line count kept", () => {
    const text = render(`${HEAD}  a:\n    type: webhook\n    url: |\n      ${BLOCK}\n    datadog: 12\n`);
    expect(text).toMatch(/pipemon\.yaml:9:14: error/);
    expect(text).toContain("   8 |       <redacted>");
    expect(text).not.toContain(BLOCK);
  });

  it("a quoted literal above a YAML syntax error (the document does not parse)", () => {
    const text = render(`${HEAD}  a:\n    integrationKey: '${LITERAL}'\n    type: [pagerduty\n`);
    expect(text).toMatch(/pipemon\.yaml:\d+:\d+: error: invalid YAML/);
    expect(text).not.toContain(LITERAL);
  });

  it("keeps references and other values readable, and takes user:password out of URLs", () => {
    const text = render(`${HEAD}  a: { type: pagerduty, integrationKey: "\${PD_KEY}", datadog: "@pd" }\ngrafana:\n  token: "\${GF_TOKEN}"\n  tokn: x\n  url: https://u:pw-3b9e07@g.example\n  urll: y\n`);
    expect(text).toContain('token: "${GF_TOKEN}"');
    expect(text).toContain("url: https://***@g.example");
    expect(text).not.toContain("pw-3b9e07");
  });

  it("registers the literal values, so no message can quote one", () => {
    render(`${HEAD}  a:\n    type: pagerduty\n    integrationKey: ${LITERAL}\n    datadogg: "@pd"\n`);
    expect(runSecrets.scrub(`value ${LITERAL}`)).toBe("value ***");
  });
});

describe("URLs with credentials in specs", () => {
  it("are refused at file:line:col without showing them (they would be links in alerts and runbooks)", () => {
    const text = render(`${HEAD}  a: { type: pagerduty, integrationKey: "\${PD_KEY}", datadog: "@pd" }\nrunbooks:\n  baseUrl: https://bot:pw-71c2@git.example/blob\ngrafana:\n  url: "https://\${GF_USER}:\${GF_PASS}@g.example"\n`);
    expect(text).toMatch(/pipemon\.yaml:7:12: error: 'runbooks\.baseUrl' is a URL with user:password \(not shown\)/);
    expect(text).toMatch(/pipemon\.yaml:9:8: error: 'grafana\.url' is a URL with user:password/);
    expect(text).not.toContain("pw-71c2");
  });
});
