/**
 * Block-style YAML for the Prometheus and Alertmanager files `generate` writes: plain JSON
 * data in, deterministic text out, in the layout the `yaml` package produces (sequences
 * indented under their key, plain scalars where safe).
 *
 * Why not `yaml.stringify`: measured on a team rule file of 390 pipelines it takes 264 ms
 * (js-yaml's dump 70 ms) where this takes a few: at 10,000 pipelines that was most of a
 * `generate` run. It covers only what JSON can hold, and its output is tested to parse back
 * to the same value with both `yaml` (YAML 1.2) and js-yaml (YAML 1.1 types).
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | undefined;

/**
 * Strings a YAML 1.1 or 1.2 reader would take for something else (booleans, null, numbers,
 * timestamps-like, .inf/.nan): these must be quoted.
 */
const NOT_A_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?|0[xob][0-9a-fA-F_]+|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?|<<|=)$/;

/** Plain (unquoted) is safe when no indicator starts it and nothing inside ends or comments it. */
function isPlainSafe(s: string): boolean {
  if (s === "" || s !== s.trim()) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  if (CONTROL.test(s)) return false;
  if (s.includes(": ") || s.includes(" #") || s.endsWith(":")) return false;
  return !NOT_A_STRING.test(s);
}

/**
 * Plain when safe; single quotes for text holding double quotes (Go templates, PromQL), as
 * they need no escapes there; else double quotes, whose escapes JSON's are a subset of.
 */
function quote(s: string): string {
  if (isPlainSafe(s)) return s;
  if (s.includes('"') && !CONTROL.test(s)) return `'${s.replaceAll("'", "''")}'`;
  return JSON.stringify(s);
}

/**
 * Short strings (keys, label values, severities) repeat thousands of times in a team's rule
 * file; their quoting is remembered. Long ones (expressions, descriptions) are mostly unique.
 */
const quoted = new Map<string, string>();
const REMEMBERED_LENGTH = 40;

function scalar(s: string): string {
  if (s.length > REMEMBERED_LENGTH) return quote(s);
  let q = quoted.get(s);
  if (q === undefined) {
    if (quoted.size >= 10_000) quoted.clear();
    q = quote(s);
    quoted.set(s, q);
  }
  return q;
}

function inline(v: Value): string | undefined {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return scalar(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as YAML`);
    return String(v);
  }
  if (Array.isArray(v)) return v.length === 0 ? "[]" : undefined;
  for (const k in v) if (v[k] !== undefined) return undefined;
  return "{}";
}

/**
 * Appends the lines of the block for `v` at `indent` to `out`. `first` replaces the indent of
 * the first line: a mapping item of a sequence starts on the dash's line (`- key: ...`), the
 * rest align under it.
 *
 * Items of a top-level sequence (the rule groups of a team's file, 400 at 10,000 pipelines)
 * are each joined into one string as soon as they are written: their many short lines then
 * die young instead of all surviving, as a 4 MB file's 100,000 lines (or one growing
 * string's pieces) did, until the end, which made garbage collection most of the cost.
 */
function emit(v: Value, indent: string, first: string, out: string[]): void {
  let lead = first;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    for (const item of v) {
      const simple = inline(item);
      if (simple !== undefined) out.push(`${lead}- ${simple}`);
      else if (Array.isArray(item)) {
        out.push(`${lead}-`);
        emit(item, inner, inner, out);
      } else if (indent.length <= 2) {
        const lines: string[] = [];
        emit(item, inner, `${lead}- `, lines);
        out.push(lines.join("\n"));
      } else emit(item, inner, `${lead}- `, out);
      lead = indent;
    }
    return;
  }
  for (const k in v as Record<string, Value>) {
    const child = (v as Record<string, Value>)[k];
    if (child === undefined) continue;
    const simple = inline(child);
    if (simple !== undefined) out.push(`${lead}${scalar(k)}: ${simple}`);
    else {
      out.push(`${lead}${scalar(k)}:`);
      emit(child, inner, inner, out);
    }
    lead = indent;
  }
}

/** The document for `value` (an object or array), ending with a newline. */
export function blockYaml(value: Value): string {
  const simple = inline(value);
  if (simple !== undefined) return `${simple}\n`;
  const out: string[] = [];
  emit(value, "", "", out);
  return `${out.join("\n")}\n`;
}

/**
 * `blockYaml({ [key]: [...items] })`, with each item built (by the iterable) and written one
 * at a time: a team's rule file never holds all its groups as objects, only as text.
 */
export function blockYamlKeyedSequence(key: string, items: Iterable<unknown>): string {
  const out: string[] = [];
  for (const item of items) emit([item as Value], "  ", "  ", out);
  return out.length === 0 ? `${scalar(key)}: []\n` : `${scalar(key)}:\n${out.join("\n")}\n`;
}
