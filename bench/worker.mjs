// One system's workloads in a fresh process: warm up, run, check every result, print one JSON line.
//
//   node --expose-gc bench/worker.mjs --system asyncio-ts --workloads W1 --n 100000 --runs 5
//   node --expose-gc bench/worker.mjs --system native --plan '[{"workload":"W3","n":1000,"probeTimers":true}]'
//
// A plan lists what to run, in order: { workload, n, runs, warmupN, warmupSeconds, warmupTasks,
// probeTimers, probeSleepMs, exitAfterMeasure, holdSeconds };
// the flags make a plan of every workload at every size. `exitAfterMeasure` (W5, last in a plan)
// prints the heap measurement and exits while the tasks still sleep.
//
// Every run is checked (values in order, every finally ran, tasks really pending, the limit held)
// so a system that is fast because it is wrong reports an error instead of a number.
import { parseArgs } from "node:util";
import { sampleHostTimers } from "./workloads/common.mjs";

const { values: opts } = parseArgs({
  options: {
    system: { type: "string" },
    workloads: { type: "string", default: "W1,W2,W3,W4,W5,W6" },
    n: { type: "string", default: "1000" },
    runs: { type: "string", default: "1" },
    "warmup-n": { type: "string", default: "0" },
    "w5-hold": { type: "string", default: "10" },
    "exit-after-measure": { type: "boolean", default: false },
    "probe-timers": { type: "boolean", default: false },
    plan: { type: "string" },
  },
});

/** W6's shape, fixed by the issue: at most 100 children at once, each sleeping 1 ms. */
const W6_LIMIT = 100;
const W6_SLEEP_MS = 1;
/**
 * W3 sleeps 10 ms; the host-timer probe sleeps longer so that every task is surely asleep at once,
 * even on a loaded machine where making 10,000 of them takes a good part of a second.
 */
const W3_SLEEP_MS = 10;
const PROBE_SLEEP_MS = 1000;

const system = opts.system;
const holdSeconds = Number(opts["w5-hold"]);
const plan = opts.plan
  ? JSON.parse(opts.plan)
  : opts.workloads.split(",").flatMap((workload) =>
      opts.n.split(",").map((n) => ({
        workload,
        n: Number(n),
        runs: Number(opts.runs),
        warmupN: Number(opts["warmup-n"]),
        probeTimers: opts["probe-timers"],
        exitAfterMeasure: opts["exit-after-measure"],
      })),
    );
const workloads = plan.map((step) => step.workload);

const mod = await import(`./workloads/${system}.mjs`);
mod.setup?.(workloads);

function checkResults(results, count) {
  if (!Array.isArray(results)) return `results is not an array: ${typeof results}`;
  if (results.length !== count) return `expected ${count} results, got ${results.length}`;
  for (let i = 0; i < count; i++) {
    if (results[i] !== i) return `result ${i} is ${String(results[i])}: results are not in order`;
  }
  return null;
}

/** Check one run's outcome; return what is wrong, or null. A warm-up W5 may see early tasks finish. */
function check(workload, count, r, warmup = false) {
  switch (workload) {
    case "W4":
      if (r.finallies !== count) return `${r.finallies} of ${count} finally blocks ran`;
      if (r.cancelled !== true) return "the gather did not end cancelled";
      return null;
    case "W5":
      if (!warmup && r.pending !== count)
        return `${r.pending} of ${count} tasks were pending when the heap was measured`;
      return r.results === undefined ? null : checkResults(r.results, count);
    case "W6":
      if (!(r.maxActive > 0 && r.maxActive <= W6_LIMIT))
        return `${r.maxActive} children ran at once (limit ${W6_LIMIT})`;
      return checkResults(r.results, count);
    default:
      return checkResults(r.results, count);
  }
}

/** What a run contributes to the report (never the results themselves). */
function metrics(r) {
  const m = {};
  for (const key of ["ms", "cpuMs", "setupMs", "before", "after", "maxActive"])
    if (r[key] !== undefined) m[key] = r[key];
  return m;
}

function emit(cells) {
  process.stdout.write(`${JSON.stringify({ system, label: mod.label, forms: mod.forms, cells })}\n`);
}

/** Run one workload at `count` and check it. W5 reports through `measured`, which may end the process. */
async function runOnce(
  workload,
  count,
  { hold = holdSeconds, exitAfterMeasure = false, warmup = false, w3SleepMs = W3_SLEEP_MS } = {},
) {
  let measurement = null;
  const ctx = {
    limit: W6_LIMIT,
    sleepMs: W6_SLEEP_MS,
    w3SleepMs,
    holdSeconds: hold,
    measured(m) {
      measurement = m;
      if (exitAfterMeasure) {
        const problem = check(workload, count, m);
        const cell = {
          workload,
          n: count,
          ...(problem ? { status: "error", error: problem } : { status: "ok", runs: [metrics(m)] }),
        };
        emit([...cells, cell]);
        process.exit(0);
      }
    },
  };
  // Empty the young generation so runs start alike. Not a full gc(): a forced full collection
  // resets V8's heap limits and slows the next run several-fold (measured: 5x for asyncio-ts and
  // Bluebird at N = 1,000), which would measure the harness instead of the system.
  globalThis.gc?.({ type: "minor" });
  const r = await mod[workload](count, ctx);
  const outcome = measurement === null ? r : { ...measurement, ...r };
  const problem = check(workload, count, outcome, warmup);
  if (problem !== null) throw new Error(problem);
  return outcome;
}

/**
 * Run the workload at a small size until the JIT has settled: until `warmupTasks` tasks have run
 * or `warmupSeconds` have passed, at least once. One run is not enough: asyncio-ts's W1 at
 * N = 1,000 takes some 25 runs to reach its steady cost, which is then 30 times lower.
 */
async function warmUp(workload, size, hold, { warmupSeconds = 0.5, warmupTasks = 50_000 }) {
  const start = performance.now();
  let tasks = 0;
  do {
    await runOnce(workload, size, { hold, warmup: true });
    tasks += size;
  } while (tasks < warmupTasks && performance.now() - start < warmupSeconds * 1000);
}

async function measure(step) {
  const { workload, n, runs = 1, warmupN = 0, probeTimers = false, probeSleepMs = PROBE_SLEEP_MS } = step;
  const { exitAfterMeasure = false, holdSeconds: hold = holdSeconds } = step;
  if (mod.unavailable[workload] !== undefined || typeof mod[workload] !== "function") {
    return { status: "n/a", reason: mod.unavailable[workload] ?? "not implemented" };
  }
  try {
    if (warmupN > 0) await warmUp(workload, Math.min(warmupN, n), Math.min(hold, 0.1), step);
    if (probeTimers) {
      const stop = sampleHostTimers();
      await runOnce(workload, n, { w3SleepMs: probeSleepMs });
      return { status: "ok", hostTimers: stop() };
    }
    const list = [];
    for (let r = 0; r < runs; r++) list.push(metrics(await runOnce(workload, n, { exitAfterMeasure, hold })));
    return { status: "ok", runs: list };
  } catch (error) {
    return { status: "error", error: error instanceof Error ? error.stack : String(error) };
  }
}

const cells = [];
for (const step of plan) {
  const cell = { workload: step.workload, n: step.n, ...(step.probeTimers ? { probe: "hostTimers" } : {}) };
  Object.assign(cell, await measure(step));
  cells.push(cell);
}
emit(cells);
// Some peers leave host timers behind after cancellation; the measurement is over either way.
process.exit(0);
