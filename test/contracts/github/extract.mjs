// Copies the three issue-comment operations pipemon's PR comment calls, and every component
// they reference, out of GitHub's OpenAPI description. Examples and x-octokit are dropped.
import { readFileSync, writeFileSync } from "node:fs";
const d = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ops = [["/repos/{owner}/{repo}/issues/{issue_number}/comments", ["get", "post"]], ["/repos/{owner}/{repo}/issues/comments/{comment_id}", ["patch"]]];
const out = { openapi: d.openapi, info: { title: "GitHub REST API: issue comments (subset)", version: d.info.version, description: `Subset of ${d.info.description}` }, paths: {}, components: {} };
const strip = (v) => {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "x-octokit" && k !== "examples" && k !== "example").map(([k, x]) => [k, strip(x)]));
  return v;
};
const pending = [];
const refs = (v) => { if (Array.isArray(v)) v.forEach(refs); else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "$ref" ? pending.push(x) : refs(x); };
for (const [p, methods] of ops) { out.paths[p] = {}; for (const m of methods) { out.paths[p][m] = strip(d.paths[p][m]); refs(out.paths[p][m]); } }
const seen = new Set();
while (pending.length) {
  const r = pending.pop(); if (seen.has(r)) continue; seen.add(r);
  const [, , kind, name] = r.split("/");
  const v = strip(d.components[kind][name]);
  (out.components[kind] ??= {})[name] = v; refs(v);
}
writeFileSync(process.argv[3], JSON.stringify(out, null, 2) + "\n");
console.log([...seen].sort().join("\n"));
