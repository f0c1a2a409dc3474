import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Argument, Command, Option } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { bashScript, completionTree, zshScript } from "../../src/cli/completion.js";
import { REPO_ROOT, runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "pipemon-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What bash offers after `words` (the last one is being typed), with the script loaded the
 * way a user loads it; `complete -p` is printed first.
 */
function bashCompletes(script: string, name: string, words: string[]): { registration: string; offered: string[] } {
  const file = join(dir, `${name}.bash`);
  writeFileSync(file, script);
  const line = [name, ...words].map((w) => `'${w}'`).join(" ");
  const output = execFileSync("bash", ["-c", `source '${file}'; complete -p ${name}; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; $(complete -p ${name} | sed -E 's/.*-F ([^ ]+).*/\\1/'); printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" });
  const [registration = "", ...offered] = output.trimEnd().split("\n");
  return { registration, offered: offered.filter((w) => w !== "") };
}

/**
 * What the zsh script offers after `words`: its function is called outside a completion
 * widget, with zsh's completion builtins replaced by stubs that print what they were given
 * (_describe: the `name:description` entries; compadd: the words; _files/_default: a marker).
 */
function zshCompletes(script: string, name: string, words: string[]): string[] {
  const file = join(dir, `_${name}`);
  writeFileSync(file, script);
  const stubs = [
    "compdef() { :; }",
    "_describe() { local entries=$4; print -rl -- \"${(@P)entries}\"; }",
    "compadd() { [[ $1 == -- ]] && shift; print -rl -- \"$@\"; }",
    "_files() { print -r -- '<files>'; }",
    "_default() { print -r -- '<files>'; }",
  ].join("\n");
  const line = [name, ...words].map((w) => `'${w}'`).join(" ");
  const fn = `_${name.replaceAll(/[^A-Za-z0-9_]/g, "_")}`;
  const output = execFileSync("zsh", ["-f", "-c", `${stubs}\nsource '${file}'\nwords=(${line}); CURRENT=${words.length + 1}; ${fn}`], { encoding: "utf8" });
  return output.split("\n").filter((l) => l !== "");
}

/** A program unlike pipemon: the script must follow whatever tree it is given. */
function demoProgram(): Command {
  const demo = new Command("demo-tool").option("--config <file>", "config file");
  const db = demo.command("db").description("database chores");
  db.command("migrate").description("run migrations").addOption(new Option("--direction <d>", "which way").choices(["up", "down"])).option("--dry-run", "print only");
  demo.command("greet").description("say hello").addArgument(new Argument("<tone>", "how").choices(["warm", "curt"]));
  return demo;
}

describe("completion generated from the commander tree", () => {
  it("walks every command, its options, their choices and argument choices", () => {
    const tree = completionTree(demoProgram());
    expect(tree.map((n) => n.path.join(" "))).toEqual(["", "db", "db migrate", "db help", "greet", "help"]);
    const migrate = tree.find((n) => n.path.join(" ") === "db migrate")!;
    expect(migrate.options.map((o) => o.flags.join(","))).toEqual(["--direction", "--dry-run", "--help,-h", "--config"]);
    expect(migrate.options[0]).toMatchObject({ takesValue: true, choices: ["up", "down"] });
    expect(tree.find((n) => n.path.join(" ") === "greet")!.values.map((v) => v.name)).toEqual(["warm", "curt"]);
  });

  it("bash completes subcommands, nested ones, options, choices and argument values", () => {
    const script = bashScript(demoProgram());
    expect(bashCompletes(script, "demo-tool", [""]).registration).toBe("complete -o default -F _demo_tool_completion demo-tool");
    expect(bashCompletes(script, "demo-tool", [""]).offered).toEqual(["db", "greet", "help", "--config", "--help", "-h"]);
    expect(bashCompletes(script, "demo-tool", ["d"]).offered).toEqual(["db"]);
    expect(bashCompletes(script, "demo-tool", ["db", "m"]).offered).toEqual(["migrate"]);
    expect(bashCompletes(script, "demo-tool", ["db", "migrate", "--d"]).offered).toEqual(["--direction", "--dry-run"]);
    expect(bashCompletes(script, "demo-tool", ["db", "migrate", "--direction", ""]).offered).toEqual(["up", "down"]);
    expect(bashCompletes(script, "demo-tool", ["greet", ""]).offered).toEqual(["warm", "curt", "--help", "-h", "--config"]);
    // A value without choices (a file) is left to bash's default completion.
    expect(bashCompletes(script, "demo-tool", ["--config", ""]).offered).toEqual([]);
  });

  it("zsh's script is valid zsh and registers its function with compinit", () => {
    const file = join(dir, "_demo-tool");
    writeFileSync(file, zshScript(demoProgram()));
    execFileSync("zsh", ["-n", file]);
    const registered = execFileSync("zsh", ["-f", "-c", `autoload -Uz compinit; compinit -u -D; source '${file}'; print -r -- $_comps[demo-tool]`], { encoding: "utf8" });
    expect(registered.trim()).toBe("_demo_tool");
  });

  it("zsh completes the same tree, with descriptions", () => {
    const script = zshScript(demoProgram());
    expect(zshCompletes(script, "demo-tool", [""])).toEqual(["db:database chores", "greet:say hello", "help:display help for command"]);
    expect(zshCompletes(script, "demo-tool", ["db", "migrate", "--d"])).toEqual(["--direction:which way", "--dry-run:print only", "--help:display help for command", "-h:display help for command", "--config:config file"]);
    expect(zshCompletes(script, "demo-tool", ["db", "migrate", "--direction", ""])).toEqual(["up", "down"]);
    expect(zshCompletes(script, "demo-tool", ["greet", ""])).toEqual(["warm:how", "curt:how"]);
    expect(zshCompletes(script, "demo-tool", ["--config", ""])).toEqual(["<files>"]);
  });

  it("pipemon completion bash completes pipemon's real commands and options", () => {
    const r = runCli(["completion", "bash"], REPO_ROOT);
    expect(r.code).toBe(0);
    expect(bashCompletes(r.stdout, "pipemon", ["pl"]).offered).toEqual(["plan"]);
    expect(bashCompletes(r.stdout, "pipemon", ["plan", "--fo"]).offered).toEqual(["--format"]);
    expect(bashCompletes(r.stdout, "pipemon", ["plan", "--format", ""]).offered).toEqual(["text", "markdown", "json"]);
    expect(bashCompletes(r.stdout, "pipemon", ["completion", ""]).offered.slice(0, 2)).toEqual(["bash", "zsh"]);
    expect(bashCompletes(r.stdout, "pipemon", ["init", "--f"]).offered).toEqual(["--force"]);
  });

  it("pipemon completion zsh is valid zsh; an unknown shell is refused in one line", () => {
    const r = runCli(["completion", "zsh"], REPO_ROOT);
    expect(r.code).toBe(0);
    const file = join(dir, "_pipemon");
    writeFileSync(file, r.stdout);
    execFileSync("zsh", ["-n", file]);
    expect(zshCompletes(r.stdout, "pipemon", ["plan", "--format", ""])).toEqual(["text", "markdown", "json"]);
    // Installed in $fpath and autoloaded, the file's body completes at once (no compdef needed).
    const autoloaded = execFileSync("zsh", ["-f", "-c", `compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }; compdef() { print compdef; }; fpath=('${dir}' $fpath); autoload -Uz _pipemon; words=(pipemon plan --target ''); CURRENT=4; _pipemon`], { encoding: "utf8" });
    expect(autoloaded).toBe("grafana\ndatadog\n");
    expect(zshCompletes(r.stdout, "pipemon", ["pl"])).toContain("plan:show what apply would change in live Grafana and Datadog (create / update / delete per resource)");
    const fish = runCli(["completion", "fish"], REPO_ROOT);
    expect(fish.code).toBe(1);
    expect(fish.stderr.split("\n")[0]).toBe("error: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.");
  });
});
