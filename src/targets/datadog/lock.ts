/**
 * The Datadog apply lock. Datadog has no create-if-absent, so: every apply creates a lock
 * monitor tagged `pipemon-lock:<env>` with its holder and expiry, then lists all lock
 * monitors of that scope; the live one with the LOWEST id holds the lock. Ids grow in commit
 * order, so of two applies the later one sees the earlier's lock when it lists: at most one
 * wins. A loser deletes its own and stops. Expired locks (a killed apply) are ignored and
 * deleted. Lock monitors carry no pipemon-id tag, so plan and prune never see them.
 */
import { v1 } from "@datadog/datadog-api-client";
import { datadogApplyLockTag } from "../../model/identity.js";
import { LockHeldError, type LockInfo, type LockRequest, type TargetLock } from "../lock.js";
import { DatadogCallError, type DatadogCaller } from "./calls.js";

const HOLDER = "pipemon-lock-holder:";
const SINCE = "pipemon-lock-since:";
const EXPIRES = "pipemon-lock-expires:";

interface LockMonitor extends Partial<LockInfo> {
  id: number;
  holder?: string;
}

export class DatadogApplyLock implements TargetLock {
  readonly target = "datadog" as const;
  private readonly scopeTag: string;
  /** Our lock monitors: release deletes them by id, with no listing that could fail. */
  private readonly ids = new Set<number>();

  constructor(private readonly api: v1.MonitorsApi, private readonly caller: DatadogCaller, private readonly environment?: string) {
    this.scopeTag = datadogApplyLockTag(environment);
  }

  async acquire(request: LockRequest): Promise<void> {
    const since = Math.floor(Date.now() / 1000);
    const expires = since + request.ttlSeconds;
    const scope = this.environment ?? "default";
    const body = new v1.Monitor();
    body.name = `[pipemon] apply lock (${scope}), held by ${request.holder}`;
    body.type = "metric alert";
    // Never alerts and notifies no one: the monitor only exists to be listed.
    body.query = "avg(last_5m):avg:pipemon.apply.lock{*} > 1";
    body.message = "Held while pipemon apply runs, deleted when it ends. Delete it only when no apply is running (or run pipemon apply --force-unlock).";
    body.tags = [this.scopeTag, `${HOLDER}${request.holder}`, `${SINCE}${since}`, `${EXPIRES}${expires}`];
    body.options = Object.assign(new v1.MonitorOptions(), { notifyNoData: false, thresholds: Object.assign(new v1.MonitorThresholds(), { critical: 1 }) });
    // Retried like any write: a second copy of our own lock is harmless (same holder).
    const created = await this.caller.call("apply lock: create the lock monitor", () => this.api.createMonitor({ body }));
    if (typeof created.id === "number") this.ids.add(created.id);

    const now = Date.now();
    const locks = await this.list(this.scopeTag);
    for (const l of locks) if (l.holder === request.holder) this.ids.add(l.id);
    const stale = locks.filter((l) => l.holder !== request.holder && (request.force || l.expires === undefined || l.expires.getTime() <= now));
    for (const l of stale) await this.remove(l.id);
    const winner = locks.filter((l) => !stale.includes(l)).sort((a, b) => a.id - b.id)[0];
    if (winner?.holder === request.holder) return;
    await this.release();
    throw new LockHeldError("datadog", `the Datadog org (lock monitor ${winner?.id ?? "?"}, tag ${this.scopeTag})`, winner?.holder && winner.since && winner.expires ? { holder: winner.holder, since: winner.since, expires: winner.expires } : undefined);
  }

  async release(): Promise<void> {
    for (const id of this.ids) {
      await this.remove(id);
      this.ids.delete(id);
    }
  }

  private async list(tag: string): Promise<LockMonitor[]> {
    const found = await this.caller.call("apply lock: list the lock monitors", () => this.api.listMonitors({ monitorTags: tag, pageSize: 1000, page: 0 }));
    return found
      .filter((m): m is v1.Monitor & { id: number } => typeof m.id === "number" && (m.tags ?? []).includes(this.scopeTag))
      .map((m) => {
        const value = (prefix: string) => (m.tags ?? []).find((t) => t.startsWith(prefix))?.slice(prefix.length);
        const at = (prefix: string) => {
          const n = Number(value(prefix));
          return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : undefined;
        };
        const holder = value(HOLDER);
        const since = at(SINCE);
        const expires = at(EXPIRES);
        return { id: m.id, ...(holder ? { holder } : {}), ...(since ? { since } : {}), ...(expires ? { expires } : {}) };
      });
  }

  private async remove(id: number): Promise<void> {
    try {
      await this.caller.call(`apply lock: delete lock monitor ${id}`, () => this.api.deleteMonitor({ monitorId: id }));
    } catch (e) {
      if (!(e instanceof DatadogCallError && e.status === 404)) throw e;
    }
  }
}
