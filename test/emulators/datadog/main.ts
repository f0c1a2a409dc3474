/**
 * Runs the Datadog emulator as a process, for tests that run pipemon as a separate process:
 *   npx tsx test/emulators/datadog/main.ts --port 8126 [--api-key K] [--app-key A] [--latency-ms N]
 * Prints its base URL and stays up until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startDatadogEmulator } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "api-key": { type: "string" },
    "app-key": { type: "string" },
    "latency-ms": { type: "string" },
  },
});

const emulator = await startDatadogEmulator({
  port: Number(values.port),
  ...(values["api-key"] ? { apiKey: values["api-key"] } : {}),
  ...(values["app-key"] ? { appKey: values["app-key"] } : {}),
  ...(values["latency-ms"] ? { latencyMs: Number(values["latency-ms"]) } : {}),
});
console.log(`datadog emulator listening on ${emulator.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
