/**
 * Secrets in contact point settings. Grafana answers its secure fields as "[REDACTED]" and
 * the specs hold secrets as `${ENV}` placeholders, so neither side can be compared by value.
 * The comparable form replaces, on BOTH sides:
 * - Grafana's secure fields (table below, from Grafana 11.4's all-integrations test data) and
 *   any "[REDACTED]" value by SECRET_MARKER: never a diff, never printed. A rotated secret
 *   is therefore not detected (as with write-only attributes in Terraform);
 * - other settings that hold a placeholder on the desired side, or whose name says it is a
 *   credential or an address (url, token, key, password, ...), by a marker carrying a short
 *   hash of the value: a change still shows as a diff, the value never does. Grafana shows
 *   these in clear to its users, so hashing them leaks nothing Grafana does not.
 */
import { createHash } from "node:crypto";
import { expandReferences, referencedVariables } from "../../lib/env-ref.js";
import type { Json } from "../../plan/resource.js";
import { TargetError } from "../handler.js";
import { isJsonObject, type JsonObject } from "./comparable.js";

export const SECRET_MARKER = "<secret>";
export const REDACTED = "[REDACTED]";

/** Dotted paths Grafana stores encrypted and answers as "[REDACTED]", per integration type. */
const SECURE_FIELDS: Record<string, readonly string[]> = {
  dingding: ["url"],
  discord: ["url"],
  googlechat: ["url"],
  jira: ["password", "user"],
  kafka: ["password"],
  line: ["token"],
  mqtt: ["password", "tlsConfig.caCertificate", "tlsConfig.clientCertificate", "tlsConfig.clientKey"],
  oncall: ["password"],
  opsgenie: ["apiKey"],
  pagerduty: ["integrationKey"],
  "prometheus-alertmanager": ["basicAuthPassword"],
  pushover: ["apiToken", "userKey"],
  sensugo: ["apikey"],
  slack: ["token", "url"],
  sns: ["sigv4.access_key", "sigv4.secret_key"],
  telegram: ["bottoken"],
  threema: ["api_secret"],
  victorops: ["url"],
  webex: ["bot_token"],
  webhook: ["hmacConfig.secret", "password", "tlsConfig.caCertificate", "tlsConfig.clientCertificate", "tlsConfig.clientKey"],
  wecom: ["secret", "url"],
};

/** Setting names that usually carry a credential (a webhook URL embeds its token). */
const SENSITIVE_NAME = /url|uri|endpoint|webhook|token|secret|password|passwd|key|auth|credential/i;
const hasReference = (value: string): boolean => referencedVariables(value).length > 0;

export function isSecureField(type: string, path: string): boolean {
  return SECURE_FIELDS[type.toLowerCase()]?.includes(path) ?? false;
}

function hashedMarker(value: Json): string {
  return `<secret sha256:${createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8)}>`;
}

/**
 * The comparable settings. `resolve` expands a desired-side placeholder (so the hash is of
 * the value Grafana will hold); an unset variable gives a marker naming the variable only.
 */
export function comparableSettings(type: string, settings: Json, side: "desired" | "live", resolve: (name: string) => string | undefined): Json {
  const walk = (value: Json, path: string): Json => {
    if (isJsonObject(value)) {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, path ? `${path}.${k}` : k);
      return out;
    }
    if (isSecureField(type, path) || value === REDACTED) return SECRET_MARKER;
    const hasPlaceholder = typeof value === "string" && hasReference(value);
    const leaf = path.slice(path.lastIndexOf(".") + 1);
    if (!hasPlaceholder && !(SENSITIVE_NAME.test(leaf) && typeof value === "string")) return value;
    if (side === "desired" && typeof value === "string" && hasPlaceholder) {
      const { value: expanded, missing } = expandReferences(value, resolve);
      return missing.length ? `<secret: ${missing.join(", ")} not set>` : hashedMarker(expanded);
    }
    return hashedMarker(value);
  };
  return walk(settings, "");
}

/**
 * Settings with every placeholder expanded, for the write. Also returns the expanded values
 * and each variable's value so the client can scrub them from any error message. A missing
 * variable is an error that names the variable (never a value).
 */
export function resolvedSettings(contactPoint: string, settings: JsonObject, resolve: (name: string) => string | undefined): { settings: JsonObject; secrets: string[] } {
  const secrets: string[] = [];
  const missing = new Set<string>();
  const walk = (value: Json): Json => {
    if (isJsonObject(value)) {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v);
      return out;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== "string" || !hasReference(value)) return value;
    const expanded = expandReferences(value, resolve);
    for (const name of expanded.missing) missing.add(name);
    if (expanded.value !== value) secrets.push(expanded.value);
    // Each variable's own value too: an error may quote it without the text around it.
    for (const name of referencedVariables(value)) {
      const secret = resolve(name);
      if (secret) secrets.push(secret);
    }
    return expanded.value;
  };
  const out = walk(settings) as JsonObject;
  if (missing.size > 0) {
    const names = [...missing].sort();
    throw new TargetError("grafana", `grafana: contact point ${contactPoint} needs ${names.join(", ")}, which ${names.length > 1 ? "are" : "is"} not set`);
  }
  return { settings: out, secrets };
}
