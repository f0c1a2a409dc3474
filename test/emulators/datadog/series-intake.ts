/**
 * The emulator's metrics intake: `POST /api/v1/series` (SubmitMetrics), checked the way the
 * contract says Datadog checks it. The body is validated against the operation's own schemas
 * (test/contracts/datadog/series.openapi.yaml, copied unchanged from Datadog's v1 OpenAPI
 * document), then against the rules the document states in prose: a type among "", count,
 * gauge and rate; points that are current (at most 10 minutes ahead, 1 hour behind); a
 * payload of at most 3.2 MB. Accepted series are kept for tests to read.
 */
import { readFileSync } from "node:fs";
import { gunzipSync, inflateSync } from "node:zlib";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

export interface StoredSeries {
  metric: string;
  type: string;
  points: [number, number | null][];
  tags: string[];
  host?: string;
  interval?: number | null;
  /** When the emulator received it (ms). */
  receivedAt: number;
}

const CONTRACT_FILE = new URL("../../contracts/datadog/series.openapi.yaml", import.meta.url);
const CONTRACT_ID = "datadog-v1-series";
/** "Valid types are "", `count`, `gauge`, and `rate`" (Series.type). */
const SERIES_TYPES = ["", "count", "gauge", "rate"];
/** "The maximum payload size is 3.2 megabytes (3200000 bytes)". */
const MAX_PAYLOAD_BYTES = 3_200_000;
/** "cannot be more than ten minutes in the future or more than one hour in the past". */
const MAX_FUTURE_SECONDS = 600;
const MAX_PAST_SECONDS = 3600;

export interface IntakeAnswer {
  status: number;
  body: unknown;
  accepted?: StoredSeries[];
}

let validator: ValidateFunction | undefined;

/** The operation's request schema, compiled from the copied contract. */
export function metricsPayloadValidator(): ValidateFunction {
  if (validator) return validator;
  const contract = parse(readFileSync(CONTRACT_FILE, "utf8")) as { components: unknown };
  // OpenAPI 3.0 schemas: `nullable` is Ajv's own keyword; `example`, `x-*` and the numeric
  // formats (double, int64) are annotations.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: CONTRACT_ID, components: contract.components });
  validator = ajv.getSchema(`${CONTRACT_ID}#/components/schemas/MetricsPayload`)!;
  return validator;
}

const bad = (message: string): IntakeAnswer => ({ status: 400, body: { errors: [message] } });

/** Checks one intake request whose API key has already been accepted. */
export function acceptSeries(headers: Record<string, string | string[] | undefined>, raw: Buffer, nowMs: number): IntakeAnswer {
  const encoding = String(headers["content-encoding"] ?? "").toLowerCase();
  let body: Buffer;
  try {
    body = encoding === "gzip" ? gunzipSync(raw) : encoding === "deflate" ? inflateSync(raw) : raw;
  } catch {
    return bad(`Payload could not be decompressed (${encoding})`); // unverified wording
  }
  if (encoding !== "" && encoding !== "gzip" && encoding !== "deflate") return bad(`Unsupported Content-Encoding: ${encoding}`); // unverified wording
  if (raw.length > MAX_PAYLOAD_BYTES) return { status: 413, body: { errors: ["Payload too large"] } };
  const contentType = String(headers["content-type"] ?? "").split(";")[0]!.trim();
  if (contentType !== "text/json" && contentType !== "application/json") return bad(`Unsupported Content-Type: ${contentType || "(none)"}`); // unverified wording
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return bad("Payload is not in the expected format: invalid JSON"); // unverified wording
  }
  const validate = metricsPayloadValidator();
  if (!validate(payload)) {
    return bad(`Payload is not in the expected format: ${(validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")}`); // unverified wording
  }
  const series = (payload as { series: Omit<StoredSeries, "receivedAt">[] }).series;
  const nowSeconds = nowMs / 1000;
  for (const [i, s] of series.entries()) {
    if (!SERIES_TYPES.includes(s.type ?? "")) return bad(`series[${i}].type '${s.type}' is not one of "", count, gauge, rate`); // unverified wording
    for (const point of s.points) {
      const ts = point[0];
      if (ts === null || ts > nowSeconds + MAX_FUTURE_SECONDS || ts < nowSeconds - MAX_PAST_SECONDS) {
        return bad(`series[${i}] (${s.metric}): point timestamp ${ts} is not current (at most 10 minutes ahead, 1 hour behind)`); // unverified wording
      }
    }
  }
  return { status: 202, body: { status: "ok" }, accepted: series.map((s) => ({ ...s, type: s.type ?? "", tags: s.tags ?? [], receivedAt: nowMs })) };
}
