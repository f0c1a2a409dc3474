/**
 * Progress of a long plan or apply, on stderr (stdout carries the plan and the summary):
 * - on a terminal, a bar per phase (listing, applying N/M) drawn by cli-progress, with a
 *   note while a target makes pipemon wait (a rate limit, a backoff); cleared when done;
 * - elsewhere (a pipe, a CI log, CI=true, TERM=dumb), one plain line every few seconds while
 *   a phase runs, and never an escape code. A run shorter than the interval prints nothing.
 * PIPEMON_PROGRESS_INTERVAL_MS sets the interval of the plain lines (0: none).
 */
import cliProgress from "cli-progress";
import type { Phase, Progress } from "../app/progress.js";
import type { TargetName } from "../plan/resource.js";

export const DEFAULT_PLAIN_INTERVAL_MS = 5_000;

/** What a progress display needs of a stream: enough for a test to pass a fake one. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

export interface CliProgress extends Progress {
  /** A line said while progress is shown (the Ctrl-C notice), without breaking a bar. */
  note(line: string): void;
  /** Stops drawing: before the summary is printed. */
  close(): void;
}

const PHASE_LABEL: Record<Phase, string> = { listing: "listing ", applying: "applying" };

interface PhaseState {
  total: number;
  done: number;
  failed: number;
}

/** Shared bookkeeping: counts per phase and who is waiting for how long. */
abstract class Tracker implements CliProgress {
  protected readonly phases = new Map<Phase, PhaseState>();
  protected readonly waits = new Map<TargetName, { until: number; count: number }>();
  constructor(protected readonly now: () => number) {}
  start(phase: Phase, total: number): void {
    this.phases.set(phase, { total, done: 0, failed: 0 });
    this.changed(phase);
  }
  step(phase: Phase, failed = false): void {
    const p = this.phases.get(phase);
    if (!p) return;
    p.done += 1;
    if (failed) p.failed += 1;
    this.changed(phase);
  }
  end(phase: Phase): void {
    this.changed(phase);
    this.phases.delete(phase);
    this.ended(phase);
  }
  waiting(target: TargetName, ms: number): void {
    const w = this.waits.get(target);
    this.waits.set(target, { until: Math.max(w?.until ?? 0, this.now() + ms), count: (w?.count ?? 0) + 1 });
    for (const phase of this.phases.keys()) this.changed(phase);
  }
  waited(target: TargetName): void {
    const w = this.waits.get(target);
    if (w && --w.count <= 0) this.waits.delete(target);
    for (const phase of this.phases.keys()) this.changed(phase);
  }
  /** `, 2 failed · waiting 4 s on datadog (rate limit or retry)` */
  protected detail(p: PhaseState): string {
    const parts = p.failed > 0 ? [`, ${p.failed} failed`] : [];
    for (const [target, w] of this.waits) parts.push(` · waiting ${Math.max(1, Math.ceil((w.until - this.now()) / 1000))} s on ${target} (rate limit or retry)`);
    return parts.join("");
  }
  protected abstract changed(phase: Phase): void;
  protected abstract ended(phase: Phase): void;
  abstract note(line: string): void;
  abstract close(): void;
}

/** A bar per phase on a terminal; nothing drawn between phases (a prompt may be asked there). */
class TerminalProgress extends Tracker {
  private multibar: cliProgress.MultiBar | undefined;
  private readonly bars = new Map<Phase, cliProgress.SingleBar>();
  constructor(private readonly stream: ProgressStream, now: () => number) {
    super(now);
  }
  private open(): cliProgress.MultiBar {
    this.multibar ??= new cliProgress.MultiBar(
      {
        stream: this.stream as unknown as NodeJS.WritableStream,
        format: "{phase} [{bar}] {value}/{total}{detail}",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        // pipemon's own SIGINT handling (apply's interrupt) decides; close() restores the cursor.
        gracefulExit: false,
        noTTYOutput: false,
      },
      cliProgress.Presets.shades_classic,
    );
    return this.multibar;
  }
  protected changed(phase: Phase): void {
    const p = this.phases.get(phase);
    if (!p) return;
    const payload = { phase: PHASE_LABEL[phase], detail: this.detail(p) };
    const bar = this.bars.get(phase);
    if (!bar) this.bars.set(phase, this.open().create(Math.max(p.total, 1), p.done, payload));
    else {
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, payload);
    }
  }
  protected ended(phase: Phase): void {
    this.bars.delete(phase);
    if (this.bars.size === 0) this.close();
  }
  note(line: string): void {
    if (!this.multibar) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.multibar.log(`${line}\n`);
    this.multibar.update();
  }
  close(): void {
    this.multibar?.stop();
    this.multibar = undefined;
    this.bars.clear();
  }
}

/** One plain line every `intervalMs` while a phase runs. */
class PlainProgress extends Tracker {
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly stream: ProgressStream, private readonly intervalMs: number, now: () => number) {
    super(now);
  }
  protected changed(): void {
    if (this.timer === undefined && this.phases.size > 0 && this.intervalMs > 0) {
      this.timer = setInterval(() => this.report(), this.intervalMs);
      this.timer.unref();
    }
  }
  protected ended(): void {
    if (this.phases.size === 0) this.stopTimer();
  }
  private report(): void {
    for (const [phase, p] of this.phases) this.stream.write(`pipemon: ${PHASE_LABEL[phase].trim()} ${p.done}/${p.total}${this.detail(p)}\n`);
  }
  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
  note(line: string): void {
    this.stream.write(`${line}\n`);
  }
  close(): void {
    this.stopTimer();
  }
}

/** Bars only on a real terminal that is not a CI log; plain lines otherwise. */
export function progressFor(stream: ProgressStream, env: Readonly<Record<string, string | undefined>>, now: () => number = Date.now): CliProgress {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  if (stream.isTTY === true && env.TERM !== "dumb" && !ci) return new TerminalProgress(stream, now);
  const raw = Number(env.PIPEMON_PROGRESS_INTERVAL_MS ?? Number.NaN);
  return new PlainProgress(stream, Number.isFinite(raw) && raw >= 0 ? raw : DEFAULT_PLAIN_INTERVAL_MS, now);
}
