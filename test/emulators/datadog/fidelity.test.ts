/**
 * Fidelity of the Datadog emulator: every recorded interaction of the monitor calls pipemon
 * makes (test/contracts/datadog/cassettes) is replayed against a fresh emulator and must
 * get the same status and the same answer (see replay.ts for what is compared and how ids are
 * mapped; cassettes.ts for which recordings are left out and why).
 */
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exclusionReason, loadAllCassettes, toScenarios } from "./cassettes.js";
import { compareJson, replayScenario } from "./replay.js";
import { startDatadogEmulator } from "./server.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const cassettesRoot = resolve(repoRoot, "test/contracts/datadog/cassettes");

const scenarios = toScenarios(loadAllCassettes(cassettesRoot));
const replayed = scenarios.filter((s) => exclusionReason(s) === undefined);
const excluded = scenarios.filter((s) => exclusionReason(s) !== undefined);
let replayedInteractions = 0;

describe("recorded Datadog monitor traffic replays against the emulator", () => {
  for (const scenario of replayed) {
    it(scenario.name, async () => {
      const dd = await startDatadogEmulator();
      try {
        const result = await replayScenario(dd, scenario);
        replayedInteractions += result.replayed;
        expect(result.replayed).toBeGreaterThan(0);
        expect(result.mismatches).toEqual([]);
      } finally {
        await dd.close();
      }
    });
  }

  afterAll(() => {
    const reasons = new Map<string, number>();
    for (const s of excluded) reasons.set(exclusionReason(s)!, (reasons.get(exclusionReason(s)!) ?? 0) + 1);
    console.log(
      `datadog fidelity: ${replayedInteractions} interactions in ${replayed.length} scenarios replayed; ${excluded.length} scenarios left out:\n` +
        [...reasons].map(([reason, n]) => `  ${n} × ${reason}`).join("\n"),
    );
  });
});

describe("the replay covers what it claims", () => {
  it("selects the recordings of every emulated endpoint, from every recording client", () => {
    const calls = new Set(
      replayed.flatMap((s) => s.interactions.map((i) => `${i.method} ${i.url.split("?")[0]!.replace(/\/\d+/g, "/{id}")} ${i.status}`)),
    );
    for (const call of [
      "POST /api/v1/monitor 200",
      "POST /api/v1/monitor 400",
      "POST /api/v1/monitor 403",
      "GET /api/v1/monitor/{id} 200",
      "GET /api/v1/monitor/{id} 404",
      "GET /api/v1/monitor/{id} 400",
      "PUT /api/v1/monitor/{id} 200",
      "PUT /api/v1/monitor/{id} 400",
      "PUT /api/v1/monitor/{id} 404",
      "DELETE /api/v1/monitor/{id} 200",
      "DELETE /api/v1/monitor/{id} 404",
      "GET /api/v1/monitor 200",
      "GET /api/v1/monitor 400",
      "GET /api/v1/monitor/search 200",
      "GET /api/v1/monitor/search 400",
      "POST /api/v1/monitor/validate 200",
      "POST /api/v1/monitor/validate 400",
      "POST /api/v1/monitor/{id}/validate 200",
      "POST /api/v1/monitor/{id}/validate 400",
      "GET /api/v1/monitor/can_delete 200",
      "GET /api/v1/monitor/can_delete 400",
      "GET /api/v1/monitor/can_delete 409",
    ]) {
      expect(calls, call).toContain(call);
    }
    const sources = new Set(replayed.map((s) => s.name.split("/")[0]));
    expect([...sources].sort()).toEqual(["datadog-api-client-go", "datadog-api-client-typescript", "datadogpy", "terraform-provider-datadog"]);
    expect(replayed.reduce((n, s) => n + s.interactions.length, 0)).toBeGreaterThan(500);
  });

  it("reports a difference in any value, key or type", () => {
    const recorded = { id: 1, type: "query alert", options: { thresholds: { critical: 2 }, notify_no_data: false }, tags: ["a"] };
    const differences = (actual: unknown) => {
      const found: string[] = [];
      compareJson(recorded, actual, "$", "values", (m) => found.push(m));
      return found;
    };
    expect(differences(structuredClone(recorded))).toEqual([]);
    expect(differences({ ...recorded, type: "metric alert" })).toHaveLength(1);
    expect(differences({ ...recorded, options: { thresholds: { critical: 2 } } })).toEqual(["$.options: missing keys notify_no_data"]);
    expect(differences({ ...recorded, surprise: 1 })).toEqual(["$: extra keys surprise"]);
    expect(differences({ ...recorded, tags: "a" })).toHaveLength(1);
    expect(differences({ ...recorded, tags: ["a", "b"] })).toHaveLength(1);
  });
});
