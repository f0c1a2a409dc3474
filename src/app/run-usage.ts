/**
 * The wrapped job's peak CPU and memory, as ratios of what the job may use.
 *
 * Sampled from /proc every SAMPLE_INTERVAL_MS over the job's process tree (the child and
 * every descendant found through the parent pid of each process; a process that detaches
 * itself from the tree, e.g. a daemon, is not counted):
 * - CPU: the tree's CPU time (user + system, including reaped children) gained between two
 *   samples, divided by the wall time between them times the CPUs available: the cgroup's
 *   CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us / cpu.cfs_period_us`) when set, else the
 *   CPUs this process may run on. The peak is the highest interval, and never lower than
 *   the whole run's average (a job shorter than one interval still gets its average).
 * - Memory: the tree's summed resident set size, divided by the cgroup's memory limit (v2
 *   `memory.max`, v1 `memory.limit_in_bytes`) when set, else the machine's total memory.
 * Off Linux (no /proc) both stay 0.
 */
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";

export const SAMPLE_INTERVAL_MS = 500;
/** USER_HZ: the unit of /proc/<pid>/stat CPU times; 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface UsagePeaks {
  cpu: number;
  memory: number;
}

export interface Capacity {
  cpus: number;
  memoryBytes: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat`: ppid and CPU ticks (utime + stime + cutime + cstime). */
export function parseStat(text: string): { ppid: number; ticks: number } | undefined {
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const ppid = Number(fields[1]);
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return Number.isFinite(ppid) && Number.isFinite(ticks) ? { ppid, ticks } : undefined;
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(read(`/proc/${pid}/status`) ?? "");
  return m ? Number(m[1]) * 1024 : 0;
}

/** The cgroup directories of this process, innermost first, per controller (v1) or unified (v2). */
function cgroupDirs(controller: string): string[] {
  const dirs: string[] = [];
  for (const line of (read("/proc/self/cgroup") ?? "").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (path === undefined) continue;
    const base = controllers === "" ? "/sys/fs/cgroup" : controllers!.split(",").includes(controller) ? `/sys/fs/cgroup/${controller}` : undefined;
    if (!base) continue;
    const parts = path.split("/").filter(Boolean);
    for (let i = parts.length; i >= 0; i--) dirs.push([base, ...parts.slice(0, i)].join("/"));
  }
  return dirs;
}

/** What the job may use: the tightest cgroup limit on the way up, else the machine. */
export function capacity(): Capacity {
  let cpus = availableParallelism();
  let memoryBytes = totalmem();
  for (const dir of cgroupDirs("cpu")) {
    const max = read(`${dir}/cpu.max`)?.trim().split(/\s+/);
    if (max && max[0] !== "max" && Number(max[0]) > 0 && Number(max[1]) > 0) cpus = Math.min(cpus, Number(max[0]) / Number(max[1]));
    const quota = Number(read(`${dir}/cpu.cfs_quota_us`));
    const period = Number(read(`${dir}/cpu.cfs_period_us`));
    if (quota > 0 && period > 0) cpus = Math.min(cpus, quota / period);
  }
  for (const dir of cgroupDirs("memory")) {
    for (const file of ["memory.max", "memory.limit_in_bytes"]) {
      const limit = Number(read(`${dir}/${file}`)?.trim());
      // v1 writes "no limit" as a huge number; anything above the machine's memory is no limit.
      if (Number.isFinite(limit) && limit > 0) memoryBytes = Math.min(memoryBytes, limit);
    }
  }
  return { cpus, memoryBytes };
}

/** The process tree under `root`: one pass over /proc, children found by their ppid. */
function tree(root: number): { pids: number[]; ticks: number } {
  const children = new Map<number, number[]>();
  const ticksOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return { pids: [], ticks: 0 };
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const parsed = stat ? parseStat(stat) : undefined;
    if (!parsed) continue;
    const pid = Number(name);
    ticksOf.set(pid, parsed.ticks);
    const list = children.get(parsed.ppid);
    if (list) list.push(pid);
    else children.set(parsed.ppid, [pid]);
  }
  const pids: number[] = [];
  const queue = ticksOf.has(root) ? [root] : [];
  let ticks = 0;
  while (queue.length) {
    const pid = queue.pop()!;
    pids.push(pid);
    ticks += ticksOf.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return { pids, ticks };
}

/** CPU ticks of this process's reaped children: the job's time once it has exited. */
function reapedTicks(): number {
  const stat = read("/proc/self/stat");
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[13]) + Number(fields[14]);
}

/** Samples the tree under `pid` until `stop()`; then returns the peaks. */
export function sampleUsage(pid: number, cap: Capacity = capacity(), intervalMs = SAMPLE_INTERVAL_MS): { stop(): UsagePeaks } {
  const startedAt = performance.now();
  const baseTicks = reapedTicks();
  let last = { at: startedAt, ticks: 0 };
  let cpuPeak = 0;
  let memoryPeak = 0;
  const sample = (): void => {
    const now = performance.now();
    const t = tree(pid);
    const ticks = reapedTicks() - baseTicks + t.ticks;
    const seconds = (now - last.at) / 1000;
    if (seconds > 0 && ticks >= last.ticks) cpuPeak = Math.max(cpuPeak, (ticks - last.ticks) / CLOCK_TICKS_PER_SECOND / seconds / cap.cpus);
    last = { at: now, ticks };
    const rss = t.pids.reduce((sum, p) => sum + rssBytes(p), 0);
    memoryPeak = Math.max(memoryPeak, rss / cap.memoryBytes);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop(): UsagePeaks {
      clearInterval(timer);
      const seconds = (performance.now() - startedAt) / 1000;
      // After exit the job's whole CPU time is in this process's reaped-children count.
      const average = seconds > 0 ? (reapedTicks() - baseTicks) / CLOCK_TICKS_PER_SECOND / seconds / cap.cpus : 0;
      const clamp = (v: number): number => Math.min(1, Math.max(0, v));
      return { cpu: clamp(Math.max(cpuPeak, average)), memory: clamp(memoryPeak) };
    },
  };
}
