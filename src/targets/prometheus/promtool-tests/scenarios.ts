/**
 * How to put each alert's expression at a chosen value with synthetic series: one small,
 * pure scenario per alert key (a dispatch table), derived from the alert definition and the
 * metric contract as the model resolves it (metric names and selectors after overrides).
 *
 * Two shapes:
 * - a value scenario holds the expression at a healthy value before an onset and at the
 *   test value after it (after `settle` seconds: rates look back 5m; gauges and the
 *   schedule-window counters built below read the new value at once);
 * - a ramp scenario makes the expression read "seconds since an origin" (the stale
 *   freshness clock, a hung run's elapsed time), which crosses every level on its own.
 *
 * Counters over the schedule window are born at the onset with the test value as their
 * first sample (DESIGN §8: the rules must count a series born with its first failure), and
 * read that value for as long as the birth stays in the window. Rates grow linearly, which `rate`
 * reads exactly once the window holds only the new slope.
 */
import type { AlertKey, Pipeline, ResolvedSignal, SignalKey } from "../../../model/types.js";
import { STREAM_RATE_WINDOW_SECONDS } from "../../../compile/promql.js";
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import { humanize, humanizeDuration, humanizePercentage } from "./go-format.js";
import { bornCounter, rateCounter, seriesName, stepGauge, type Synthetic } from "./series.js";

/** Where the series of one test are placed in time. */
export interface Timeline {
  /** Seconds between samples (and between rule evaluations). */
  step: number;
  /** Samples per series (steps 0..n-1). */
  n: number;
  /** Index of the first sample that carries the test value (value scenarios) or of the origin (ramps). */
  at: number;
}

/** A pipeline's signals as the series should carry them (possibly relabeled to another pipeline). */
export type SignalSet = Pipeline["signals"];

export interface Values {
  /** Undefined when no value can cross the threshold (e.g. fewer than 0 records). */
  past?: number;
  inside: number;
}

export interface ValueScenario {
  /** Seconds after the onset until the expression reads exactly the new value. */
  settle: number;
  /** Healthy seconds needed before the onset (windows must be full of healthy data). */
  warmup: number;
  /** Seconds after the test start until which a value, once set, still holds (schedule windows forget the jump). */
  holdsUntil?: (def: AlertDefinition) => number;
  /** Exact (integers, gauges) or float rates (compared with a margin). */
  exact: boolean;
  /** Values just past and just inside a threshold. */
  values: (def: AlertDefinition, threshold: number) => Values;
  /** Series that read as a healthy value before step `t.at` and as `value` from it on. */
  series: (s: SignalSet, def: AlertDefinition, t: Timeline, value: number) => Synthetic[];
}

export interface RampScenario {
  /** What the clock measures, for case titles. */
  name: string;
  /** The origin is the test start (stale: the last success) or the onset (a run that hangs). */
  origin: "start" | "onset";
  /** Series whose expression reads `now - origin` seconds (healthy before a hung run starts). */
  series: (s: SignalSet, def: AlertDefinition, t: Timeline) => Synthetic[];
}

export interface Scenario {
  /** Signals written: a whole-query override on any of them leaves nothing to synthesise. */
  signals: readonly SignalKey[];
  /** Largest sample step that still fills the expression's windows, given the definition. */
  maxStep: (def: AlertDefinition) => number;
  value?: ValueScenario;
  ramp?: RampScenario;
}

const RATE = STREAM_RATE_WINDOW_SECONDS;
const STEPS = [3600, 1800, 900, 600, 300, 120, 60, 30, 20, 15, 10, 5, 2, 1];

const synth = (signal: ResolvedSignal, samples: readonly (number | undefined)[], extra: Record<string, string> = {}, suffix = ""): Synthetic =>
  ({ series: seriesName(signal, extra, suffix), samples });

/** Counts (records, errors, failed runs): whole numbers either side of the threshold. */
function countValues(def: AlertDefinition, threshold: number): Values {
  if (def.comparator === ">") return { past: Math.floor(threshold) + 1, inside: Math.floor(threshold) };
  const past = Math.ceil(threshold) - 1;
  return past >= 0 ? { past, inside: Math.ceil(threshold) } : { inside: Math.ceil(threshold) };
}

/** Gauges read as they are: the threshold itself is inside (comparisons are strict). */
function gaugeValues(def: AlertDefinition, threshold: number): Values {
  const nudge =
    def.unit === "count" ? 1
    : def.unit === "seconds" ? (threshold >= 10 ? 1 : threshold / 100 || 0.001)
    : threshold >= 0.01 ? 0.001 : threshold / 10 || 1e-6;
  const past = def.comparator === ">" ? threshold + nudge : threshold - nudge;
  return past >= 0 ? { past, inside: threshold } : { inside: threshold };
}

const RENDERINGS = [humanize, humanizePercentage, humanizeDuration];

/**
 * A float value moved away from the threshold (direction ±1) until every rendering of it is
 * the same for the value a hair either side: Prometheus computes rates with rounding noise,
 * and the expected annotation must not sit on a rounding edge of `%.4g`.
 */
export function stableValue(v: number, direction: 1 | -1): number {
  for (let i = 0; i < 100; i++) {
    if (RENDERINGS.every((render) => render(v * (1 - 1e-9)) === render(v * (1 + 1e-9)))) return v;
    v *= 1 + direction * 1e-4;
  }
  return v;
}

/** Float rates: 0.1% either side (rate arithmetic is not exact), off any rounding edge of the annotations. */
function rateValues(def: AlertDefinition, threshold: number): Values {
  const up = stableValue(threshold === 0 ? 1e-6 : threshold * 1.001, 1);
  const down = stableValue(threshold * 0.999, -1);
  if (def.comparator === ">") return { past: up, inside: down };
  return threshold > 0 ? { past: down, inside: up } : { inside: up };
}

/** A rate-based value scenario: settles over the 5m rate window, compared with a margin. */
function rateScenario(series: ValueScenario["series"]): ValueScenario {
  return { settle: RATE, warmup: RATE, exact: false, values: rateValues, series };
}

/** A value on the healthy side of every level of the alert. */
export function healthyValue(def: AlertDefinition): number {
  const ts = def.levels.map((l) => l.threshold);
  return def.comparator === ">" ? Math.min(...ts) / 2 : Math.max(...ts) * 100 || 1000;
}

/** Records processed for a failure ratio: one failed record moves the ratio by a millionth of the threshold at most. */
export function ratioRecords(threshold: number): number {
  return 10 ** Math.max(6, Math.ceil(Math.log10(1e6 / Math.max(threshold, 1e-12))));
}

/** Failed/processed: the largest ratio at or below the threshold, and one failed record more. */
function ratioValues(def: AlertDefinition, threshold: number): Values {
  const processed = ratioRecords(Math.min(...def.levels.map((l) => l.threshold)));
  let failed = Math.floor(threshold * processed);
  while (failed > 0 && failed / processed > threshold) failed--;
  while ((failed + 1) / processed <= threshold) failed++;
  const inside = failed / processed;
  return failed + 1 <= processed ? { past: (failed + 1) / processed, inside } : { inside };
}

/** The latency histogram's bucket bounds for a p95 of `value`, and a healthy bound below every level. */
export function latencyBuckets(def: AlertDefinition, value: number): { healthy: number; lo: number; hi: number } {
  const healthy = Math.min(...def.levels.map((l) => l.threshold)) / 4;
  const half = (value - healthy) / 2;
  return { healthy, lo: value - half, hi: value + half };
}

/** Observations per second of the synthetic histogram; records per second of a healthy stream. */
const OBSERVATIONS = 100;
const STREAM_RECORDS = 1000;

const shortStep = (): number => 60;
/** Long clocks (freshness of days) get coarser steps: about 200 steps up to the threshold. */
const clockStep = (def: AlertDefinition): number => {
  const longest = Math.max(...def.levels.map((l) => l.threshold));
  return Math.max(60, STEPS.find((s) => s <= longest / 200) ?? 60);
};

/** Batch counters summed over the schedule window. */
function windowCounter(signals: SignalKey[], series: ValueScenario["series"], values = countValues): Scenario {
  return {
    signals,
    maxStep: (def) => Math.min(60, Math.max(1, Math.floor(def.windowSeconds / 4))),
    value: { settle: 0, warmup: 0, holdsUntil: (def) => def.windowSeconds, exact: true, values, series },
  };
}

function gauge(signal: SignalKey): Scenario {
  return {
    signals: [signal],
    maxStep: shortStep,
    value: {
      settle: 0,
      warmup: 0,
      exact: true,
      values: gaugeValues,
      series: (s, def, t, v) => [synth(s[signal], stepGauge(t.n, t.at, healthyValue(def), v))],
    },
  };
}

export const SCENARIOS: Readonly<Record<AlertKey, Scenario>> = {
  pipelineFailed: windowCounter(["runs"], (s, _def, t, v) => [
    synth(s.runs, bornCounter(t.n, t.at, v), { status: "failed" }),
    synth(s.runs, bornCounter(t.n, t.at, 1), { status: "success" }),
  ]),
  errors: windowCounter(["errors"], (s, _def, t, v) => [synth(s.errors, bornCounter(t.n, t.at, v), { error_type: "timeout" })]),
  lowVolume: windowCounter(["recordsProcessed"], (s, _def, t, v) => [synth(s.recordsProcessed, bornCounter(t.n, t.at, v))]),
  // Batch: failed / processed records over the schedule window (streaming: STREAM_DATA_QUALITY).
  dataQuality: windowCounter(["recordsProcessed", "recordsFailed"], (s, def, t, v) => {
    const processed = ratioRecords(Math.min(...def.levels.map((l) => l.threshold)));
    return [
      synth(s.recordsProcessed, bornCounter(t.n, t.at, processed)),
      synth(s.recordsFailed, bornCounter(t.n, t.at, Math.round(v * processed))),
    ];
  }, ratioValues),
  slaBreach: {
    signals: ["duration", "inProgress", "startedAt"],
    maxStep: clockStep,
    // The last run took `value` seconds; no run in progress.
    value: {
      settle: 0,
      warmup: 0,
      exact: true,
      values: gaugeValues,
      series: (s, def, t, v) => [
        synth(s.duration, stepGauge(t.n, t.at, healthyValue(def), v)),
        synth(s.inProgress, stepGauge(t.n, t.at, 0, 0)),
        synth(s.startedAt, stepGauge(t.n, t.at, 0, 0)),
      ],
    },
    // A run starts at the onset and never ends; the last finished run was healthy.
    ramp: {
      name: "a run in progress (hung)",
      origin: "onset",
      series: (s, def, t) => [
        synth(s.duration, stepGauge(t.n, t.at, healthyValue(def), healthyValue(def))),
        synth(s.inProgress, stepGauge(t.n, t.at, 0, 1)),
        synth(s.startedAt, stepGauge(t.n, t.at, 0, t.at * t.step)),
      ],
    },
  },
  stale: {
    signals: ["lastSuccess"],
    maxStep: clockStep,
    // The last success is at the test start: the freshness clock runs from there.
    ramp: {
      name: "time since the last success",
      origin: "start",
      series: (s, _def, t) => [synth(s.lastSuccess, stepGauge(t.n, 0, 0, 0))],
    },
  },
  cpu: gauge("cpu"),
  memory: gauge("memory"),
  highBacklog: gauge("backlog"),
  highLatency: {
    signals: ["latency"],
    maxStep: shortStep,
    // Cumulative buckets: healthy, every observation below `healthy`; then 90% in (healthy, lo]
    // and the rest in (lo, hi], so p95 interpolates to the middle of (lo, hi]: the value.
    value: rateScenario((s, def, t, v) => {
      const b = latencyBuckets(def, v);
      const r = OBSERVATIONS * t.step;
      const bucket = (le: string, before: number, after: number): Synthetic =>
        synth(s.latency, rateCounter(t.n, t.at, before, after), { le }, "_bucket");
      return [bucket(String(b.healthy), r, 0), bucket(String(b.lo), r, 0.9 * r), bucket(String(b.hi), r, r), bucket("+Inf", r, r)];
    }),
  },
  lowThroughput: {
    signals: ["throughput"],
    maxStep: shortStep,
    value: rateScenario((s, def, t, v) => [synth(s.throughput, rateCounter(t.n, t.at, healthyValue(def) * t.step, v * t.step))]),
  },
};

/** dataQuality of a streaming pipeline: failed / processed stream records per second over 5m. */
export const STREAM_DATA_QUALITY: Scenario = {
  signals: ["throughput", "streamErrors"],
  maxStep: shortStep,
  value: rateScenario((s, _def, t, v) => [
    synth(s.throughput, rateCounter(t.n, t.at, STREAM_RECORDS * t.step, STREAM_RECORDS * t.step)),
    synth(s.streamErrors, rateCounter(t.n, t.at, 0, v * STREAM_RECORDS * t.step)),
  ]),
};

export function scenarioFor(def: AlertDefinition, type: Pipeline["type"]): Scenario {
  return def.key === "dataQuality" && type === "streaming" ? STREAM_DATA_QUALITY : SCENARIOS[def.key];
}

/** The sample step of an alert's tests: the largest that divides its `for` (so `for` is tested to the step). */
export function stepFor(def: AlertDefinition, scenario: Scenario): number {
  const max = scenario.maxStep(def);
  return STEPS.find((s) => s <= max && (def.forSeconds === 0 || def.forSeconds % s === 0)) ?? 1;
}
