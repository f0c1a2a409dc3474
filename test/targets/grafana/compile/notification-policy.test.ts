import { describe, expect, it } from "vitest";
import { contactPoints } from "../../../../src/targets/grafana/compile/contact-points.js";
import { notificationPolicy } from "../../../../src/targets/grafana/compile/notification-policy.js";
import type { PolicyRoute as GrafanaRoute } from "../../../../src/targets/grafana/wire.js";
import { stableJson } from "../../../../src/lib/stable-json.js";
import type { Channel, Project } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { validator } from "./contract.js";

const PAYMENTS_ONCALL: Channel = { name: "payments-oncall", type: "pagerduty", datadog: "@pagerduty-payments", settings: { integrationKey: "${PD_PAYMENTS_KEY}" } };

function estate(): Project {
  const base = project([
    batchPipeline({ name: "orders-etl" }),
    batchPipeline({ name: "refunds-etl" }),
    batchPipeline({ name: "payments-etl", routing: { critical: ["payments-oncall"], high: ["data-alerts", "data-email"], medium: ["data-alerts"], low: ["data-email"] } }),
    streamingPipeline({ name: "clickstream" }),
  ]);
  return { ...base, channels: { ...base.channels, [PAYMENTS_ONCALL.name]: PAYMENTS_ONCALL } };
}

function receivers(route: GrafanaRoute): string[] {
  return [...(route.receiver ? [route.receiver] : []), ...(route.routes ?? []).flatMap(receivers)];
}

describe("notification policy", () => {
  it("renders the routing tree in Grafana's wire format", () => {
    const policy = notificationPolicy(estate());
    expect(policy.object_matchers).toEqual([["managed_by", "=", "pipemon"]]);
    expect(policy.group_by).toEqual(["alertname", "pipeline", "severity"]);
    expect(policy).not.toHaveProperty("receiver");
    expect(policy).not.toHaveProperty("continue");
    expect((policy.routes ?? []).map((r) => r.object_matchers)).toEqual([
      [["pipeline", "=", "payments-etl"]],
      [["team", "=", "commerce"]],
      [["team", "=", "growth"]],
    ]);
    const payments = policy.routes![0]!;
    expect(payments).not.toHaveProperty("continue");
    expect(payments.routes![0]).toEqual({ object_matchers: [["severity", "=", "critical"]], receiver: "pipemon-payments-oncall", continue: true });
    const commerce = policy.routes![1]!;
    expect(commerce.routes!.slice(0, 2)).toEqual([
      { object_matchers: [["severity", "=", "critical"]], receiver: "pipemon-data-oncall", continue: true },
      { object_matchers: [["severity", "=", "critical"]], receiver: "pipemon-data-alerts", continue: true },
    ]);
  });

  it("validates against the contract's NotificationPolicy schema, with no string matchers", () => {
    const validate = validator("alerting", "NotificationPolicy");
    const policy = notificationPolicy(estate());
    expect(validate(policy), JSON.stringify(validate.errors)).toBe(true);
    expect(stableJson(policy)).not.toContain('"matchers"');
  });

  it("only routes to contact points it generates", () => {
    const pr = estate();
    const names = new Set(contactPoints(pr).map((c) => c.name));
    const used = receivers(notificationPolicy(pr));
    expect(used.length).toBeGreaterThan(0);
    for (const r of used) expect(names).toContain(r);
    expect([...names].sort()).toEqual([...new Set(used)].sort());
  });

  it("ignores pipelines that do not target Grafana", () => {
    const pr = estate();
    const skipped = { ...pr, pipelines: pr.pipelines.map((p) => (p.name === "payments-etl" ? { ...p, targets: ["datadog" as const] } : p)) };
    const json = stableJson(notificationPolicy(skipped));
    expect(json).not.toContain("payments");
  });

  it("has no routes without Grafana pipelines", () => {
    expect(notificationPolicy(project([]))).toEqual({ group_by: ["alertname", "pipeline", "severity"], object_matchers: [["managed_by", "=", "pipemon"]] });
  });

  it("is deterministic whatever the pipeline order", () => {
    const pr = estate();
    const reversed = { ...pr, pipelines: [...pr.pipelines].reverse() };
    expect(stableJson(notificationPolicy(reversed))).toBe(stableJson(notificationPolicy(pr)));
  });
});
