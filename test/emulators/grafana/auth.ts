/**
 * Grafana's authentication answers for API calls: a service-account bearer token (or basic
 * auth), 401 with Grafana's two different messages, and a switchable 403 for permission
 * tests.
 */
import type { ApiRequest, ApiResponse } from "./http.js";

/** Requests that get 403 (method and/or path pattern; both absent = every request). */
export interface ForbiddenRule {
  method?: string;
  path?: RegExp | string;
}

export interface AuthConfig {
  /** The accepted `Authorization: Bearer <token>`. */
  token: string;
  /** Accepted basic-auth credentials (Grafana's admin user), or undefined to refuse basic auth. */
  basic?: { user: string; password: string };
  forbidden: ForbiddenRule[];
}

export const DEFAULT_TOKEN = "glsa_emulator_token";

function matchesForbidden(rule: ForbiddenRule, req: ApiRequest): boolean {
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (rule.path === undefined) return true;
  return (typeof rule.path === "string" ? new RegExp(rule.path) : rule.path).test(req.path);
}

/** The 401/403 answer for a request, or undefined when it may proceed. */
export function checkAccess(config: AuthConfig, req: ApiRequest): ApiResponse | undefined {
  const header = req.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  if (!authorization) return { status: 401, body: { message: "Unauthorized" } };
  const [scheme, credentials = ""] = authorization.split(/\s+/, 2);
  let accepted = false;
  if (scheme?.toLowerCase() === "bearer") {
    accepted = credentials === config.token;
  } else if (scheme?.toLowerCase() === "basic" && config.basic) {
    accepted = Buffer.from(credentials, "base64").toString("utf8") === `${config.basic.user}:${config.basic.password}`;
  } else {
    return { status: 401, body: { message: "Unauthorized" } };
  }
  if (!accepted) return { status: 401, body: { message: scheme?.toLowerCase() === "bearer" ? "Invalid API key" : "Invalid username or password" } };
  if (config.forbidden.some((rule) => matchesForbidden(rule, req))) {
    return {
      status: 403,
      body: { title: "Access denied", message: "You'll need additional permissions to perform this action. Permissions needed: any of alert.provisioning:write, dashboards:write" },
    };
  }
  return undefined;
}
