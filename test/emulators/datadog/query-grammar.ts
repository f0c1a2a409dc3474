/**
 * The monitor query grammars the emulator checks, so that an invalid query gets the 400
 * Datadog gives instead of being stored.
 *
 * Metric monitors ("metric alert" / "query alert") get a real parser for the grammar in the
 * contract README: `time_aggr(time_window):space_aggr:metric{scope} [by {keys}] operator number`,
 * with arithmetic between metric queries and `.as_count()` / `.as_rate()` (and the other
 * methods seen in the recordings: `.rollup(...)`, `.fill(...)`), plus the `change(...)` /
 * `pct_change(...)` forms the Terraform recordings use.
 *
 * Other monitor kinds (log, APM, CI, ...) are not parsed: only their trailing comparison is
 * checked, which is what produces Datadog's recorded "invalid operator specified" answer.
 * Composite monitors are boolean expressions over monitor ids.
 */

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

const TIME_AGGREGATORS = new Set(["avg", "sum", "max", "min"]);
const CHANGE_AGGREGATORS = new Set(["change", "pct_change"]);
/** Space aggregators: the four of the README, plus percentiles of distribution metrics (pipemon uses p95). */
const SPACE_AGGREGATOR = /^(avg|sum|min|max|p(50|75|90|95|99))$/;
const TIME_WINDOW = /^(last_\d+(m|h|d|w|mo)|current_1?(h|d|w|mo|y))$/;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.]*$/;
const SCOPE_TAG = /^!?[A-Za-z0-9_.:/\-*@]+$/;
const GROUP_KEY = /^[A-Za-z0-9_.:/\-@]+$/;
const METHODS = new Set(["as_count", "as_rate", "rollup", "fill"]);
/** Functions that wrap a metric expression, e.g. `abs(avg:x{*})`. */
const FUNCTIONS = new Set(["abs", "log2", "log10", "cumsum", "integral", "per_second", "per_minute", "per_hour"]);
/** Functions that take literal arguments after the expression, e.g. `anomalies(avg:x{*}, 'basic', 2, direction='both')`. */
const FUNCTIONS_WITH_ARGUMENTS = new Set(["anomalies", "outliers", "forecast"]);
const FUNCTION_ARGUMENT = /^\s*,\s*([A-Za-z_]+\s*=\s*)?('[^']*'|"[^"]*"|-?\d+(\.\d+)?|[A-Za-z_]+)/;
const COMPARISON = /\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;

/** Splits `... > 2` into the expression and its comparison, if the query ends with one. */
export function splitComparison(query: string): { expression: string; operator: ComparisonOperator; threshold: number } | undefined {
  const m = COMPARISON.exec(query);
  if (!m) return undefined;
  return { expression: query.slice(0, m.index), operator: m[1] as ComparisonOperator, threshold: Number(m[2]) };
}

export function parseMetricQuery(query: string): QueryCheck<ParsedMetricQuery> {
  const fail = { ok: false as const, error: INVALID_QUERY };
  const comparison = splitComparison(query.trim());
  if (!comparison) return fail;
  const colon = findEvaluationColon(comparison.expression);
  if (colon < 0) return fail;
  const evaluation = parseEvaluation(comparison.expression.slice(0, colon).trim());
  if (!evaluation) return fail;
  const parser = new ExpressionParser(comparison.expression.slice(colon + 1));
  if (!parser.parseExpression() || !parser.atEnd() || parser.metrics.length === 0) return fail;
  return {
    ok: true,
    value: {
      operator: comparison.operator,
      threshold: comparison.threshold,
      multi: parser.grouped,
      timeAggregator: evaluation.aggregator,
      timeWindow: evaluation.window,
      metrics: parser.metrics,
      scopeTags: parser.scopeTags,
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

/** The colon ending the `time_aggr(window)` part: the first one outside parentheses. */
function findEvaluationColon(expression: string): number {
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === ":" && depth === 0) return i;
  }
  return -1;
}

/** `avg(last_5m)`, `change(min(last_1m),last_5m)`, `pct_change(avg(last_5m),last_1h)`. */
function parseEvaluation(text: string): { aggregator: string; window: string } | undefined {
  const simple = /^([a-z_]+)\(([a-z0-9_]+)\)$/.exec(text);
  if (simple && TIME_AGGREGATORS.has(simple[1]!) && TIME_WINDOW.test(simple[2]!)) {
    return { aggregator: simple[1]!, window: simple[2]! };
  }
  const change = /^([a-z_]+)\(([a-z]+)\(([a-z0-9_]+)\)\s*,\s*([a-z0-9_]+)\)$/.exec(text);
  if (change && CHANGE_AGGREGATORS.has(change[1]!) && TIME_AGGREGATORS.has(change[2]!) && TIME_WINDOW.test(change[3]!) && TIME_WINDOW.test(change[4]!)) {
    return { aggregator: change[1]!, window: change[3]! };
  }
  return undefined;
}

/**
 * Recursive descent over the metric expression:
 *   expr   := term (('+'|'-'|'*'|'/') term)*
 *   term   := number | '(' expr ')' | function '(' expr ')' | metric
 *   metric := space_aggr ':' name '{' scope '}' [by '{' keys '}'] ('.' method '(' args ')')*
 */
class ExpressionParser {
  private pos = 0;
  readonly metrics: string[] = [];
  readonly scopeTags: string[] = [];
  grouped = false;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    this.skipSpaces();
    return this.pos === this.text.length;
  }

  parseExpression(): boolean {
    if (!this.parseTerm()) return false;
    for (;;) {
      this.skipSpaces();
      const c = this.text[this.pos];
      if (c !== "+" && c !== "-" && c !== "*" && c !== "/") return true;
      this.pos++;
      if (!this.parseTerm()) return false;
    }
  }

  private parseTerm(): boolean {
    this.skipSpaces();
    const rest = this.text.slice(this.pos);
    const number = /^\d+(\.\d+)?/.exec(rest);
    if (number && !/^\d+(\.\d+)?[A-Za-z_:]/.test(rest)) {
      this.pos += number[0].length;
      return true;
    }
    if (rest.startsWith("(")) {
      this.pos++;
      if (!this.parseExpression()) return false;
      return this.expect(")");
    }
    const fn = /^([a-z0-9_]+)\(/.exec(rest);
    if (fn && (FUNCTIONS.has(fn[1]!) || FUNCTIONS_WITH_ARGUMENTS.has(fn[1]!))) {
      this.pos += fn[0].length;
      if (!this.parseExpression()) return false;
      if (FUNCTIONS_WITH_ARGUMENTS.has(fn[1]!)) {
        for (let arg = FUNCTION_ARGUMENT.exec(this.text.slice(this.pos)); arg; arg = FUNCTION_ARGUMENT.exec(this.text.slice(this.pos))) {
          this.pos += arg[0].length;
        }
      }
      return this.expect(")");
    }
    return this.parseMetric();
  }

  private parseMetric(): boolean {
    const rest = this.text.slice(this.pos);
    const head = /^([a-z0-9]+):([^{\s]+)\{([^}]*)\}/.exec(rest);
    if (!head || !SPACE_AGGREGATOR.test(head[1]!) || !METRIC_NAME.test(head[2]!)) return false;
    const scope = head[3]!.trim();
    if (scope === "") return false;
    if (scope !== "*") {
      for (const tag of scope.split(",").map((t) => t.trim())) {
        if (!SCOPE_TAG.test(tag)) return false;
        this.scopeTags.push(tag);
      }
    }
    this.metrics.push(head[2]!);
    this.pos += head[0].length;
    if (!this.parseGroupBy()) return false;
    return this.parseMethods();
  }

  private parseGroupBy(): boolean {
    const by = /^\s+by\s*\{([^}]*)\}/.exec(this.text.slice(this.pos));
    if (!by) return true;
    const keys = by[1]!.split(",").map((k) => k.trim());
    if (keys.some((k) => !GROUP_KEY.test(k))) return false;
    this.grouped = true;
    this.pos += by[0].length;
    return true;
  }

  private parseMethods(): boolean {
    for (;;) {
      const method = /^\.([a-z_]+)\(([^()]*)\)/.exec(this.text.slice(this.pos));
      if (!method) return true;
      if (!METHODS.has(method[1]!)) return false;
      if ((method[1] === "as_count" || method[1] === "as_rate") && method[2]!.trim() !== "") return false;
      this.pos += method[0].length;
    }
  }

  private expect(c: string): boolean {
    this.skipSpaces();
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
}
