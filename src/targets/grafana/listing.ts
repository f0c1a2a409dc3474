/**
 * How the Grafana handlers read lists: page by page until a short page, refusing anything
 * that looks partial. Prune must never act on a partial listing, so a failed or suspicious
 * listing becomes `ListingIncompleteError` (credential, permission and unreachable-server
 * errors stay as they are: they say more to the user than "listing incomplete").
 */
import type { ResourceKind } from "../../plan/resource.js";
import { ListingIncompleteError, TargetError } from "../handler.js";
import { CircuitOpenError } from "../resilience.js";
import { GrafanaUnreachableError } from "./client.js";

/** Pages beyond this are assumed to be a server that ignores `page` (it would loop forever). */
const MAX_PAGES = 1000;

/**
 * Reads `fetchPage(1..)` until a page is shorter than `limit`. Throws when a page is longer
 * than `limit` (the server ignored it) or when an item's key shows up twice (the listing
 * moved under us: something was created or deleted between pages, so one may be missing).
 */
export async function readAllPages<T>(kind: ResourceKind, what: string, limit: number, fetchPage: (page: number, limit: number) => Promise<T[]>, keyOf: (item: T) => string): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const items = await fetchPage(page, limit);
    if (items.length > limit) throw new ListingIncompleteError(kind, `${what} page ${page} had ${items.length} items, more than the limit ${limit}: the server ignores paging`);
    for (const item of items) {
      const key = keyOf(item);
      if (seen.has(key)) throw new ListingIncompleteError(kind, `${what} returned ${key} on two pages: the listing changed while it was read; run again`);
      seen.add(key);
      all.push(item);
    }
    if (items.length < limit) return all;
  }
  throw new ListingIncompleteError(kind, `${what} did not end after ${MAX_PAGES} pages`);
}

/** Runs a list operation, turning any failure but an auth/permission one into ListingIncompleteError. */
export async function listing<T>(kind: ResourceKind, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof ListingIncompleteError || e instanceof CircuitOpenError) throw e;
    if (e instanceof TargetError && (e.status === 401 || e.status === 403)) throw e;
    // Not a partial listing but no listing at all: "cannot reach <url>" says more.
    if (e instanceof GrafanaUnreachableError) throw e;
    throw new ListingIncompleteError(kind, e instanceof Error ? e.message : String(e));
  }
}

/** `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
