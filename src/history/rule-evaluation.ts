/**
 * One alerting rule evaluated over history exactly as Prometheus's rule manager evaluates it
 * (prometheus/rules/alerting.go, `AlertingRule.Eval`), given the values of its expression at
 * every evaluation step of the group:
 *
 * - at each step the expression either returns a series (the condition is true for that
 *   alert instance: a filtering comparison drops the others) or does not;
 * - an instance becomes pending at the first true step (`ActiveAt`), and firing at the first
 *   step where `t - ActiveAt >= for` (with `for: 0s`, at that same step);
 * - the first false step ends it: a pending alert is dropped, a firing one is resolved at
 *   that step (`ResolvedAt`); a later true step starts a new alert from pending.
 * - instances are told apart by their labels without `__name__` (alerts drop the metric name).
 * pipemon sets no `keep_firing_for`, so a resolution is never delayed.
 *
 * Pure: no I/O. Times are unix seconds.
 */
import { sampleValue, type MatrixSeries } from "../lib/prometheus-matrix.js";

/** The evaluation steps: `start + i * step` for i in [0, count). */
export interface EvaluationGrid {
  start: number;
  step: number;
  count: number;
}

/** A firing period: from the step it started firing to the step it resolved (null: still firing). */
export interface Episode {
  start: number;
  end: number | null;
}

/** What turns the expression's value into the rule's condition: `(value) > threshold`. */
export interface RuleCondition {
  comparator: ">" | "<";
  threshold: number;
  forSeconds: number;
}

export interface InstanceEpisodes {
  /** The alert instance's labels from the expression (without `__name__`). */
  labels: Record<string, string>;
  episodes: Episode[];
}

function instanceKey(metric: Readonly<Record<string, string>>): { key: string; labels: Record<string, string> } {
  const labels = Object.fromEntries(Object.entries(metric).filter(([k]) => k !== "__name__").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { key: JSON.stringify(labels), labels };
}

/**
 * The steps at which each instance's condition held. `series` holds the values of the rule's
 * value expression (before the comparison) or of the whole rule expression (already
 * filtered): either way a step is true when a sample is there and passes the comparison.
 */
function trueSteps(series: readonly MatrixSeries[], condition: RuleCondition, grid: EvaluationGrid): Map<string, { labels: Record<string, string>; steps: Set<number> }> {
  const out = new Map<string, { labels: Record<string, string>; steps: Set<number> }>();
  const holds = condition.comparator === ">" ? (v: number) => v > condition.threshold : (v: number) => v < condition.threshold;
  for (const s of series) {
    const { key, labels } = instanceKey(s.metric);
    let entry = out.get(key);
    if (!entry) out.set(key, (entry = { labels, steps: new Set() }));
    for (const [t, text] of s.values) {
      const i = Math.round((t - grid.start) / grid.step);
      if (i < 0 || i >= grid.count || grid.start + i * grid.step !== t) continue;
      // NaN compares false in PromQL as in JS: the comparison filters it out.
      if (holds(sampleValue(text))) entry.steps.add(i);
    }
  }
  return out;
}

/** Prometheus's pending → firing → resolved walk over one instance's true steps. */
export function walkSteps(steps: ReadonlySet<number>, forSeconds: number, grid: EvaluationGrid): Episode[] {
  const episodes: Episode[] = [];
  let activeAt: number | undefined;
  let firingAt: number | undefined;
  for (let i = 0; i < grid.count; i++) {
    const t = grid.start + i * grid.step;
    if (steps.has(i)) {
      activeAt ??= t;
      if (firingAt === undefined && t - activeAt >= forSeconds) firingAt = t;
    } else {
      if (firingAt !== undefined) episodes.push({ start: firingAt, end: t });
      activeAt = undefined;
      firingAt = undefined;
    }
  }
  if (firingAt !== undefined) episodes.push({ start: firingAt, end: null });
  return episodes;
}

/** Every instance of one rule with its firing episodes over the grid (instances that never fired included, with none). */
export function evaluateRule(series: readonly MatrixSeries[], condition: RuleCondition, grid: EvaluationGrid): InstanceEpisodes[] {
  return [...trueSteps(series, condition, grid).values()].map(({ labels, steps }) => ({ labels, episodes: walkSteps(steps, condition.forSeconds, grid) }));
}

/**
 * Episodes of several instances (or levels) as one timeline of paging: overlapping or
 * touching periods merge; an open episode swallows every later one.
 */
export function unionEpisodes(episodes: readonly Episode[]): Episode[] {
  const sorted = [...episodes].sort((a, b) => a.start - b.start);
  const out: Episode[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && (last.end === null || e.start <= last.end)) {
      if (last.end !== null) last.end = e.end === null ? null : Math.max(last.end, e.end);
    } else {
      out.push({ ...e });
    }
  }
  return out;
}

/**
 * Episodes seen from [since, until]: those over before `since` dropped, one already firing at
 * `since` starts there (its pending period ran in the warm-up before it).
 */
export function clipEpisodes(episodes: readonly Episode[], since: number): Episode[] {
  return episodes.filter((e) => e.end === null || e.end > since).map((e) => ({ start: Math.max(e.start, since), end: e.end }));
}

/** Seconds spent firing in the period (an open episode counts until `until`). */
export function firingSeconds(episodes: readonly Episode[], until: number): number {
  return episodes.reduce((sum, e) => sum + Math.max(0, (e.end ?? until) - e.start), 0);
}
