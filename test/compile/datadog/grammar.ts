/**
 * A parser for Datadog's metric-monitor query grammar (contracts/datadog/README.md and the
 * OpenAPI `query` description):
 *
 *   query      := time_aggr "(" time_window ")" ":" expr comparator number
 *   time_aggr  := avg | sum | max | min
 *   time_window:= last_#m (1..10080) | last_#h (1..168) | last_1d | last_1w
 *   expr       := operand (("+" | "-" | "*" | "/") operand)*
 *   operand    := term | number | "(" expr ")"
 *   term       := space_aggr ":" metric "{" scope "}" [" by {" key ("," key)* "}"] [".as_count()" | ".as_rate()"]
 *   space_aggr := avg | sum | min | max | p50 | p75 | p90 | p95 | p99 (percentiles: see below)
 *   scope      := "*" | tag ("," tag)*
 *   comparator := > | >= | < | <= | == | !=
 *   number     := an integer or decimal number (no exponent notation)
 *
 * Percentile space aggregations: the README lists only avg/sum/min/max, but Datadog documents
 * p50/p75/p90/p95/p99 for DISTRIBUTION metrics (and only for them: a gauge or count has no
 * percentiles). So a percentile is accepted only when `isDistribution(metric)` says the
 * metric is a distribution; pipemon's only distribution is the stream latency signal.
 *
 * Not covered (pipemon never generates them): change/pct_change time aggregations, which use
 * a different shape (`change(avg(last_5m),last_5m):...`), functions such as anomalies().
 */

export interface ParsedTerm {
  spaceAggregation: string;
  metric: string;
  /** `["*"]` or the tags, e.g. `["pipeline:orders-etl", "status:failed"]`. */
  scope: string[];
  by: string[];
  modifier?: "as_count" | "as_rate";
}

export interface ParsedQuery {
  timeAggregation: string;
  window: string;
  windowSeconds: number;
  terms: ParsedTerm[];
  /** Arithmetic operators between operands, in order. */
  arithmetic: string[];
  comparator: string;
  /** The threshold exactly as written in the query. */
  threshold: string;
}

export class GrammarError extends Error {}

const TIME_AGGREGATIONS = ["avg", "sum", "max", "min"];
const SPACE_AGGREGATIONS = ["avg", "sum", "min", "max"];
const PERCENTILES = ["p50", "p75", "p90", "p95", "p99"];
const METRIC = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;
/** Datadog tags: start with a letter; letters, digits, `_ - : . /`; `*` wildcards in queries. */
const TAG = /^!?[A-Za-z][A-Za-z0-9_\-:./*]*$/;
const TAG_KEY = /^[A-Za-z][A-Za-z0-9_\-./]*$/;
const NUMBER = /^-?\d+(?:\.\d+)?/;

export interface GrammarOptions {
  isDistribution?: (metric: string) => boolean;
}

export function parseMetricQuery(query: string, options: GrammarOptions = {}): ParsedQuery {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new GrammarError(`${msg} at ${pos}: ${query.slice(0, pos)}⟨here⟩${query.slice(pos)}`);
  };
  const rest = (): string => query.slice(pos);
  const skipSpaces = (): void => {
    while (query[pos] === " ") pos++;
  };
  const expect = (text: string): void => {
    if (!rest().startsWith(text)) fail(`expected "${text}"`);
    pos += text.length;
  };
  const word = (re: RegExp): string => {
    const m = re.exec(rest());
    if (!m) return fail(`expected ${re}`);
    pos += m[0].length;
    return m[0];
  };

  const timeAggregation = word(/^[a-z_]+/);
  if (!TIME_AGGREGATIONS.includes(timeAggregation)) fail(`unknown time aggregation "${timeAggregation}"`);
  expect("(");
  const window = word(/^last_[0-9a-z]+/);
  const windowSeconds = parseWindow(window) ?? fail(`invalid time window "${window}"`);
  expect("):");

  const terms: ParsedTerm[] = [];
  const arithmetic: string[] = [];

  const parseTerm = (): ParsedTerm => {
    const spaceAggregation = word(/^[a-z0-9]+/);
    expect(":");
    const metric = word(/^[^{\s]+/);
    if (!METRIC.test(metric) || metric.length > 200) fail(`invalid metric name "${metric}"`);
    if (PERCENTILES.includes(spaceAggregation)) {
      if (!options.isDistribution?.(metric)) fail(`percentile "${spaceAggregation}" on "${metric}", which is not a distribution metric`);
    } else if (!SPACE_AGGREGATIONS.includes(spaceAggregation)) {
      fail(`unknown space aggregation "${spaceAggregation}"`);
    }
    expect("{");
    const close = query.indexOf("}", pos);
    if (close === -1) fail("unclosed scope");
    const scopeText = query.slice(pos, close);
    const scope = scopeText.split(",");
    if (!(scopeText === "*" || scope.every((t) => TAG.test(t)))) fail(`invalid scope "{${scopeText}}"`);
    pos = close + 1;
    let by: string[] = [];
    if (rest().startsWith(" by {")) {
      pos += " by {".length;
      const end = query.indexOf("}", pos);
      if (end === -1) fail("unclosed by");
      by = query.slice(pos, end).split(",");
      if (!by.every((k) => TAG_KEY.test(k))) fail(`invalid group key in "by {${by.join(",")}}"`);
      pos = end + 1;
    }
    const term: ParsedTerm = { spaceAggregation, metric, scope, by };
    if (rest().startsWith(".as_count()")) {
      term.modifier = "as_count";
      pos += ".as_count()".length;
    } else if (rest().startsWith(".as_rate()")) {
      term.modifier = "as_rate";
      pos += ".as_rate()".length;
    } else if (rest().startsWith(".")) {
      fail("unknown modifier (only .as_count() and .as_rate())");
    }
    return term;
  };

  const parseOperand = (): void => {
    skipSpaces();
    if (rest().startsWith("(")) {
      pos++;
      parseExpr();
      skipSpaces();
      expect(")");
    } else if (NUMBER.test(rest())) {
      word(NUMBER);
    } else {
      terms.push(parseTerm());
    }
  };

  const parseExpr = (): void => {
    parseOperand();
    for (;;) {
      const save = pos;
      skipSpaces();
      const op = query[pos];
      if (op === "+" || op === "-" || op === "*" || op === "/") {
        pos++;
        arithmetic.push(op);
        parseOperand();
      } else {
        pos = save;
        return;
      }
    }
  };

  parseExpr();
  if (terms.length === 0) fail("no metric in the query");
  skipSpaces();
  const comparator = word(/^(?:>=|<=|==|!=|>|<)/);
  skipSpaces();
  const threshold = word(NUMBER);
  // Trailing whitespace: Datadog accepted `... > 2\n` in recorded Terraform traffic.
  while (pos < query.length && /\s/.test(query[pos]!)) pos++;
  if (pos !== query.length) fail("unexpected text after the threshold");
  return { timeAggregation, window, windowSeconds, terms, arithmetic, comparator, threshold };
}

function parseWindow(window: string): number | undefined {
  if (window === "last_1d") return 86400;
  if (window === "last_1w") return 604800;
  const m = /^last_([1-9]\d*)([mh])$/.exec(window);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === "m") return n <= 10080 ? n * 60 : undefined;
  return n <= 168 ? n * 3600 : undefined;
}
