/**
 * The one parser of Datadog's metric-monitor query language (contracts/datadog/README.md, the
 * OpenAPI `query` description and the recorded traffic). Validation checks `datadogQuery`
 * overrides with it, the compile tests check every generated monitor with it, and the Datadog
 * emulator answers 400 for what it rejects:
 *
 *   query       := evaluation ":" expr comparator number
 *   evaluation  := time_aggr "(" window ")" | change_aggr "(" time_aggr "(" window ")" "," window ")"
 *   time_aggr   := avg | sum | max | min          change_aggr := change | pct_change
 *   window      := last_#m (1..10080) | last_#h (1..168) | last_1d | last_1w
 *                | current_1h | current_1d | current_1w | current_1mo | current_1y
 *   expr        := operand (("+" | "-" | "*" | "/") operand)*
 *   operand     := number | "(" expr ")" | function "(" expr ("," argument)* ")" | term
 *   term        := space_aggr ":" metric "{" scope "}" [" by {" key ("," key)* "}"] method*
 *   method      := ".as_count()" | ".as_rate()" | ".rollup(" args ")" | ".fill(" args ")"
 *   space_aggr  := avg | sum | min | max | p50 | p75 | p90 | p95 | p99 (percentiles: see below)
 *   scope       := "*" | tag ("," tag)*
 *   comparator  := > | >= | < | <= | == | !=
 *   number      := an integer or decimal number (no exponent notation)
 *
 * Percentile space aggregations exist only for DISTRIBUTION metrics (a gauge or count has no
 * percentiles), so a percentile is accepted only when `isDistribution(metric)` says so.
 */

export interface ParsedTerm {
  spaceAggregation: string;
  metric: string;
  /** `["*"]` or the tags, e.g. `["pipeline:orders-etl", "status:failed"]`. */
  scope: string[];
  by: string[];
  modifier?: "as_count" | "as_rate";
}

export interface ParsedExpression {
  terms: ParsedTerm[];
  /** Arithmetic operators between operands, in order. */
  arithmetic: string[];
  /** Functions applied (`abs`, `anomalies`, ...), in order of appearance. */
  functions: string[];
}

export interface ParsedQuery extends ParsedExpression {
  /** `avg`, or `change` / `pct_change` for a change evaluation. */
  timeAggregation: string;
  window: string;
  windowSeconds: number;
  comparator: Comparator;
  /** The threshold exactly as written in the query. */
  threshold: string;
}

export type Comparator = ">" | ">=" | "<" | "<=" | "==" | "!=";

/** A query outside the grammar; `offset` is where in the text parsing stopped. */
export class GrammarError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    text: string,
  ) {
    super(`${reason} at ${offset}: ${text.slice(0, offset)}⟨here⟩${text.slice(offset)}`);
  }
}

export interface GrammarOptions {
  isDistribution?: (metric: string) => boolean;
}

const TIME_AGGREGATIONS = ["avg", "sum", "max", "min"];
const CHANGE_AGGREGATIONS = ["change", "pct_change"];
const SPACE_AGGREGATIONS = ["avg", "sum", "min", "max"];
const PERCENTILES = ["p50", "p75", "p90", "p95", "p99"];
/** Datadog's longest metric-monitor window, one week (OpenAPI: last_#m up to 10080). */
export const DATADOG_MAX_WINDOW_SECONDS = 7 * 86400;
/** The Datadog site when neither the config nor DD_SITE names one. */
export const DATADOG_DEFAULT_SITE = "datadoghq.com";
const CURRENT_WINDOWS: Readonly<Record<string, number>> = {
  current_1h: 3600,
  current_1d: 86400,
  current_1w: DATADOG_MAX_WINDOW_SECONDS,
  current_1mo: 30 * 86400,
  current_1y: 365 * 86400,
};
/** Datadog metric names: dot-separated words; at most 200 characters. */
export const DATADOG_METRIC = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;
export const DATADOG_METRIC_MAX_LENGTH = 200;
/** Datadog tags: start with a letter; letters, digits, `_ - : . /`; `*` wildcards and `!` negation in queries. */
const TAG = /^!?[A-Za-z][A-Za-z0-9_\-:./*]*$/;
/** A tag as pipemon writes it into a scope (`key:value`): no wildcard, no negation. */
export const DATADOG_TAG = /^[A-Za-z][A-Za-z0-9_\-:./]*$/;
export const DATADOG_TAG_MAX_LENGTH = 200;
const TAG_KEY = /^[A-Za-z][A-Za-z0-9_\-./]*$/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
/** Functions wrapping an expression (`abs(...)`); the second set takes literal arguments after it. */
const FUNCTIONS = new Set(["abs", "log2", "log10", "cumsum", "integral", "per_second", "per_minute", "per_hour"]);
const FUNCTIONS_WITH_ARGUMENTS = new Set(["anomalies", "outliers", "forecast"]);
const FUNCTION_ARGUMENT = /^\s*,\s*(?:[A-Za-z_]+\s*=\s*)?(?:'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|[A-Za-z_]+)/;
const METHOD = /^\.([a-z_]+)\(([^()]*)\)/;
const METHODS_WITH_ARGUMENTS = new Set(["rollup", "fill"]);

/** Seconds a window covers, or undefined when Datadog has no such window. */
export function windowSeconds(window: string): number | undefined {
  if (window === "last_1d") return 86400;
  if (window === "last_1w") return DATADOG_MAX_WINDOW_SECONDS;
  if (window in CURRENT_WINDOWS) return CURRENT_WINDOWS[window];
  const m = /^last_([1-9]\d*)([mh])$/.exec(window);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === "m") return n <= 10080 ? n * 60 : undefined;
  return n <= 168 ? n * 3600 : undefined;
}

class Parser {
  pos = 0;
  readonly expression: ParsedExpression = { terms: [], arithmetic: [], functions: [] };

  constructor(
    readonly text: string,
    private readonly options: GrammarOptions,
  ) {}

  fail(reason: string): never {
    throw new GrammarError(reason, this.pos, this.text);
  }
  rest(): string {
    return this.text.slice(this.pos);
  }
  skipSpaces(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }
  expect(token: string): void {
    if (!this.rest().startsWith(token)) this.fail(`expected "${token}"`);
    this.pos += token.length;
  }
  word(re: RegExp, what: string): string {
    const m = re.exec(this.rest());
    if (!m) return this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  evaluation(): { timeAggregation: string; window: string; windowSeconds: number } {
    const aggregation = this.word(/^[a-z_]+/, "a time aggregation (avg, sum, min, max)");
    this.expect("(");
    if (CHANGE_AGGREGATIONS.includes(aggregation)) {
      const inner = this.word(/^[a-z_]+/, "a time aggregation");
      if (!TIME_AGGREGATIONS.includes(inner)) this.fail(`unknown time aggregation "${inner}"`);
      this.expect("(");
      const w = this.window();
      this.expect("),");
      this.skipSpaces();
      this.window();
      this.expect(")");
      return { timeAggregation: aggregation, window: w.window, windowSeconds: w.seconds };
    }
    if (!TIME_AGGREGATIONS.includes(aggregation)) this.fail(`unknown time aggregation "${aggregation}"`);
    const w = this.window();
    this.expect(")");
    return { timeAggregation: aggregation, window: w.window, windowSeconds: w.seconds };
  }

  window(): { window: string; seconds: number } {
    const start = this.pos;
    const window = this.word(/^(?:last|current)_[0-9a-z]+/, "a time window like last_5m");
    const seconds = windowSeconds(window);
    if (seconds === undefined) {
      this.pos = start;
      this.fail(`invalid time window "${window}" (last_#m up to 10080, last_#h up to 168, last_1d, last_1w)`);
    }
    return { window, seconds };
  }

  expr(): void {
    this.operand();
    for (;;) {
      const save = this.pos;
      this.skipSpaces();
      const op = this.text[this.pos];
      if (op === "+" || op === "-" || op === "*" || op === "/") {
        this.pos++;
        this.expression.arithmetic.push(op);
        this.operand();
      } else {
        this.pos = save;
        return;
      }
    }
  }

  operand(): void {
    this.skipSpaces();
    const rest = this.rest();
    if (rest.startsWith("(")) {
      this.pos++;
      this.expr();
      this.skipSpaces();
      this.expect(")");
      return;
    }
    if (NUMBER.test(rest) && !/^-?\d+(?:\.\d+)?[A-Za-z_:]/.test(rest)) {
      this.word(NUMBER, "a number");
      return;
    }
    const fn = /^([a-z0-9_]+)\(/.exec(rest);
    if (fn && (FUNCTIONS.has(fn[1]!) || FUNCTIONS_WITH_ARGUMENTS.has(fn[1]!))) {
      this.pos += fn[0].length;
      this.expression.functions.push(fn[1]!);
      this.expr();
      if (FUNCTIONS_WITH_ARGUMENTS.has(fn[1]!)) {
        for (let arg = FUNCTION_ARGUMENT.exec(this.rest()); arg; arg = FUNCTION_ARGUMENT.exec(this.rest())) this.pos += arg[0].length;
      }
      this.skipSpaces();
      this.expect(")");
      return;
    }
    this.expression.terms.push(this.term());
  }

  term(): ParsedTerm {
    const start = this.pos;
    const spaceAggregation = this.word(/^[a-z0-9]+/, "a space aggregation (avg, sum, min, max) or a number");
    this.expect(":");
    const metricStart = this.pos;
    const metric = this.word(/^[^{\s]+/, "a metric name");
    if (!DATADOG_METRIC.test(metric) || metric.length > DATADOG_METRIC_MAX_LENGTH) {
      this.pos = metricStart;
      this.fail(`invalid metric name "${metric}"`);
    }
    const isPercentile = PERCENTILES.includes(spaceAggregation);
    if ((isPercentile && !this.options.isDistribution?.(metric)) || (!isPercentile && !SPACE_AGGREGATIONS.includes(spaceAggregation))) {
      this.pos = start;
      this.fail(isPercentile ? `percentile "${spaceAggregation}" on "${metric}", which is not a distribution metric` : `unknown space aggregation "${spaceAggregation}"`);
    }
    this.expect("{");
    const close = this.text.indexOf("}", this.pos);
    if (close === -1) this.fail("unclosed scope");
    const scopeText = this.text.slice(this.pos, close);
    const scope = scopeText.split(",");
    if (!(scopeText === "*" || scope.every((t) => TAG.test(t) && t.length <= DATADOG_TAG_MAX_LENGTH))) this.fail(`invalid scope "{${scopeText}}"`);
    this.pos = close + 1;
    let by: string[] = [];
    const group = /^\s+by\s*\{/.exec(this.rest());
    if (group) {
      this.pos += group[0].length;
      const end = this.text.indexOf("}", this.pos);
      if (end === -1) this.fail("unclosed by");
      by = this.text.slice(this.pos, end).split(",");
      if (!by.every((k) => TAG_KEY.test(k))) this.fail(`invalid group key in "by {${by.join(",")}}"`);
      this.pos = end + 1;
    }
    const term: ParsedTerm = { spaceAggregation, metric, scope, by };
    for (let m = METHOD.exec(this.rest()); m; m = METHOD.exec(this.rest())) {
      const [whole, name, args] = m as unknown as [string, string, string];
      if (name === "as_count" || name === "as_rate") {
        if (args.trim() !== "" || term.modifier) this.fail(`invalid .${name}()`);
        term.modifier = name;
      } else if (!METHODS_WITH_ARGUMENTS.has(name)) {
        this.fail(`unknown method ".${name}()" (.as_count(), .as_rate(), .rollup(), .fill())`);
      }
      this.pos += whole.length;
    }
    if (this.rest().startsWith(".")) this.fail("unknown method (.as_count(), .as_rate(), .rollup(), .fill())");
    return term;
  }
}

/** A whole monitor query, `avg(last_5m):avg:metric{scope} > 1`. Throws GrammarError. */
export function parseMetricQuery(query: string, options: GrammarOptions = {}): ParsedQuery {
  const parser = new Parser(query, options);
  const evaluation = parser.evaluation();
  parser.expect(":");
  parser.expr();
  if (parser.expression.terms.length === 0) parser.fail("no metric in the query");
  parser.skipSpaces();
  const comparator = parser.word(/^(?:>=|<=|==|!=|>|<)/, "a comparator (>, >=, <, <=, ==, !=)") as Comparator;
  parser.skipSpaces();
  const threshold = parser.word(NUMBER, "a number (no exponent)");
  // Trailing whitespace: Datadog accepted `... > 2\n` in recorded Terraform traffic.
  while (parser.pos < query.length && /\s/.test(query[parser.pos]!)) parser.pos++;
  if (parser.pos !== query.length) parser.fail("unexpected text after the threshold");
  return { ...evaluation, ...parser.expression, comparator, threshold };
}

/**
 * The metric expression alone (`space_aggr:metric{scope}`, arithmetic, functions), as a
 * `datadogQuery` override holds it: pipemon puts the evaluation and the comparison around it.
 * Throws GrammarError with the offset inside the expression.
 */
export function parseMetricExpression(expression: string, options: GrammarOptions = {}): ParsedExpression {
  const parser = new Parser(expression, options);
  parser.expr();
  parser.skipSpaces();
  if (parser.pos !== expression.length) parser.fail("unexpected text after the expression");
  if (parser.expression.terms.length === 0) parser.fail("no metric in the expression");
  return parser.expression;
}
