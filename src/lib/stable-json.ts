/**
 * Deterministic JSON: object keys sorted, two-space indent, trailing newline. Used for every
 * generated file so output does not depend on the order code happened to set fields in.
 * Undefined values are dropped, as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    const v = source[key];
    if (v !== undefined && typeof v !== "function") out[key] = sortKeys(v);
  }
  return out;
}
