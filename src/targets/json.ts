/** Plain-JSON helpers both targets' comparable forms are built from. */
import type { Json } from "../plan/resource.js";

export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy with object keys sorted (arrays keep their order): equal JSON, equal text. */
export function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) out[key] = sortedKeys(value[key]!);
    return out;
  }
  return value;
}

/** Plain JSON: the SDK's builders return class-free objects, but undefined fields must go. */
export const plainJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;
