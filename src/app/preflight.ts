/**
 * Preflight: before plan or apply sends its first request, every environment variable the
 * run will need is looked up — each selected target's URL and credentials, and every
 * `${VAR}` (without a default) that a selected resource resolves when it is written — and
 * all the missing ones are named in one message. An apply can therefore never stop half-way
 * for a secret that was not exported.
 */
import { expandReferences, type EnvLookup } from "../lib/env-ref.js";
import type { Project } from "../model/types.js";
import type { Json, ResourceKind, TargetName } from "../plan/resource.js";
import { CredentialsError, liveTarget, type MissingVariable } from "../targets/index.js";

/**
 * Kinds whose handlers expand `${VAR}` placeholders when writing: contact point settings
 * (secrets, resolved by the Grafana handler) and monitor messages (the Grafana link, by the
 * Datadog handler). Other bodies are sent as they are.
 */
const RESOLVED_WHEN_WRITTEN: ReadonlySet<ResourceKind> = new Set(["grafana-contact-point", "datadog-monitor"]);

export interface PreflightProject {
  project: Project;
  targets: readonly TargetName[];
  /** The bodies this run may write or compare (placeholders unresolved). */
  resources: Iterable<{ kind: ResourceKind; key: string; body: Json }>;
}

/** Everything is there: no request is sent before this says so. */
export class PreflightError extends CredentialsError {
  constructor(message: string) {
    super(message);
    this.name = "PreflightError";
  }
}

function stringsIn(value: Json, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

const describeResource = (project: Project, kind: ResourceKind, key: string): string =>
  `${kind.replace(/^(grafana|datadog)-/, "").replace(/-/g, " ")} ${key}${project.environment && !key.endsWith(`@${project.environment}`) ? ` (${project.environment})` : ""}`;

/** Every variable missing, in the order first needed, each with what needs it. */
export function missingVariables(projects: readonly PreflightProject[], env: EnvLookup): MissingVariable[] {
  const missing: MissingVariable[] = [];
  for (const p of projects) {
    for (const target of p.targets) missing.push(...liveTarget(target).missingVariables(p.project, env));
    for (const r of p.resources) {
      if (!RESOLVED_WHEN_WRITTEN.has(r.kind)) continue;
      for (const s of stringsIn(r.body)) for (const name of expandReferences(s, env).missing) missing.push({ name, usedBy: describeResource(p.project, r.kind, r.key) });
    }
  }
  return missing;
}

const MAX_USES_NAMED = 3;

/** The one message: each variable once, with up to three of the things that need it. */
export function preflightMessage(missing: readonly MissingVariable[]): string {
  const uses = new Map<string, string[]>();
  for (const m of missing) {
    const list = uses.get(m.name) ?? [];
    if (!list.includes(m.usedBy)) list.push(m.usedBy);
    uses.set(m.name, list);
  }
  const parts = [...uses].map(([name, by]) => `${name} (${by.slice(0, MAX_USES_NAMED).join(", ")}${by.length > MAX_USES_NAMED ? ` and ${by.length - MAX_USES_NAMED} more` : ""})`);
  const names = [...uses.keys()];
  return `${names.length === 1 ? "1 environment variable this run needs is" : `${names.length} environment variables this run needs are`} not set: ${parts.join("; ")}. Export ${names.length === 1 ? "it" : "them"} and run again; no request was sent`;
}

/** Throws PreflightError naming everything missing (or every malformed setting); else returns. */
export function preflight(projects: readonly PreflightProject[], env: EnvLookup): void {
  const missing = missingVariables(projects, env);
  if (missing.length > 0) throw new PreflightError(preflightMessage(missing));
  const problems = projects.flatMap((p) => p.targets.map((t) => liveTarget(t).connectionProblem(p.project, env))).filter((m): m is string => m !== undefined);
  if (problems.length > 0) throw new PreflightError(`${[...new Set(problems)].join("; ")}; no request was sent`);
}
