/**
 * The progress display: bars on a terminal, a plain line every few seconds elsewhere (and
 * in CI), never an escape code off a terminal.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { progressFor, type ProgressStream } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns: 100, write: (c: string) => (chunks.push(c), true), text: () => chunks.join("") };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("progress off a terminal", () => {
  it("prints one plain line per phase every interval, with failures and rate-limit waits, and nothing once done", () => {
    const stream = fakeStream(false);
    const progress = progressFor(stream, { PIPEMON_PROGRESS_INTERVAL_MS: "2000" }, () => Date.now());
    progress.start("applying", 40);
    for (let i = 0; i < 12; i++) progress.step("applying", i === 3);
    vi.advanceTimersByTime(1999);
    expect(stream.text()).toBe("");
    vi.advanceTimersByTime(1);
    expect(stream.text()).toBe("pipemon: applying 12/40, 1 failed\n");
    progress.waiting("datadog", 7000);
    vi.advanceTimersByTime(2000);
    expect(stream.text().split("\n")[1]).toBe("pipemon: applying 12/40, 1 failed · waiting 5 s on datadog (rate limit or retry)");
    progress.waited("datadog");
    progress.end("applying");
    const before = stream.text();
    vi.advanceTimersByTime(60_000);
    expect(stream.text()).toBe(before);
    expect(stream.text()).not.toContain("\u001b[");
    progress.close();
  });

  it("uses plain lines in CI even on a terminal, every 5 s by default; a short run prints nothing", () => {
    const stream = fakeStream(true);
    const progress = progressFor(stream, { CI: "true" });
    progress.start("listing", 6);
    progress.step("listing");
    vi.advanceTimersByTime(4999);
    expect(stream.text()).toBe("");
    vi.advanceTimersByTime(1);
    expect(stream.text()).toBe("pipemon: listing 1/6\n");
    progress.end("listing");
    progress.close();

    const quick = fakeStream(false);
    const short = progressFor(quick, {});
    short.start("applying", 3);
    short.step("applying");
    short.end("applying");
    vi.advanceTimersByTime(10_000);
    expect(quick.text()).toBe("");
  });
});

describe("progress on a terminal", () => {
  it("draws a bar per phase with N/M and clears it when the phase ends", () => {
    const stream = fakeStream(true);
    const progress = progressFor(stream, { TERM: "xterm" });
    progress.start("listing", 6);
    progress.step("listing");
    progress.start("applying", 40);
    for (let i = 0; i < 10; i++) progress.step("applying");
    vi.advanceTimersByTime(200);
    const drawn = stream.text();
    expect(drawn).toContain("\u001b["); // cursor control: a terminal only
    expect(drawn).toMatch(/listing +\[[^\]]*\] 1\/6/);
    expect(drawn).toMatch(/applying \[[^\]]*\] 10\/40/);
    progress.end("listing");
    progress.end("applying");
    // The cursor is shown again once nothing is drawn (the prompt or the summary follows).
    expect(stream.text().endsWith("\u001b[?25h") || stream.text().includes("\u001b[?25h")).toBe(true);
    progress.close();
  });

  it("TERM=dumb gets plain lines, not bars", () => {
    const stream = fakeStream(true);
    const progress = progressFor(stream, { TERM: "dumb", PIPEMON_PROGRESS_INTERVAL_MS: "1000" });
    progress.start("applying", 2);
    vi.advanceTimersByTime(1000);
    expect(stream.text()).toBe("pipemon: applying 0/2\n");
    progress.close();
  });
});
