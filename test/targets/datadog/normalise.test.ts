/** The comparable form of a monitor: equal when only Datadog's own additions differ. */
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/plan/resource.js";
import { normaliseMonitor, resolvePlaceholders } from "../../../src/targets/datadog/normalise.js";

const desired = {
  name: "[pipemon] a: stale",
  type: "metric alert",
  query: "max(last_1h):max:pipeline.last_success_age{pipeline:a} > 3600",
  message: "Dashboard: ${GRAFANA_URL}/d/pm-a",
  priority: 2,
  tags: ["pipemon-id:a/stale", "managed-by:pipemon", "env:production"],
  options: { thresholds: { critical: 3600, warning: 0 }, notify_no_data: true, no_data_timeframe: 120 },
};

const live = {
  id: 1234,
  org_id: 5,
  created: "2026-01-01T00:00:00.000000+00:00",
  created_at: 1767225600000,
  modified: "2026-01-01T00:00:00.000000+00:00",
  creator: { name: "x", handle: "x@example.com", email: "x@example.com", id: 1 },
  overall_state: "No Data",
  overall_state_modified: null,
  multi: false,
  deleted: null,
  restricted_roles: null,
  restriction_policy: null,
  matching_downtimes: [],
  draft_status: "published",
  assets: [],
  name: "[pipemon] a: stale",
  type: "query alert",
  query: "max(last_1h):max:pipeline.last_success_age{pipeline:a} > 3600",
  message: "Dashboard: https://g.example/d/pm-a",
  priority: 2,
  tags: ["env:production", "managed-by:pipemon", "pipemon-id:a/stale"],
  options: {
    thresholds: { critical: "3600.0", warning: 0.0, critical_recovery: null },
    notify_no_data: true,
    no_data_timeframe: 120,
    notify_audit: false,
    new_host_delay: 300,
    include_tags: true,
    silenced: { "*": null },
  },
};

const resolved = (body: Json) => normaliseMonitor(resolvePlaceholders(body, { GRAFANA_URL: "https://g.example" }));

describe("normaliseMonitor", () => {
  it("a live monitor equals the body that created it", () => {
    expect(normaliseMonitor(live)).toEqual(resolved(desired));
  });

  it("keeps a server default that the live monitor no longer has", () => {
    const changed = { ...live, options: { ...live.options, notify_audit: true, include_tags: false } };
    expect(normaliseMonitor(changed)).not.toEqual(resolved(desired));
    expect((normaliseMonitor(changed) as { options: Record<string, Json> }).options).toMatchObject({ notify_audit: true, include_tags: false });
  });

  it("a default the desired side sets explicitly compares equal to the server's", () => {
    const explicit = { ...desired, options: { ...desired.options, new_host_delay: 300, notify_audit: false } };
    expect(resolved(explicit)).toEqual(normaliseMonitor(live));
  });

  it("sees real changes: threshold, query, tags, priority", () => {
    for (const change of [
      { options: { ...live.options, thresholds: { critical: 7200 } } },
      { query: live.query.replace("3600", "7200") },
      { tags: [...live.tags, "extra:1"] },
      { priority: 1 },
    ]) {
      expect(normaliseMonitor({ ...live, ...change } as Json)).not.toEqual(resolved(desired));
    }
  });

  it("does not care about tag order or key order", () => {
    const shuffled = { ...Object.fromEntries(Object.entries(live).reverse()), tags: [...live.tags].reverse() } as Json;
    expect(Object.keys(shuffled as object)[0]).toBe("options");
    expect(JSON.stringify(normaliseMonitor(shuffled))).toBe(JSON.stringify(resolved(desired)));
  });

  it("leaves unknown placeholders in place (they show as a diff, not as an empty link)", () => {
    expect(resolvePlaceholders("x ${OTHER} y", {})).toBe("x ${OTHER} y");
  });

  it("reads references the way the specs write them, defaults included", () => {
    expect(resolvePlaceholders("${GRAFANA_URL:-https://g.example}/d/pm-a", {})).toBe("https://g.example/d/pm-a");
    expect(resolvePlaceholders("${grafana_url}/d", { grafana_url: "https://g" })).toBe("https://g/d");
  });
});
