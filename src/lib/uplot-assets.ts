/**
 * uPlot's browser build and stylesheet, read from the installed package, for pages that must
 * open from disk with no network (the preview site, reports): they carry the library with
 * them instead of loading it from a CDN.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let cached: { js: string; css: string } | undefined;

/** The minified IIFE build (defines the global `uPlot`) and its CSS. */
export function uplotAssets(): { js: string; css: string } {
  if (!cached) {
    // Resolved from this module, so the copy pipemon depends on is used (also when bundled).
    // lint-allow-computed-import: resolves the installed uplot package by its literal name, to read its browser files
    const dist = dirname(createRequire(import.meta.url).resolve("uplot"));
    cached = { js: readFileSync(join(dist, "uPlot.iife.min.js"), "utf8"), css: readFileSync(join(dist, "uPlot.min.css"), "utf8") };
  }
  return cached;
}
