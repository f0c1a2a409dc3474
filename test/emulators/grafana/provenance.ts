/**
 * Grafana's provenance rule for alerting resources: a resource without provenance may be
 * taken over by any writer; one with provenance only by a writer of the same provenance
 * (Grafana's ValidateProvenanceRelaxed). What a refusal looks like depends on the endpoint.
 */
import { ApiError } from "./http.js";
import type { Provenance } from "./types.js";

export function provenanceAllows(stored: Provenance, requested: Provenance): boolean {
  return stored === "" || stored === requested;
}

/** 409 `alerting.provenanceMismatch`, the errutil answer of deletes and most notification writes. */
export function provenanceMismatch(stored: Provenance, requested: Provenance): ApiError {
  return new ApiError(409, {
    message: `provenance mismatch: resource has provenance '${stored}', request has '${requested}'`,
    messageId: "alerting.provenanceMismatch",
    statusCode: 409,
  });
}

/** 500: how rule PUTs (single rule and rule group) fail on a provenance change — a plain error in Grafana. */
export function provenanceChangeFailure(stored: Provenance, requested: Provenance): ApiError {
  return new ApiError(500, { message: `cannot update with provided provenance '${requested}', needs '${stored}'` });
}
