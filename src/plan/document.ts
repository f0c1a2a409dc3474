/**
 * A plan as data: what `--format json` prints and `--out plan.json` saves. A saved plan
 * carries the desired bodies it was computed from (secrets still as `${ENV}` placeholders),
 * so `apply plan.json` does exactly what was reviewed, and the live fingerprints it read, so
 * apply can refuse when someone changed a resource since.
 */
import { summarise, type PlanSummary } from "./compute.js";
import type { Json, PlannedChange, TargetName } from "./resource.js";

export const PLAN_FORMAT = "pipemon-plan/v1";

export interface ProjectPlan {
  /** Environment name; absent when the config declares none. */
  environment?: string;
  targets: TargetName[];
  changes: PlannedChange[];
  /** Targets skipped, listings that failed, and other things a reviewer must know. */
  warnings: string[];
}

export interface PlanDocument {
  format: typeof PLAN_FORMAT;
  /**
   * How the plan was made. `prune`: its deletes are carried out by `apply plan.json` (made
   * without it, such resources are `orphan`s that apply leaves in place). Absent in plans
   * saved before it was recorded: read as false, so an old plan never deletes. `adopt`
   * likewise: resources without the ownership marker are taken over only when the plan
   * showed them as updates.
   */
  options: { environment?: string; targets: TargetName[]; select: string[]; prune?: boolean; adopt?: boolean };
  projects: ProjectPlan[];
  summary: PlanSummary;
}

export interface SavedPlan extends PlanDocument {
  /** Desired bodies by `<environment>\0<kind>\0<key>`, for every create and update. */
  desired: Record<string, Json>;
}

export const desiredKey = (environment: string | undefined, kind: string, key: string): string => `${environment ?? ""}\u0000${kind}\u0000${key}`;

export function planDocument(options: PlanDocument["options"], projects: ProjectPlan[]): PlanDocument {
  return { format: PLAN_FORMAT, options, projects, summary: summarise(projects.flatMap((p) => p.changes)) };
}

/** Checks the shape of a saved plan read from disk; returns a reason when it is not one. */
export function savedPlanProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "it is not a JSON object";
  const v = value as Partial<SavedPlan>;
  if (v.format !== PLAN_FORMAT) return `its format is ${JSON.stringify(v.format ?? null)}, expected "${PLAN_FORMAT}" (make it with: pipemon plan --out FILE)`;
  if (!Array.isArray(v.projects) || typeof v.desired !== "object" || v.desired === null) return "it has no projects or desired bodies";
  for (const p of v.projects) if (!Array.isArray(p?.changes)) return "a project has no changes list";
  return undefined;
}
