import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Compiles src/ to dist/ so CLI tests exercise exactly what users run (bin/pipemon.js). */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", `${root}/tsconfig.build.json`], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [`${root}/scripts/postbuild.mjs`], { cwd: root, stdio: "ignore" });
}
