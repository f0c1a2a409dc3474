/**
 * The vocabulary plan and apply share: what a resource is on each side (desired from the
 * specs, live from a server), and what the reconciliation decided for it. Pure data: no I/O.
 */
import type { Owner } from "../model/identity.js";

/** A JSON value: every body pipemon compares or writes is plain JSON. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type TargetName = "grafana" | "datadog";

/** Resource kinds in apply (dependency) order; deletes run in reverse. */
export const RESOURCE_KINDS = [
  "grafana-folder",
  "grafana-contact-point",
  "grafana-dashboard",
  "grafana-rule-group",
  "grafana-notification-policy",
  "datadog-monitor",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const KIND_TARGET: Readonly<Record<ResourceKind, TargetName>> = {
  "grafana-folder": "grafana",
  "grafana-contact-point": "grafana",
  "grafana-dashboard": "grafana",
  "grafana-rule-group": "grafana",
  "grafana-notification-policy": "grafana",
  "datadog-monitor": "datadog",
};

/** What the specs say should exist. */
export interface DesiredResource {
  kind: ResourceKind;
  /**
   * Identity derived from the spec, unique within the kind: folder uid, dashboard uid,
   * `<folderUid>/<group>` for a rule group, contact point name, `managed-subtree` for the
   * policy, `<pipemon-id>` (+ `@<env>` when environments are set) for a monitor.
   */
  key: string;
  /** Pipeline the resource belongs to, for `--select` (undefined for shared resources). */
  pipeline?: string;
  team?: string;
  /** The body as generated (secrets as `${ENV}` placeholders; resolved only when written). */
  body: Json;
}

/** What a server holds for a key pipemon recognises. */
export interface LiveResource {
  kind: ResourceKind;
  key: string;
  /** The body as the server returned it (secrets already redacted by the server). */
  body: Json;
  /**
   * Carries pipemon's ownership marker (dashboard tag, rule label, monitor tag, contact
   * point uid). False: a pipemon identity without the marker; left alone unless `--adopt`.
   */
  owned: boolean;
  /**
   * Changes whenever the live resource changes (dashboard version, monitor `modified`, a
   * hash of a rule group's content). A saved plan records it; apply refuses when it moved.
   */
  fingerprint: string;
  /** Server-side handle needed to write it (monitor id, dashboard version, ...). */
  handle?: Json;
  /**
   * Which copy this is, where a server can hold several resources of one identity (a
   * Datadog monitor id, the position of a policy route). Ordered oldest first when compared
   * as numbers; absent where the server keeps identities unique (uids, names).
   */
  instance?: string;
  /**
   * Who it belongs to, as its own ownership data says (monitor tags, rule labels, dashboard
   * tags, the folder it lives in): what `--select` matches. Absent for project-wide resources.
   */
  owner?: Owner;
}


/**
 * `orphan`: pipemon's own resource that the specs no longer describe, in a plan made without
 * `--prune`: apply leaves it in place, so the plan says so instead of calling it a delete.
 */
export type Action = "create" | "update" | "delete" | "no-op" | "unowned" | "orphan";

/** One line of a plan. `before`/`after` are the normalised, secret-free comparable forms. */
export interface PlannedChange {
  kind: ResourceKind;
  key: string;
  action: Action;
  pipeline?: string;
  team?: string;
  before: Json | null;
  after: Json | null;
  /** Live fingerprint when read (null when absent): the saved-plan staleness check. */
  liveFingerprint: string | null;
  /** Why, for `unowned`, `orphan` and duplicate deletes. */
  note?: string;
  /**
   * Set on the delete of an extra copy of an identity (key `<identity>#<instance>`): the
   * identity it duplicates. Such deletes need no `--prune`: the copy is pipemon's own.
   */
  duplicateOf?: string;
}
