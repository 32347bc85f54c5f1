// npm run bench: every workload, every system, every N, each in a fresh process; then the table.
//
// Flags (environment variables in brackets):
//   --quick               N = 1,000 and 10,000, 2 runs, W5 at 10,000: under a minute
//   --only W1,W3          these workloads only                          [BENCH_ONLY]
//   --systems a,b         these systems only (ids from systems.mjs)     [BENCH_SYSTEMS]
//   --n 1000,100000       these sizes only                              [BENCH_N]
//   --runs 5              measured runs per process at N <= 10^4        [BENCH_RUNS]
//   --runs-medium 3       measured runs at N = 10^5
//   --runs-large 2        measured runs at N = 10^6 (W6 at 10^6: --runs-w6-large, 1)
//   --cell-seconds 12     fewer runs (at least one) where the runs of one cell would take longer
//   --max-run-seconds 15  skip a peer where one run would take longer, predicted from the smaller N
//                         (asyncio-ts is never skipped)
//   --timeout 600         seconds before a process is killed and reported as timed out
//   --write-docs          also write docs/performance.md (full runs only)
//   --docs-only           rewrite docs/performance.md from bench/results/latest.json, run nothing
//   --profile             CPU profile of asyncio-ts (W1, W2 at N = 10^6 unless --only/--n say otherwise)
//   --build-status TEXT   set by scripts/bench.mjs: how the build of dist/ went
// A run with --quick, --only, --systems or --n writes bench/results/partial.json, never latest.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import {
  checkTargets,
  formatConsole,
  formatGlance,
  formatTargets,
  num,
  perTask,
  renderDocs,
  stats,
  summarize,
  unitOf,
} from "./report.mjs";
import { summarizeProfile } from "./profile.mjs";
import { BENCH_DIR, depsInstalled, depVersion, findPython, runWorker, SYSTEMS, WORKLOADS } from "./systems.mjs";

const ROOT = new URL("../", import.meta.url);
const RESULTS = new URL("./results/", import.meta.url);
const DOCS = new URL("docs/performance.md", ROOT);

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: process.env.BENCH_ONLY },
    systems: { type: "string", default: process.env.BENCH_SYSTEMS },
    n: { type: "string", default: process.env.BENCH_N },
    runs: { type: "string", default: process.env.BENCH_RUNS },
    "runs-medium": { type: "string" },
    "runs-large": { type: "string" },
    "runs-w6-large": { type: "string" },
    "cell-seconds": { type: "string" },
    "max-run-seconds": { type: "string" },
    timeout: { type: "string", default: "600" },
    "write-docs": { type: "boolean", default: false },
    "docs-only": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "build-status": { type: "string", default: "ok" },
  },
});

const list = (s) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : null;
const partial = flags.quick || Boolean(flags.only || flags.systems || flags.n);

if (flags["docs-only"]) {
  const result = JSON.parse(readFileSync(new URL("latest.json", RESULTS), "utf8"));
  summarize(result.cells);
  writeFileSync(DOCS, renderDocs(result));
  console.log(`wrote docs/performance.md from bench/results/latest.json (run of ${result.meta.date})`);
  process.exit(0);
}
if (flags["write-docs"] && partial) {
  console.error(
    "--write-docs needs a full run: drop --quick, --only, --systems and --n (docs must show one whole run)",
  );
  process.exit(2);
}

const workloads = list(flags.only) ?? Object.keys(WORKLOADS);
for (const w of workloads) {
  if (!(w in WORKLOADS)) {
    console.error(`unknown workload ${w}: expected some of ${Object.keys(WORKLOADS).join(", ")}`);
    process.exit(2);
  }
}
const ns = (list(flags.n) ?? (flags.quick ? ["1000", "10000"] : ["1000", "10000", "100000", "1000000"])).map(Number);
const runs = Number(flags.runs ?? (flags.quick ? 2 : 5));
const runsMedium = Number(flags["runs-medium"] ?? Math.min(runs, 3));
const runsLarge = Number(flags["runs-large"] ?? Math.min(runs, 2));
const runsW6Large = Number(flags["runs-w6-large"] ?? 1);
const w5N = flags.n ? Math.min(...ns) : flags.quick ? 10_000 : 100_000;
const hostTimersN = 10_000;
const timeoutMs = Number(flags.timeout) * 1000;
const cellSeconds = Number(flags["cell-seconds"] ?? (flags.quick ? 3 : 12));
const maxRunSeconds = Number(flags["max-run-seconds"] ?? (flags.quick ? 3 : 15));
/** Never skipped for time: what the bench is about. */
const ALWAYS_RUN = ["asyncio-ts"];

const python = findPython();
const wantedSystems = list(flags.systems);
const systems = [];
for (const s of SYSTEMS) {
  if (wantedSystems && !wantedSystems.includes(s.id)) continue;
  if (s.python && python === null) {
    console.error("CPython not found (set BENCH_PYTHON or install python3): its columns stay empty");
    continue;
  }
  if (!depsInstalled(s)) {
    console.error(`skipping ${s.id}: bench dependencies missing (npm ci --prefix bench)`);
    continue;
  }
  systems.push(s);
}

function runsFor(workload, n) {
  if (n >= 1_000_000) return workload === "W6" ? runsW6Large : runsLarge;
  return n >= 100_000 ? runsMedium : runs;
}

/** Wall seconds of a whole run (W4: start-up and teardown) per system and workload, at each N measured. */
const history = new Map();

function learn(cell) {
  if (cell.status !== "ok" || !cell.runs) return;
  const seconds = stats(cell.runs.map((r) => ((r.ms ?? 0) + (r.setupMs ?? 0)) / 1000)).median;
  const key = `${cell.system}/${cell.workload}`;
  history.set(key, [...(history.get(key) ?? []), { n: cell.n, seconds }]);
}

/**
 * How long one run of `workload` at `n` should take, extrapolated from the two largest N already
 * measured with their observed growth (between linear and quadratic: a peer whose start-up is
 * quadratic must not be run at 10^6 for hours), or linearly from one. W5 grows like W3.
 */
function predictSeconds(system, workload, n) {
  const points = history.get(`${system.id}/${workload === "W5" ? "W3" : workload}`) ?? [];
  if (points.length === 0) return null;
  const last = points[points.length - 1];
  let exponent = 1;
  // Runs shorter than a quarter second are mostly noise on a busy machine: extrapolate linearly from them.
  if (points.length >= 2 && points[points.length - 2].seconds >= 0.25) {
    const prev = points[points.length - 2];
    const growth = Math.log(last.seconds / prev.seconds) / Math.log(last.n / prev.n);
    if (Number.isFinite(growth)) exponent = Math.min(2, Math.max(1, growth));
  }
  return last.seconds * (n / last.n) ** exponent;
}

/** The warm-up size: enough calls for the JIT to settle, small enough to cost little next to the run. */
function warmupFor(workload, n, predicted = null) {
  let size = Math.min(n, workload === "W1" || workload === "W2" ? 5000 : 1000);
  if (predicted !== null) size = Math.min(size, Math.max(100, Math.floor((n * 0.5) / Math.max(predicted, 1e-9))));
  return size;
}

/**
 * The plan step for one cell, or a skipped cell when a peer would take more than
 * `--max-run-seconds` per run; runs are cut (to at least one) to fit `--cell-seconds`.
 */
function stepFor(system, workload, n) {
  const predicted = predictSeconds(system, workload, n);
  if (predicted !== null && predicted > maxRunSeconds && !ALWAYS_RUN.includes(system.id)) {
    const reason = `one run would take ~${Math.round(predicted)} s, over --max-run-seconds ${maxRunSeconds}`;
    return { skipped: { system: system.id, workload, n, status: "skipped", reason } };
  }
  let count = workload === "W5" ? 1 : runsFor(workload, n);
  if (predicted !== null) count = Math.max(1, Math.min(count, Math.floor(cellSeconds / predicted)));
  const step = { workload, n, runs: count, warmupN: warmupFor(workload, n, predicted) };
  // Quick looks warm up less: that part of a full run's time would dominate theirs.
  return { step: flags.quick ? { ...step, warmupSeconds: 0.15, warmupTasks: 20_000 } : step };
}

if (flags.profile) {
  await profile();
  process.exit(0);
}

const started = Date.now();
const loadStart = os.loadavg()[0];
const cells = [];
let hostTimers = null;
const labels = new Map();
const forms = new Map();

/** Run `plan` for `system` in a fresh process and return its cells (an error cell per step if it died). */
async function execute(system, plan) {
  if (plan.length === 0) return [];
  const report = await runWorker(system, ["--plan", JSON.stringify(plan)], { python, timeoutMs });
  if (report.failed) {
    return plan.map((step) => ({
      workload: step.workload,
      n: step.n,
      system: system.id,
      status: "error",
      error: report.failed,
    }));
  }
  labels.set(system.id, report.label);
  forms.set(system.id, report.forms);
  // A step that a crash cut short is missing from the report: say so rather than drop it.
  const missing = (step) => ({
    workload: step.workload,
    n: step.n,
    status: "error",
    error: "the process ended before this step",
  });
  return plan.map((step, i) => ({ system: system.id, ...(report.cells[i] ?? missing(step)) }));
}

function progress(cell) {
  const label = labels.get(cell.system) ?? cell.system;
  const where = `${cell.workload} N=${cell.n.toLocaleString("en-US")} ${label}`;
  if (cell.probe === "hostTimers") {
    console.error(
      `  ${where}: ${cell.status === "ok" ? `${cell.hostTimers} host timers during the sleep` : cell.status}`,
    );
    return;
  }
  if (cell.status !== "ok") {
    console.error(`  ${where}: ${cell.status} ${cell.reason ?? String(cell.error ?? "").split("\n")[0]}`);
    return;
  }
  const s = stats(cell.runs.map((r) => perTask(cell.workload, cell.n, r)));
  console.error(
    `  ${where}: ${num(s.median)} ${unitOf(cell.workload)} (min ${num(s.min)}, max ${num(s.max)}, ${cell.runs.length} runs)`,
  );
}

function keep(list) {
  for (const cell of list) {
    progress(cell);
    if (cell.probe === "hostTimers") {
      if (cell.status === "ok") (hostTimers ??= {})[cell.system] = cell.hostTimers;
      continue;
    }
    learn(cell);
    cells.push(cell);
  }
}

/** W5 runs, each in a process of its own that ends while the tasks still sleep; merged into one cell. */
async function memoryCell(system, n, count) {
  const { step, skipped } = stepFor(system, "W5", n);
  if (skipped) return skipped;
  const runs = [];
  for (let r = 0; r < count; r++) {
    const [cell] = await execute(system, [{ ...step, exitAfterMeasure: true }]);
    if (cell.status !== "ok") return cell;
    runs.push(...cell.runs);
  }
  return { system: system.id, workload: "W5", n, status: "ok", runs };
}

const probes = (system) => workloads.includes("W3") && !system.python;
const probeStep = { workload: "W3", n: hostTimersN, probeTimers: true };

if (flags.quick) {
  // Quick looks: one process per system and N (so the larger N can be planned from the smaller).
  for (const [index, n] of ns.entries()) {
    const last = index === ns.length - 1;
    for (const system of systems) {
      const plan = [];
      const skipped = [];
      for (const workload of workloads.filter((w) => w !== "W5")) {
        const { step, skipped: skip } = stepFor(system, workload, n);
        if (step) plan.push(step);
        else skipped.push(skip);
      }
      if (last && probes(system)) plan.push(probeStep);
      const w5 = last && workloads.includes("W5") ? stepFor(system, "W5", w5N) : null;
      if (w5?.step) plan.push({ ...w5.step, exitAfterMeasure: true });
      keep([...(await execute(system, plan)), ...skipped, ...(w5?.skipped ? [w5.skipped] : [])]);
    }
  }
} else {
  for (const workload of workloads) {
    for (const n of workload === "W5" ? [w5N] : ns) {
      for (const system of systems) {
        if (workload === "W5") {
          keep([await memoryCell(system, n, Math.min(runs, 3))]);
          continue;
        }
        const { step, skipped } = stepFor(system, workload, n);
        keep(step ? await execute(system, [step]) : [skipped]);
      }
    }
  }
  for (const system of systems.filter(probes)) keep(await execute(system, [probeStep]));
}

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

const argv = process.argv.slice(2).filter((a) => !a.startsWith("--build-status"));
const result = {
  meta: {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`,
    durationS: (Date.now() - started) / 1000,
    build: flags["build-status"],
    git: {
      commit: git("rev-parse", "--short", "HEAD") || "unknown",
      dirty: git("status", "--porcelain", "--", "src").length > 0,
    },
    asyncioTs: { version: JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")).version },
    machine: {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
    },
    loadavg: { start: loadStart, end: os.loadavg()[0] },
    versions: {
      node: process.versions.node,
      python: python?.version ?? null,
      peers: Object.fromEntries(["bluebird", "effect", "effection", "p-map", "p-limit"].map((d) => [d, depVersion(d)])),
    },
    config: {
      ns,
      w5N,
      runs,
      runsMedium,
      runsLarge,
      runsW6Large,
      cellSeconds,
      maxRunSeconds,
      hostTimersN,
      workloads,
      partial,
    },
  },
  systems: systems.map((s) => ({ id: s.id, label: labels.get(s.id) ?? s.id, forms: forms.get(s.id) ?? {} })),
  hostTimers,
  hostTimersN,
  cells,
};

summarize(cells);
console.log(formatConsole(result));
console.log(formatGlance(result));
console.log(formatTargets(checkTargets(result)));
const cores = os.cpus().length;
if (Math.max(loadStart, result.meta.loadavg.end) > cores) {
  console.log(
    `\nnote: the load average reached ${Math.max(loadStart, result.meta.loadavg.end).toFixed(1)} on ${cores} cores: ` +
      "other processes competed for the CPU, so these numbers carry their noise (compare ratios, rerun when quiet)",
  );
}
mkdirSync(RESULTS, { recursive: true });
// The stats are derived data: latest.json keeps the raw runs, and the docs recompute from them.
const raw = { ...result, cells: cells.map(({ stats: _s, setup: _u, vsPromise: _p, vsCPython: _c, ...rest }) => rest) };
const file = partial ? "partial.json" : "latest.json";
writeFileSync(new URL(file, RESULTS), `${JSON.stringify(raw, null, 1)}\n`);
console.log(`\nwrote bench/results/${file} (${Math.round(result.meta.durationS)} s)`);
if (flags["write-docs"]) {
  writeFileSync(DOCS, renderDocs(result));
  console.log("wrote docs/performance.md");
}

/** Profile asyncio-ts (or --systems) on the chosen workloads and print the functions with the most self time. */
async function profile() {
  const targets = list(flags.only) ?? ["W1", "W2"];
  const sizes = list(flags.n)?.map(Number) ?? [1_000_000];
  mkdirSync(RESULTS, { recursive: true });
  const chosen = SYSTEMS.filter((s) => !s.python && (wantedSystems ?? ["asyncio-ts"]).includes(s.id));
  for (const workload of targets) {
    for (const n of sizes) {
      for (const system of chosen) await profileOne(system, workload, n);
    }
  }
}

async function profileOne(system, workload, n) {
  const name = `${system.id}-${workload}-${n}.cpuprofile`;
  const nodeFlags = [
    "--cpu-prof",
    `--cpu-prof-dir=${BENCH_DIR}results`,
    `--cpu-prof-name=${name}`,
    "--cpu-prof-interval=100",
  ];
  const plan = [{ workload, n, runs: 1, warmupN: warmupFor(workload, n) }];
  const report = await runWorker(system, ["--plan", JSON.stringify(plan)], { nodeFlags, timeoutMs });
  const cell = report.cells?.[0];
  if (report.failed || cell.status !== "ok") {
    console.error(`${system.id} ${workload} N=${n}: ${report.failed ?? JSON.stringify(cell)}`);
    return;
  }
  const cost = num(perTask(workload, n, cell.runs[0]));
  console.log(
    `\n${report.label} ${workload} at N = ${n.toLocaleString("en-US")}: ${cost} ${unitOf(workload)}; bench/results/${name}`,
  );
  console.log(summarizeProfile(JSON.parse(readFileSync(new URL(name, RESULTS), "utf8"))));
}
