import type { Channel } from "../model/types.js";

/**
 * A required channel setting as one string (a list joined with ","). Validation guarantees
 * each type's required settings, so a missing one is a bug upstream, not a user error.
 */
export function channelSetting(channel: Channel, key: string): string {
  const value = channel.settings[key];
  if (value === undefined) throw new Error(`channel ${channel.name} (${channel.type}) has no ${key}`);
  return typeof value === "string" ? value : value.join(",");
}
