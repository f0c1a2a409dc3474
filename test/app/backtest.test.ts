/**
 * backtest against a real Prometheus whose TSDB is backfilled (promtool) from the scripted
 * timeline of test/history/timeline-fixture.ts:
 * - the episodes are the ones the timeline implies (derived from the timeline, not from
 *   pipemon's code);
 * - `promtool test rules`, Prometheus's own rule engine, run on the same series with the same
 *   rules, agrees with backtest at every episode boundary and at regular times;
 * - `--base` on a temporary git repository: a tightened threshold gives more episodes, a
 *   loosened one fewer, and an unchanged pipeline is not queried at all.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { backtest, type BacktestOutcome } from "../../src/app/backtest.js";
import { prometheusRuleGroup } from "../../src/targets/prometheus/compile/index.js";
import type { BacktestAlert } from "../../src/history/backtest.js";
import { loadSpecs } from "../../src/spec/index.js";
import { binary } from "../live/processes.js";
import { promtoolInputSeries, startHistoryPrometheus, type HistoryPrometheus } from "../support/history.js";
import { CONFIG, expectedEpisodes, PIPELINES, STEP, TIMELINE, writeSpecs, type ExpectedEpisode } from "../history/timeline-fixture.js";

let prom: HistoryPrometheus;
let root: string;

beforeAll(async () => {
  prom = await startHistoryPrometheus(TIMELINE);
  root = mkdtempSync(join(tmpdir(), "pipemon-backtest-"));
  writeSpecs(join(root, "specs"));
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const env = (name: string): string | undefined => (name === "HISTORY_PROMETHEUS_URL" ? prom.url : undefined);

async function run(extra: Partial<Parameters<typeof backtest>[0]> = {}): Promise<Extract<BacktestOutcome, { ok: true }>["result"]> {
  const outcome = await backtest({ root: join(root, "specs"), since: prom.origin, until: prom.origin + TIMELINE.duration, env, ...extra });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.result;
}

const keyOf = (a: BacktestAlert): string => `${a.pipeline}/${a.alert}/${a.severity}`;
const relative = (a: BacktestAlert): ExpectedEpisode[] => a.episodes.map((e) => ({ start: e.start - prom.origin, end: e.end === null ? null : e.end - prom.origin }));

describe("backtest on a backfilled Prometheus", () => {
  it("finds the episodes the timeline implies: failures, slow and hung runs, a gap, incidents, a dead stream", async () => {
    const result = await run();
    const byKey = new Map(result.alerts.map((a) => [keyOf(a), a]));
    for (const [key, expected] of Object.entries(expectedEpisodes())) {
      const alert = byKey.get(key);
      expect(alert, key).toBeDefined();
      expect({ key, episodes: relative(alert!) }).toEqual({ key, episodes: expected });
    }
    // Time firing and channels follow from the episodes and the routing.
    const failed = byKey.get("orders-etl/pipelineFailed/critical")!;
    expect(failed.firingSeconds).toBe(60 * 60);
    expect(failed.channels).toEqual(["oncall", "alerts"]);
    expect(byKey.get("orders-etl/stale/high")!.channels).toEqual(["alerts"]);
    // A healthy stream is quiet on every alert.
    expect(result.alerts.filter((a) => a.pipeline === "ledger" && a.episodes.length > 0)).toEqual([]);
  });

  it("agrees with promtool test rules (Prometheus's rule engine) on the same series", async () => {
    const result = await run();
    const project = loadSpecs({ root: join(root, "specs") }).projects[0]!;
    const dir = mkdtempSync(join(tmpdir(), "pipemon-backtest-promtool-"));
    try {
      // The generated rules without annotations: promtool compares annotations too, and what
      // is checked here is when each rule fires.
      const groups = project.pipelines.map((p) => {
        const g = prometheusRuleGroup(project, p);
        return { ...g, rules: g.rules.map(({ annotations: _annotations, ...r }) => r) };
      });
      writeFileSync(join(dir, "rules.yml"), stringify({ groups }));
      const byKey = new Map(result.alerts.map((a) => [keyOf(a), a]));
      const firingAt = (a: BacktestAlert, t: number) => a.episodes.some((e) => e.start - prom.origin <= t && (e.end === null || t < e.end - prom.origin));
      // Rules of every pipeline share an alert name: promtool expects, per name and time, the
      // instances of all of them.
      const timesByName = new Map<string, Set<number>>();
      for (const g of groups) {
        for (const rule of g.rules) {
          const alert = byKey.get(`${rule.labels.pipeline}/${rule.labels.alert}/${rule.labels.severity}`)!;
          const times = timesByName.get(rule.alert) ?? new Set(Array.from({ length: 15 }, (_, i) => i * 2 * 3600 + 17 * STEP));
          for (const e of alert.episodes) for (const t of [e.start, e.end ?? e.start]) for (const at of [t - STEP, t]) times.add(at - prom.origin);
          timesByName.set(rule.alert, times);
        }
      }
      const tests: unknown[] = [];
      let checks = 0;
      let firingChecks = 0;
      for (const [alertname, times] of timesByName) {
        for (const t of [...times].filter((x) => x >= 0 && x <= TIMELINE.duration).sort((a, b) => a - b)) {
          const firing = groups.flatMap((g) => g.rules).filter((rule) => rule.alert === alertname && firingAt(byKey.get(`${rule.labels.pipeline}/${rule.labels.alert}/${rule.labels.severity}`)!, t));
          checks++;
          firingChecks += firing.length;
          tests.push({ eval_time: `${t}s`, alertname, exp_alerts: firing.map((rule) => ({ exp_labels: { ...rule.labels } })) });
        }
      }
      writeFileSync(join(dir, "test.yml"), stringify({ rule_files: ["rules.yml"], evaluation_interval: `${STEP}s`, tests: [{ interval: `${STEP}s`, input_series: promtoolInputSeries(TIMELINE), alert_rule_test: tests }] }));
      const r = spawnSync(binary("promtool"), ["test", "rules", "test.yml"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 });
      expect(`${r.stdout}${r.stderr}`.slice(0, 4000)).toContain("SUCCESS");
      expect(r.status).toBe(0);
      // The check is not vacuous: both states were compared, many times.
      expect(firingChecks).toBeGreaterThan(20);
      expect(checks - firingChecks).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("--base on a git repository", () => {
  let repo: string;
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const specs = () => join(repo, "specs");
  const edit = (file: string, from: string, to: string) => {
    const path = join(specs(), file);
    const text = readFileSync(path, "utf8");
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "pipemon-backtest-git-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "test");
    writeSpecs(specs(), { "pipemon.yaml": CONFIG, ...PIPELINES });
    git("add", ".");
    git("commit", "-qm", "base");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const episodesOf = (alerts: readonly BacktestAlert[], key: string) => alerts.find((a) => keyOf(a) === key)?.episodes.length ?? 0;

  it("a tightened threshold shows more episodes; unchanged pipelines are not queried", async () => {
    // Freshness 2h → 30m: every hourly gap between successes is now too long.
    edit("commerce/orders-etl.yaml", "freshness: 2h", "freshness: 30m");
    const before = readFileSync(join(specs(), "commerce/orders-etl.yaml"), "utf8");
    const result = await run({ root: specs(), base: "main" });
    expect(result.base!.unchanged).toEqual(["clickstream", "ledger", "nightly-load"]);
    expect(new Set(result.alerts.map((a) => a.pipeline))).toEqual(new Set(["orders-etl"]));
    const key = "orders-etl/stale/high";
    expect(episodesOf(result.alerts, key)).toBeGreaterThan(episodesOf(result.base!.alerts, key));
    // Only orders-etl's rules were read, and base and head shared every query: the stale
    // threshold moved, its expression did not.
    const headOnly = await run({ root: specs(), selectors: ["orders-etl"] });
    expect(result.stats.queries).toBe(headOnly.stats.queries);
    // The work tree is untouched: the edit is still there, uncommitted.
    expect(readFileSync(join(specs(), "commerce/orders-etl.yaml"), "utf8")).toBe(before);
    expect(git("status", "--porcelain")).toBe("M specs/commerce/orders-etl.yaml");
    git("checkout", "--", ".");
  });

  it("a loosened threshold shows fewer episodes", async () => {
    // maxDuration 45m → 1h: the 55-minute run no longer breaches; the hung run still does.
    edit("commerce/orders-etl.yaml", "maxDuration: 45m", "maxDuration: 1h");
    const result = await run({ root: specs(), base: "main" });
    const key = "orders-etl/slaBreach/critical";
    expect(episodesOf(result.base!.alerts, key)).toBe(2);
    expect(episodesOf(result.alerts, key)).toBe(1);
    git("checkout", "--", ".");
  });

  it("nothing changed: nothing is evaluated", async () => {
    const result = await run({ root: specs(), base: "main" });
    expect(result.alerts).toEqual([]);
    expect(result.stats.queries).toBe(0);
    expect(result.base!.unchanged).toEqual(["clickstream", "ledger", "nightly-load", "orders-etl"]);
  });

  it("an unknown ref is one line, and nothing is queried", async () => {
    const outcome = await backtest({ root: specs(), since: prom.origin, until: prom.origin + 3600, env, base: "no-such-branch" });
    expect(outcome).toEqual({ ok: false, message: "unknown git ref 'no-such-branch': name a branch, tag or commit of this repository (git fetch it first if it is remote)" });
  });
});
