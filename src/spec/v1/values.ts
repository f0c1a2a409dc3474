/**
 * Rules on every value of a document, whatever its key: what the schema's types and patterns
 * cannot say and every target needs. A string reaches Prometheus rule files, Grafana and
 * Datadog templates, runbooks and tags; a number reaches queries on all three. So:
 *
 * - no control characters (a YAML `"\0"` escape would put NUL bytes in runbooks and rules);
 * - no `{{` or `}}`: Prometheus and Grafana expand labels and annotations as Go templates, and
 *   Datadog expands `{{...}}` in messages; a literal one breaks the rule or the monitor;
 * - `${NAME}` only where pipemon resolves it (connection settings and channel secrets);
 *   anywhere else it would reach a target as text, or block apply forever;
 * - no `user:password@` in a URL: spec URLs become links in every alert and runbook;
 * - numbers finite (YAML's `.inf`, `.nan`, and `1.8e308`, which overflows to infinity) and
 *   within what a double holds exactly, so every target compares the number written.
 */
import { error, type Diagnostic, type PathSegment } from "../diagnostics.js";
import { MAX_NUMBER } from "./units.js";

const ENV_REF = /\$\{/;
const WELL_FORMED_REFS = /^(?:[^$]|\$(?!\{)|\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})*$/;
/** C0 controls but tab and newline, DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\t\n]/;
const TEMPLATE = /\{\{|\}\}/;
/** `scheme://user:password@` (literal or `${...}`): spec URLs become links in alerts and runbooks. */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]+@/i;

/** Where pipemon resolves `${NAME}` (plan/apply): Config paths, `*` for any key. */
const RESOLVED = [
  "grafana.url", "grafana.token",
  "datadog.site", "datadog.apiKey", "datadog.appKey",
  "channels.*.integrationKey", "channels.*.webhookUrl", "channels.*.url",
  "environments.*.grafana.url", "environments.*.grafana.token",
  "environments.*.datadog.site", "environments.*.datadog.apiKey", "environments.*.datadog.appKey",
  // Resolved by `pipemon run`.
  "metrics.pushgateway.url", "environments.*.metrics.pushgateway.url",
  // Resolved by `pipemon backtest` and `pipemon report`.
  ...["url", "bearerToken", "basicAuth.username", "basicAuth.password", "tenant"].flatMap((k) => [`prometheus.${k}`, `environments.*.prometheus.${k}`]),
].map((p) => p.split("."));
const RESOLVED_WHERE = "grafana.url and token, datadog.site, apiKey and appKey, metrics.pushgateway.url, prometheus.*, and channel secrets";

/** Text that may span lines: a description, runbook notes, a PromQL or Datadog expression written as a YAML block. */
const MULTILINE_KEYS = new Set(["description", "notes", "promql", "datadogQuery"]);

const matches = (pattern: readonly string[], path: readonly PathSegment[]): boolean =>
  pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i]);

/** `metadata.labels.env`, `routing.critical[0]`. */
export function dotted(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

const CONTROL_NAMES: Record<string, string> = { "\u0000": "a NUL byte", "\r": "a carriage return", "\u001b": "an escape character" };
const describeControl = (c: string): string => CONTROL_NAMES[c] ?? `the control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;

export function checkValues(kind: "Config" | "Pipeline", value: unknown, file: string, doc: number, out: Diagnostic[]): void {
  const at = (path: PathSegment[], message: string) => out.push(error(file, doc, path, message));
  const walk = (v: unknown, path: PathSegment[]): void => {
    if (typeof v === "string") {
      const where = dotted(path);
      const key = path[path.length - 1];
      const control = CONTROL.exec(v) ?? (typeof key === "string" && MULTILINE_KEYS.has(key) ? null : LINE_BREAK.exec(v));
      if (control) {
        const c = control[0];
        at(path, c === "\n" || c === "\t" ? `${where} contains ${c === "\n" ? "a line break" : "a tab"}: write it on one line` : `${where} contains ${describeControl(c)}: remove it (spec text is printable characters)`);
      }
      if (TEMPLATE.test(v)) at(path, `${where} contains '${/\{\{/.test(v) ? "{{" : "}}"}', which Prometheus, Grafana and Datadog read as a template: remove it`);
      if (ENV_REF.test(v)) {
        if (kind === "Pipeline" || !RESOLVED.some((p) => matches(p, path))) {
          at(path, `${where} holds \${...}, which pipemon never resolves here (only in ${RESOLVED_WHERE}): write the value itself`);
        } else if (!WELL_FORMED_REFS.test(v)) {
          at(path, `malformed environment reference in '${v}': write \${NAME} or \${NAME:-default}`);
        }
      }
      if (URL_CREDENTIALS.test(v)) {
        const message = `'${where}' is a URL with user:password (not shown): it would be a link in every alert and runbook; remove it (Grafana takes a token, or user:password in the GRAFANA_URL variable)`;
        out.push({ ...error(file, doc, path, message), redact: true });
      }
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) at(path, `${dotted(path)} is ${String(v)}: write a finite number`);
      else if (Math.abs(v) > MAX_NUMBER) at(path, `${dotted(path)} ${String(v)} is too large: at most ${MAX_NUMBER}`);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i]));
    } else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
    }
  };
  walk(value, []);
}
