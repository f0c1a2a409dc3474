// Rule `no-computed-import`: src/ loads modules only by string literal, so dependency-cruiser
// (which records only literal specifiers and silently skips `import(expr)`) sees every import.
// A deliberate exception carries `// lint-allow-computed-import: <why>` on its line or the line
// above. Flagged: `import(expr)` and `require(expr)` with a non-literal specifier, and any
// `createRequire(...)`, whose loader takes any string.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

export const RULE = "no-computed-import";
const ALLOW = /\/\/\s*lint-allow-computed-import:\s*\S/;

const isLiteral = (node) => node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));

/** What a call loads by a computed name, or undefined when it is an ordinary call. */
function computedLoad(call) {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return isLiteral(call.arguments[0]) ? undefined : "import() with a computed specifier";
  if (ts.isIdentifier(callee) && callee.text === "require") return isLiteral(call.arguments[0]) ? undefined : "require() with a computed specifier";
  if (ts.isIdentifier(callee) && callee.text === "createRequire") return "createRequire(), whose loader takes any string";
  return undefined;
}

/** Every unannotated computed load in the .ts/.mts/.js/.mjs files under `root/dir`. */
export function computedImports(root, dir = "src") {
  const found = [];
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(m|c)?(t|j)s$/.test(entry.name) || entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    const lines = text.split("\n");
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
    const visit = (node) => {
      const what = ts.isCallExpression(node) ? computedLoad(node) : undefined;
      if (what) {
        const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
        if (!ALLOW.test(lines[line] ?? "") && !ALLOW.test(lines[line - 1] ?? "")) {
          found.push({ rule: RULE, file: relative(root, path), line: line + 1, col: character + 1, what });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const found = computedImports(process.cwd());
  for (const f of found) {
    console.error(`  error ${f.rule}: ${f.file}:${f.line}:${f.col} ${f.what}: import by string literal (dependency-cruiser cannot check a computed one), or add "// lint-allow-computed-import: <why>" above it`);
  }
  if (found.length > 0) process.exit(1);
  console.log("no-computed-import: every module src/ loads is named by a string literal (or annotated)");
}
