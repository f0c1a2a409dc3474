/**
 * Runs the Grafana emulator as a process, for tests and demos that drive pipemon as a
 * separate program: `npx tsx test/emulators/grafana/main.ts --port N [--token T] [--latency-ms MS]`.
 * Prints the base URL once listening and stays up until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startGrafanaEmulator } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    token: { type: "string" },
    "latency-ms": { type: "string", default: "0" },
  },
});

const port = Number(values.port);
const latencyMs = Number(values["latency-ms"]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(1);
}

const emulator = await startGrafanaEmulator({ port, latencyMs, ...(values.token ? { token: values.token } : {}) });
console.log(`grafana emulator listening on ${emulator.url}`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void emulator.close().finally(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
