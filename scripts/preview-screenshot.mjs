// Regenerates docs/preview.png, the README's picture of `pipemon preview`: the orders-etl
// dashboard of the demo specs (production), synthetic data, as `preview --png` takes it.
// Run after `make build`: node scripts/preview-screenshot.mjs [output.png]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const target = resolve(process.argv[2] ?? join(root, "docs", "preview.png"));
const work = mkdtempSync(join(tmpdir(), "pipemon-preview-shot-"));
try {
  execFileSync(process.execPath, [join(root, "bin", "pipemon.js"), "--specs", join(root, "specs"), "preview", "--out", join(work, "site"), "--png", "--env", "production"], { stdio: "inherit" });
  copyFileSync(join(work, "site", "production", "orders-etl.png"), target);
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
