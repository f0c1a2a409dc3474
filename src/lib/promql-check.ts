/**
 * Checks a PromQL expression with Prometheus's own grammar (@prometheus-io/lezer-promql, the
 * parser behind the Prometheus UI), then the few type rules an alert value depends on: the
 * grammar alone accepts `rate(x)` and `x[5m]`, which Prometheus refuses in a rule.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";

export interface PromqlProblem {
  /** Offset in the expression where the problem starts. */
  offset: number;
  message: string;
}

type ValueType = "vector" | "scalar" | "matrix" | "string";

/** Functions taking a range vector (`rate(x[5m])`), as the first argument unless RANGE_ARGUMENT says otherwise. */
const RANGE_FUNCTIONS = new Set([
  "Rate", "Irate", "Increase", "Delta", "Idelta", "Deriv", "PredictLinear", "Changes", "Resets",
  "HoltWinters", "DoubleExponentialSmoothing", "AbsentOverTime", "PresentOverTime",
  "AvgOverTime", "MinOverTime", "MaxOverTime", "SumOverTime", "CountOverTime", "QuantileOverTime",
  "StddevOverTime", "StdvarOverTime", "LastOverTime", "MadOverTime", "TsOfMaxOverTime", "TsOfMinOverTime", "TsOfLastOverTime",
  "FirstOverTime", "TsOfFirstOverTime",
]);
const RANGE_ARGUMENT: Readonly<Record<string, number>> = { QuantileOverTime: 1 };
/** Functions returning a scalar. */
const SCALAR_FUNCTIONS = new Set(["Scalar", "Time", "Pi"]);
/** Functions that also take string arguments (label names and the like). */
const STRING_ARGUMENT_FUNCTIONS = new Set(["LabelReplace", "LabelJoin", "SortByLabel", "SortByLabelDesc", "CountValues", "Info"]);

/** Argument counts [min, max] (Prometheus's functions.go); one argument when not listed. */
const ARITY: Readonly<Record<string, readonly [number, number]>> = {
  clamp: [3, 3], clamp_max: [2, 2], clamp_min: [2, 2], histogram_fraction: [3, 3], histogram_quantile: [2, 2],
  double_exponential_smoothing: [3, 3], holt_winters: [3, 3], label_replace: [5, 5], label_join: [3, Infinity],
  predict_linear: [2, 2], quantile_over_time: [2, 2], round: [1, 2], sort_by_label: [1, Infinity], sort_by_label_desc: [1, Infinity],
  pi: [0, 0], time: [0, 0], info: [1, 2],
  day_of_month: [0, 1], day_of_week: [0, 1], day_of_year: [0, 1], days_in_month: [0, 1], hour: [0, 1], minute: [0, 1], month: [0, 1], year: [0, 1],
  // Aggregations: the parameter, then the vector.
  topk: [2, 2], bottomk: [2, 2], quantile: [2, 2], count_values: [2, 2], limitk: [2, 2], limit_ratio: [2, 2],
};

function checkArity(name: string, count: number, node: SyntaxNode): void {
  const [min, max] = ARITY[name] ?? [1, 1];
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new TypeProblem(node.from, `${name}() takes ${expected} argument${expected === "1" ? "" : "s"}, not ${count}`);
  }
}

const NAMES: Record<ValueType, string> = { vector: "an instant vector", scalar: "a scalar", matrix: "a range vector", string: "a string" };

class TypeProblem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first problem of `expression` as an alert value (an instant vector or a scalar), or undefined. */
export function checkPromql(expression: string): PromqlProblem | undefined {
  const tree = parser.parse(expression);
  let syntax: PromqlProblem | undefined;
  tree.iterate({
    enter: (node) => {
      if (syntax) return false;
      if (node.type.isError) {
        const near = expression.slice(node.from, node.from + 20);
        syntax = { offset: node.from, message: near ? `syntax error near '${near}'` : "unexpected end of the expression" };
      } else if (node.name === "LineComment") {
        // pipemon wraps the value, `(value) > 5`: a comment would swallow the rest.
        syntax = { offset: node.from, message: "a '#' comment is not allowed in an override" };
      }
      return undefined;
    },
  });
  if (syntax) return syntax;
  const top = tree.topNode.firstChild;
  if (!top) return { offset: 0, message: "empty expression" };
  try {
    const type = typeOf(top, expression);
    if (type === "matrix" || type === "string") {
      return { offset: top.from, message: `the value is ${NAMES[type]}; an alert compares an instant vector (e.g. max(...), rate(x[5m]))` };
    }
  } catch (e) {
    if (e instanceof TypeProblem) return { offset: e.offset, message: e.message };
    throw e;
  }
  return undefined;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const EXPRESSIONS = new Set([
  "AggregateExpr", "BinaryExpr", "FunctionCall", "MatrixSelector", "NumberDurationLiteral", "OffsetExpr", "ParenExpr",
  "StringLiteral", "SubqueryExpr", "UnaryExpr", "VectorSelector", "StepInvariantExpr",
]);
const SELECTORS = new Set(["VectorSelector", "MatrixSelector", "SubqueryExpr"]);
const expressionsIn = (node: SyntaxNode): SyntaxNode[] => children(node).filter((c) => EXPRESSIONS.has(c.name));

function instant(node: SyntaxNode, text: string, where: string): ValueType {
  const type = typeOf(node, text);
  if (type === "matrix" || type === "string") throw new TypeProblem(node.from, `${where} takes an instant vector or a scalar, not ${NAMES[type]} ('${text.slice(node.from, node.to)}')`);
  return type;
}

function typeOf(node: SyntaxNode, text: string): ValueType {
  switch (node.name) {
    case "VectorSelector":
      return "vector";
    case "MatrixSelector":
    case "SubqueryExpr":
      return "matrix";
    case "StringLiteral":
      return "string";
    case "NumberDurationLiteral":
      return "scalar";
    case "OffsetExpr":
    case "StepInvariantExpr": {
      const inner = expressionsIn(node)[0];
      if (inner && !SELECTORS.has(inner.name)) {
        throw new TypeProblem(inner.from, `'offset' and '@' apply to a selector like x or x[5m] or a subquery, not to '${text.slice(inner.from, inner.to)}'`);
      }
      return inner ? typeOf(inner, text) : "vector";
    }
    case "ParenExpr":
    case "UnaryExpr": {
      const inner = expressionsIn(node)[0];
      return inner ? typeOf(inner, text) : "vector";
    }
    case "BinaryExpr": {
      const [left, right] = expressionsIn(node);
      const types = [left, right].map((side) => (side ? instant(side, text, "an operator") : "scalar"));
      return types.includes("vector") ? "vector" : "scalar";
    }
    case "AggregateExpr": {
      const op = node.firstChild?.firstChild?.name;
      const body = children(node).find((c) => c.name === "FunctionCallBody");
      const args = body ? expressionsIn(body) : [];
      checkArity(text.slice(node.firstChild!.from, node.firstChild!.to).toLowerCase(), args.length, node);
      // A leading argument is a parameter: a number (topk(3, x)), or a label name for count_values.
      args.forEach((arg, i) => {
        const type = typeOf(arg, text);
        if (type === "matrix" || (type === "string" && !(op === "CountValues" && i === 0))) {
          throw new TypeProblem(arg.from, `aggregation takes an instant vector, not ${NAMES[type]} ('${text.slice(arg.from, arg.to)}')`);
        }
      });
      return "vector";
    }
    case "FunctionCall": {
      const name = node.firstChild?.firstChild?.name ?? "";
      const body = children(node).find((c) => c.name === "FunctionCallBody");
      const args = body ? expressionsIn(body) : [];
      checkArity(text.slice(node.firstChild!.from, node.firstChild!.to), args.length, node);
      args.forEach((arg, i) => {
        const type = typeOf(arg, text);
        const fn = text.slice(node.from, node.firstChild?.to ?? node.from);
        if (RANGE_FUNCTIONS.has(name) && i === (RANGE_ARGUMENT[name] ?? 0)) {
          if (type !== "matrix") throw new TypeProblem(arg.from, `${fn}() takes a range vector like x[5m], not ${NAMES[type]} ('${text.slice(arg.from, arg.to)}')`);
        } else if (type === "matrix" || (type === "string" && !STRING_ARGUMENT_FUNCTIONS.has(name))) {
          throw new TypeProblem(arg.from, `${fn}() does not take ${NAMES[type]} here ('${text.slice(arg.from, arg.to)}')`);
        }
      });
      return SCALAR_FUNCTIONS.has(name) ? "scalar" : "vector";
    }
    default:
      return "vector";
  }
}
