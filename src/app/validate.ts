import { alertDefinitions } from "../compile/alert-definitions.js";
import type { Pipeline, Severity } from "../model/types.js";
import { hasErrors, note, sortDiagnostics, type Diagnostic } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";
import { locate } from "../spec/load.js";

export interface ValidateResult extends LoadResult {
  ok: boolean;
  pipelineCount: number;
}

/** Use case: validate specs, reporting every problem, and noting where low-severity alerts go. */
export function validate(options: LoadOptions): ValidateResult {
  const result = loadSpecs(options);
  const ok = !hasErrors(result.diagnostics);
  const diagnostics = ok ? sortDiagnostics([...result.diagnostics, ...routingNotes(result)]) : result.diagnostics;
  return { ...result, diagnostics, ok, pipelineCount: result.projects[0]?.pipelines.length ?? 0 };
}

/**
 * Critical and high alerts are what teams route first; medium and low ones are easily left to
 * the config's routing, which sends them to channels the team may not read. So each pipeline
 * with alerts at those levels that no team or pipeline routing claims gets a note naming the
 * channels (only levels some alert level actually uses; per environment when they differ).
 */
const NOTED_SEVERITIES: readonly Severity[] = ["medium", "low"];

function routingNotes(result: LoadResult): Diagnostic[] {
  const byPipeline = new Map<string, { file: string; doc: number; texts: Map<string, string[]>; environments: number }>();
  for (const project of result.projects) {
    const env = project.environment;
    for (const p of project.pipelines) {
      const fallback = result.routingFallbacks?.find((f) => f.pipeline === p.name && f.environment === env);
      if (!fallback) continue;
      const entry = byPipeline.get(p.name) ?? { file: fallback.file, doc: fallback.doc, texts: new Map(), environments: 0 };
      byPipeline.set(p.name, entry);
      entry.environments++;
      const used = new Set(alertDefinitions(p).flatMap((d) => d.levels.map((l) => l.severity)));
      const levels = NOTED_SEVERITIES.filter((s) => used.has(s) && fallback.severities.includes(s));
      if (levels.length === 0) continue;
      const text = whereTheyGo(p, levels);
      entry.texts.set(text, [...(entry.texts.get(text) ?? []), env ?? ""]);
    }
  }
  const notes: Diagnostic[] = [];
  for (const { file, doc, texts, environments } of byPipeline.values()) {
    // The same in every environment: said once; otherwise per environment.
    const everywhere = texts.size === 1 && [...texts.values()][0]!.length === environments;
    for (const [text, envs] of texts) {
      const where = everywhere || envs[0] === "" ? "" : ` (in ${envs.join(", ")})`;
      notes.push(note(file, doc, ["metadata", "name"], `${text}${where}`));
    }
  }
  for (const d of notes) {
    const source = result.sources.get(d.file);
    const pos = source ? locate(source, d.doc, d.path) : { line: 1, col: 1 };
    d.line = pos.line;
    d.col = pos.col;
  }
  return notes;
}

const channelList = (channels: readonly string[]): string => (channels.length ? channels.join(", ") : "no channel");

/** "medium alerts of orders-etl go to data-alerts and low alerts to data-email, by the config's routing: …" */
function whereTheyGo(p: Pipeline, levels: readonly Severity[]): string {
  const lists = levels.map((s) => channelList(p.routing[s]));
  const go = lists.every((l) => l === lists[0])
    ? `${levels.join(" and ")} alerts of ${p.name} go to ${lists[0]}`
    : levels.map((s, i) => (i === 0 ? `${s} alerts of ${p.name} go to ${lists[i]}` : `${s} alerts to ${lists[i]}`)).join(" and ");
  return `${go}, by the config's routing: no team or pipeline routing sets ${levels.length === 1 ? "that level" : "those levels"}`;
}
