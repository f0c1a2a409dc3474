/** Runbooks: `runbooks/<pipeline>.md` for every pipeline, whatever its targets, and one playbook per project. */
import type { OutputFile } from "../output.js";
import type { Pipeline, Project } from "../../model/types.js";
import { renderRunbook, type RunbookDatadogQueries } from "./render.js";

export { renderRunbook } from "./render.js";
export type { RunbookDatadogQueries } from "./render.js";
export { PLAYBOOK_PATH, playbookFile, renderPlaybook } from "./playbook.js";
export { checkGuides, ERROR_CLASSES, MANUAL, RECOVERY_ACTION, recoveryRows } from "./guidance.js";
export type { CheckGuide, ErrorClass, RecoveryRow } from "./guidance.js";
export { SUPPORT_PANEL, supportQuery } from "./queries.js";
export type { SupportKey, SupportQuery } from "./queries.js";

export function runbookPath(pipeline: string): string {
  return `runbooks/${pipeline}.md`;
}

export function runbookFile(project: Project, pipeline: Pipeline, datadog: RunbookDatadogQueries): OutputFile {
  return { path: runbookPath(pipeline.name), content: renderRunbook(project, pipeline, datadog) };
}
