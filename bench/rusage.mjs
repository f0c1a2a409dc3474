// Loaded with `node --import` into the measured process: reports its own CPU time and peak
// RSS when it exits, so the benchmark measures the real CLI process and nothing else.
import { writeFileSync } from "node:fs";

const target = process.env.PIPEMON_BENCH_RUSAGE;
if (target) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMb: u.maxRSS / 1024 }));
  });
}
