/**
 * Real Prometheus and Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`
 * packages) on 127.0.0.1 ephemeral ports with temporary data directories, and a webhook
 * server that records what Alertmanager delivers to each channel. Every process started here
 * is killed by `stopAll` (SIGTERM, then SIGKILL), whatever the test's outcome.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";

export const INSTALL_HINT =
  "the live run needs Debian's prometheus and prometheus-alertmanager packages: sudo apt-get install -y prometheus prometheus-alertmanager (or make test-deps)";

/** The first of the names found on the PATH. */
export function binary(...names: string[]): string {
  for (const name of names) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (found) return found;
  }
  throw new Error(`${names.join(" / ")} not found: ${INSTALL_HINT}`);
}

/** A free TCP port on 127.0.0.1 (bound, read, released: the binaries take it right after). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Started {
  name: string;
  child: ChildProcess;
  log: () => string;
}

const running: Started[] = [];

export function start(name: string, command: string, args: string[]): Started {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const started = { name, child, log: () => log };
  running.push(started);
  return started;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Stops every process this module started: SIGTERM, then SIGKILL after 5s. */
export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map(async ({ child }) => {
    if (exited(child)) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => !exited(child) && child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }));
}

// A test runner that dies mid-run must not leave the binaries behind.
process.once("exit", () => {
  for (const { child } of running) if (!exited(child)) child.kill("SIGKILL");
});

/** Polls `url` until it answers 200, the process exits, or the deadline passes. */
export async function waitReady(p: Started, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(p.child)) throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.log()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${p.name} not ready at ${url} after ${timeoutMs} ms:\n${p.log()}`);
}

/** Writes `dir/alertmanager.yml` and checks it with amtool, as a user's CI would. */
export function writeCheckedAlertmanagerConfig(dir: string, config: unknown): void {
  const file = join(dir, "alertmanager.yml");
  writeFileSync(file, stringify(config));
  const check = spawnSync(binary("amtool"), ["check-config", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`amtool rejects the test's alertmanager.yml:\n${check.stdout}${check.stderr}`);
}

/** Alertmanager on 127.0.0.1 reading `dir/alertmanager.yml`, alone (no cluster), once ready. */
export async function startAlertmanager(dir: string, port: number): Promise<Started> {
  const alertmanager = start("alertmanager", binary("prometheus-alertmanager", "alertmanager"), [
    `--config.file=${join(dir, "alertmanager.yml")}`,
    `--storage.path=${join(dir, "am-data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--cluster.listen-address=",
    "--log.level=warn",
  ]);
  await waitReady(alertmanager, `http://127.0.0.1:${port}/-/ready`);
  return alertmanager;
}

/**
 * Prometheus on 127.0.0.1 reading `dir/prometheus.yml`, once ready. `resendDelay` is how soon
 * a firing alert Alertmanager did not take is sent again (1m by default: a flag of the run,
 * not of the rules).
 */
export async function startPrometheus(dir: string, port: number, resendDelay: string): Promise<Started> {
  const prometheus = start("prometheus", binary("prometheus"), [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "prom-data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--rules.alert.resend-delay=${resendDelay}`,
    "--log.level=warn",
  ]);
  await waitReady(prometheus, `http://127.0.0.1:${port}/-/ready`);
  return prometheus;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Delivery {
  channel: string;
  status: string;
  labels: Record<string, string>;
}

export interface Webhooks {
  port: number;
  deliveries: Delivery[];
  close: () => Promise<void>;
}

/** Records Alertmanager's webhook deliveries: `POST /<channel>` with the notification JSON. */
export async function startWebhooks(): Promise<Webhooks> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const channel = decodeURIComponent((req.url ?? "/").slice(1));
      try {
        const message = JSON.parse(body) as { alerts: { status: string; labels: Record<string, string> }[] };
        for (const a of message.alerts) deliveries.push({ channel, status: a.status, labels: a.labels });
      } catch {
        deliveries.push({ channel, status: "unparsable", labels: {} });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    deliveries,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
