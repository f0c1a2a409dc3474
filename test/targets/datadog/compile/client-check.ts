/**
 * Parses a monitor body with the official client's deserializer and reports everything the
 * client could not type. The client does not fail on unknown values; it marks them:
 * - an enum value it does not know (`type: "bogus alert"`, `on_missing_data: "nonsense"`)
 *   becomes an `UnparsedObject` instance in place of the value;
 * - an object holding such a value, or an array element that is one, gets `_unparsed: true`;
 * - a field the schema does not have (a typo such as `notify_nodata`) lands in
 *   `additionalProperties`, silently;
 * - a primitive of the wrong JSON type (`priority: "1"`) throws ("unknown type 'number'").
 * All four count as problems here. Test-only: product code never loads the client.
 */
import { v1 } from "@datadog/datadog-api-client";
import { UnparsedObject } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/util.js";

export function clientProblems(body: unknown, type = "Monitor"): string[] {
  let parsed: unknown;
  try {
    parsed = v1.ObjectSerializer.deserialize(body, type, "");
  } catch (e) {
    return [`deserialize threw: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  walk(parsed, "$", problems);
  return problems;
}

function walk(value: unknown, path: string, out: string[]): void {
  if (value instanceof UnparsedObject) {
    out.push(`${path}: unparsed value ${JSON.stringify((value as unknown as { _data: unknown })._data)}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== "object" || value instanceof Date) return;
  const record = value as Record<string, unknown>;
  if (record._unparsed === true) out.push(`${path}: marked _unparsed`);
  const extra = record.additionalProperties;
  if (extra && typeof extra === "object" && Object.keys(extra).length > 0) {
    out.push(`${path}: fields unknown to the client: ${Object.keys(extra).sort().join(", ")}`);
  }
  for (const [key, v] of Object.entries(record)) {
    if (key !== "additionalProperties" && key !== "_unparsed") walk(v, `${path}.${key}`, out);
  }
}

/** What the client would send back for a parsed body (no field lost or retyped). */
export function clientRoundTrip(body: unknown, type = "Monitor"): unknown {
  return v1.ObjectSerializer.serialize(v1.ObjectSerializer.deserialize(body, type, ""), type, "");
}
