import { defineConfig } from "vitest/config";

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
