/**
 * Building blocks of the comparable forms the Grafana handlers produce: stable key order,
 * content hashes for fingerprints, and the normalisations Grafana applies on save
 * (`300s` → `5m`, floats re-serialised by Go).
 */
import { createHash } from "node:crypto";
import { formatDuration, parseDuration } from "../../lib/duration.js";
import type { Json } from "../../plan/resource.js";
import { isJsonObject, sortedKeys, type JsonObject } from "../json.js";

export { isJsonObject, sortedKeys, type JsonObject };

/** Short sha256 of the canonical text: the fingerprint of content that has no version. */
export function contentHash(value: Json): string {
  return createHash("sha256").update(JSON.stringify(sortedKeys(value))).digest("hex").slice(0, 16);
}

/**
 * Numbers as Go's float64 round trip leaves them comparable: 12 significant digits, so
 * `0.1 + 0.2` and `0.3`, or `1e-7` and `1.0000000000000001e-7`, compare equal.
 */
export function comparableNumber(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(12)) : n;
}

export function comparableNumbers(value: Json): Json {
  if (typeof value === "number") return comparableNumber(value);
  if (Array.isArray(value)) return value.map(comparableNumbers);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = comparableNumbers(v);
    return out;
  }
  return value;
}

/**
 * A duration the way Grafana writes it back (`300s` → `5m`, `24h` → `1d`, `0` → `0s`).
 * Numbers are seconds. Text that is not a duration is kept, so a diff still shows it.
 */
export function comparableDuration(value: Json | undefined): Json {
  if (value === undefined || value === null || value === "") return "0s";
  if (typeof value === "number") return formatDuration(value);
  if (typeof value !== "string") return value;
  // Prometheus accepts a bare "0"; it has no unit, so the parser below would not.
  if (value.trim() === "0") return "0s";
  const seconds = parseDuration(value.trim());
  return seconds === undefined ? value : formatDuration(seconds);
}

/** Seconds of a duration given as text or as a number of seconds (undefined when neither). */
export function durationSeconds(value: Json | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return parseDuration(value.trim());
  return undefined;
}
