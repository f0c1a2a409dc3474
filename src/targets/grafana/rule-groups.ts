/**
 * grafana-rule-group: one rule group per pipeline in its team's folder, key
 * `<folderUid>/<group>`. Listing costs two requests whatever the number of groups: ONE
 * `GET /api/v1/provisioning/alert-rules` for every rule (grouped here by folderUID and
 * ruleGroup), and ONE export of the folders involved, the only list that carries each
 * group's evaluation interval (a GET per group only where there is no export). Writes PUT the whole group; Grafana deletes rules missing
 * from it and resets the evaluation state of every rule, so only changed groups are written
 * (the workflow's guarantee) and foreign rules make a group unowned.
 */
import type { DesiredResource, Json, LiveResource } from "../../plan/resource.js";
import { ListingIncompleteError, TargetError, type KindHandler } from "../handler.js";
import { GrafanaRequestError, type AlertingFileExport, type GrafanaClient } from "./client.js";
import type { LiveAlertRule, LiveAlertRuleGroup } from "./wire.js";
import { comparableDuration, comparableNumbers, contentHash, durationSeconds, isJsonObject, sortedKeys, type JsonObject } from "./comparable.js";
import { listing } from "./listing.js";
import { hasManagedLabel, isPipemonFolderUid } from "./ownership.js";
import { ownerFromLabels, type Owner } from "../../model/identity.js";

/** Fields of a query model Grafana fills in on save (defaults of the query runner). */
const SERVER_MODEL_FIELDS = new Set(["intervalMs", "maxDataPoints"]);

export const ruleGroupKey = (folderUid: string, group: string): string => `${folderUid}/${group}`;

export class RuleGroupHandler implements KindHandler {
  readonly kind = "grafana-rule-group" as const;
  readonly target = "grafana" as const;

  constructor(private readonly client: GrafanaClient) {}

  list(): Promise<LiveResource[]> {
    return listing(this.kind, async () => {
      const groups = new Map<string, { folderUid: string; title: string; rules: LiveAlertRule[] }>();
      for (const rule of await this.client.listAlertRules()) {
        const key = ruleGroupKey(rule.folderUID, rule.ruleGroup);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { folderUid: rule.folderUID, title: rule.ruleGroup, rules: [] }));
        group.rules.push(rule);
      }
      const ours = [...groups.entries()].filter(([, g]) => isPipemonFolderUid(g.folderUid) || g.rules.some((r) => hasManagedLabel(r.labels)));
      if (ours.length === 0) return [];

      const intervalByRuleUid = await this.intervals(ours.map(([, g]) => g));
      return ours.map(([key, g]): LiveResource => {
        const interval = g.rules.map((r) => intervalByRuleUid.get(r.uid)).find((s) => s !== undefined);
        // A group created between the two reads has no interval yet: a partial picture.
        if (interval === undefined) throw new ListingIncompleteError(this.kind, `the export has no interval for rule group ${key}; run again`);
        const body: Json = { title: g.title, folderUid: g.folderUid, interval, rules: g.rules };
        return {
          kind: this.kind,
          key,
          body,
          owned: g.rules.every((r) => hasManagedLabel(r.labels)),
          fingerprint: contentHash(this.normalise(body)),
          owner: groupOwner(g),
        };
      });
    });
  }

  /**
   * Each group's interval, by rule uid, from ONE export of the folders involved. Grafana
   * before 9.4 (and test emulators) have no export: then, and only then, one GET per group.
   */
  private async intervals(groups: { folderUid: string; title: string; rules: LiveAlertRule[] }[]): Promise<Map<string, number>> {
    const byRuleUid = new Map<string, number>();
    const folderUids = [...new Set(groups.map((g) => g.folderUid))].sort();
    let exported: AlertingFileExport | undefined;
    try {
      exported = await this.client.exportAlertRules(folderUids);
    } catch (e) {
      if (!(e instanceof GrafanaRequestError && e.status === 404)) throw e;
    }
    if (exported) {
      for (const group of exported.groups ?? []) {
        const seconds = durationSeconds(group.interval);
        if (seconds === undefined) continue;
        for (const r of group.rules ?? []) if (typeof r.uid === "string") byRuleUid.set(r.uid, seconds);
      }
      return byRuleUid;
    }
    for (const g of groups) {
      const group = await this.client.getRuleGroup(g.folderUid, g.title);
      const seconds = durationSeconds(group?.interval);
      if (seconds !== undefined) for (const r of g.rules) byRuleUid.set(r.uid, seconds);
    }
    return byRuleUid;
  }

  normalise(body: Json): Json {
    if (!isJsonObject(body)) return body;
    const rules = Array.isArray(body.rules) ? body.rules.filter(isJsonObject).map(comparableRule) : [];
    // Evaluation order inside a group does not change what fires; server order may differ.
    rules.sort((a, b) => compareText(String(a.uid ?? ""), String(b.uid ?? "")) || compareText(String(a.title ?? ""), String(b.title ?? "")));
    return sortedKeys({
      title: body.title ?? null,
      folderUid: body.folderUid ?? null,
      interval: durationSeconds(body.interval) ?? body.interval ?? null,
      rules,
    });
  }

  async create(desired: DesiredResource): Promise<void> {
    await this.put(desired);
  }

  async update(desired: DesiredResource): Promise<void> {
    await this.put(desired);
  }

  async delete(live: LiveResource): Promise<void> {
    const { folderUid, group } = splitKey(live.key);
    await this.client.deleteRuleGroup(folderUid, group);
  }

  /** PUT creates a missing group and replaces an existing one; each rule is placed in it. */
  private async put(desired: DesiredResource): Promise<void> {
    const { folderUid, group } = splitKey(desired.key);
    const body = desired.body;
    if (!isJsonObject(body) || !Array.isArray(body.rules)) throw new TargetError("grafana", `grafana: desired rule group ${desired.key} has no rules`);
    const interval = durationSeconds(body.interval);
    if (interval === undefined) throw new TargetError("grafana", `grafana: desired rule group ${desired.key} has no interval`);
    const payload: LiveAlertRuleGroup = {
      title: group,
      folderUid,
      interval,
      rules: body.rules.filter(isJsonObject).map((r) => ({ ...r, folderUID: folderUid, ruleGroup: group })),
    };
    await this.client.putRuleGroup(folderUid, group, payload);
  }
}

/**
 * The rule fields that decide what fires and where it is shown. Everything else (id, orgID,
 * updated, provenance, folderUID/ruleGroup implied by the group, fields newer Grafana adds)
 * is left out; optional fields equal to their default are dropped so absent == default.
 */
function comparableRule(rule: JsonObject): JsonObject {
  const out: JsonObject = {
    uid: rule.uid ?? null,
    title: rule.title ?? null,
    condition: rule.condition ?? null,
    data: Array.isArray(rule.data) ? rule.data.filter(isJsonObject).map(comparableQuery) : [],
    noDataState: rule.noDataState ?? null,
    execErrState: rule.execErrState ?? null,
    for: comparableDuration(rule.for),
    annotations: isJsonObject(rule.annotations) ? rule.annotations : {},
    labels: isJsonObject(rule.labels) ? rule.labels : {},
    isPaused: rule.isPaused === true,
  };
  if (isJsonObject(rule.notification_settings)) out.notification_settings = comparableNumbers(rule.notification_settings);
  if (isJsonObject(rule.record)) out.record = rule.record;
  const keepFiring = comparableDuration(rule.keep_firing_for);
  if (keepFiring !== "0s") out.keep_firing_for = keepFiring;
  return out;
}

function comparableQuery(query: JsonObject): JsonObject {
  const model: JsonObject = {};
  if (isJsonObject(query.model)) {
    for (const [k, v] of Object.entries(query.model)) {
      if (SERVER_MODEL_FIELDS.has(k)) continue;
      // `hide: false` is the query runner's default, added by the UI and some servers.
      if (k === "hide" && v === false) continue;
      model[k] = v;
    }
  }
  const range = isJsonObject(query.relativeTimeRange) ? query.relativeTimeRange : {};
  const out: JsonObject = {
    refId: query.refId ?? null,
    relativeTimeRange: { from: range.from ?? 0, to: range.to ?? 0 },
    datasourceUid: query.datasourceUid ?? null,
    model: comparableNumbers(model),
  };
  if (typeof query.queryType === "string" && query.queryType !== "") out.queryType = query.queryType;
  return out;
}

/** From the labels pipemon puts on every rule, and the folder the group lives in. */
function groupOwner(g: { folderUid: string; title: string; rules: LiveAlertRule[] }): Owner {
  const labelled = g.rules.map((r) => ownerFromLabels(r.labels)).find((o) => o.pipeline !== undefined || o.team !== undefined) ?? {};
  // Without labels, the group name is the pipeline name (ruleGroupName is the identity).
  return { pipeline: labelled.pipeline ?? g.title, ...(labelled.team !== undefined ? { team: labelled.team } : {}), folderUid: g.folderUid };
}

function splitKey(key: string): { folderUid: string; group: string } {
  const slash = key.indexOf("/");
  if (slash <= 0) throw new TargetError("grafana", `grafana: rule group key ${key} is not <folderUid>/<group>`);
  return { folderUid: key.slice(0, slash), group: key.slice(slash + 1) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
