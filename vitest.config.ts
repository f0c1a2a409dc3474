import { defineConfig } from "vitest/config";

// Snapshots are written only on request (`make update-snapshots`, i.e. `vitest run -u`): a
// missing or changed snapshot fails the run everywhere, as it does in CI, never rewrites a file.
process.env.UPDATE_SNAPSHOT ??= "none";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // CLI tests run the real, compiled pipemon: build it once before any test.
    globalSetup: ["test/support/build.ts"],
    reporters: ["default", "./test/support/plain-summary.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
