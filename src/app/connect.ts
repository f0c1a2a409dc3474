/**
 * The real connector: credentials from the environment, one circuit breaker per target and
 * project, every request counted. Loaded lazily so `validate` and `generate` never pay for
 * the HTTP clients.
 */
import { CircuitBreaker } from "../targets/resilience.js";
import { liveTarget, registerRunSecrets } from "../targets/index.js";
import type { Connector } from "./live-state.js";
import type { Progress } from "./progress.js";
import type { TargetName } from "../plan/resource.js";

/** The retry wait, told to the progress display (a run stuck on a rate limit says so). */
function reportedSleep(target: TargetName, progress: Progress | undefined): ((ms: number) => Promise<void>) | undefined {
  if (!progress) return undefined;
  return (ms) => {
    progress.waiting(target, ms);
    return new Promise<void>((resolve) => setTimeout(resolve, ms)).finally(() => progress.waited(target));
  };
}

export const connect: Connector = async (project, target, env, stats, progress) => {
  // Before anything is resolved or sent: every message from here on is scrubbed of them.
  registerRunSecrets(project, env);
  const live = liveTarget(target);
  const breaker = new CircuitBreaker(target);
  const sleep = reportedSleep(target, progress);
  const connectTo = await live.connect();
  const { handlers, lock } = connectTo(project, env, { breaker, onRequest: (method, route) => stats.record(target, method, route), ...(sleep ? { sleep } : {}) });
  return { target, handlers, breaker, lock };
};
