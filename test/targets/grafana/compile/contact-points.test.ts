import { afterEach, describe, expect, it } from "vitest";
import { contactPoints, contactPointSettings } from "../../../../src/targets/grafana/compile/contact-points.js";
import { stableJson } from "../../../../src/lib/stable-json.js";
import type { Channel, Project } from "../../../../src/model/types.js";
import { batchPipeline, project, streamingPipeline } from "../../../fixtures/model.js";
import { readContract, UID, validator } from "./contract.js";

const channel = (c: Partial<Channel> & Pick<Channel, "name" | "type" | "settings">): Channel => ({ datadog: `@${c.name}`, ...c });

function withChannels(base: Project, channels: Channel[]): Project {
  return { ...base, channels: { ...base.channels, ...Object.fromEntries(channels.map((c) => [c.name, c])) } };
}

const SECRETS = {
  PD_DATA_ONCALL_KEY: "pd-secret-0123456789abcdef",
  SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.slack.com/services/T000/B000/secretsecret",
};

describe("contact points", () => {
  afterEach(() => {
    for (const name of Object.keys(SECRETS)) delete process.env[name];
  });

  it("has one contact point per routed channel, sorted by name, in the API's shape", () => {
    expect(contactPoints(project())).toEqual([
      { uid: "pm-cp-data-alerts", name: "pipemon-data-alerts", type: "slack", settings: { url: "${SLACK_DATA_ALERTS_WEBHOOK}" }, disableResolveMessage: false },
      { uid: "pm-cp-data-email", name: "pipemon-data-email", type: "email", settings: { addresses: "data-team@example.com", singleEmail: false }, disableResolveMessage: false },
      { uid: "pm-cp-data-oncall", name: "pipemon-data-oncall", type: "pagerduty", settings: { integrationKey: "${PD_DATA_ONCALL_KEY}" }, disableResolveMessage: false },
    ]);
  });

  it("validates against the contract's ContactPoint schema, with valid uids", () => {
    const validate = validator("alerting", "ContactPoint");
    for (const cp of contactPoints(project())) {
      expect(validate(cp), JSON.stringify(validate.errors)).toBe(true);
      expect(cp.uid).toMatch(UID);
    }
  });

  it("uses the setting names of Grafana's own integrations", () => {
    const fixture = readContract("fixtures/all-integrations.json") as { type: string; settings: Record<string, unknown> }[];
    const known = (type: string) => Object.keys(fixture.find((f) => f.type === type)!.settings);
    const pr = withChannels(project(), [
      channel({ name: "hook", type: "webhook", settings: { url: "${HOOK_URL}" } }),
      channel({ name: "chat", type: "slack", settings: { webhookUrl: "${SLACK_URL}", channel: "#data" } }),
    ]);
    for (const c of Object.values(pr.channels)) {
      for (const key of Object.keys(contactPointSettings(c))) expect(known(c.type), `${c.type}.${key}`).toContain(key);
    }
  });

  it("maps each channel type's settings", () => {
    expect(contactPointSettings(channel({ name: "s", type: "slack", settings: { webhookUrl: "${W}", channel: "#data-alerts" } }))).toEqual({
      url: "${W}",
      recipient: "#data-alerts",
    });
    expect(contactPointSettings(channel({ name: "e", type: "email", settings: { addresses: ["a@example.com", "b@example.com"] } }))).toEqual({
      addresses: "a@example.com;b@example.com",
      singleEmail: false,
    });
    expect(contactPointSettings(channel({ name: "w", type: "webhook", settings: { url: "https://hooks.example.com/${TOKEN}" } }))).toEqual({
      url: "https://hooks.example.com/${TOKEN}",
    });
    expect(contactPointSettings(channel({ name: "p", type: "pagerduty", settings: { integrationKey: "${K:-none}" } }))).toEqual({ integrationKey: "${K:-none}" });
  });

  it("keeps ${ENV} placeholders and never writes a resolved secret", () => {
    Object.assign(process.env, SECRETS);
    const json = stableJson(contactPoints(project()));
    expect(json).toContain("${PD_DATA_ONCALL_KEY}");
    expect(json).toContain("${SLACK_DATA_ALERTS_WEBHOOK}");
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
  });

  it("leaves out channels no Grafana pipeline routes to", () => {
    const datadogOnly = batchPipeline({ name: "dd-only", targets: ["datadog"], routing: { critical: ["dd-pager"], high: [], medium: [], low: [] } });
    const pr = withChannels(project([streamingPipeline({ routing: { critical: ["data-oncall"], high: [], medium: [], low: [] } }), datadogOnly]), [
      channel({ name: "dd-pager", type: "pagerduty", settings: { integrationKey: "${DD_PAGER}" } }),
      channel({ name: "unused", type: "webhook", settings: { url: "${UNUSED}" } }),
    ]);
    expect(contactPoints(pr).map((c) => c.name)).toEqual(["pipemon-data-oncall"]);
  });

  it("is empty without Grafana pipelines", () => {
    expect(contactPoints(project([batchPipeline({ targets: ["datadog"] })]))).toEqual([]);
  });
});
