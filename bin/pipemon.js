#!/usr/bin/env node
// Thin launcher: the bundled CLI lives in dist/bundle/ (built by `make build` or `npm run build`).
import { existsSync } from "node:fs";

const main = new URL("../dist/bundle/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("pipemon is not built yet: run 'make build' (or 'npm run build') in the pipemon repository\n");
  process.exit(1);
}
await import(main.href);
