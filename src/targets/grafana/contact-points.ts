/**
 * grafana-contact-point: one integration per channel, uid `pm-cp-<channel>`, name
 * `pipemon-<channel>` (the key). Listing is ONE `GET /api/v1/provisioning/contact-points`.
 * Secrets stay `${ENV}` placeholders until the write resolves them (contact-point-secrets.ts).
 */
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { TargetError, type KindHandler } from "../handler.js";
import { GrafanaRequestError, type GrafanaClient } from "./client.js";
import type { LiveContactPoint } from "./wire.js";
import { contentHash, isJsonObject, sortedKeys } from "./comparable.js";
import { comparableSettings, resolvedSettings } from "./contact-point-secrets.js";
import { listing } from "./listing.js";
import { CONTACT_POINT_NAME_PREFIX, contactPointUidMatchesName } from "./ownership.js";

export class ContactPointHandler implements KindHandler {
  readonly kind = "grafana-contact-point" as const;
  readonly target = "grafana" as const;

  constructor(private readonly client: GrafanaClient, private readonly resolveSecret: (name: string) => string | undefined) {}

  /**
   * One resource per `pipemon-*` name. Owned only when every integration under the name has
   * pipemon's uid for it: a second integration someone added to the receiver, or the name
   * on a foreign uid, makes it owned:false (a write would lose or clobber theirs).
   */
  list(): Promise<LiveResource[]> {
    return listing(this.kind, async () => {
      const byName = new Map<string, LiveContactPoint[]>();
      for (const cp of await this.client.listContactPoints()) {
        if (typeof cp.name !== "string" || !cp.name.startsWith(CONTACT_POINT_NAME_PREFIX)) continue;
        byName.set(cp.name, [...(byName.get(cp.name) ?? []), cp]);
      }
      return [...byName.entries()].map(([name, integrations]): LiveResource => {
        const ours = integrations.filter((cp) => contactPointUidMatchesName(cp.uid, name));
        const primary = ours[0] ?? integrations[0]!;
        return {
          kind: this.kind,
          key: name,
          body: primary,
          owned: ours.length === integrations.length,
          fingerprint: contentHash(this.normalise(primary, "live")),
          handle: { uid: primary.uid },
        };
      });
    });
  }

  normalise(body: Json, side: "desired" | "live"): Json {
    if (!isJsonObject(body)) return body;
    const type = typeof body.type === "string" ? body.type : "";
    return sortedKeys({
      uid: body.uid ?? null,
      name: body.name ?? null,
      type,
      settings: comparableSettings(type, isJsonObject(body.settings) ? body.settings : {}, side, this.resolveSecret),
      disableResolveMessage: body.disableResolveMessage === true,
    });
  }

  async create(desired: DesiredResource): Promise<void> {
    const { body, secrets } = this.writeBody(desired);
    try {
      await this.client.createContactPoint(body, secrets);
    } catch (e) {
      // A retried POST whose first attempt landed answers "uid exists": converged if it is ours.
      if (!(e instanceof GrafanaRequestError && (e.status === 400 || e.status === 409))) throw e;
      const existing = (await this.client.listContactPoints()).find((cp) => cp.uid === body.uid);
      if (existing && existing.name === body.name && existing.type === body.type) {
        await this.client.updateContactPoint(body.uid, body, secrets);
        return;
      }
      throw e;
    }
  }

  async update(desired: DesiredResource, live: LiveResource): Promise<void> {
    const { body, secrets } = this.writeBody(desired);
    const uid = isJsonObject(live.handle) && typeof live.handle.uid === "string" ? live.handle.uid : body.uid;
    await this.client.updateContactPoint(uid, { ...body, uid }, secrets);
  }

  async delete(live: LiveResource): Promise<void> {
    const uid = isJsonObject(live.handle) && typeof live.handle.uid === "string" ? live.handle.uid : isJsonObject(live.body) && typeof live.body.uid === "string" ? live.body.uid : undefined;
    if (!uid) throw new TargetError("grafana", `grafana: contact point ${live.key} has no uid to delete`);
    await this.client.deleteContactPoint(uid);
  }

  /** The POST/PUT body with placeholders resolved; only pipemon's own fields are sent. */
  private writeBody(desired: DesiredResource): { body: LiveContactPoint; secrets: string[] } {
    const b = desired.body;
    if (!isJsonObject(b) || typeof b.uid !== "string" || typeof b.type !== "string") throw new TargetError("grafana", `grafana: desired contact point ${desired.key} has no uid or type`);
    const { settings, secrets } = resolvedSettings(desired.key, isJsonObject(b.settings) ? b.settings : {}, this.resolveSecret);
    return {
      body: { uid: b.uid, name: typeof b.name === "string" ? b.name : desired.key, type: b.type, settings, disableResolveMessage: b.disableResolveMessage === true },
      secrets,
    };
  }
}
