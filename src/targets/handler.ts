/**
 * One handler per resource kind, behind one interface (grizzly's shape, typed): the plan
 * and apply workflow knows nothing about HTTP, Grafana or Datadog, only these operations.
 */
import type { DesiredResource, Json, LiveResource, ResourceKind, TargetName } from "../plan/resource.js";

export interface KindHandler {
  readonly kind: ResourceKind;
  readonly target: TargetName;
  /**
   * Every live resource of this kind that carries a pipemon identity, owned or not, read
   * with list endpoints and pagination. Throws `ListingIncompleteError` when a page failed
   * or the listing looks truncated: prune must never act on a partial listing.
   */
  list(): Promise<LiveResource[]>;
  /**
   * The comparable form of either side: server-owned fields and server-added defaults
   * removed, secrets replaced by a fixed marker, keys in stable order. Equal forms mean no-op.
   */
  normalise(body: Json, side: "desired" | "live"): Json;
  create(desired: DesiredResource): Promise<void>;
  update(desired: DesiredResource, live: LiveResource): Promise<void>;
  delete(live: LiveResource): Promise<void>;
  /**
   * Deletes one extra copy of an identity several live resources claim, leaving the copy
   * kept. Only where `delete` would remove more than that one copy (the policy subtree).
   */
  deleteCopy?(live: LiveResource): Promise<void>;
}

export class ListingIncompleteError extends Error {
  constructor(readonly kind: ResourceKind, reason: string) {
    super(`cannot list ${kind}: ${reason}`);
    this.name = "ListingIncompleteError";
  }
}

/**
 * A failure a user can act on (bad credentials, a missing secret variable, a rejected body).
 * `message` is one line, secret-free; the CLI prints it as is.
 */
export class TargetError extends Error {
  constructor(readonly target: TargetName, message: string, readonly status?: number) {
    super(message);
    this.name = "TargetError";
  }
}
