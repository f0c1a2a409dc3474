/**
 * Datadog's per-endpoint rate limits: fixed windows per limit name, announced on every
 * authenticated answer with `X-RateLimit-*` headers and enforced with a 429.
 * Names, limits and periods are the recorded ones (Go client / datadogpy cassettes).
 */

export type RateLimitName = "post_monitors" | "put_monitors" | "get_monitors" | "get_all_monitors" | "global_org";

export interface RateLimit {
  limit: number;
  /** Window length in seconds; fractions allowed so tests can use short windows. */
  periodSeconds: number;
}

export const RECORDED_RATE_LIMITS: Record<RateLimitName, RateLimit> = {
  post_monitors: { limit: 500, periodSeconds: 10 },
  put_monitors: { limit: 500, periodSeconds: 10 },
  get_monitors: { limit: 3000, periodSeconds: 10 },
  get_all_monitors: { limit: 1000, periodSeconds: 10 },
  // DELETE, validate, can_delete and search answer with the org-wide limit.
  global_org: { limit: 12000, periodSeconds: 60 },
};

/** Which limit a monitor API request counts against. */
export function rateLimitNameFor(method: string, path: string): RateLimitName {
  if (method === "POST" && path === "/api/v1/monitor") return "post_monitors";
  if (method === "PUT" && /^\/api\/v1\/monitor\/\d+$/.test(path)) return "put_monitors";
  if (method === "GET" && /^\/api\/v1\/monitor\/\d+$/.test(path)) return "get_monitors";
  if (method === "GET" && path === "/api/v1/monitor") return "get_all_monitors";
  return "global_org";
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

interface Window {
  startsAt: number;
  used: number;
}

export class RateLimiter {
  readonly limits: Record<RateLimitName, RateLimit>;
  private windows = new Map<RateLimitName, Window>();

  constructor(overrides: Partial<Record<RateLimitName, Partial<RateLimit>>> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...RECORDED_RATE_LIMITS };
    for (const [name, override] of Object.entries(overrides) as [RateLimitName, Partial<RateLimit>][]) {
      this.limits[name] = { ...RECORDED_RATE_LIMITS[name], ...override };
    }
  }

  /** Counts one request against `name` and says whether it may proceed, with the headers to send. */
  take(name: RateLimitName): RateLimitDecision {
    const { limit, periodSeconds } = this.limits[name];
    const periodMs = periodSeconds * 1000;
    const now = this.now();
    // Windows are aligned to multiples of the period, as Datadog's reset values suggest.
    const startsAt = Math.floor(now / periodMs) * periodMs;
    let window = this.windows.get(name);
    if (!window || window.startsAt !== startsAt) {
      window = { startsAt, used: 0 };
      this.windows.set(name, window);
    }
    const allowed = window.used < limit;
    if (allowed) window.used++;
    const headers = {
      "X-RateLimit-Limit": String(limit),
      "X-RateLimit-Period": String(Math.max(1, Math.ceil(periodSeconds))),
      "X-RateLimit-Remaining": String(Math.max(0, limit - window.used)),
      "X-RateLimit-Reset": String(Math.max(1, Math.ceil((startsAt + periodMs - now) / 1000))),
      "X-RateLimit-Name": name,
    };
    return { allowed, headers };
  }

  reset(): void {
    this.windows.clear();
  }
}
