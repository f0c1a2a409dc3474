/**
 * uPlot's script and stylesheet, read from the installed `uplot` package, for pages that must
 * open from disk with no network (the report's html, the preview site): they are inlined,
 * never linked. Read once per process.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let cached: { js: string; css: string } | undefined;

export function uplotAssets(): { js: string; css: string } {
  if (!cached) {
    // Resolved from this module's own location, so the bundle finds pipemon's dependency
    // whatever the working directory is. Only resolve() is used, with literal paths: the files
    // are read as text to inline them, never loaded as modules.
    // lint-allow-computed-import: resolves uPlot's two asset files (literal paths) to read them as text
    const require = createRequire(import.meta.url);
    cached = {
      js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  }
  return cached;
}
