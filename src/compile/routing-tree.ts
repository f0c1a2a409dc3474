/**
 * The notification routing of a project as a target-neutral tree: who is told about which
 * alert. Grafana renders it as its notification-policy subtree; an Alertmanager config can
 * render the same tree, so both deliver an alert to the same channels.
 *
 * Semantics are Alertmanager's: routes are tried in order, the first matching route wins
 * unless it sets `continue`, and a route whose children all miss handles the alert itself
 * (with its inherited receiver).
 *
 *   managed_by=pipemon
 *   ├─ pipeline=<p>        one per pipeline whose routing differs from its team's common routing
 *   │   └─ severity=<s> → <channel>   continue: true, one per (severity, channel)
 *   └─ team=<t>
 *       └─ severity=<s> → <channel>   continue: true
 *
 * Pipeline and team routes do not continue, so a pipeline route replaces its team's routing
 * instead of adding to it. Delivery routes do continue, so every channel of a severity gets
 * the alert.
 */
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../model/identity.js";
import type { Pipeline, Routing, Severity } from "../model/types.js";
import { SEVERITIES } from "../model/types.js";
import { byCodePoint, pipelinesByTeam } from "./teams.js";

/** An equality matcher: the alert's label `label` has the value `value`. */
export interface RouteMatcher {
  label: string;
  value: string;
}

interface RouteBase {
  matchers: readonly RouteMatcher[];
  /** Keep trying the following sibling routes after this one matched. */
  continue: boolean;
}

/** Delivers one severity to one channel. */
export interface DeliveryRoute extends RouteBase {
  kind: "delivery";
  severity: Severity;
  channel: string;
  continue: true;
}

/** The routing of one team, or of one pipeline that overrides its team's. */
export interface ScopeRoute extends RouteBase {
  kind: "team" | "pipeline";
  team: string;
  /** The pipeline's name, for `kind: "pipeline"`. */
  pipeline?: string;
  continue: false;
  routes: readonly DeliveryRoute[];
}

export interface RoutingTree extends RouteBase {
  kind: "root";
  /** Labels that group alerts into one notification. */
  groupBy: readonly string[];
  continue: false;
  routes: readonly ScopeRoute[];
}

/** What routing needs to know about a pipeline. */
export type RoutedPipeline = Pick<Pipeline, "name" | "team" | "routing">;

export const ROUTE_GROUP_BY: readonly string[] = ["alertname", "pipeline", "severity"];

/**
 * The routing tree of the given pipelines (the caller picks them, e.g. those targeting
 * Grafana). Deterministic: teams and pipelines sorted by name, severities critical→low,
 * channels in the order the spec lists them.
 */
export function routingTree(pipelines: readonly RoutedPipeline[]): RoutingTree {
  const routes: ScopeRoute[] = [];
  for (const [team, members] of pipelinesByTeam(pipelines)) {
    const common = commonRouting(members);
    const commonKey = routingKey(common);
    for (const p of members) {
      if (routingKey(p.routing) === commonKey) continue;
      routes.push({
        kind: "pipeline",
        team,
        pipeline: p.name,
        matchers: [{ label: "pipeline", value: p.name }],
        continue: false,
        routes: deliveries(p.routing),
      });
    }
    routes.push({ kind: "team", team, matchers: [{ label: "team", value: team }], continue: false, routes: deliveries(common) });
  }
  return {
    kind: "root",
    matchers: [{ label: MANAGED_BY_LABEL, value: MANAGED_BY_VALUE }],
    groupBy: ROUTE_GROUP_BY,
    continue: false,
    routes,
  };
}

/**
 * The routing most of a team's pipelines share; on a tie, the routing of the group holding
 * the lexicographically first pipeline. `members` must be sorted by name, so the first
 * pipeline of each group is its representative and the first group seen wins a tie.
 */
export function commonRouting(members: readonly RoutedPipeline[]): Routing {
  const groups = new Map<string, { routing: Routing; count: number }>();
  for (const p of members) {
    const key = routingKey(p.routing);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { routing: p.routing, count: 1 });
  }
  let best: { routing: Routing; count: number } | undefined;
  for (const group of groups.values()) if (!best || group.count > best.count) best = group;
  if (!best) throw new Error("commonRouting: a team without pipelines");
  return best.routing;
}

/**
 * Two routings are the same when every severity reaches the same set of channels: with
 * `continue` on every delivery, the order channels are listed in changes nothing.
 */
function routingKey(routing: Routing): string {
  return SEVERITIES.map((s) => [...new Set(routing[s])].sort().join(",")).join("|");
}

function deliveries(routing: Routing): DeliveryRoute[] {
  const out: DeliveryRoute[] = [];
  for (const severity of SEVERITIES) {
    // A channel listed twice would be notified twice.
    for (const channel of new Set(routing[severity])) {
      out.push({ kind: "delivery", severity, channel, matchers: [{ label: "severity", value: severity }], continue: true });
    }
  }
  return out;
}

/** Channel names the pipelines route to, at any severity, in code-point order. */
export function routedChannels(pipelines: readonly RoutedPipeline[]): string[] {
  const names = new Set<string>();
  for (const p of pipelines) for (const s of SEVERITIES) for (const c of p.routing[s]) names.add(c);
  return [...names].sort(byCodePoint);
}
