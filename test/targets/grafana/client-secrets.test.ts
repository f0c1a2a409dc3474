/**
 * Grafana error lines against an emulator that echoes the request: the token (and Basic
 * credentials from the URL) never appear, not even the piece left when the 200-character
 * message is cut through them.
 */
import { describe, expect, it } from "vitest";
import { GrafanaClient } from "../../../src/targets/grafana/client.js";
import { CircuitBreaker } from "../../../src/targets/resilience.js";
import type { GrafanaEmulator } from "../../emulators/grafana/server.js";
import { FAST_POLICY, useGrafanaEmulator } from "./support.js";

let emulator: GrafanaEmulator;
useGrafanaEmulator((started) => (emulator = started));

const TOKEN = "SECRET-MARKER-gf-unit-token-8c2d41";

function client(url: string, token: string): GrafanaClient {
  return new GrafanaClient({ url, token, tokenVariable: "GRAFANA_TOKEN", allowUiEdits: false, breaker: new CircuitBreaker("grafana", 50), policy: { ...FAST_POLICY, attempts: 1 } });
}

async function message(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "no error",
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
}

describe("Grafana errors that echo the request", () => {
  for (const status of [400, 409, 422, 429, 500]) {
    it(`${status}: the token is out of the message, also where it is cut`, async () => {
      // The echo answers before authentication: any token is sent, and must not come back.
      emulator.faults.add({ path: "^/api/folders", fault: { kind: "echo", status, straddle: 197 } });
      const text = await message(client(emulator.url, TOKEN).listFoldersPage(1, 10));
      expect(text).toContain(String(status));
      expect(text).toContain("authorization: Bearer ***");
      expect(text).not.toMatch(/SECRET-M|MARKER-gf|8c2d41/);
    });
  }

  it("Basic credentials from the URL: neither user:password nor its base64 in the message", async () => {
    emulator.faults.add({ path: "^/api/folders", fault: { kind: "echo", status: 400 } });
    const url = emulator.url.replace("://", "://SECRET-MARKER-user:SECRET-MARKER-pass-9e7f@");
    const text = await message(client(url, "").createFolder({ uid: "x", title: "x" }));
    expect(text).toContain("400");
    expect(text).not.toContain("SECRET-MARKER-pass");
    expect(text).not.toContain(Buffer.from("SECRET-MARKER-user:SECRET-MARKER-pass-9e7f").toString("base64"));
  });
});
