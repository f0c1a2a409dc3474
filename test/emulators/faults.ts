/**
 * Fault injection shared by the Grafana and Datadog emulators: added latency, scripted
 * status answers (429 storms, 5xx), hangs and dropped connections, matched per request.
 * Tests script it in-process (`emulator.faults.add(...)`) or over HTTP
 * (`POST /__emulator/faults`), and read back every request the emulator saw.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Fault =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then serve the request normally. */
  | { kind: "latency"; ms: number }
  /** Never answer (the client's timeout must fire). */
  | { kind: "hang" }
  /** Destroy the socket without an answer. */
  | { kind: "reset" }
  /**
   * A server that commits after the client gave up: the request is held for `ms` (longer
   * than the client's timeout), then served for real (a create is stored), and its answer
   * is thrown away (the socket is destroyed instead).
   */
  | { kind: "late-commit"; ms: number }
  | EchoFault;

/**
 * Answer `status` with an error body that quotes the request back (credential headers, URL,
 * every header, the body, and the headers form-encoded), as careless servers and proxies do:
 * the secret scan's worst case. `straddle` puts a second copy of the first credential so it
 * spans that character index of the message, where a client that cuts long messages cuts.
 */
export interface EchoFault {
  kind: "echo";
  status: number;
  straddle?: number;
}

export interface FaultRule {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Path (without query) to match: a RegExp, or a string tested as a RegExp source. */
  path?: RegExp | string;
  /** Skip this many matching requests before the fault starts (e.g. "fail the 5th write"). */
  after?: number;
  /** How many matching requests get the fault (every one when absent). */
  times?: number;
  fault: Fault;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number | "reset" | "hang" | "late-commit";
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export class FaultInjector {
  /** Latency added to every request (the benchmark's "20 ms per request"). */
  latencyMs = 0;
  private rules: ActiveRule[] = [];
  readonly requests: RecordedRequest[] = [];
  private hung = new Set<ServerResponse>();
  /** One per `late-commit` fault applied: settles once the held request was served (committed). */
  readonly lateCommits: Promise<void>[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, applied: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Answers still pending because of a `hang` fault: released on close. */
  releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /**
   * Applies the first matching rule. Returns true when the request was consumed (answered,
   * hung or reset) and must not reach the emulator's handlers.
   */
  async intercept(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<boolean> {
    const method = req.method ?? "GET";
    const record: RecordedRequest = { method, path, query, status: 0 };
    this.requests.push(record);
    res.on("finish", () => {
      if (record.status === 0) record.status = res.statusCode;
    });
    if (this.latencyMs > 0) await delay(this.latencyMs);
    const rule = this.rules.find((r) => matches(r, method, path) && ++r.seen > (r.after ?? 0) && (r.times === undefined || r.applied < r.times));
    if (!rule) return false;
    rule.applied++;
    const { fault } = rule;
    switch (fault.kind) {
      case "latency":
        await delay(fault.ms);
        return false;
      case "hang":
        record.status = "hang";
        this.hung.add(res);
        return true;
      case "reset":
        record.status = "reset";
        req.socket.destroy();
        return true;
      case "late-commit": {
        record.status = "late-commit";
        // The body arrives before the client starts waiting; keep it for the handler, which
        // runs after the client has timed out and closed the connection.
        bufferedBodies.set(req, await readBody(req));
        let served!: () => void;
        this.lateCommits.push(new Promise<void>((resolve) => (served = resolve)));
        await delay(fault.ms);
        const socket = req.socket;
        res.writeHead = (() => res) as unknown as typeof res.writeHead;
        res.end = ((..._args: unknown[]) => {
          socket.destroy();
          served();
          return res;
        }) as unknown as typeof res.end;
        return false;
      }
      case "echo": {
        const text = echoText(req, fault, `${path}${query ? `?${query}` : ""}`, await readBody(req));
        res.writeHead(fault.status, { "content-type": "application/json" });
        // Grafana's clients read `message`, Datadog's `errors`: give both.
        res.end(JSON.stringify({ message: text, errors: [text] }));
        return true;
      }
      case "status": {
        const body = JSON.stringify(fault.body ?? { errors: [`injected ${fault.status}`] });
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
        res.end(body);
        return true;
      }
    }
  }
}

/** Headers that carry credentials on the two APIs, quoted first. */
const CREDENTIAL_HEADERS = ["authorization", "dd-api-key", "dd-application-key"];

function echoText(req: IncomingMessage, fault: EchoFault, url: string, body: string): string {
  const headers = Object.entries(req.headers).map(([name, value]) => [name, String(value)] as [string, string]);
  const credentials = CREDENTIAL_HEADERS.flatMap((name) => (req.headers[name] === undefined ? [] : [`${name}: ${String(req.headers[name])}`]));
  let text = `${credentials.join(" ")} `;
  const first = credentials[0];
  if (fault.straddle !== undefined && first !== undefined) {
    // The secret (the value's last word: `Bearer <token>`) starts 20 characters before the cut.
    const valueAt = first.lastIndexOf(" ") + 1;
    const fill = Math.max(0, fault.straddle - 20 - valueAt - text.length);
    text += `${".".repeat(fill)}${first} `;
  }
  return `${text}| ${req.method ?? "GET"} ${url} | headers: ${JSON.stringify(Object.fromEntries(headers))} | body: ${body} | form: ${new URLSearchParams(headers).toString()}`;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return true;
  const re = typeof rule.path === "string" ? new RegExp(rule.path) : rule.path;
  return re.test(path);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The control endpoints every emulator serves under `/__emulator/`, for tests that run
 * pipemon as a separate process: POST/DELETE `faults`, PUT `latency` `{ms}`, GET `requests`.
 * Returns true when the request was a control request.
 */
export async function handleControl(faults: FaultInjector, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (!path.startsWith("/__emulator/")) return false;
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const text = await readBody(req);
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const route = `${req.method} ${path}`;
  if (route === "POST /__emulator/faults") {
    for (const rule of (body.rules as FaultRule[] | undefined) ?? []) faults.add(rule);
    send(200, { ok: true });
  } else if (route === "DELETE /__emulator/faults") {
    faults.clear();
    send(200, { ok: true });
  } else if (route === "PUT /__emulator/latency") {
    faults.latencyMs = Number(body.ms ?? 0);
    send(200, { ok: true });
  } else if (route === "GET /__emulator/requests") {
    send(200, faults.requests);
  } else {
    send(404, { message: `unknown emulator control ${route}` });
  }
  return true;
}

/** Bodies read ahead by a `late-commit` fault, handed to the emulator's handler by readBody. */
const bufferedBodies = new WeakMap<IncomingMessage, string>();

export function readBody(req: IncomingMessage): Promise<string> {
  const buffered = bufferedBodies.get(req);
  if (buffered !== undefined) return Promise.resolve(buffered);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
