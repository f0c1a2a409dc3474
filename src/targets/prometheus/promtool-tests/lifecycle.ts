/**
 * Lifecycle scenarios (DESIGN §8): a job's real life rather than a value held at a level.
 * Each is a short history of series and what the alert must do at chosen moments:
 *
 * - pipelineFailed, for a job that emits the last-failure time and for one that emits only
 *   the run counters: the first failure pages although its counter series is born with it
 *   (value 1, no earlier sample); a successful retry resolves it at once (counters alone: once
 *   the failure has left the schedule window, as documented); a rerun that fails again keeps
 *   it firing.
 * - lowThroughput: a stream that stops reporting (a stale marker, as Prometheus writes when
 *   a target or series goes away) fires after the pending period.
 * - dataQuality: a spike of the ratio that lasts one step less than the pending period is
 *   silent.
 * (A pipeline that never reported is the `absent` case of every alert: only stale fires.)
 *
 * A check says whether the alert fires at a moment and with which value; the caller turns
 * the value into the levels that fire and the expected annotations.
 */
import { formatDuration } from "../../../lib/duration.js";
import type { AlertKey, Pipeline, PipelineType } from "../../../model/types.js";
import { STREAM_RATE_WINDOW_SECONDS } from "../../../compile/promql.js";
import type { AlertDefinition } from "../../../compile/alert-definitions.js";
import { healthyValue, ratioRecords, type SignalSet } from "./scenarios.js";
import { seriesName, type Samples, type Synthetic } from "./series.js";

export interface LifecycleCheck {
  /** Seconds after the test start. */
  at: number;
  /** Whether the alert fires then (every level the value crosses), or nothing does. */
  firing: boolean;
  /** The expression's value then (what the annotations render when firing). */
  value: number;
}

export interface LifecycleCase {
  /** Short, unique within the alert: it ends the promtool group's name. */
  scenario: string;
  title: string;
  series: Synthetic[];
  checks: LifecycleCheck[];
  /** Seconds between samples when not the alert's step (a multiple of it). */
  step?: number;
}

export interface LifecycleResult {
  cases: LifecycleCase[];
  /** Scenarios that cannot hold for this definition, with why. */
  skipped: { scenario: string; reason: string }[];
}

type Builder = (p: Pipeline, def: AlertDefinition, step: number) => LifecycleResult;

/** A sample per step up to the last check, from a function of the step index. */
function samples(n: number, at: (i: number) => number | undefined | "stale"): Samples {
  return Array.from({ length: n }, (_, i) => at(i));
}

const RATE = STREAM_RATE_WINDOW_SECONDS;

/** What a job reports about its runs; `gauge` jobs also report the last-failure time. */
type Reporting = "gauge" | "counters";
const REPORTING: readonly Reporting[] = ["gauge", "counters"];
const WHO: Readonly<Record<Reporting, string>> = {
  gauge: "a job that reports its last-failure time",
  counters: "a job that reports only the run counters",
};

/**
 * Runs of a batch job in promtool series. Times are seconds after the test start; the test
 * starts right after a successful run (success counter 1, last success at 0). A failure at
 * `t` is `failures` = [t, ...]: the failed counter series is born at the first (value 1, no
 * earlier sample), as a client library that creates a labelled counter on first use does.
 */
function runSeries(s: SignalSet, reporting: Reporting, step: number, n: number, failures: readonly number[], successes: readonly number[]): Synthetic[] {
  const idx = (t: number): number => t / step;
  const countAt = (events: readonly number[], i: number): number => events.filter((t) => idx(t) <= i).length;
  const lastAt = (events: readonly number[], i: number): number | undefined => {
    const past = events.filter((t) => idx(t) <= i);
    return past.length > 0 ? past[past.length - 1] : undefined;
  };
  const out: Synthetic[] = [
    { series: seriesName(s.runs, { status: "failed" }), samples: samples(n, (i) => (countAt(failures, i) > 0 ? countAt(failures, i) : undefined)) },
    { series: seriesName(s.runs, { status: "success" }), samples: samples(n, (i) => 1 + countAt(successes, i)) },
  ];
  if (reporting === "gauge") {
    out.push(
      { series: seriesName(s.lastFailure), samples: samples(n, (i) => lastAt(failures, i)) },
      { series: seriesName(s.lastSuccess), samples: samples(n, (i) => lastAt(successes, i) ?? 0) },
    );
  }
  return out;
}

/**
 * promtool 2.42 stops a 1w window at 1m steps (10,080 samples per range) with "query processing
 * would load too many samples into memory"; a window here holds at most this many samples.
 */
const MAX_WINDOW_SAMPLES = 1000;
const COARSE_STEPS = [60, 120, 300, 600, 900, 1800, 3600];

/**
 * Sample spacing for a history that spans a whole window: the alert's step, or a coarser one
 * (dividing the window) when the window would hold too many samples. Only without `for`:
 * between sparse samples a series is absent, which would restart a pending period.
 */
function spanStep(step: number, W: number, f: number): number {
  if (W / step <= MAX_WINDOW_SAMPLES || f > 0) return step;
  return COARSE_STEPS.find((s) => s % step === 0 && W % s === 0 && W / s <= MAX_WINDOW_SAMPLES) ?? step;
}

const pipelineFailed: Builder = (p, def, alertStep) => {
  const out: LifecycleResult = { cases: [], skipped: [] };
  const W = def.windowSeconds;
  const f = def.forSeconds;
  const win = formatDuration(W);
  const step = spanStep(alertStep, W, f);
  if (W / step > MAX_WINDOW_SAMPLES) {
    out.skipped.push({ scenario: "all", reason: `a ${win} window at ${step}s steps holds more samples than promtool loads in one query` });
    return out;
  }
  if (W % step !== 0 || f % step !== 0) {
    out.skipped.push({ scenario: "all", reason: `the ${win} window or the ${formatDuration(f)} pending period is not a whole number of ${step}s steps` });
    return out;
  }
  const t1 = 2 * step;
  const fireAt = t1 + f;
  const t2 = fireAt + step;
  const n = (last: number): number => last / step + 1;
  for (const reporting of REPORTING) {
    const who = WHO[reporting];
    // Counters alone: a failure counts while it is in the window, so the checks must fit in it.
    if (reporting === "counters" && f + 2 * step > W) {
      out.skipped.push({ scenario: `${reporting}`, reason: `for ${formatDuration(f)} does not fit in the ${win} window a failure is counted over` });
      continue;
    }
    const firstChecks: LifecycleCheck[] = [
      { at: t1 - step, firing: false, value: 0 },
      ...(f > 0 ? [{ at: fireAt - step, firing: false, value: 1 }] : []),
      { at: fireAt, firing: true, value: 1 },
    ];
    out.cases.push({
      scenario: `first-failure ${reporting}`,
      title: `${who}: the first failure pages although its counter series is born with it (value 1)`,
      series: runSeries(p.signals, reporting, step, n(fireAt), [t1], []),
      checks: firstChecks,
    });
    if (reporting === "gauge") {
      out.cases.push({
        scenario: `retry-succeeds ${reporting}`,
        title: `${who}: a successful retry resolves it at once${t2 < t1 + W ? `, inside the ${win} window` : ""}`,
        series: runSeries(p.signals, reporting, step, n(t2), [t1], [t2]),
        checks: [{ at: fireAt, firing: true, value: 1 }, { at: t2 - step, firing: true, value: 1 }, { at: t2, firing: false, value: 0 }],
      });
      out.cases.push({
        scenario: `rerun-fails ${reporting}`,
        title: `${who}: a rerun that fails again keeps it firing, past the ${win} window, until a run succeeds`,
        series: runSeries(p.signals, reporting, step, n(t2 + W), [t1, t2], []),
        checks: [{ at: t2, firing: true, value: 1 }, { at: t2 + W, firing: true, value: 1 }],
      });
    } else {
      out.cases.push({
        scenario: `retry-succeeds ${reporting}`,
        title: `${who}: a successful retry does not resolve it; it resolves when the failed run leaves the ${win} window`,
        series: runSeries(p.signals, reporting, step, n(t1 + W), [t1], [t2]),
        checks: [{ at: t2, firing: true, value: 1 }, { at: t1 + W - step, firing: true, value: 1 }, { at: t1 + W, firing: false, value: 0 }],
      });
      out.cases.push({
        scenario: `rerun-fails ${reporting}`,
        title: `${who}: a rerun that fails again keeps it firing (both failures counted) until it too leaves the ${win} window`,
        series: runSeries(p.signals, reporting, step, n(t2 + W), [t1, t2], []),
        checks: [{ at: t2, firing: true, value: 2 }, { at: t2 + W - step, firing: true, value: 1 }, { at: t2 + W, firing: false, value: 0 }],
      });
    }
  }
  for (const c of out.cases) c.step = step;
  return out;
};

/** The ratio is above every level for one step less than the pending period, then diluted below them. */
const batchRatioSpike: Builder = (p, def, step) => {
  const f = def.forSeconds;
  const W = def.windowSeconds;
  if (f < step) return { cases: [], skipped: [{ scenario: "spike", reason: "no pending period (the spec sets for: 0): one evaluation fires it by choice" }] };
  if (f + step > W) return { cases: [], skipped: [{ scenario: "spike", reason: `for ${formatDuration(f)} does not fit in the ${formatDuration(W)} window the ratio is counted over` }] };
  const lowest = Math.min(...def.levels.map((l) => l.threshold));
  const highest = Math.max(...def.levels.map((l) => l.threshold));
  const processed = ratioRecords(lowest);
  const failed = Math.min(processed, Math.floor(highest * processed) + 1);
  if (failed / processed <= highest) return { cases: [], skipped: [{ scenario: "spike", reason: "no share of records is above the critical level" }] };
  // A good run with enough records to bring the ratio under half the lowest level.
  const diluting = Math.ceil((2 * failed) / lowest);
  const t1 = 2 * step;
  const t2 = t1 + f;
  const n = t2 / step + 1;
  const i1 = t1 / step;
  const i2 = t2 / step;
  return {
    cases: [{
      scenario: "spike",
      title: `a failed-records ratio above every level for ${formatDuration(f - step)} (one step less than for ${formatDuration(f)}), then diluted by a good run: silent`,
      series: [
        { series: seriesName(p.signals.recordsProcessed), samples: samples(n, (i) => (i < i1 ? 0 : i < i2 ? processed : processed + diluting)) },
        { series: seriesName(p.signals.recordsFailed), samples: samples(n, (i) => (i < i1 ? 0 : failed)) },
      ],
      checks: [t1, t2 - step, t2].map((at) => ({ at, firing: false, value: 0 })),
    }],
    skipped: [],
  };
};

/** Errors of one step: the 5m rate ratio stays above every level for 5m less one step. */
const streamRatioSpike: Builder = (p, def, step) => {
  const f = def.forSeconds;
  if (f < RATE || RATE % step !== 0) {
    return { cases: [], skipped: [{ scenario: "spike", reason: `for ${formatDuration(f)} is shorter than the ${formatDuration(RATE)} rate window: a one-step burst stays in the ratio longer than that` }] };
  }
  const perSecond = 1000;
  const highest = Math.max(...def.levels.map((l) => l.threshold));
  const burst = Math.ceil(highest * perSecond * RATE * 2) + 1;
  const tj = RATE + 2 * step;
  const last = tj + RATE;
  const n = last / step + 1;
  const ij = tj / step;
  return {
    cases: [{
      scenario: "spike",
      title: `a one-step burst of failed records keeps the ${formatDuration(RATE)} error ratio above every level for ${formatDuration(RATE - step)}, less than for ${formatDuration(f)}: silent`,
      series: [
        { series: seriesName(p.signals.throughput), samples: samples(n, (i) => i * perSecond * step) },
        { series: seriesName(p.signals.streamErrors), samples: samples(n, (i) => (i < ij ? 0 : burst)) },
      ],
      checks: [tj, last - step, last].map((at) => ({ at, firing: false, value: 0 })),
    }],
    skipped: [],
  };
};

/** A healthy stream whose series goes away (stale marker): 0/s after the pending period. */
const deadStream: Builder = (p, def, step) => {
  const f = def.forSeconds;
  if (f % step !== 0) return { cases: [], skipped: [{ scenario: "dead-stream", reason: `for ${formatDuration(f)} is not a whole number of ${step}s steps` }] };
  const perStep = healthyValue(def) * step;
  const td = RATE + 2 * step;
  const id = td / step;
  const last = td + f;
  const n = last / step + 1;
  return {
    cases: [{
      scenario: "dead-stream",
      title: `a healthy stream that stops reporting (stale series) reads 0/s and fires${f > 0 ? ` once for ${formatDuration(f)} has elapsed, not a step before` : " at once"}`,
      series: [{ series: seriesName(p.signals.throughput), samples: samples(n, (i) => (i < id ? i * perStep : i === id ? "stale" : undefined)) }],
      checks: [
        { at: td - step, firing: false, value: healthyValue(def) },
        ...(f > 0 ? [{ at: last - step, firing: false, value: 0 }] : []),
        { at: last, firing: true, value: 0 },
      ],
    }],
    skipped: [],
  };
};

/** The lifecycle scenarios of each alert, per pipeline type. */
const BUILDERS: Readonly<Partial<Record<AlertKey, Readonly<Partial<Record<PipelineType, Builder>>>>>> = {
  pipelineFailed: { batch: pipelineFailed },
  lowThroughput: { streaming: deadStream },
  dataQuality: { batch: batchRatioSpike, streaming: streamRatioSpike },
};

/** The lifecycle cases of an alert on a pipeline (none for alerts without a scenario). */
export function lifecycleCases(p: Pipeline, def: AlertDefinition, step: number): LifecycleResult {
  const build = BUILDERS[def.key]?.[p.type];
  return build ? build(p, def, step) : { cases: [], skipped: [] };
}
