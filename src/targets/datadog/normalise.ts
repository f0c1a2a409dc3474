/**
 * The comparable form of a monitor: what pipemon generated and what Datadog returns must
 * normalise to the same JSON when nothing changed, or every plan shows a perpetual diff.
 * Pure functions, no client types: the plan workflow and tests use them on plain JSON.
 */
import { expandKnownReferences, referencedVariables } from "../../lib/env-ref.js";
import type { Json } from "../../plan/resource.js";
import { isJsonObject, sortedKeys, type JsonObject } from "../json.js";

/** Fields Datadog owns: never compared, never sent back. */
export const SERVER_OWNED_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "created",
  "created_at",
  "modified",
  "creator",
  "overall_state",
  "overall_state_modified",
  "multi",
  "deleted",
  "org_id",
  "matching_downtimes",
  "state",
]);

/**
 * Top-level values Datadog fills in when a create body leaves them out. A value equal to
 * its default is dropped on BOTH sides: "absent" and "the default" mean the same monitor,
 * while a live value that differs from the default (someone changed it) still shows.
 */
const TOP_LEVEL_DEFAULTS: Readonly<Record<string, Json>> = {
  tags: [],
  message: "",
  draft_status: "published",
  assets: [],
};

/** Options Datadog adds to every monitor (and re-adds when an update replaces `options`). */
const OPTION_DEFAULTS: Readonly<Record<string, Json>> = {
  notify_audit: false,
  notify_no_data: false,
  new_host_delay: 300,
  include_tags: true,
  escalation_message: "",
  locked: false,
  groupby_simple_monitor: false,
  notification_preset_name: "show_all",
  on_missing_data: "default",
  renotify_interval: 0,
  timeout_h: 0,
};

function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));
}

/** Datadog answers thresholds as floats (`1.0`), sometimes as strings in old monitors. */
function asNumber(value: Json): Json {
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function normaliseOptions(options: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(options)) {
    // Muting is operational state, not configuration: Datadog keeps it across an options
    // update that leaves it out, so comparing it would be a diff no apply can remove.
    if (value === null || key === "silenced") continue;
    if (key in OPTION_DEFAULTS && sameJson(value, OPTION_DEFAULTS[key] as Json)) continue;
    if (key === "thresholds" && isJsonObject(value)) {
      const thresholds: JsonObject = {};
      for (const [level, threshold] of Object.entries(value)) if (threshold !== null) thresholds[level] = asNumber(threshold);
      if (Object.keys(thresholds).length > 0) out[key] = thresholds;
      continue;
    }
    if (key === "threshold_windows" && isJsonObject(value) && Object.values(value).every((v) => v === null)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * Replaces `${NAME}` references (lib/env-ref, as the specs write them) with the variable's
 * value; unknown names stay as written.
 */
export function resolvePlaceholders(value: Json, variables: Readonly<Record<string, string | undefined>>): Json {
  if (typeof value === "string") return expandKnownReferences(value, (name) => variables[name]);
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, variables));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) out[key] = resolvePlaceholders(v, variables);
  return out;
}

/** `${NAME}` references left in a body (to refuse writing a monitor with a dangling link). */
export function unresolvedPlaceholders(value: Json): string[] {
  return referencedVariables(JSON.stringify(value)).sort();
}

/**
 * Comparable form of a monitor body (either side): server-owned fields and server-added
 * defaults removed, nulls (= unset) removed, thresholds numeric, tags sorted, the legacy
 * type name `metric alert` read as `query alert` (Datadog stores one as the other).
 */
export function normaliseMonitor(body: Json): Json {
  if (!isJsonObject(body)) return body;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (SERVER_OWNED_FIELDS.has(key) || value === null) continue;
    if (key in TOP_LEVEL_DEFAULTS && sameJson(value, TOP_LEVEL_DEFAULTS[key] as Json)) continue;
    if (key === "type" && value === "metric alert") {
      out[key] = "query alert";
    } else if (key === "tags" && Array.isArray(value)) {
      out[key] = [...new Set(value.map(String))].sort();
    } else if (key === "options" && isJsonObject(value)) {
      const options = normaliseOptions(value);
      if (Object.keys(options).length > 0) out[key] = options;
    } else {
      out[key] = value;
    }
  }
  return sortedKeys(out);
}
