/**
 * Contact points (`POST /api/v1/provisioning/contact-points` bodies), one per channel that a
 * Grafana pipeline routes to. Settings keep the spec's `${ENV}` references verbatim: they
 * are secrets once resolved, and only plan/apply resolve them.
 */
import { contactPointName, contactPointUid } from "../../../model/identity.js";
import type { Channel, Project } from "../../../model/types.js";
import { channelSetting as required } from "../../../compile/channel-settings.js";
import { routedChannels } from "../../../compile/routing-tree.js";
import { grafanaPipelines } from "./scope.js";
import type { ContactPoint } from "../wire.js";

function text(channel: Channel, key: string): string | undefined {
  const value = channel.settings[key];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.join(",");
}

/** Grafana's integration settings for a channel, by channel type. */
export function contactPointSettings(channel: Channel): Record<string, string | boolean> {
  switch (channel.type) {
    case "pagerduty":
      return { integrationKey: required(channel, "integrationKey") };
    case "slack": {
      const recipient = text(channel, "channel");
      return recipient === undefined ? { url: required(channel, "webhookUrl") } : { url: required(channel, "webhookUrl"), recipient };
    }
    case "email": {
      const addresses = channel.settings.addresses;
      if (addresses === undefined) throw new Error(`channel ${channel.name} (email) has no addresses`);
      // Grafana takes one ";"-separated string; singleEmail false is its default (a message per address).
      return { addresses: typeof addresses === "string" ? addresses : addresses.join(";"), singleEmail: false };
    }
    case "webhook":
      return { url: required(channel, "url") };
  }
}

export function contactPoint(channel: Channel): ContactPoint {
  return {
    uid: contactPointUid(channel.name),
    name: contactPointName(channel.name),
    type: channel.type,
    settings: contactPointSettings(channel),
    disableResolveMessage: false,
  };
}

/** Channel names some Grafana pipeline routes to, at any severity, sorted. */
export function grafanaChannels(project: Project): string[] {
  return routedChannels(grafanaPipelines(project));
}

/** Contact points of every channel a Grafana pipeline routes to, sorted by name. */
export function contactPoints(project: Project): ContactPoint[] {
  return grafanaChannels(project).map((name) => {
    const channel = project.channels[name];
    // Validation rejects routing to an undefined channel; reaching this is a bug upstream.
    if (!channel) throw new Error(`routing references undefined channel ${name}`);
    return contactPoint(channel);
  });
}
