// npm test: typecheck, lint, then every test file under test/ with Node's test runner.
// Node 20's runner does not glob and passes with zero tests, so the files are listed here and a
// run that executed no test is a failure.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function step(title, cmd, args, options = {}) {
  console.log(`\n> ${title}`);
  const r = spawnSync(cmd, args, {
    stdio: options.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
    ...options,
  });
  if (options.capture && r.stdout) process.stdout.write(r.stdout);
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  return r;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2);
if (only.length === 0) {
  step("typecheck", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
  // Biome once stalled for minutes on this machine; bound it.
  step("lint", "timeout", ["300", "npx", "biome", "check", "src", "test", "test-d", "examples", "scripts", "bench"]);
}
const files = only.length > 0 ? only : findTests("test");
if (files.length === 0) {
  console.error("no test files found under test/");
  process.exit(1);
}
const r = step(
  `tests (${files.length} files)`,
  process.execPath,
  ["--conditions=asyncio-ts-source", "--import", "tsx", "--test", "--test-reporter=spec", ...files],
  { capture: true, env: { ...process.env, FORCE_COLOR: "0" } },
);
const passed = /^ℹ pass (\d+)/m.exec(r.stdout ?? "");
if (!passed || Number(passed[1]) === 0) {
  console.error("the test runner ran no test: failing on purpose");
  process.exit(1);
}
