/**
 * The apply lock: one per target and project, held from before live state is read until
 * apply ends, so two applies at once (a CI retry, two merges close together) never both plan
 * "create" and both write. Each target keeps it as a resource of its own (grafana/lock.ts,
 * datadog/lock.ts); it expires, so a killed apply blocks the next one for at most its TTL.
 */
import type { TargetName } from "../plan/resource.js";
import { TargetError } from "./handler.js";

export interface LockRequest {
  /** Who holds it: host, process and a random part; lowercase letters, digits and `-`. */
  holder: string;
  ttlSeconds: number;
  /** `apply --force-unlock`: take the lock even when someone else holds it. */
  force: boolean;
}

export interface TargetLock {
  readonly target: TargetName;
  /** Takes the lock, or throws LockHeldError naming the holder. */
  acquire(request: LockRequest): Promise<void>;
  /** Gives it back; a lock already gone (expired and taken, deleted by hand) is fine. */
  release(): Promise<void>;
}

/** What a lock says about its holder. */
export interface LockInfo {
  holder: string;
  since: Date;
  expires: Date;
}

export class LockHeldError extends TargetError {
  constructor(target: TargetName, where: string, info: LockInfo | undefined) {
    const who = info ? `holder ${info.holder}, since ${info.since.toISOString()}, expires ${info.expires.toISOString()}` : "holder unknown";
    super(target, `${target}: another apply is running on ${where} (${who}); re-run later, or if no apply is running, pipemon apply --force-unlock`);
    this.name = "LockHeldError";
  }
}

/** The default time a lock lives: longer than any apply should take; a killed one frees it. */
export const DEFAULT_LOCK_TTL_SECONDS = 30 * 60;
