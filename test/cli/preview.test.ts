/**
 * `pipemon preview` as a user runs it (the compiled CLI): what it prints, deterministic
 * output, generate's output-folder safety, `--png`, and one-line errors.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, runCliAsync } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "pipemon-preview-cli-"));
const specs = join(REPO_ROOT, "specs");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under a folder with its bytes, by relative path. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out.set(join(f.parentPath, f.name).slice(dir.length + 1), readFileSync(join(f.parentPath, f.name), "base64"));
  }
  return out;
}

describe("pipemon preview", () => {
  it("writes the site, says where to open it, and a second run rewrites nothing", () => {
    const first = runCli(["--specs", specs, "preview", "--out", "site"], work);
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe("✓ site/: 24 dashboards, synthetic data (30 files changed, 0 unchanged)\n  open site/index.html\n");
    expect(first.code).toBe(0);
    const before = snapshot(join(work, "site"));
    const second = runCli(["--specs", specs, "preview", "--out", "site"], work);
    expect(second.stdout).toBe("✓ site/: 24 dashboards, synthetic data (0 files changed, 30 unchanged)\n  open site/index.html\n");
    expect(snapshot(join(work, "site"))).toEqual(before);
  });

  it("refuses, in one line and writing nothing, a folder it does not own or one holding a symbolic link", () => {
    const foreign = join(work, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "mine");
    const refused = runCli(["--specs", specs, "preview", "--out", "foreign"], work);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe("pipemon: --out foreign is not empty and pipemon has never written it (it has no .pipemon-manifest.json): choose a new or empty folder, or move what is in it elsewhere; nothing was written\n");
    expect(readdirSync(foreign)).toEqual(["notes.txt"]);

    runCli(["--specs", specs, "preview", "--out", "linked", "--env", "production"], work);
    symlinkSync("/etc", join(work, "linked", "production", "etc"));
    const linked = runCli(["--specs", specs, "preview", "--out", "linked", "--env", "production"], work);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/^pipemon: .*symbolic link.*; nothing was written\n$/);
  });

  it("never takes over generate's folder (nor generate preview's): each refuses the other's manifest, changing nothing", () => {
    expect(runCli(["--specs", specs, "generate", "--out", "gen"], work).code).toBe(0);
    const generated = snapshot(join(work, "gen"));
    const intoGenerated = runCli(["--specs", specs, "preview", "--out", "gen"], work);
    expect(intoGenerated.code).toBe(1);
    expect(intoGenerated.stderr).toBe("pipemon: --out gen holds the output of pipemon generate (its .pipemon-manifest.json says so): choose another folder for pipemon preview; nothing was written\n");
    expect(snapshot(join(work, "gen"))).toEqual(generated);

    // A preview folder of its own: the test does not lean on another test's output.
    expect(runCli(["--specs", specs, "preview", "--out", "previewed"], work).code).toBe(0);
    const site = snapshot(join(work, "previewed"));
    const intoPreview = runCli(["--specs", specs, "generate", "--out", "previewed"], work);
    expect(intoPreview.code).toBe(1);
    expect(intoPreview.stderr).toBe("pipemon: --out previewed holds the output of pipemon preview (its .pipemon-manifest.json says so): choose another folder for pipemon generate\n");
    expect(snapshot(join(work, "previewed"))).toEqual(site);

    const intoSpecs = runCli(["--specs", "specs", "preview", "--out", "specs"], REPO_ROOT);
    expect(intoSpecs.stderr).toBe("pipemon: --out specs is the specs folder: choose another folder, such as preview; nothing was written\n");
  });

  it("refuses an --out that cannot be made in one line instead of hanging (/proc)", () => {
    const r = runCli(["--specs", specs, "preview", "--out", "/proc/pipemon-nope/site"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pipemon: --out /proc/pipemon-nope/site cannot be made (ENOENT: no such file or directory, mkdir '/proc/pipemon-nope'): choose another --out; nothing was written\n");
  });

  it("--png names the Debian package when Chromium is missing, and writes nothing", () => {
    const r = runCli(["--specs", specs, "preview", "--out", "png-missing", "--png"], work, { PIPEMON_CHROMIUM: "/nonexistent/chromium" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pipemon: --png needs Chromium at /nonexistent/chromium: install the Debian package 'chromium' (apt-get install chromium), or set PIPEMON_CHROMIUM to the browser's path; nothing was written\n");
    expect(existsSync(join(work, "png-missing"))).toBe(false);
  });

  it("--png says in one line, writing nothing, when the Chromium it is given does not start (not an internal error)", () => {
    const r = runCli(["--specs", specs, "preview", "--out", "png-broken", "--png", "--env", "production"], work, { PIPEMON_CHROMIUM: "/bin/true" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^pipemon: Chromium at \/bin\/true could not be started: [^\n]+; nothing was written\n$/);
    expect(r.stderr).not.toContain("internal error");
    expect(existsSync(join(work, "png-broken"))).toBe(false);
  });

  it("--png writes one image per dashboard beside its page", async () => {
    const r = await runCliAsync(["--specs", specs, "preview", "--out", "png", "--png", "--env", "production"], work);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("✓ png/: 12 dashboards, 12 images, synthetic data");
    const pages = readdirSync(join(work, "png", "production")).filter((f) => f.endsWith(".html"));
    expect(pages).toHaveLength(12);
    for (const page of pages) {
      const png = readFileSync(join(work, "png", "production", page.replace(/\.html$/, ".png")));
      expect(png.subarray(0, 8).toString("hex"), page).toBe("89504e470d0a1a0a");
    }
  }, 120_000);

  it("rejects a --since that is not a duration", () => {
    const r = runCli(["--specs", specs, "preview", "--out", "since", "--since", "soon"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('pipemon: --since "soon" is not a duration between 1s and 90d (e.g. 6h, 2d)\n');
    expect(existsSync(join(work, "since"))).toBe(false);
  });
});
