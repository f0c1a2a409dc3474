import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, NO_PROVENANCE, readFixture, startHarness } from "./harness.js";
import { REDACTED } from "./notifications.js";
import type { EmbeddedContactPoint, JsonObject, JsonValue, Route } from "./types.js";

const allIntegrations = readFixture<EmbeddedContactPoint[]>("all-integrations.json");
const combinedRoute = readFixture<Route>("combined-route.json");

/** The fixture's settings with every "[REDACTED]" replaced by a distinct clear-text secret. */
function withSecrets(settings: JsonObject, prefix: string): JsonObject {
  const fill = (value: JsonValue, path: string): JsonValue => {
    if (value === REDACTED) return `secret:${prefix}:${path}`;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, path ? `${path}.${k}` : k)]));
    }
    return value;
  };
  return fill(settings, "") as JsonObject;
}

const SLACK = { name: "pipemon-data-alerts", type: "slack", settings: { url: "https://hooks.slack.example/T0/B0/secret" } };

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.emulator.close();
});

describe("contact points vs fixtures/all-integrations.json", () => {
  it("redacts exactly the fixture's secret settings in the POST answer and on GET", async () => {
    // Post in reverse order: GET must still sort by name, then uid.
    for (const integration of [...allIntegrations].reverse()) {
      const answer = await h.call("POST", "/api/v1/provisioning/contact-points", { body: { ...integration, settings: withSecrets(integration.settings, integration.uid) }, headers: NO_PROVENANCE });
      expect(answer.status, integration.type).toBe(202);
      expect(answer.body, integration.type).toEqual(integration);
    }
    const listed = await h.ok<EmbeddedContactPoint[]>("GET", "/api/v1/provisioning/contact-points?name=all-integrations");
    expect(listed).toEqual(allIntegrations);
    // Stored in clear: the redaction happens only on the way out.
    expect(h.emulator.state.contactPoints.get("webhook-uid")?.settings.hmacConfig).toEqual({ header: "X-Grafana-Alerting-Signature", secret: "secret:webhook-uid:hmacConfig.secret", timestampHeader: "X-Grafana-Alerting-Timestamp" });
  });

  it("a PUT that sends [REDACTED] keeps the stored secret; a new value replaces it", async () => {
    const pagerduty = allIntegrations.find((i) => i.type === "pagerduty")!;
    await h.ok("POST", "/api/v1/provisioning/contact-points", { body: { ...pagerduty, settings: withSecrets(pagerduty.settings, "pd") } });
    const kept = await h.call("PUT", "/api/v1/provisioning/contact-points/pagerduty-uid", { body: { ...pagerduty, settings: { ...pagerduty.settings, severity: "critical" } } });
    expect([kept.status, kept.body]).toEqual([202, { message: "contactpoint updated" }]);
    expect(h.emulator.state.contactPoints.get("pagerduty-uid")?.settings).toMatchObject({ integrationKey: "secret:pd:integrationKey", severity: "critical" });
    await h.ok("PUT", "/api/v1/provisioning/contact-points/pagerduty-uid", { body: { ...pagerduty, settings: { ...pagerduty.settings, integrationKey: "rotated" } } });
    expect(h.emulator.state.contactPoints.get("pagerduty-uid")?.settings.integrationKey).toBe("rotated");
    const [answer] = await h.ok<EmbeddedContactPoint[]>("GET", "/api/v1/provisioning/contact-points?name=all-integrations");
    expect(answer!.settings.integrationKey).toBe(REDACTED);
  });
});

describe("contact points", () => {
  it("a fresh Grafana has the default email contact point named grafana-default-email", async () => {
    const points = await h.ok<EmbeddedContactPoint[]>("GET", "/api/v1/provisioning/contact-points");
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ name: "grafana-default-email", type: "email", settings: { addresses: "<example@email.com>" }, disableResolveMessage: false });
    expect("provenance" in points[0]!).toBe(false);
  });

  it("GET sorts by name then uid and filters by exact ?name=", async () => {
    h.emulator.seedContactPoint({ uid: "x", name: "b", type: "email", settings: { addresses: "b@example.com" } });
    h.emulator.seedContactPoint({ uid: "z", name: "a", type: "email", settings: { addresses: "a@example.com" } });
    h.emulator.seedContactPoint({ uid: "y", name: "a", type: "email", settings: { addresses: "a@example.com" } });
    const all = await h.ok<EmbeddedContactPoint[]>("GET", "/api/v1/provisioning/contact-points");
    expect(all.map((cp) => `${cp.name}/${cp.uid}`).slice(0, 3)).toEqual(["a/y", "a/z", "b/x"]);
    const named = await h.ok<EmbeddedContactPoint[]>("GET", "/api/v1/provisioning/contact-points?name=a");
    expect(named.map((cp) => cp.uid)).toEqual(["y", "z"]);
    expect(await h.ok("GET", "/api/v1/provisioning/contact-points?name=A")).toEqual([]);
  });

  it("POST without X-Disable-Provenance answers provenance api, and redacts the slack url", async () => {
    const answer = await h.call("POST", "/api/v1/provisioning/contact-points", { body: { uid: "pm-slack", ...SLACK } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ uid: "pm-slack", name: "pipemon-data-alerts", type: "slack", settings: { url: REDACTED }, disableResolveMessage: false, provenance: "api" });
  });

  it("POST validates name, type and the type's required settings; 400 for a taken uid", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...SLACK, name: "" }, "invalid object specification: name is missing"],
      [{ ...SLACK, type: "carrier-pigeon" }, "invalid object specification: type 'carrier-pigeon' is not supported"],
      [{ ...SLACK, uid: "s1", settings: {} }, 'failed to validate integration "pipemon-data-alerts" (UID s1) of type "slack": token must be specified when using the Slack chat API'],
      [{ uid: "p1", name: "pd", type: "pagerduty", settings: { severity: "critical" } }, 'failed to validate integration "pd" (UID p1) of type "pagerduty": could not find integration key property in settings'],
      [{ uid: "e1", name: "mail", type: "email", settings: { addresses: "" } }, 'failed to validate integration "mail" (UID e1) of type "email": could not find addresses in settings'],
    ];
    for (const [body, message] of cases) {
      const answer = await h.call("POST", "/api/v1/provisioning/contact-points", { body });
      expect([answer.status, answer.body], message).toEqual([400, { message }]);
    }
    await h.ok("POST", "/api/v1/provisioning/contact-points", { body: { uid: "taken", ...SLACK } });
    expect((await h.call("POST", "/api/v1/provisioning/contact-points", { body: { uid: "taken", ...SLACK } })).status).toBe(400);
  });

  it("PUT of an unknown uid is 404; dropping provenance api is 409 provenanceMismatch", async () => {
    expect((await h.call("PUT", "/api/v1/provisioning/contact-points/nope", { body: SLACK })).status).toBe(404);
    await h.ok("POST", "/api/v1/provisioning/contact-points", { body: { uid: "pm-slack", ...SLACK } });
    const answer = await h.call("PUT", "/api/v1/provisioning/contact-points/pm-slack", { body: SLACK, headers: NO_PROVENANCE });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ messageId: "alerting.provenanceMismatch" });
  });

  it("DELETE answers 202, and 409 when it would remove the last integration of a receiver a policy uses", async () => {
    await h.ok("POST", "/api/v1/provisioning/contact-points", { body: { uid: "one", ...SLACK } });
    await h.ok("POST", "/api/v1/provisioning/contact-points", { body: { uid: "two", ...SLACK, type: "email", settings: { addresses: "data@example.com" } } });
    await h.ok("PUT", "/api/v1/provisioning/policies", { body: { receiver: "grafana-default-email", routes: [{ receiver: "pipemon-data-alerts", object_matchers: [["managed_by", "=", "pipemon"]] }] } });
    const first = await h.call("DELETE", "/api/v1/provisioning/contact-points/one");
    expect([first.status, first.body]).toEqual([202, { message: "contactpoint deleted" }]);
    const last = await h.call("DELETE", "/api/v1/provisioning/contact-points/two");
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ messageId: "alerting.notifications.contact-points.referenced" });
    expect((await h.call("DELETE", "/api/v1/provisioning/contact-points/absent")).status).toBe(202);
  });

  it("DELETE is 409 when an alert rule's notification_settings use the receiver", async () => {
    h.emulator.seedFolder({ uid: "f", title: "F" });
    h.emulator.seedContactPoint({ uid: "one", ...SLACK });
    h.emulator.seedAlertRule({
      folderUID: "f",
      ruleGroup: "g",
      title: "t",
      condition: "A",
      data: [{ refId: "A", datasourceUid: "prometheus", model: { expr: "up" } }],
      noDataState: "OK",
      execErrState: "OK",
      for: "1m",
      notification_settings: { receiver: SLACK.name },
    });
    expect((await h.call("DELETE", "/api/v1/provisioning/contact-points/one")).status).toBe(409);
  });

  it("renaming the last integration of a receiver renames it in the policy tree", async () => {
    h.emulator.seedContactPoint({ uid: "one", ...SLACK });
    h.emulator.seedPolicyTree({ receiver: "grafana-default-email", routes: [{ receiver: SLACK.name }] });
    await h.ok("PUT", "/api/v1/provisioning/contact-points/one", { body: { ...SLACK, name: "pipemon-renamed", settings: { url: REDACTED } } });
    const tree = await h.ok<Route>("GET", "/api/v1/provisioning/policies");
    expect(tree.routes?.[0]?.receiver).toBe("pipemon-renamed");
    expect(h.emulator.state.contactPoints.get("one")?.settings.url).toBe(SLACK.settings.url);
  });
});

describe("notification policies vs fixtures/combined-route.json", () => {
  const receivers = ["default-receiver", "slack-multi-channel", "lotsa-emails", "provisioned-contact-point", "lotsa-emails-override", "nested-receiver"];
  const timeIntervals = ["A provisioned interval", "Some interval", "A provisioned interval override", "Some interval override", "interval", "active"];
  const seedReferences = () => {
    for (const name of receivers) h.emulator.seedContactPoint({ name, type: "email", settings: { addresses: `${name}@example.com` } });
    for (const name of timeIntervals) h.emulator.seedMuteTiming(name);
  };

  it("a fresh Grafana answers the default tree", async () => {
    expect(await h.ok("GET", "/api/v1/provisioning/policies")).toEqual({ receiver: "grafana-default-email", group_by: ["grafana_folder", "alertname"] });
  });

  it("PUT stores the fixture tree and GET answers it unchanged (provenance api on the root)", async () => {
    seedReferences();
    const put = await h.call("PUT", "/api/v1/provisioning/policies", { body: combinedRoute });
    expect([put.status, put.body]).toEqual([202, { message: "policies updated" }]);
    expect(await h.ok("GET", "/api/v1/provisioning/policies")).toEqual({ ...combinedRoute, provenance: "api" });
  });

  it("with X-Disable-Provenance GET answers exactly the fixture", async () => {
    seedReferences();
    await h.ok("PUT", "/api/v1/provisioning/policies", { body: combinedRoute, headers: NO_PROVENANCE });
    const answer = await h.call("GET", "/api/v1/provisioning/policies");
    expect(answer.body).toEqual(combinedRoute);
    expect(JSON.parse(answer.text)).toStrictEqual(combinedRoute);
  });

  it("PUT answers 400 for unknown receivers or time intervals, bad group_by, root matchers, bad durations", async () => {
    const unknownReceiver = await h.call("PUT", "/api/v1/provisioning/policies", { body: combinedRoute });
    expect([unknownReceiver.status, unknownReceiver.body]).toEqual([400, { message: "invalid object specification: receiver 'default-receiver' does not exist" }]);
    seedReferences();
    const bad: Array<[Route, string]> = [
      [{ receiver: "default-receiver", routes: [{ receiver: "default-receiver", mute_time_intervals: ["nope"] }] }, "invalid object specification: mute time interval 'nope' does not exist"],
      [{ receiver: "default-receiver", group_by: ["...", "alertname"] }, "invalid object specification: cannot have wildcard group_by (`...`) and other other labels at the same time"],
      [{ receiver: "default-receiver", group_by: ["alertname", "alertname"] }, "invalid object specification: duplicated label in group_by: alertname,alertname"],
      [{ receiver: "default-receiver", object_matchers: [["a", "=", "b"]] }, "invalid object specification: root route must not have any matchers"],
      [{ routes: [] }, "invalid object specification: root route must specify a default receiver"],
      [{ receiver: "default-receiver", group_wait: "soon" }, "invalid object specification: invalid group_wait 'soon'"],
    ];
    for (const [tree, message] of bad) {
      const answer = await h.call("PUT", "/api/v1/provisioning/policies", { body: tree });
      expect([answer.status, answer.body], message).toEqual([400, { message }]);
    }
    expect(await h.ok("GET", "/api/v1/provisioning/policies")).toEqual({ receiver: "grafana-default-email", group_by: ["grafana_folder", "alertname"] });
  });

  it("DELETE resets to the default tree and answers it with 202", async () => {
    seedReferences();
    await h.ok("PUT", "/api/v1/provisioning/policies", { body: combinedRoute });
    const reset = await h.call("DELETE", "/api/v1/provisioning/policies");
    expect([reset.status, reset.body]).toEqual([202, { receiver: "grafana-default-email", group_by: ["grafana_folder", "alertname"] }]);
    expect(await h.ok("GET", "/api/v1/provisioning/policies")).toEqual({ receiver: "grafana-default-email", group_by: ["grafana_folder", "alertname"] });
  });

  it("a tree with provenance api cannot be replaced without provenance (409)", async () => {
    seedReferences();
    await h.ok("PUT", "/api/v1/provisioning/policies", { body: { receiver: "default-receiver" } });
    const answer = await h.call("PUT", "/api/v1/provisioning/policies", { body: { receiver: "lotsa-emails" }, headers: NO_PROVENANCE });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ messageId: "alerting.provenanceMismatch" });
  });
});
