import { describe, expect, it } from "vitest";
import { parseStats } from "../../src/app/run-stats.js";

describe("the stats file of pipemon run", () => {
  it("sums every line: a job may report as it goes", () => {
    const { counts, warnings } = parseStats(
      [
        '{"records_processed": 1000, "bytes_processed": 2048}',
        "",
        '  {"records_processed": 200, "records_failed": 3, "errors": {"timeout": 2}}  ',
        '{"errors": {"timeout": 1, "schema": 4}}',
        "",
      ].join("\n"),
    );
    expect(warnings).toEqual([]);
    expect(counts).toEqual({ recordsProcessed: 1200, recordsFailed: 3, bytesProcessed: 2048, errors: { timeout: 3, schema: 4 } });
  });

  it("skips a bad line whole, names it, and counts the others", () => {
    const { counts, warnings } = parseStats(
      [
        '{"records_processed": 10}',
        "records_processed=5",
        '{"records_processed": 5, "records_failed": -1}',
        '{"records_processed": 1.5}',
        '{"record_processed": 7}',
        "[1, 2]",
        '{"errors": {"": 1}}',
        '{"errors": {"io": "2"}}',
        '{"errors": [1]}',
        '{"records_processed": 1}',
      ].join("\n"),
    );
    expect(counts.recordsProcessed).toBe(11);
    expect(counts.recordsFailed).toBe(0);
    expect(Object.keys(counts.errors)).toEqual([]);
    expect(warnings).toEqual([
      '$PIPEMON_STATS_FILE line 2: not JSON: "records_processed=5"; line ignored',
      "$PIPEMON_STATS_FILE line 3: records_failed must be a whole number >= 0, got -1; line ignored",
      "$PIPEMON_STATS_FILE line 4: records_processed must be a whole number >= 0, got 1.5; line ignored",
      '$PIPEMON_STATS_FILE line 5: unknown key "record_processed" (expected records_processed, records_failed, bytes_processed, errors); line ignored',
      "$PIPEMON_STATS_FILE line 6: not a JSON object; line ignored",
      "$PIPEMON_STATS_FILE: 3 more bad lines ignored",
    ]);
  });

  it("keeps error types that look like object keys as plain types", () => {
    const { counts, warnings } = parseStats('{"errors": {"__proto__": 2, "constructor": 1}}\n');
    expect(warnings).toEqual([]);
    expect(counts.errors.__proto__).toBe(2);
    expect(counts.errors.constructor).toBe(1);
  });

  it("an empty file is a run that processed nothing", () => {
    expect(parseStats("")).toEqual({ counts: { recordsProcessed: 0, recordsFailed: 0, bytesProcessed: 0, errors: {} }, warnings: [] });
  });
});
