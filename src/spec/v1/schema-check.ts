/**
 * JSON Schema validation with messages a person can act on. ajv reports every failure
 * (allErrors); each is translated by keyword into one sentence that names the key and says
 * what is expected, and the noise of `anyOf`/`if` branches is folded into one message.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { error, type Diagnostic, type PathSegment } from "../diagnostics.js";
import { PATTERNS } from "./schema.js";
import { createAjv, VALIDATOR_IDS } from "./ajv.js";
import { durationAdvice } from "./units.js";
import { closest } from "../../lib/suggest.js";

type Validators = { Config: ValidateFunction; Pipeline: ValidateFunction };

/**
 * `make build` precompiles the validators (scripts/postbuild.mjs); compiling the
 * schema at start-up cost ~150 ms of every run. Without the build output (tests running
 * src/ directly) the same schema is compiled here with the same options.
 */
const PRECOMPILED = "./schema-validators.js";
// lint-allow-computed-import: the precompiled validators exist only in dist/ (written by postbuild.mjs)
const precompiled = (await import(PRECOMPILED).catch(() => undefined)) as Validators | undefined;

let validators: Validators | undefined = precompiled;

function compiled(): Validators {
  if (!validators) {
    const ajv = createAjv();
    validators = { Config: ajv.getSchema(VALIDATOR_IDS.Config)!, Pipeline: ajv.getSchema(VALIDATOR_IDS.Pipeline)! };
  }
  return validators;
}

export function checkSchema(kind: "Config" | "Pipeline", value: unknown, file: string, doc: number): Diagnostic[] {
  const validate = compiled()[kind];
  if (validate(value)) return [];
  return translate(validate.errors ?? [], file, doc);
}

/**
 * How a message names a node: its key, with the parent's when the key alone says little
 * (a list index, or a threshold's warning/critical level): 'targets[1]', 'cpu.warning'.
 */
function describePath(path: readonly PathSegment[]): string {
  const last = path[path.length - 1]!;
  const parent = path[path.length - 2];
  if (typeof last === "number") return parent !== undefined ? `${String(parent)}[${last}]` : `item ${last}`;
  if ((last === "warning" || last === "critical") && parent !== undefined) return `${String(parent)}.${last}`;
  return String(last);
}

function pathOf(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * A short preview of a value for a message. Never JSON.stringify the whole value: js-yaml
 * shares aliased nodes, so a small document can stand for billions of items.
 */
const show = (value: unknown): string => {
  const text = preview(value, 60);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function preview(value: unknown, budget: number, nested = false): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    const cut = value.length > budget ? value.slice(0, budget) : value;
    return nested ? JSON.stringify(cut) : `'${cut}'`;
  }
  if (value === null || typeof value !== "object") return String(value);
  const parts: string[] = [];
  let used = 2;
  const entries = Array.isArray(value) ? value.map((v) => [undefined, v] as const) : Object.entries(value);
  for (const [k, v] of entries) {
    if (used > budget) {
      parts.push("...");
      break;
    }
    const item = (k === undefined ? "" : `${JSON.stringify(k)}:`) + (v !== null && typeof v === "object" ? (Array.isArray(v) ? "[...]" : "{...}") : preview(v, budget - used, true));
    parts.push(item);
    used += item.length + 1;
  }
  return Array.isArray(value) ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "empty",
};

function translate(errors: ErrorObject[], file: string, doc: number): Diagnostic[] {
  // An anyOf that failed reports its own sentence; its branches' errors are noise.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === "if") continue;
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath) && e.schemaPath.includes("/anyOf/")) continue;
    const d = one(e, file, doc);
    if (!d) continue;
    const key = `${d.path.join("/")}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function one(e: ErrorObject, file: string, doc: number): Diagnostic | undefined {
  const path = pathOf(e.instancePath);
  const where = path.length > 0 ? `'${describePath(path)}'` : "document";
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const expect = schema["x-expect"] as string | undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((schema.properties as object | undefined) ?? {});
      const guess = closest(key, allowed);
      const hint = guess ? `did you mean '${guess}'?` : allowed.length > 0 ? `expected one of: ${allowed.join(", ")}` : "remove it";
      return error(file, doc, [...path, key], `unknown key '${key}': ${hint}`, true);
    }
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return error(file, doc, path, `missing required key '${key}'${path.length ? ` in ${where}` : ""}`);
    }
    case "type": {
      if (schema.pattern === PATTERNS.duration && typeof e.data === "number") return error(file, doc, path, `${where} is ${show(e.data)}: ${durationAdvice(e.data)}`);
      const types = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      const wanted = types.map((t) => TYPE_NAMES[t] ?? t).join(" or ");
      return error(file, doc, path, `${where} must be ${wanted}, not ${show(e.data)}`);
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof e.data === "string" ? closest(e.data, allowed) : undefined;
      return error(file, doc, path, `${where} is ${show(e.data)}: expected one of ${allowed.join(", ")}${guess ? ` (did you mean '${guess}'?)` : ""}`);
    }
    case "const": {
      const wanted = (e.params as { allowedValue: unknown }).allowedValue;
      if (path[0] === "apiVersion") return error(file, doc, path, `unsupported apiVersion ${show(e.data)}: this pipemon reads '${String(wanted)}'`);
      return error(file, doc, path, `${where} must be ${show(wanted)}, not ${show(e.data)}`);
    }
    case "pattern":
      // A key failing propertyNames is reported by the propertyNames error itself.
      if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) return undefined;
      if ((e.params as { pattern: string }).pattern === PATTERNS.envRef) {
        // Whatever was written there is probably the secret itself: never echo it.
        return { ...error(file, doc, path, `${where} must be an environment reference like \${MY_SECRET}, not a literal value (not shown): secrets are never written in specs`), redact: true };
      }
      if ((e.params as { pattern: string }).pattern === PATTERNS.publicUrl && typeof e.data === "string" && /^[^/]*\/\/[^/]*@/.test(e.data)) {
        // user:password@ in a URL meant for generated files: never echo it.
        return { ...error(file, doc, path, `${where} holds credentials (user:password@, not shown): it is written into generated files, so give the URL without them`), redact: true };
      }
      if ((e.params as { pattern: string }).pattern === PATTERNS.duration) return error(file, doc, path, `${where} is ${show(e.data)}: ${durationAdvice(e.data)}`);
      return error(file, doc, path, `${where} is ${show(e.data)}: expected ${expect ?? `text matching ${(e.params as { pattern: string }).pattern}`}`);
    case "anyOf":
    case "minimum":
    case "maximum":
      return error(file, doc, path, `${where} is ${show(e.data)}: expected ${expect ?? describeLimit(e)}`);
    case "propertyNames": {
      const key = (e.params as { propertyName: string }).propertyName;
      const pattern = ((schema.propertyNames ?? {}) as { pattern?: string }).pattern ?? "";
      return error(file, doc, [...path, key], `key '${key}' is not allowed here: expected ${KEY_RULES[pattern] ?? `a key matching ${pattern}`}`, true);
    }
    case "minLength":
      return error(file, doc, path, `${where} must not be empty`);
    case "maxLength":
      return error(file, doc, path, `${where} is too long: at most ${(e.params as { limit: number }).limit} characters`);
    case "minItems":
      return error(file, doc, path, `${where} must list at least ${(e.params as { limit: number }).limit} item(s)`);
    case "minProperties":
      return error(file, doc, path, `${where} must not be empty`);
    case "uniqueItems": {
      const { i, j } = e.params as { i: number; j: number };
      const later = Math.max(i, j);
      return error(file, doc, [...path, later], `${show((e.data as unknown[])[later])} is listed twice in ${where}`);
    }
    default:
      return error(file, doc, path, `${where} ${e.message ?? "is invalid"}`);
  }
}

const KEY_RULES: Record<string, string> = {
  [PATTERNS.name]: "a name of lowercase letters, digits and '-', like data-alerts",
  [PATTERNS.promLabel]: "a label name of letters, digits and '_' that does not start with '__'",
};

function describeLimit(e: ErrorObject): string {
  const { comparison, limit } = e.params as { comparison: string; limit: number };
  return `a value ${comparison} ${limit}`;
}
