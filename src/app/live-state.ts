/**
 * Reading one project's live state: connect to each target, list every kind in parallel,
 * and put desired and live side by side. Shared by plan and apply, so both see the world
 * through exactly the same eyes.
 */
import type { EnvLookup } from "../lib/env-ref.js";
import type { Project } from "../model/types.js";
import { planKind } from "../plan/compute.js";
import type { ProjectPlan } from "../plan/document.js";
import { KIND_TARGET, RESOURCE_KINDS, type DesiredResource, type LiveResource, type ResourceKind, type TargetName } from "../plan/resource.js";
import type { KindHandler } from "../targets/handler.js";
import type { CircuitBreaker } from "../targets/resilience.js";
import { MANAGED_POLICY_KEY } from "../model/identity.js";
import { desiredResources, selects, type Selection } from "./desired.js";

/** Requests per target, method and route template: the benchmark's figures and apply's report. */
export class RequestStats {
  readonly counts = new Map<string, number>();
  record(target: TargetName, method: string, route: string): void {
    const key = `${target} ${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

export interface Connection {
  target: TargetName;
  handlers: readonly KindHandler[];
  breaker: CircuitBreaker;
}

/** Builds a target's handlers for one project; throws CredentialsError when it cannot. */
export type Connector = (project: Project, target: TargetName, env: EnvLookup, stats: RequestStats) => Promise<Connection>;

export interface ProjectState {
  project: Project;
  targets: TargetName[];
  connections: Connection[];
  handlers: Map<ResourceKind, KindHandler>;
  desired: Map<string, DesiredResource>;
  /** Live resources by `<kind>\0<key>` (the first, when an identity is claimed twice). */
  live: Map<string, LiveResource>;
  plan: ProjectPlan;
}

/** PIPEMON_DEBUG=1: how long each listing took, on stderr (where time goes in a slow plan). */
async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!process.env.PIPEMON_DEBUG) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    process.stderr.write(`pipemon: ${what}: ${Math.round(performance.now() - started)} ms\n`);
  }
}

export const resourceId = (kind: string, key: string): string => `${kind}\u0000${key}`;

/** Which pipeline/team a live resource belongs to, from its identity (for `--select` scope). */
function liveOwner(live: LiveResource): { pipeline?: string; team?: string } {
  switch (live.kind) {
    case "grafana-folder":
      return { team: live.key.replace(/^pipemon-/, "") };
    case "grafana-rule-group": {
      const [folder = "", group = ""] = live.key.split("/");
      return { pipeline: group, team: folder.replace(/^pipemon-/, "") };
    }
    case "grafana-dashboard":
      return live.key.startsWith("pm-team-") ? { team: live.key.slice(8) } : { pipeline: live.key.replace(/^pm-/, "") };
    case "datadog-monitor": {
      const tags = (live.body as { tags?: unknown }).tags;
      const team = Array.isArray(tags) ? tags.find((t): t is string => typeof t === "string" && t.startsWith("team:"))?.slice(5) : undefined;
      return { pipeline: live.key.split("/")[0] ?? "", ...(team ? { team } : {}) };
    }
    default:
      return {};
  }
}

function inScope(live: LiveResource, selection: Selection | undefined): boolean {
  if (!selection) return true;
  if (live.kind === "grafana-contact-point" || (live.kind === "grafana-notification-policy" && live.key === MANAGED_POLICY_KEY)) return false;
  const { pipeline, team } = liveOwner(live);
  return selects(selection, pipeline, team);
}

/** Targets a project involves: the ones asked for, else those any of its pipelines uses. */
export function projectTargets(project: Project, requested: readonly TargetName[] | undefined): TargetName[] {
  const used = new Set<TargetName>();
  for (const p of project.pipelines) for (const t of p.targets) if (t === "grafana" || t === "datadog") used.add(t);
  return (["grafana", "datadog"] as const).filter((t) => (requested ? requested.includes(t) : used.has(t)));
}

export interface ReadOptions {
  targets?: readonly TargetName[];
  selection?: Selection;
  adopt: boolean;
  env: EnvLookup;
  connect: Connector;
  stats: RequestStats;
}

export async function readProjectState(project: Project, options: ReadOptions): Promise<ProjectState> {
  const targets = projectTargets(project, options.targets);
  const connections = await Promise.all(targets.map((t) => options.connect(project, t, options.env, options.stats)));
  const handlers = new Map<ResourceKind, KindHandler>();
  for (const c of connections) for (const h of c.handlers) handlers.set(h.kind, h);
  const desiredList = await timed("compile desired resources", async () => desiredResources(project, targets, options.selection));
  const kinds = RESOURCE_KINDS.filter((k) => targets.includes(KIND_TARGET[k]) && handlers.has(k));
  // Every listing runs at once: a plan costs the slowest listing, not their sum.
  const listings = await Promise.all(kinds.map((k) => timed(`list ${k}`, () => handlers.get(k)!.list())));
  const desired = new Map<string, DesiredResource>();
  for (const d of desiredList) desired.set(resourceId(d.kind, d.key), d);
  const live = new Map<string, LiveResource>();
  const changes = kinds.flatMap((kind, i) => {
    const handler = handlers.get(kind)!;
    const liveOfKind = listings[i]!;
    for (const l of liveOfKind) if (!live.has(resourceId(kind, l.key))) live.set(resourceId(kind, l.key), l);
    return planKind(
      {
        kind,
        desired: desiredList.filter((d) => d.kind === kind),
        live: liveOfKind,
        normalise: (body, side) => handler.normalise(body, side),
        inScope: (l) => inScope(l, options.selection),
      },
      { adopt: options.adopt },
    );
  });
  const warnings: string[] = [];
  for (const t of ["grafana", "datadog"] as const) {
    if (!targets.includes(t) && !options.targets) warnings.push(`${t}: no pipeline targets it; not read`);
  }
  const plan: ProjectPlan = { ...(project.environment !== undefined ? { environment: project.environment } : {}), targets, changes, warnings };
  return { project, targets, connections, handlers, desired, live, plan };
}
