/**
 * Datadog error lines never carry a key, even when the answer echoes the request and the
 * line is cut to its 300 characters right through the key.
 */
import { describe, expect, it } from "vitest";
import { runSecrets } from "../../../src/lib/scrub.js";
import { errorDetail } from "../../../src/targets/datadog/calls.js";

const API_KEY = "SECRET-MARKER-dd-api-unit-5f3a9c1e7b";

describe("errorDetail", () => {
  runSecrets.add(API_KEY);

  it("an echoed key is taken out, in full and JSON-escaped", () => {
    const body = JSON.stringify({ errors: [`bad request; headers: {"dd-api-key":"${API_KEY}"}`, JSON.stringify({ body: API_KEY })] });
    const line = errorDetail(body);
    expect(line).toContain("bad request");
    expect(line).not.toContain(API_KEY);
  });

  it("a key across the 300-character cut leaves no piece", () => {
    for (let at = 270; at < 300; at += 3) {
      const line = errorDetail(JSON.stringify({ errors: [`${"x".repeat(at)} ${API_KEY} more`] }));
      expect(line.length).toBeLessThanOrEqual(300);
      expect(line).not.toMatch(/SECRET-M|MARKER/);
    }
  });
});
