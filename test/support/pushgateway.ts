/**
 * The real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, installed by `make
 * test-deps`) on a free 127.0.0.1 port, in memory only: Debian's build persists to
 * /var/lib/prometheus/pushgateway.data by default, which would leak groups between runs.
 */
import { binary, freePort, start, waitReady, type Started } from "../live/processes.js";

export interface Pushgateway {
  url: string;
  process: Started;
  /** The `/metrics` lines of the series named `name` (grouping labels included), sorted. */
  series(name: string): Promise<string[]>;
  /** The value of the series with exactly these labels (instance="" is implied), or undefined. */
  value(name: string, labels: Record<string, string>): Promise<number | undefined>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  const bin = binary("prometheus-pushgateway", "pushgateway");
  const port = await freePort();
  const process = start("pushgateway", bin, [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file=", "--log.level=warn"]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(process, `${url}/-/ready`);
  const series = async (name: string): Promise<string[]> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).sort();
  };
  return {
    url,
    process,
    series,
    value: async (name, labels) => {
      const all: Record<string, string> = { instance: "", ...labels };
      const inner = Object.keys(all).sort().map((k) => `${k}="${all[k]}"`).join(",");
      const line = (await series(name)).find((l) => l.startsWith(`${name}{${inner}} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
    },
  };
}
