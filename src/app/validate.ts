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
  const fallbacks = new Map((result.routingFallbacks ?? []).map((f) => [`${f.environment ?? ""}\0${f.pipeline}`, f]));
  const byPipeline = new Map<string, { file: string; doc: number; name: string; texts: Map<string, string[]>; environments: number }>();
  for (const project of result.projects) {
    const env = project.environment;
    for (const p of project.pipelines) {
      const fallback = fallbacks.get(`${env ?? ""}\0${p.name}`);
      if (!fallback) continue;
      const entry = byPipeline.get(p.name) ?? { file: fallback.file, doc: fallback.doc, name: p.name, texts: new Map(), environments: 0 };
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
  for (const { file, doc, name, texts, environments } of byPipeline.values()) {
    // The same in every environment: said once; otherwise per environment.
    const everywhere = texts.size === 1 && [...texts.values()][0]!.length === environments;
    if (texts.size === 0) continue;
    const source = result.sources.get(file);
    const pos = source ? (namePosition(source.text, name) ?? locate(source, doc, ["metadata", "name"])) : { line: 1, col: 1 };
    for (const [text, envs] of texts) {
      const where = everywhere || envs[0] === "" ? "" : ` (in ${envs.join(", ")})`;
      notes.push({ ...note(file, doc, ["metadata", "name"], `${text}${where}`), ...pos });
    }
  }
  return notes;
}

/**
 * Where `name: <name>` is, when the file holds it exactly once: the usual case, found without
 * the slow parser that `locate` needs (on 10,000 pipelines that parse took seconds). Names are
 * lowercase letters, digits and '-', so the pattern needs no escaping.
 */
function namePosition(text: string, name: string): { line: number; col: number } | undefined {
  let found: number | undefined;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const quote = text[i - 1] === '"' || text[i - 1] === "'" ? text[i - 1]! : "";
    const start = i - quote.length;
    if (!NAME_KEY_BEFORE.test(text.slice(Math.max(0, start - 16), start))) continue;
    if (quote && text[i + name.length] !== quote) continue;
    const next = text[i + name.length + quote.length];
    if (next !== undefined && !VALUE_END.test(next)) continue;
    if (found !== undefined) return undefined;
    found = start;
  }
  if (found === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < found; i = text.indexOf("\n", i + 1)) line++;
  return { line, col: found - text.lastIndexOf("\n", found - 1) };
}

const NAME_KEY_BEFORE = /(?:^|[\s{,])name:[ \t]*$/;
const VALUE_END = /[\s,}#]/;

const channelList = (channels: readonly string[]): string => (channels.length ? channels.join(", ") : "no channel");

/** "medium alerts of orders-etl go to data-alerts and low alerts to data-email, by the config's routing: …" */
function whereTheyGo(p: Pipeline, levels: readonly Severity[]): string {
  const lists = levels.map((s) => channelList(p.routing[s]));
  const go = lists.every((l) => l === lists[0])
    ? `${levels.join(" and ")} alerts of ${p.name} go to ${lists[0]}`
    : levels.map((s, i) => (i === 0 ? `${s} alerts of ${p.name} go to ${lists[i]}` : `${s} alerts to ${lists[i]}`)).join(" and ");
  return `${go}, by the config's routing: no team or pipeline routing sets ${levels.length === 1 ? "that level" : "those levels"}`;
}
