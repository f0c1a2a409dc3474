import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Compiles src/ to dist/ so CLI tests exercise exactly what users run (bin/pipemon.js).
 * PIPEMON_SKIP_BUILD=1 skips it when running unit tests of one module that never spawn the CLI.
 */
export default function setup(): void {
  if (process.env.PIPEMON_SKIP_BUILD === "1") return;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", `${root}/tsconfig.build.json`], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [`${root}/scripts/postbuild.mjs`], { cwd: root, stdio: "ignore" });
}
