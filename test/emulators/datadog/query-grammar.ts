/**
 * The monitor query checks of the emulator, so that an invalid query gets the 400 Datadog
 * gives instead of being stored.
 *
 * Metric monitors ("metric alert" / "query alert") are parsed by pipemon's one Datadog
 * grammar (src/lib/datadog-query.ts), the parser validation and the compile tests use too.
 *
 * Other monitor kinds (log, APM, CI, ...) are not parsed: only their trailing comparison is
 * checked, which is what produces Datadog's recorded "invalid operator specified" answer.
 * Composite monitors are boolean expressions over monitor ids.
 */
import { GrammarError, parseMetricQuery as parseDatadogQuery, type ParsedQuery } from "../../../src/lib/datadog-query.js";

export type ComparisonOperator = ">" | ">=" | "<" | "<=" | "==" | "!=";

export interface ParsedComparison {
  operator: ComparisonOperator;
  /** The number the query compares against (the alert threshold). */
  threshold: number;
  /** True when the query groups (`by {...}` or `.by(...)`): a multi-alert monitor. */
  multi: boolean;
}

export interface ParsedMetricQuery extends ParsedComparison {
  timeAggregator: string;
  timeWindow: string;
  metrics: string[];
  /** Tags of the `{...}` scopes, `*` excluded, in order of appearance. */
  scopeTags: string[];
}

export type QueryCheck<T> = { ok: true; value: T } | { ok: false; error: string };

export const INVALID_QUERY = "The value provided for parameter 'query' is invalid";

const COMPARISON = /\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;

/** Splits `... > 2` into the expression and its comparison, if the query ends with one. */
export function splitComparison(query: string): { expression: string; operator: ComparisonOperator; threshold: number } | undefined {
  const m = COMPARISON.exec(query);
  if (!m) return undefined;
  return { expression: query.slice(0, m.index), operator: m[1] as ComparisonOperator, threshold: Number(m[2]) };
}

export function parseMetricQuery(query: string): QueryCheck<ParsedMetricQuery> {
  let parsed: ParsedQuery;
  try {
    // The emulator does not know metric types: Datadog would accept a percentile on a distribution.
    parsed = parseDatadogQuery(query.trim(), { isDistribution: () => true });
  } catch (e) {
    if (e instanceof GrammarError) return { ok: false, error: INVALID_QUERY };
    throw e;
  }
  return {
    ok: true,
    value: {
      operator: parsed.comparator,
      threshold: Number(parsed.threshold),
      multi: parsed.terms.some((t) => t.by.length > 0),
      timeAggregator: parsed.timeAggregation,
      timeWindow: parsed.window,
      metrics: parsed.terms.map((t) => t.metric),
      scopeTags: parsed.terms.flatMap((t) => t.scope.filter((tag) => tag !== "*")),
    },
  };
}

/** Lenient check for the monitor kinds whose grammar is not implemented: a trailing comparison. */
export function parseOtherQuery(query: string): QueryCheck<ParsedComparison> {
  const comparison = splitComparison(query);
  if (!comparison) {
    // Datadog names the operator it found; with no comparison at all it names nothing.
    return { ok: false, error: `${INVALID_QUERY}: invalid operator specified: ` };
  }
  const multi = /\.by\(|\bby\s*\{/.test(comparison.expression);
  return { ok: true, value: { operator: comparison.operator, threshold: comparison.threshold, multi } };
}

/** A composite query: monitor ids joined by `&&`, `||`, `!` and parentheses. Returns the ids. */
export function parseCompositeQuery(query: string): QueryCheck<number[]> {
  const tokens = query.match(/\d+|&&|\|\||!|\(|\)|\S/g) ?? [];
  const ids: number[] = [];
  let expectOperand = true;
  let depth = 0;
  for (const token of tokens) {
    if (/^\d+$/.test(token)) {
      if (!expectOperand) return { ok: false, error: INVALID_QUERY };
      ids.push(Number(token));
      expectOperand = false;
    } else if (token === "!" || token === "(") {
      if (!expectOperand) return { ok: false, error: INVALID_QUERY };
      if (token === "(") depth++;
    } else if (token === ")") {
      if (expectOperand || --depth < 0) return { ok: false, error: INVALID_QUERY };
    } else if (token === "&&" || token === "||") {
      if (expectOperand) return { ok: false, error: INVALID_QUERY };
      expectOperand = true;
    } else {
      return { ok: false, error: INVALID_QUERY };
    }
  }
  if (expectOperand || depth !== 0 || ids.length === 0) return { ok: false, error: INVALID_QUERY };
  return { ok: true, value: ids };
}
