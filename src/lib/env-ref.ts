/**
 * `${NAME}` and `${NAME:-default}` references, the way specs hold secrets and URLs. They are
 * resolved only when something is sent to a server, never when writing `generated/`.
 */
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type EnvLookup = (name: string) => string | undefined;

/** The variables a string refers to, in order, without duplicates. */
export function referencedVariables(value: string): string[] {
  return [...new Set([...value.matchAll(REF)].map((m) => m[1]!))];
}

/**
 * Expands every reference. Returns the missing variable names instead of a half-expanded
 * string when some are unset (an empty value counts as set, as in the shell's `${X:-d}` only
 * when it is unset or empty: here empty falls back to the default too).
 */
export function expandReferences(value: string, env: EnvLookup): { value: string; missing: string[] } {
  const missing: string[] = [];
  const expanded = value.replace(REF, (whole, name: string, fallback: string | undefined) => {
    const v = env(name);
    if (v !== undefined && v !== "") return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return whole;
  });
  return { value: expanded, missing };
}

/** Expands what it can and leaves unset references as they are (for non-secret text such as links). */
export function expandKnownReferences(value: string, env: EnvLookup): string {
  return expandReferences(value, env).value;
}
