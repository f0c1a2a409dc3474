/**
 * The stats file of `pipemon run`: how a wrapped job tells pipemon what it processed.
 *
 * `$PIPEMON_STATS_FILE` names a fresh, empty file. The job appends JSON lines (one object per
 * line), each adding to the run's totals, so a job may write as it goes or once at the end:
 *
 *   {"records_processed": 1200, "records_failed": 3, "bytes_processed": 52428800}
 *   {"errors": {"timeout": 2, "schema": 1}}
 *
 * Every key is optional; counts are whole numbers ≥ 0; `errors` maps an error type (the
 * `error_type` label / tag) to a count. A line that breaks these rules is skipped whole and
 * named in a warning; blank lines are ignored.
 */

export interface RunCounts {
  recordsProcessed: number;
  recordsFailed: number;
  bytesProcessed: number;
  /** Error type → count. */
  errors: Record<string, number>;
}

export interface ParsedStats {
  counts: RunCounts;
  /** One line each, at most MAX_WARNINGS plus a summary. */
  warnings: string[];
}

/** The line's keys and the counts they add to. */
const COUNT_KEYS = {
  records_processed: "recordsProcessed",
  records_failed: "recordsFailed",
  bytes_processed: "bytesProcessed",
} as const satisfies Record<string, keyof RunCounts>;

export const STATS_KEYS = [...Object.keys(COUNT_KEYS), "errors"] as const;

const MAX_WARNINGS = 5;
const MAX_ERROR_TYPE_LENGTH = 200;

export const emptyCounts = (): RunCounts => ({ recordsProcessed: 0, recordsFailed: 0, bytesProcessed: 0, errors: Object.create(null) as Record<string, number> });

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Why a parsed line is not a stats line, or undefined when it is. */
function problem(line: unknown): string | undefined {
  if (line === null || typeof line !== "object" || Array.isArray(line)) return "not a JSON object";
  for (const [key, value] of Object.entries(line)) {
    if (key in COUNT_KEYS) {
      if (!isCount(value)) return `${key} must be a whole number >= 0, got ${JSON.stringify(value)}`;
    } else if (key === "errors") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return `errors must be an object of error type -> count, got ${JSON.stringify(value)}`;
      for (const [type, n] of Object.entries(value)) {
        if (type === "" || type.length > MAX_ERROR_TYPE_LENGTH) return `error type ${JSON.stringify(type.slice(0, 40))} must be 1-${MAX_ERROR_TYPE_LENGTH} characters`;
        if (!isCount(n)) return `errors.${type} must be a whole number >= 0, got ${JSON.stringify(n)}`;
      }
    } else {
      return `unknown key ${JSON.stringify(key)} (expected ${STATS_KEYS.join(", ")})`;
    }
  }
  return undefined;
}

/** Sums the stats lines; bad lines are skipped and reported. */
export function parseStats(text: string, fileLabel = "$PIPEMON_STATS_FILE"): ParsedStats {
  const counts = emptyCounts();
  const bad: string[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      bad.push(`${fileLabel} line ${index + 1}: not JSON: ${JSON.stringify(line.slice(0, 60))}${line.length > 60 ? "…" : ""}`);
      return;
    }
    const why = problem(parsed);
    if (why) {
      bad.push(`${fileLabel} line ${index + 1}: ${why}`);
      return;
    }
    const record = parsed as Record<string, unknown>;
    for (const [key, field] of Object.entries(COUNT_KEYS)) {
      if (record[key] !== undefined) counts[field] += record[key] as number;
    }
    for (const [type, n] of Object.entries((record.errors ?? {}) as Record<string, number>)) counts.errors[type] = (counts.errors[type] ?? 0) + n;
  });
  const warnings = bad.slice(0, MAX_WARNINGS).map((w) => `${w}; line ignored`);
  if (bad.length > MAX_WARNINGS) warnings.push(`${fileLabel}: ${bad.length - MAX_WARNINGS} more bad lines ignored`);
  return { counts, warnings };
}
