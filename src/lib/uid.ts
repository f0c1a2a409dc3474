import { createHash } from "node:crypto";

/** Grafana's uid limit. */
export const MAX_UID_LENGTH = 40;

/**
 * A stable uid of at most 40 characters: the text itself when it fits, otherwise a prefix
 * and an 8-hex-digit hash of the whole text, so two long names never collide on the prefix.
 */
export function boundedUid(text: string): string {
  if (text.length <= MAX_UID_LENGTH) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
  return `${text.slice(0, MAX_UID_LENGTH - 9).replace(/-+$/, "")}-${hash}`;
}
