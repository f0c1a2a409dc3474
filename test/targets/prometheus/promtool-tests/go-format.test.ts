/**
 * The expected annotations of the generated unit tests render values as Prometheus does;
 * these cases are Go's own `%.4g` and Prometheus's humanize outputs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { findPromtool, PROMTOOL_INSTALL_HINT } from "../../../../src/app/test-alerts.js";
import { expandTemplate, goG4, humanize, humanizeDuration, humanizePercentage } from "../../../../src/targets/prometheus/promtool-tests/go-format.js";

describe("Go's %.4g", () => {
  it.each([
    [0, "0"], [5, "5"], [11, "11"], [999, "999"], [1000, "1000"], [9999, "9999"], [12345, "1.234e+04"], [12355, "1.236e+04"],
    [100000, "1e+05"], [0.05, "0.05"], [0.0001, "0.0001"], [0.00001, "1e-05"], [1.5e-7, "1.5e-07"], [12.125, "12.12"], [12.375, "12.38"],
    [2.0000000000000004, "2"], [99.95, "99.95"], [99.995, "100"], [0.1 + 0.2, "0.3"], [-3.25, "-3.25"], [Infinity, "+Inf"], [NaN, "NaN"],
    [9.9995, "9.999"], [9.99951, "10"], [123456789, "1.235e+08"],
  ])("%s → %s", (v, text) => expect(goG4(v)).toBe(text));
});

describe("Prometheus's humanize functions", () => {
  it("humanize uses SI prefixes", () => {
    expect(humanize(11)).toBe("11");
    expect(humanize(249999)).toBe("250k");
    expect(humanize(1234567)).toBe("1.235M");
    expect(humanize(0.5)).toBe("500m");
    expect(humanize(0)).toBe("0");
    expect(humanize(Infinity)).toBe("+Inf");
  });
  it("humanizePercentage multiplies by 100", () => {
    expect(humanizePercentage(0.05)).toBe("5%");
    expect(humanizePercentage(0.050001)).toBe("5%");
    expect(humanizePercentage(0.0010010)).toBe("0.1001%");
  });
  it("humanizeDuration splits days, hours, minutes and seconds", () => {
    expect(humanizeDuration(2701)).toBe("45m 1s");
    expect(humanizeDuration(7260)).toBe("2h 1m 0s");
    expect(humanizeDuration(93600 + 3600)).toBe("1d 3h 0m 0s");
    expect(humanizeDuration(45.5)).toBe("45.5s");
    expect(humanizeDuration(0.5005)).toBe("500.5ms");
    expect(humanizeDuration(0)).toBe("0s");
    expect(humanizeDuration(Infinity)).toBe("+Inf");
  });
  it("expands the template actions annotations use, and refuses the others", () => {
    expect(expandTemplate("v {{ humanize $value }} / {{ $value | humanizePercentage }} on {{ $labels.pipeline }}", 0.5, { pipeline: "x" })).toBe("v 500m / 50% on x");
    expect(() => expandTemplate("{{ printf \"%.2f\" $value }}", 1, {})).toThrow(/unsupported/);
  });
});

describe("against promtool itself", () => {
  it("renders every value as Prometheus's templates do", () => {
    const promtool = findPromtool();
    if (!promtool) throw new Error(PROMTOOL_INSTALL_HINT);
    const values = [0, 1, 5, 11, 999, 1000, 12345, 12355, 100000, 0.05, 0.0001, 0.00001, 1.5e-7, 12.125, 12.375, 99.995, 9.9995, 2701, 7260, 97200, 45.5, 0.5005, 0.30000000000000004, 249999, 1234567, 0.001001, 2.002, 3601.5];
    const template = { h: "{{ humanize $value }}", p: "{{ humanizePercentage $value }}", d: "{{ humanizeDuration $value }}", g: "{{ $value | humanize }}" };
    const rules = { groups: [{ name: "render", rules: values.map((v, i) => ({ alert: `V${i}`, expr: `vector(${v})`, annotations: template })) }] };
    const tests = {
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [{
        interval: "1m",
        input_series: [],
        alert_rule_test: values.map((v, i) => ({
          eval_time: "0s",
          alertname: `V${i}`,
          exp_alerts: [{ exp_labels: {}, exp_annotations: { h: humanize(v), p: humanizePercentage(v), d: humanizeDuration(v), g: humanize(v) } }],
        })),
      }],
    };
    const dir = mkdtempSync(join(tmpdir(), "pipemon-goformat-"));
    try {
      writeFileSync(join(dir, "rules.yml"), stringify(rules));
      writeFileSync(join(dir, "test.yml"), stringify(tests));
      const r = spawnSync(promtool, ["test", "rules", "test.yml"], { cwd: dir, encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toContain("SUCCESS");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
