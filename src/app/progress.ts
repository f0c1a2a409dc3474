/**
 * What a long plan or apply reports while it runs, as events: the CLI draws them (a bar per
 * phase on a terminal, a plain line every few seconds elsewhere). The use cases only call
 * these; they never print.
 */
import type { TargetName } from "../plan/resource.js";

export type Phase = "listing" | "applying";

export interface Progress {
  /** A phase begins with `total` steps (listings of a kind, changes to carry out). */
  start(phase: Phase, total: number): void;
  /** One step of the phase is done; `failed` when it did not succeed. */
  step(phase: Phase, failed?: boolean): void;
  end(phase: Phase): void;
  /** A target asked to wait (429 Retry-After, X-RateLimit-Reset, backoff after a 5xx). */
  waiting(target: TargetName, ms: number): void;
  waited(target: TargetName): void;
}

export const silentProgress: Progress = {
  start: () => undefined,
  step: () => undefined,
  end: () => undefined,
  waiting: () => undefined,
  waited: () => undefined,
};
