/**
 * What the emulator's fidelity tests share: a started emulator with a raw HTTP caller (the
 * tests look at exact status codes, headers and bodies, so no client library in between)
 * and the contract fixtures, read from test/contracts/grafana/fixtures.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type GrafanaEmulator, type GrafanaEmulatorOptions, startGrafanaEmulator } from "./server.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const fixturesDir = resolve(repoRoot, "test/contracts/grafana/fixtures");

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(resolve(fixturesDir, name), "utf8")) as T;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (undefined when the body is empty). */
  body: unknown;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** false: send no Authorization header; a string: send it as is. Default: the emulator's bearer token. */
  authorization?: false | string;
  signal?: AbortSignal;
}

export interface Harness {
  emulator: GrafanaEmulator;
  call(method: string, path: string, options?: CallOptions): Promise<RawAnswer>;
  /** A call that expects 2xx and returns the parsed body. */
  ok<T = unknown>(method: string, path: string, options?: CallOptions): Promise<T>;
}

export async function startHarness(options: GrafanaEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startGrafanaEmulator(options);
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<RawAnswer> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.authorization !== false) headers.authorization = opts.authorization ?? `Bearer ${emulator.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const ok = async <T>(method: string, path: string, opts?: CallOptions): Promise<T> => {
    const answer = await call(method, path, opts);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path} → ${answer.status} ${answer.text}`);
    return answer.body as T;
  };
  return { emulator, call, ok };
}

/** The header that keeps alerting resources editable in the UI (no provenance). */
export const NO_PROVENANCE = { "X-Disable-Provenance": "true" };
