/**
 * The Alertmanager configuration of the Prometheus target: one receiver per channel that a
 * Prometheus pipeline routes to, and the same routing tree Grafana's notification-policy
 * subtree renders (src/compile/routing-tree.ts), so an alert reaches the same channels
 * whichever engine evaluated it.
 *
 * Alertmanager expands no environment variables, and validates URLs when it loads its
 * configuration, so the spec's `${NAME}` secret references cannot be written as they are:
 * - PagerDuty keys and Slack webhook URLs become `*_file` fields naming
 *   `/etc/alertmanager/secrets/<NAME>`: Alertmanager reads the resolved value from that file
 *   (mount one file per variable, e.g. from a Kubernetes Secret); nothing to substitute.
 * - Webhook URLs have no file form in Alertmanager 0.25 (Debian 12's), so they become
 *   `https://pipemon-secret.invalid/<NAME>`: a valid URL in the reserved `.invalid` domain
 *   (it never resolves, so an unsubstituted one fails loudly), which the deploy step replaces
 *   with the value of NAME.
 * Email goes through the SMTP relay in `global` (`localhost:25`, like Grafana's server-wide
 * SMTP settings, which pipemon does not manage either): change it in the deployment.
 */
import { contactPointName } from "../../../model/identity.js";
import type { Channel, Pipeline, Project } from "../../../model/types.js";
import type { DeliveryRoute, RouteMatcher, RoutingTree, ScopeRoute } from "../../../compile/routing-tree.js";
import { channelSetting as setting } from "../../../compile/channel-settings.js";
import { routedChannels, routingTree } from "../../../compile/routing-tree.js";

/** An Alertmanager route; omitted fields are inherited from the parent. */
export interface AlertmanagerRoute {
  receiver?: string;
  group_by?: string[];
  matchers?: string[];
  continue?: boolean;
  routes?: AlertmanagerRoute[];
}

export interface PagerdutyConfig {
  routing_key?: string;
  routing_key_file?: string;
  severity: string;
  send_resolved: boolean;
}
export interface SlackConfig {
  api_url?: string;
  api_url_file?: string;
  channel?: string;
  send_resolved: boolean;
}
export interface EmailConfig {
  to: string;
  send_resolved: boolean;
}
export interface WebhookConfig {
  url: string;
  send_resolved: boolean;
}

export interface AlertmanagerReceiver {
  name: string;
  pagerduty_configs?: PagerdutyConfig[];
  slack_configs?: SlackConfig[];
  email_configs?: EmailConfig[];
  webhook_configs?: WebhookConfig[];
}

export interface AlertmanagerConfig {
  global?: { smtp_smarthost: string; smtp_from: string; smtp_require_tls: boolean };
  route: AlertmanagerRoute;
  receivers: AlertmanagerReceiver[];
}

/** The root route's receiver: no integration. Alerts of a severity routed to no channel end here. */
export const DEFAULT_RECEIVER = "pipemon-default";
/** Where `*_file` secret fields point: one file per `${NAME}`, named NAME. */
export const SECRETS_DIR = "/etc/alertmanager/secrets";
export const SMTP_DEFAULTS = { smtp_smarthost: "localhost:25", smtp_from: "alertmanager@localhost", smtp_require_tls: false } as const;

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$/;

/** The variable a secret setting references, or undefined for a literal (hand-built models). */
export function secretName(value: string): string | undefined {
  return ENV_REF.exec(value)?.[1];
}

/** The placeholder URL of a webhook secret (see the module comment). */
export function webhookPlaceholder(name: string): string {
  return `https://pipemon-secret.invalid/${name}`;
}

/** `{ <field>_file: path }` for a `${NAME}` reference, `{ <field>: value }` for a literal. */
function secretField<K extends string>(field: K, value: string): Partial<Record<K | `${K}_file`, string>> {
  const name = secretName(value);
  return (name === undefined ? { [field]: value } : { [`${field}_file`]: `${SECRETS_DIR}/${name}` }) as Partial<Record<K | `${K}_file`, string>>;
}

/**
 * PagerDuty Events v2 accepts only critical, error, warning and info; Alertmanager's default
 * passes the `severity` label through, which PagerDuty would reject for high/medium/low.
 * Alerts are grouped by severity, so the group's common label is always set.
 */
const PAGERDUTY_SEVERITY =
  '{{ if eq .CommonLabels.severity "critical" }}critical{{ else if eq .CommonLabels.severity "high" }}error' +
  '{{ else if eq .CommonLabels.severity "medium" }}warning{{ else }}info{{ end }}';

/** The receiver of one channel, named like its Grafana contact point. */
export function receiver(channel: Channel): AlertmanagerReceiver {
  const name = contactPointName(channel.name);
  // Grafana contact points send resolved notifications (disableResolveMessage: false); so do these.
  switch (channel.type) {
    case "pagerduty":
      return { name, pagerduty_configs: [{ ...secretField("routing_key", setting(channel, "integrationKey")), severity: PAGERDUTY_SEVERITY, send_resolved: true }] };
    case "slack": {
      const recipient = channel.settings.channel;
      return {
        name,
        slack_configs: [{
          ...secretField("api_url", setting(channel, "webhookUrl")),
          ...(typeof recipient === "string" ? { channel: recipient } : {}),
          send_resolved: true,
        }],
      };
    }
    case "email": {
      const addresses = channel.settings.addresses;
      if (addresses === undefined) throw new Error(`channel ${channel.name} (email) has no addresses`);
      // One message per address, as Grafana's email contact point (singleEmail: false) sends.
      const list = typeof addresses === "string" ? addresses.split(/[;,]/).map((a) => a.trim()).filter(Boolean) : addresses;
      return { name, email_configs: list.map((to) => ({ to, send_resolved: true })) };
    }
    case "webhook": {
      const url = setting(channel, "url");
      const secret = secretName(url);
      return { name, webhook_configs: [{ url: secret === undefined ? url : webhookPlaceholder(secret), send_resolved: true }] };
    }
  }
}

/** Alertmanager's matcher syntax: `label="value"`, value escaped as a Go string. */
export function matcher(m: RouteMatcher): string {
  return `${m.label}="${m.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function delivery(route: DeliveryRoute): AlertmanagerRoute {
  return { receiver: contactPointName(route.channel), matchers: route.matchers.map(matcher), continue: true };
}

function scope(route: ScopeRoute): AlertmanagerRoute {
  const out: AlertmanagerRoute = { matchers: route.matchers.map(matcher) };
  if (route.routes.length > 0) out.routes = route.routes.map(delivery);
  return out;
}

/**
 * The managed subtree, as Grafana's notification policy renders the same tree: no receiver
 * except on deliveries, so a severity with no channel falls back to the root's receiver.
 */
export function alertmanagerRoute(tree: RoutingTree): AlertmanagerRoute {
  const out: AlertmanagerRoute = { group_by: [...tree.groupBy], matchers: tree.matchers.map(matcher) };
  if (tree.routes.length > 0) out.routes = tree.routes.map(scope);
  return out;
}

/** The pipelines the Prometheus target covers: those whose `targets` include it. */
export function prometheusPipelines(project: Project): Pipeline[] {
  return project.pipelines.filter((p) => p.targets.includes("prometheus"));
}

/**
 * A complete Alertmanager configuration for the project's Prometheus pipelines. The root
 * route's receiver has no integration; the managed subtree is its only child, matching
 * `managed_by=pipemon` like Grafana's. To merge into an existing Alertmanager, copy
 * `route.routes[0]` and the `pipemon-*` receivers.
 */
export function alertmanagerConfig(project: Project): AlertmanagerConfig {
  const pipelines = prometheusPipelines(project);
  const receivers: AlertmanagerReceiver[] = [{ name: DEFAULT_RECEIVER }];
  for (const name of routedChannels(pipelines)) {
    const channel = project.channels[name];
    // Validation rejects routing to an undefined channel; reaching this is a bug upstream.
    if (!channel) throw new Error(`routing references undefined channel ${name}`);
    receivers.push(receiver(channel));
  }
  const config: AlertmanagerConfig = {
    route: { receiver: DEFAULT_RECEIVER, routes: [alertmanagerRoute(routingTree(pipelines))] },
    receivers,
  };
  // Alertmanager refuses an email receiver without an SMTP relay and sender.
  return receivers.some((r) => r.email_configs) ? { global: { ...SMTP_DEFAULTS }, ...config } : config;
}
