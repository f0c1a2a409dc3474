// Starts the Grafana and Datadog emulators (test code, run with tsx) as child processes on
// ephemeral ports and returns their base URLs; used by `make demo` and the plan benchmark.
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

export function startEmulator(kind, extraArgs = []) {
  const child = spawn(process.execPath, [resolve(ROOT, "node_modules/tsx/dist/cli.mjs"), resolve(ROOT, `test/emulators/${kind}/main.ts`), "--port", "0", ...extraArgs], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${kind} emulator did not start within 20 s`)), 20_000);
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      seen += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise({ url, stop: () => child.kill("SIGTERM") });
      }
    });
    child.on("exit", (code) => reject(new Error(`${kind} emulator exited with code ${code}`)));
  });
}
