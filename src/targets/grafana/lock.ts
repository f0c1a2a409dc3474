/**
 * The Grafana apply lock: a dashboard with a fixed uid (grafanaApplyLockUid) in the General
 * folder, holding its holder and expiry. Grafana makes taking it atomic: a save without the
 * stored version is refused (412) when the uid exists, so of two applies creating it one
 * wins; an expired lock is taken over by saving with the version just read, so of two
 * takers one gets the 412. Released by deleting it, only while it still names us.
 */
import { grafanaApplyLockUid } from "../../model/identity.js";
import type { Json } from "../../plan/resource.js";
import { LockHeldError, type LockInfo, type LockRequest, type TargetLock } from "../lock.js";
import { GrafanaRequestError, type GrafanaClient } from "./client.js";
import { isJsonObject } from "./comparable.js";

export const LOCK_DASHBOARD_TAG = "pipemon-apply-lock";

export class GrafanaApplyLock implements TargetLock {
  readonly target = "grafana" as const;
  private readonly uid: string;
  private holder: string | undefined;

  constructor(private readonly client: GrafanaClient, private readonly environment?: string) {
    this.uid = grafanaApplyLockUid(environment);
  }

  async acquire(request: LockRequest): Promise<void> {
    // Create first (no read before: a free lock costs one request and no 404). A lock deleted
    // between our 412 and our read is tried again; three rounds is plenty.
    for (let round = 0; round < 3; round++) {
      if (await this.save(request, undefined)) return;
      const existing = await this.client.getDashboard(this.uid);
      if (!existing) continue;
      const info = lockInfo(existing.dashboard);
      // Our own earlier attempt landed although its answer was lost.
      if (info?.holder === request.holder) return this.taken(request);
      if (info && info.expires.getTime() > Date.now() && !request.force) throw this.held(info);
      // Expired, forced, or not a lock at all: take it over with the version just read.
      if (await this.save(request, typeof existing.dashboard.version === "number" ? existing.dashboard.version : 0)) return;
    }
    const now = await this.client.getDashboard(this.uid);
    throw this.held(now ? lockInfo(now.dashboard) : undefined);
  }

  /** True when saved; false on 412 (someone saved it first: a new lock, or a takeover). */
  private async save(request: LockRequest, version: number | undefined): Promise<boolean> {
    try {
      await this.client.saveDashboard({ dashboard: this.body(request, version), folderUid: "", overwrite: false, message: "pipemon apply lock" });
    } catch (e) {
      if (e instanceof GrafanaRequestError && e.status === 412) return false;
      throw e;
    }
    this.taken(request);
    return true;
  }

  private taken(request: LockRequest): void {
    this.holder = request.holder;
  }

  async release(): Promise<void> {
    if (this.holder === undefined) return;
    const existing = await this.client.getDashboard(this.uid);
    // Expired and taken over by another apply: theirs now, not ours to delete.
    if (existing && lockInfo(existing.dashboard)?.holder === this.holder) await this.client.deleteDashboard(this.uid);
    this.holder = undefined;
  }

  private held(info: LockInfo | undefined): LockHeldError {
    return new LockHeldError("grafana", `Grafana (lock dashboard ${this.uid})`, info);
  }

  private body(request: LockRequest, version: number | undefined): { [key: string]: Json } {
    const since = new Date();
    const expires = new Date(since.getTime() + request.ttlSeconds * 1000);
    return {
      uid: this.uid,
      title: `pipemon apply lock${this.environment ? ` (${this.environment})` : ""}`,
      description: "Held while pipemon apply runs, deleted when it ends. Delete it only when no apply is running (or run pipemon apply --force-unlock).",
      tags: [LOCK_DASHBOARD_TAG],
      panels: [],
      pipemonLock: { holder: request.holder, since: since.toISOString(), expires: expires.toISOString() },
      ...(version !== undefined ? { version } : {}),
    };
  }
}

function lockInfo(dashboard: Json): LockInfo | undefined {
  const lock = isJsonObject(dashboard) ? dashboard.pipemonLock : undefined;
  if (!isJsonObject(lock) || typeof lock.holder !== "string" || typeof lock.since !== "string" || typeof lock.expires !== "string") return undefined;
  const since = new Date(lock.since);
  const expires = new Date(lock.expires);
  if (Number.isNaN(since.getTime()) || Number.isNaN(expires.getTime())) return undefined;
  return { holder: lock.holder, since, expires };
}
