// npm run bench: install bench/'s own dependencies on first use, build dist/, then run bench/run.mjs.
// Every argument is passed on: npm run bench -- --quick, --only W1, --write-docs, --profile, ...
// --no-build measures the dist/ already there instead of rebuilding it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bench = `${root}/bench`;
const args = process.argv.slice(2);

function run(cmd, argv, options = {}) {
  return spawnSync(cmd, argv, { cwd: root, stdio: "inherit", ...options });
}

// The peers are bench/'s devDependencies, never the library's: the root npm install stays lean.
const { devDependencies = {} } = JSON.parse(readFileSync(`${bench}/package.json`, "utf8"));
const missing = Object.keys(devDependencies).filter(
  (name) => !existsSync(`${bench}/node_modules/${name}/package.json`),
);
if (missing.length > 0) {
  console.error(`installing the bench's own dependencies (missing: ${missing.join(", ")})`);
  const install = existsSync(`${bench}/package-lock.json`) ? "ci" : "install";
  const r = run("npm", [install, "--prefix", "bench", "--no-audit", "--no-fund"]);
  if (r.status !== 0) {
    console.error("could not install the bench dependencies: run `npm ci --prefix bench` and try again");
    process.exit(r.status || 1);
  }
}

let buildStatus = "ok";
const docsOnly = args.includes("--docs-only");
if (args.includes("--no-build")) {
  buildStatus = "not rebuilt (--no-build)";
} else if (!docsOnly) {
  // Measure the code users get: dist/ as tsc emits it, rebuilt from the current sources.
  console.error("building dist/ (tsc -p tsconfig.build.json)");
  const r = run("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) {
    // tsc still emits JavaScript on type errors (noEmitOnError is off): that is what runs.
    buildStatus = "tsc reported type errors; the emitted JavaScript was measured";
    console.error(`warning: ${buildStatus}`);
  }
}
if (!docsOnly && !existsSync(`${root}/dist/index.js`)) {
  console.error("dist/index.js is missing: run `npm run build` and look at its errors");
  process.exit(1);
}

const forwarded = args.filter((a) => a !== "--no-build");
const r = run(process.execPath, [`${bench}/run.mjs`, ...forwarded, `--build-status=${buildStatus}`]);
if (r.status !== 0) process.exit(r.status ?? 1);

// The executors' and the distributed executor's own benchmarks, unless a single workload or only
// the docs were asked for. Both measure dist/; the distributed one says how to get Redis if absent.
if (!docsOnly && !args.some((a) => a === "--only" || a.startsWith("--only=") || a === "--profile")) {
  const quick = args.includes("--quick") ? ["--quick"] : [];
  for (const script of ["executors.mjs", "distributed.mjs"]) {
    console.log(`\n> bench/${script} ${quick.join(" ")}`);
    const extra = run(process.execPath, [`${bench}/${script}`, ...quick]);
    if (extra.status !== 0) process.exit(extra.status ?? 1);
  }
}
