/**
 * grafana-notification-policy: pipemon owns one subtree of the organisation's single policy
 * tree, the top-level route whose only matcher is managed_by=pipemon (key `managed-subtree`).
 * Grafana replaces the tree whole, so every write reads the live tree at write time, swaps
 * only that subtree and PUTs the tree back: every other route, and the root's own settings,
 * go back exactly as they were read.
 *
 * Position: a new subtree is inserted as the FIRST child of the root. Routes match in order
 * and the first match without `continue` stops the walk, so anywhere later a user's broader
 * route (say `team=payments` without continue) would swallow pipemon's alerts. First is safe
 * for everyone else because the subtree matches only alerts labelled managed_by=pipemon. An
 * existing subtree is replaced where it is, in case someone moved it deliberately.
 */
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { TargetError, type KindHandler } from "../handler.js";
import type { GrafanaClient } from "./client.js";
import type { LivePolicyRoute } from "./wire.js";
import { comparableDuration, contentHash, isJsonObject, sortedKeys, type JsonObject } from "./comparable.js";
import { listing } from "./listing.js";
import { isManagedRoute, parseMatcher } from "./ownership.js";
import { MANAGED_POLICY_KEY } from "../../model/identity.js";

/** The subtree's plan key, from the identity rules. */
export const MANAGED_SUBTREE_KEY = MANAGED_POLICY_KEY;

export class NotificationPolicyHandler implements KindHandler {
  readonly kind = "grafana-notification-policy" as const;
  readonly target = "grafana" as const;

  constructor(private readonly client: GrafanaClient) {}

  list(): Promise<LiveResource[]> {
    return listing(this.kind, async () => {
      const tree = await this.client.getPolicyTree();
      const routes = Array.isArray(tree.routes) ? tree.routes : [];
      // Every managed route, not only the first: a second one (two applies at once, a hand
      // copy) is a duplicate the plan must show; its position is the instance.
      return routes.flatMap((subtree, index): LiveResource[] =>
        isManagedRoute(subtree) ? [{ kind: this.kind, key: MANAGED_SUBTREE_KEY, body: subtree, owned: true, fingerprint: contentHash(this.normalise(subtree)), handle: { index }, instance: String(index) }] : [],
      );
    });
  }

  normalise(body: Json): Json {
    return isJsonObject(body) ? sortedKeys(comparableRoute(body)) : body;
  }

  async create(desired: DesiredResource): Promise<void> {
    await this.write(subtreeOf(desired));
  }

  async update(desired: DesiredResource): Promise<void> {
    await this.write(subtreeOf(desired));
  }

  /** Removes the subtree (and any duplicate of it); the rest of the tree is left as it is. */
  async delete(): Promise<void> {
    await this.write(undefined);
  }

  /**
   * Removes one extra managed route, the one read at plan time (same content, preferably at
   * the same position), re-reading the tree first. Never the last managed route: when an
   * update already dropped the copies, there is nothing left to do.
   */
  async deleteCopy(live: LiveResource): Promise<void> {
    const tree = await this.client.getPolicyTree();
    const routes = Array.isArray(tree.routes) ? tree.routes : [];
    const managed = routes.flatMap((r, i) => (isManagedRoute(r) ? [i] : []));
    if (managed.length <= 1) return;
    const same = managed.filter((i) => contentHash(this.normalise(routes[i]!)) === live.fingerprint);
    const listedAt = isJsonObject(live.handle) && typeof live.handle.index === "number" ? live.handle.index : -1;
    const index = same.includes(listedAt) ? listedAt : same[same.length - 1];
    if (index === undefined) throw new TargetError("grafana", `grafana: the duplicate notification policy subtree ${live.key}#${live.instance ?? ""} changed since the plan; run plan again`);
    await this.client.putPolicyTree({ ...tree, routes: routes.filter((_, i) => i !== index) });
  }

  private async write(subtree: LivePolicyRoute | undefined): Promise<void> {
    const tree = await this.client.getPolicyTree();
    const routes = Array.isArray(tree.routes) ? tree.routes : [];
    const first = routes.findIndex((r) => isManagedRoute(r));
    if (subtree === undefined && first < 0) return;
    // Duplicates carry pipemon's marker too; only the first could ever match, so they go.
    const kept = routes.filter((r, i) => i === first || !isManagedRoute(r));
    let next: LivePolicyRoute[];
    if (subtree === undefined) next = kept.filter((r) => !isManagedRoute(r));
    else if (first < 0) next = [subtree, ...kept];
    else next = kept.map((r) => (isManagedRoute(r) ? subtree : r));
    await this.client.putPolicyTree({ ...tree, routes: next });
  }
}

function subtreeOf(desired: DesiredResource): LivePolicyRoute {
  if (!isJsonObject(desired.body) || !isManagedRoute(desired.body)) {
    throw new TargetError("grafana", "grafana: the desired notification policy is not a route matching only managed_by=pipemon");
  }
  return desired.body as LivePolicyRoute;
}

const byText = (a: Json, b: Json): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A route as the alertmanager reads it: matchers in one sorted object form (they are ANDed;
 * the string form is what Grafana may answer), durations canonical, group_by and time
 * intervals sorted, defaults (`continue: false`, empty lists) dropped, provenance dropped.
 * Child routes keep their order: it decides which one matches.
 */
function comparableRoute(route: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof route.receiver === "string" && route.receiver !== "") out.receiver = route.receiver;
  const matchers: Json[] = [];
  if (Array.isArray(route.object_matchers)) for (const m of route.object_matchers) if (Array.isArray(m)) matchers.push(m);
  if (Array.isArray(route.matchers)) for (const m of route.matchers) if (typeof m === "string") matchers.push(parseMatcher(m) ?? m);
  if (isJsonObject(route.match)) for (const [k, v] of Object.entries(route.match)) matchers.push([k, "=", v]);
  if (isJsonObject(route.match_re)) for (const [k, v] of Object.entries(route.match_re)) matchers.push([k, "=~", v]);
  if (matchers.length) out.object_matchers = matchers.sort(byText);
  for (const list of ["group_by", "mute_time_intervals", "active_time_intervals"] as const) {
    const v = route[list];
    if (Array.isArray(v) && v.length) out[list] = [...v].sort(byText);
  }
  for (const d of ["group_wait", "group_interval", "repeat_interval"] as const) {
    const v = route[d];
    if (v !== undefined && v !== null && v !== "") out[d] = comparableDuration(v);
  }
  if (route.continue === true) out.continue = true;
  if (Array.isArray(route.routes) && route.routes.length) out.routes = route.routes.filter(isJsonObject).map(comparableRoute);
  return out;
}
