/**
 * The end-to-end harness of plan and apply: per test, fresh Grafana and Datadog emulators
 * (in this process) and a copy of the bundled specs in a temporary folder; the CLI runs as a
 * separate process against them. Shared by the plan/apply, duplicates and interrupt tests.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { startDatadogEmulator, type DatadogEmulator } from "../emulators/datadog/server.js";
import { startGrafanaEmulator, type GrafanaEmulator } from "../emulators/grafana/server.js";
import { REPO_ROOT, runCliAsync, type CliRun } from "./cli.js";

export interface EstateCredentials {
  /** Temporary folder prefix, e.g. `pipemon-e2e-`. */
  prefix: string;
  token: string;
  apiKey: string;
  appKey: string;
  /** The channel secrets the bundled specs reference. */
  secrets: Record<string, string>;
  /** The CLI's per-request timeout (PIPEMON_HTTP_TIMEOUT_MS). */
  httpTimeoutMs?: number;
}

export interface Estate {
  grafana: GrafanaEmulator;
  datadog: DatadogEmulator;
  work: string;
  specs: string;
}

export interface EmulatedEstate {
  /** This test's emulators and folders (set by the harness's beforeEach). */
  readonly current: Estate;
  /** Every credential and channel secret: none may appear in any output or file. */
  readonly neverPrinted: readonly string[];
  environment(overrides?: Record<string, string>): Record<string, string>;
  /** Runs the CLI; asserts no credential or secret is printed and no stack trace. */
  pipemon(args: string[], overrides?: Record<string, string>): Promise<CliRun>;
}

export function useEmulatedEstate(c: EstateCredentials): EmulatedEstate {
  let current: Estate | undefined;
  const neverPrinted = [c.token, c.apiKey, c.appKey, ...Object.values(c.secrets)];

  beforeEach(async () => {
    const work = mkdtempSync(join(tmpdir(), c.prefix));
    const specs = join(work, "specs");
    cpSync(join(REPO_ROOT, "specs"), specs, { recursive: true });
    current = {
      grafana: await startGrafanaEmulator({ token: c.token }),
      datadog: await startDatadogEmulator({ apiKey: c.apiKey, appKey: c.appKey }),
      work,
      specs,
    };
  });
  afterEach(async () => {
    if (!current) return;
    const { grafana, datadog, work } = current;
    grafana.faults.releaseHung();
    datadog.faults.releaseHung();
    await Promise.all([grafana.close(), datadog.close()]);
    rmSync(work, { recursive: true, force: true });
    current = undefined;
  });

  const estate = (): Estate => {
    if (!current) throw new Error("the emulated estate exists only inside a test");
    return current;
  };
  const environment = (overrides: Record<string, string> = {}): Record<string, string> => ({
    GRAFANA_URL: estate().grafana.url,
    GRAFANA_TOKEN: c.token,
    DD_HOST: estate().datadog.url,
    DD_API_KEY: c.apiKey,
    DD_APP_KEY: c.appKey,
    ...c.secrets,
    // Fast retries: the faults the tests inject are real, the waits need not be.
    PIPEMON_HTTP_BACKOFF_MS: "10",
    PIPEMON_HTTP_TIMEOUT_MS: String(c.httpTimeoutMs ?? 3000),
    ...overrides,
  });
  return {
    get current() {
      return estate();
    },
    neverPrinted,
    environment,
    async pipemon(args, overrides = {}) {
      const run = await runCliAsync(["--specs", estate().specs, ...args], estate().work, environment(overrides));
      for (const secret of neverPrinted) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
      expect(run.stderr).not.toMatch(/\n\s+at /); // never a stack trace
      return run;
    },
  };
}
