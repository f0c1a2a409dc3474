import { hasErrors } from "../spec/diagnostics.js";
import { loadSpecs, type LoadOptions, type LoadResult } from "../spec/index.js";

export interface ValidateResult extends LoadResult {
  ok: boolean;
  pipelineCount: number;
}

/** Use case: validate specs, reporting every problem. */
export function validate(options: LoadOptions): ValidateResult {
  const result = loadSpecs(options);
  return { ...result, ok: !hasErrors(result.diagnostics), pipelineCount: result.projects[0]?.pipelines.length ?? 0 };
}
