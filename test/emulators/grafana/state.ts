/**
 * Everything the Grafana emulator stores, for one organisation (orgId 1), in the form the
 * handlers need; wire shapes are built from it on the way out. Tests read it directly
 * (`emulator.state`) and seed it through the emulator's seed helpers.
 */
import type { AlertRuleNotificationSettings, EmbeddedContactPoint, JsonObject, Provenance, ProvisionedAlertRule, Route } from "./types.js";

export const ORG_ID = 1;

export interface StoredFolder {
  id: number;
  uid: string;
  title: string;
  description: string;
  parentUid?: string;
  version: number;
  created: string;
  updated: string;
  createdBy: string;
  updatedBy: string;
}

export interface StoredDashboard {
  id: number;
  uid: string;
  title: string;
  /** "" at the root ("General"). */
  folderUid: string;
  version: number;
  /** The saved document with the server's `id`, `uid` and `version` written into it. */
  document: JsonObject;
  created: string;
  updated: string;
  createdBy: string;
  updatedBy: string;
  /** File-provisioned dashboards cannot be deleted over the API. */
  provisioned: boolean;
  provisionedExternalId: string;
}

/**
 * A rule as stored: the wire shape without the org, with what the wire leaves optional made
 * definite, `for` kept in milliseconds, and what Grafana keeps but does not send.
 */
export interface StoredAlertRule
  extends Omit<ProvisionedAlertRule, "orgID" | "for" | "annotations" | "labels" | "provenance" | "notification_settings"> {
  /** Position inside its group (Grafana's rule_group_idx): GET returns rules in this order. */
  groupIndex: number;
  forMs: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  provenance: Provenance;
  notificationSettings?: AlertRuleNotificationSettings;
  /** Bumped on every stored change (Grafana's rule version); not on the provisioning wire. */
  version: number;
}

export interface StoredRuleGroup {
  folderUID: string;
  title: string;
  intervalSeconds: number;
}

/** A contact point with its secrets in clear (they are redacted only on the way out). */
export interface StoredContactPoint extends Omit<EmbeddedContactPoint, "provenance"> {
  provenance: Provenance;
}

export interface StoredPolicyTree {
  root: Route;
  provenance: Provenance;
}

/** The receiver and contact point a fresh Grafana starts with. */
export const DEFAULT_RECEIVER = "grafana-default-email";

export function defaultPolicyTree(): Route {
  return { receiver: DEFAULT_RECEIVER, group_by: ["grafana_folder", "alertname"] };
}

export function ruleGroupKey(folderUID: string, group: string): string {
  return `${folderUID}\u0000${group}`;
}

/**
 * The alert rules by uid, indexed by group as they are set, deleted and cleared, so a group's
 * rules are found without scanning every rule (group writes and exports run per group).
 * Stored rules are replaced, never moved in place, so the index follows every change.
 */
export class AlertRuleMap extends Map<string, StoredAlertRule> {
  private readonly byGroup = new Map<string, Map<string, StoredAlertRule>>();

  override set(uid: string, rule: StoredAlertRule): this {
    this.unindex(uid);
    super.set(uid, rule);
    const key = ruleGroupKey(rule.folderUID, rule.ruleGroup);
    const members = this.byGroup.get(key);
    if (members) members.set(uid, rule);
    else this.byGroup.set(key, new Map([[uid, rule]]));
    return this;
  }

  override delete(uid: string): boolean {
    this.unindex(uid);
    return super.delete(uid);
  }

  override clear(): void {
    this.byGroup.clear();
    super.clear();
  }

  /** The rules of one group, in no particular order. */
  inGroup(folderUID: string, group: string): Iterable<StoredAlertRule> {
    return this.byGroup.get(ruleGroupKey(folderUID, group))?.values() ?? [];
  }

  holdsGroup(folderUID: string, group: string): boolean {
    return this.byGroup.has(ruleGroupKey(folderUID, group));
  }

  private unindex(uid: string): void {
    const old = super.get(uid);
    if (!old) return;
    const key = ruleGroupKey(old.folderUID, old.ruleGroup);
    const members = this.byGroup.get(key);
    members?.delete(uid);
    if (members?.size === 0) this.byGroup.delete(key);
  }
}

export class GrafanaState {
  readonly folders = new Map<string, StoredFolder>();
  readonly dashboards = new Map<string, StoredDashboard>();
  readonly alertRules = new AlertRuleMap();
  /** Keyed by `ruleGroupKey(folderUID, title)`; a group exists while it holds rules. */
  readonly ruleGroups = new Map<string, StoredRuleGroup>();
  readonly contactPoints = new Map<string, StoredContactPoint>();
  policies: StoredPolicyTree = { root: defaultPolicyTree(), provenance: "" };
  /** Names of mute timings that exist (policy PUT checks references against them). */
  readonly muteTimings = new Set<string>();

  /** Folders and dashboards share one id sequence, as they share a table in Grafana. */
  private nextDashboardId = 1;
  private nextRuleId = 1;
  private nextUid = 1;

  constructor(private readonly clock: () => Date = () => new Date()) {
    this.seedDefaults();
  }

  /** Back to a fresh Grafana: no folders, dashboards or rules; the default contact point and tree. */
  reset(): void {
    this.folders.clear();
    this.dashboards.clear();
    this.alertRules.clear();
    this.ruleGroups.clear();
    this.contactPoints.clear();
    this.muteTimings.clear();
    this.policies = { root: defaultPolicyTree(), provenance: "" };
    this.seedDefaults();
  }

  private seedDefaults(): void {
    const uid = this.generateUid();
    this.contactPoints.set(uid, {
      uid,
      name: DEFAULT_RECEIVER,
      type: "email",
      settings: { addresses: "<example@email.com>" },
      disableResolveMessage: false,
      provenance: "",
    });
  }

  /** Server timestamps as Grafana's database gives them back: RFC 3339 at second precision ("2024-05-01T10:00:00Z"). */
  now(): string {
    return this.clock().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  allocateDashboardId(): number {
    return this.nextDashboardId++;
  }

  allocateRuleId(): number {
    return this.nextRuleId++;
  }

  /** A 14-character uid like Grafana's util.GenerateShortUID: a letter, then base-36 digits. Deterministic. */
  generateUid(): string {
    return `e${(this.nextUid++).toString(36).padStart(13, "0")}`;
  }

  rulesOfGroup(folderUID: string, group: string): StoredAlertRule[] {
    return [...this.alertRules.inGroup(folderUID, group)].sort((a, b) => a.groupIndex - b.groupIndex || a.id - b.id);
  }

  /** Drops group records that no longer hold rules (Grafana has no empty groups). */
  pruneEmptyGroups(): void {
    // Called on every group write: one look-up per group in the rules' group index.
    for (const [key, group] of this.ruleGroups) {
      if (!this.alertRules.holdsGroup(group.folderUID, group.title)) this.ruleGroups.delete(key);
    }
  }

  /** Receiver names that exist, i.e. names of at least one contact point. */
  receiverNames(): Set<string> {
    return new Set([...this.contactPoints.values()].map((cp) => cp.name));
  }

  /** A plain-data dump for `GET /__emulator/state` and debugging. */
  snapshot(): GrafanaStateSnapshot {
    return {
      folders: [...this.folders.values()],
      dashboards: [...this.dashboards.values()],
      alertRules: [...this.alertRules.values()],
      ruleGroups: [...this.ruleGroups.values()],
      contactPoints: [...this.contactPoints.values()],
      policies: this.policies,
      muteTimings: [...this.muteTimings],
    };
  }
}

export interface GrafanaStateSnapshot {
  folders: StoredFolder[];
  dashboards: StoredDashboard[];
  alertRules: StoredAlertRule[];
  ruleGroups: StoredRuleGroup[];
  contactPoints: StoredContactPoint[];
  policies: StoredPolicyTree;
  muteTimings: string[];
}

/** Grafana's slugify for titles: lower case, "&"/"@" spelled out, runs of other characters become one "-". */
export function slugify(title: string): string {
  return title
    .replace(/&/g, "and")
    .replace(/@/g, "at")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export const UID_PATTERN = /^[a-zA-Z0-9\-_]+$/;
export const MAX_UID_LENGTH = 40;
