/**
 * The managed notification-policy subtree, in the provisioning API's wire format. Plan/apply
 * merge it into the live tree (replacing the route that matches `managed_by=pipemon`) and
 * keep every route pipemon does not own.
 */
import { contactPointName } from "../../../model/identity.js";
import type { Project } from "../../../model/types.js";
import type { DeliveryRoute, RouteMatcher, RoutingTree, ScopeRoute } from "../../../compile/routing-tree.js";
import { routingTree } from "../../../compile/routing-tree.js";
import { grafanaPipelines } from "./scope.js";
import type { PolicyRoute } from "../wire.js";

const matchers = (ms: readonly RouteMatcher[]): [string, "=", string][] => ms.map((m) => [m.label, "=", m.value]);

// The API omits `continue` when false and `routes` when empty; doing the same keeps a
// read-back identical to what was written.
function delivery(route: DeliveryRoute): PolicyRoute {
  return { receiver: contactPointName(route.channel), object_matchers: matchers(route.matchers), continue: true };
}

function scope(route: ScopeRoute): PolicyRoute {
  const out: PolicyRoute = { object_matchers: matchers(route.matchers) };
  if (route.routes.length > 0) out.routes = route.routes.map(delivery);
  return out;
}

/**
 * Renders a routing tree. No route sets a receiver except deliveries: an alert whose severity
 * has no channel falls back to the receiver of the live tree's root, Grafana's default.
 */
export function grafanaRoute(tree: RoutingTree): PolicyRoute {
  const out: PolicyRoute = { group_by: [...tree.groupBy], object_matchers: matchers(tree.matchers) };
  if (tree.routes.length > 0) out.routes = tree.routes.map(scope);
  return out;
}

/** The managed subtree for the project's Grafana pipelines. */
export function notificationPolicy(project: Project): PolicyRoute {
  return grafanaRoute(routingTree(grafanaPipelines(project)));
}
