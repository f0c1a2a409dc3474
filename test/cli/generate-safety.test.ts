/**
 * generate writes and deletes only its own files (issue 9, item 2), and a failure midway
 * leaves the previous tree exactly as it was (item 5). The real CLI, on copies of the
 * bundled specs, against trees that try to make it write or delete elsewhere.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli.js";

const MANIFEST = ".pipemon-manifest.json";
const FAULT = { NODE_OPTIONS: `--import=${join(REPO_ROOT, "test/support/fail-compile.mjs")}` };

/** Every entry under `dir`, never following a link: files with their bytes, folders, links with their target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out[path] = `link -> ${readlinkSync(join(dir, path))}`;
      else if (e.isDirectory()) {
        out[path] = "dir";
        walk(path);
      } else out[path] = `file ${readFileSync(join(dir, path), "utf8")}`;
    }
  };
  walk("");
  return out;
}

let work: string;
const gen = (p = "") => join(work, "generated", p);
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipemon-safety-"));
  cpSync(join(REPO_ROOT, "specs"), join(work, "specs"), { recursive: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A first generate, then a change to the config that changes almost every generated file. */
function generatedThenEveryFileStale(): void {
  expect(runCli(["generate"], work).code).toBe(0);
  const config = join(work, "specs/pipemon.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace("blob/main/generated", "blob/trunk/generated"));
}

describe("generate never follows a symbolic link under the output tree", () => {
  it("refuses a linked folder inside generated/ and leaves what it points to intact", () => {
    generatedThenEveryFileStale();
    const outside = join(work, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "orders-etl.md"), "not a runbook\n");
    writeFileSync(join(outside, "precious.txt"), "keep me\n");
    rmSync(gen("production/runbooks"), { recursive: true });
    symlinkSync(outside, gen("production/runbooks"));
    const before = snapshot(gen());
    for (const args of [["generate"], ["generate", "--check"]]) {
      for (const workers of ["0", "3"]) {
        const r = runCli(args, work, { PIPEMON_WORKERS: workers });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe("pipemon: generated/production/runbooks is a symbolic link, and pipemon never writes or deletes through one: replace it with a real folder (or delete it) and run again\n");
        expect(r.stdout).toBe("");
      }
    }
    expect(snapshot(outside)).toEqual({ "orders-etl.md": "file not a runbook\n", "precious.txt": "file keep me\n" });
    expect(snapshot(gen())).toEqual(before);
  });

  it("refuses a planted *.pipemon-tmp link and leaves its target untouched", () => {
    generatedThenEveryFileStale();
    const victim = join(work, "victim.txt");
    writeFileSync(victim, "victim\n");
    // The dashboard must be rewritten, so the old code wrote its temporary file (the link).
    writeFileSync(gen("production/grafana/dashboards/orders-etl.json"), "{}\n");
    symlinkSync(victim, gen("production/grafana/dashboards/orders-etl.json.pipemon-tmp"));
    const r = runCli(["generate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pipemon: generated/production/grafana/dashboards/orders-etl.json.pipemon-tmp is a symbolic link, and pipemon never writes or deletes through one: replace it with a regular file (or delete it) and run again\n");
    expect(readFileSync(victim, "utf8")).toBe("victim\n");
    expect(readFileSync(gen("production/grafana/dashboards/orders-etl.json"), "utf8")).toBe("{}\n");
  });

  it("refuses a generated file that is a link, even to a file of identical content", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    const copy = join(work, "copy.json");
    cpSync(gen("production/datadog/monitors/orders-etl.json"), copy);
    rmSync(gen("production/datadog/monitors/orders-etl.json"));
    symlinkSync(copy, gen("production/datadog/monitors/orders-etl.json"));
    const r = runCli(["generate", "--check"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pipemon: generated\/production\/datadog\/monitors\/orders-etl\.json is a symbolic link, .*\n$/);
  });

  it("refuses an output folder that is itself a link", () => {
    mkdirSync(join(work, "elsewhere"));
    symlinkSync(join(work, "elsewhere"), gen());
    const r = runCli(["generate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("pipemon: generated is a symbolic link, and pipemon never writes or deletes through one: replace it with a real folder (or delete it) and run again\n");
    expect(readdirSync(join(work, "elsewhere"))).toEqual([]);
  });
});

describe("generate deletes only files it wrote", () => {
  it("refuses --out . in a folder with hand-written runbooks/ and prometheus/ and deletes nothing", () => {
    const site = join(work, "site");
    mkdirSync(join(site, "runbooks"), { recursive: true });
    mkdirSync(join(site, "prometheus/rules"), { recursive: true });
    writeFileSync(join(site, "runbooks/restart-the-world.md"), "# hand-written\n");
    writeFileSync(join(site, "prometheus/rules/node.yml"), "groups: []\n");
    const before = snapshot(site);
    const r = runCli(["--specs", "../specs", "generate", "--out", "."], site);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`pipemon: --out . is not empty and pipemon has never written it (it has no ${MANIFEST}): choose a new or empty folder, or move what is in it elsewhere\n`);
    expect(snapshot(site)).toEqual(before);
  });

  it("refuses --out / and the specs folder, inside it or around it", () => {
    const specsBefore = snapshot(join(work, "specs"));
    const cases: [string[], string][] = [
      // --out / is not run against the old build: it would write into this machine's root.
      [["generate", "--out", "/"], "pipemon: --out / is the root of the file system: choose a folder of its own, such as generated\n"],
      [["generate", "--out", "specs"], "pipemon: --out specs is the specs folder: choose another folder, such as generated\n"],
      [["generate", "--out", "specs/generated"], "pipemon: --out specs/generated is inside the specs folder specs: choose a folder outside it, such as generated\n"],
      [["generate", "--out", "."], "pipemon: --out . holds the specs folder specs: choose a folder of its own, such as generated\n"],
      [["generate", "--check", "--out", "specs"], "pipemon: --out specs is the specs folder: choose another folder, such as generated\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = runCli(args, work);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toBe(stderr);
    }
    expect(snapshot(join(work, "specs"))).toEqual(specsBefore);
    expect(existsSync(gen())).toBe(false);
  });

  it("keeps a file it did not write inside its own folders, and says so", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    writeFileSync(gen("production/datadog/monitors/hand-made.json"), "[]\n");
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  kept    generated/production/datadog/monitors/hand-made.json (not written by pipemon)\n");
    expect(r.stdout).toMatch(/0 created, 0 updated, 0 deleted, \d+ unchanged/);
    expect(readFileSync(gen("production/datadog/monitors/hand-made.json"), "utf8")).toBe("[]\n");
    // --check does not fail on it (generate would not touch it) but names it too.
    const check = runCli(["generate", "--check"], work);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("  kept    generated/production/datadog/monitors/hand-made.json (not written by pipemon)\n");
  });

  it("records every file it wrote in the manifest, and deletes a removed pipeline's files through it", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    const listed = (JSON.parse(readFileSync(gen(MANIFEST), "utf8")) as { files: string[] }).files;
    const onDisk = Object.entries(snapshot(gen())).filter(([p, v]) => v.startsWith("file") && p !== MANIFEST).map(([p]) => p).sort();
    expect(listed).toEqual(onDisk);
    rmSync(join(work, "specs/growth/customer-ltv-spark.yaml"));
    const r = runCli(["generate"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  deleted generated/production/runbooks/customer-ltv-spark.md\n");
    expect(Object.keys(snapshot(gen())).filter((p) => p.includes("customer-ltv-spark"))).toEqual([]);
    const after = (JSON.parse(readFileSync(gen(MANIFEST), "utf8")) as { files: string[] }).files;
    expect(after.filter((p) => p.includes("customer-ltv-spark"))).toEqual([]);
    expect(after.length).toBeLessThan(listed.length);
  });

  it("with --env, deletes only that environment's files and keeps the others' in the manifest", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    const listed = (JSON.parse(readFileSync(gen(MANIFEST), "utf8")) as { files: string[] }).files;
    rmSync(join(work, "specs/growth/customer-ltv-spark.yaml"));
    const r = runCli(["generate", "--env", "staging"], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  deleted generated/staging/runbooks/customer-ltv-spark.md\n");
    expect(r.stdout).not.toContain("deleted generated/production/");
    expect(existsSync(gen("production/runbooks/customer-ltv-spark.md"))).toBe(true);
    const after = (JSON.parse(readFileSync(gen(MANIFEST), "utf8")) as { files: string[] }).files;
    expect(after.filter((p) => p.startsWith("production/"))).toEqual(listed.filter((p) => p.startsWith("production/")));
    // The full run then deletes production's too.
    expect(runCli(["generate"], work).stdout).toContain("  deleted generated/production/runbooks/customer-ltv-spark.md\n");
  });

  it("--check reports a missing or stale manifest", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    rmSync(gen(MANIFEST));
    const r = runCli(["generate", "--check"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  missing  generated/${MANIFEST}\n`);
    expect(r.stderr).toContain("1 file differs");
  });

  it("adopts once a tree written by an older pipemon (no manifest, only pipemon's layout)", () => {
    cpSync(join(REPO_ROOT, "generated"), gen(), { recursive: true });
    rmSync(gen(MANIFEST), { force: true });
    // A file of a pipeline that no longer exists, as an older pipemon would have left it.
    writeFileSync(gen("staging/runbooks/retired-etl.md"), "# retired\n");
    const r = runCli(["generate"], work);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  created generated/${MANIFEST}\n`);
    expect(r.stdout).toContain("  deleted generated/staging/runbooks/retired-etl.md\n");
    expect(runCli(["generate", "--check"], work).code).toBe(0);
  });

  it("refuses a tree without a manifest that holds anything pipemon never writes", () => {
    cpSync(join(REPO_ROOT, "generated"), gen(), { recursive: true });
    rmSync(gen(MANIFEST), { force: true });
    writeFileSync(gen("NOTES.md"), "hand-written\n");
    const before = snapshot(gen());
    const r = runCli(["generate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`pipemon: --out generated has no ${MANIFEST} and holds generated/NOTES.md, which pipemon never writes: move that file out for one run (generate then records its own files and leaves others alone), or choose another folder\n`);
    expect(snapshot(gen())).toEqual(before);
  });

  it("refuses a manifest entry that points outside the tree", () => {
    expect(runCli(["generate"], work).code).toBe(0);
    const victim = join(work, "victim.txt");
    writeFileSync(victim, "victim\n");
    const manifest = JSON.parse(readFileSync(gen(MANIFEST), "utf8")) as { files: string[] };
    manifest.files.push("../victim.txt");
    writeFileSync(gen(MANIFEST), JSON.stringify(manifest));
    const r = runCli(["generate"], work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`pipemon: generated/${MANIFEST} lists '../victim.txt', which is not a path inside the folder: restore the manifest from version control, or delete it to let generate adopt the folder again\n`);
    expect(readFileSync(victim, "utf8")).toBe("victim\n");
  });
});

describe("a failure midway leaves the previous tree untouched", () => {
  for (const workers of ["0", "3"]) {
    it(`writes nothing when a compiler throws for one pipeline (PIPEMON_WORKERS=${workers})`, () => {
      generatedThenEveryFileStale();
      const before = snapshot(gen());
      // ml-feature-store is compiled after the commerce pipelines, whose files are all stale.
      const r = runCli(["generate"], work, { ...FAULT, PIPEMON_WORKERS: workers, PIPEMON_TEST_FAIL_PIPELINE: "ml-feature-store" });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "pipemon: internal error compiling pipeline ml-feature-store (environment production): injected fault while compiling ml-feature-store; nothing was written (this is a bug in pipemon: rerun with PIPEMON_DEBUG=1 for details and report it)\n",
      );
      expect(r.stdout).toBe("");
      expect(snapshot(gen())).toEqual(before);
      // Without the fault the same run goes through.
      const ok = runCli(["generate"], work, { PIPEMON_WORKERS: workers });
      expect(ok.code).toBe(0);
      expect(runCli(["generate", "--check"], work).code).toBe(0);
    });
  }

  it("writes nothing when the main thread's team files fail while workers compile the pipelines", () => {
    generatedThenEveryFileStale();
    const before = snapshot(gen());
    const r = runCli(["generate"], work, { ...FAULT, PIPEMON_WORKERS: "3", PIPEMON_TEST_FAIL_PIPELINE: "team-commerce" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pipemon: internal error compiling team:commerce \(environment production\): injected fault while compiling team-commerce; nothing was written \(.*\)\n$/);
    expect(snapshot(gen())).toEqual(before);
  });

  it("leaves no output folder behind when the first generate fails", () => {
    const r = runCli(["generate"], work, { ...FAULT, PIPEMON_TEST_FAIL_PIPELINE: "orders-etl" });
    expect(r.code).toBe(1);
    expect(existsSync(gen())).toBe(false);
    expect(lstatSync(work).isDirectory()).toBe(true);
  });
});
