// Executors: CPU-bound jobs on the loop, through toThread() and through a ProcessPoolExecutor,
// with the speed-up against the number of cores; and the per-job overhead of 10,000 tiny jobs.
//
//   node bench/executors.mjs [--quick] [--json] [--runs 3] [--jobs 64] [--job-ms 50] [--tiny 10000]
//
// It measures dist/ (`npm run build` first), the code users get, where workers start without a
// TypeScript loader. BENCH_ASYNCIO_TS_ENTRY=src/index.ts measures the sources instead, under
// `node --conditions=asyncio-ts-source --import tsx` (each worker then also starts tsx).
// Times are wall-clock medians of several runs in one process; this machine is shared, so read
// the ratios, not the absolute times. --json prints the results as one JSON object on stdout.
import { cpus, availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { hashChain } from "./executors-work.mjs";

const entry = process.env.BENCH_ASYNCIO_TS_ENTRY
  ? pathToFileURL(process.env.BENCH_ASYNCIO_TS_ENTRY).href
  : new URL("../dist/index.js", import.meta.url).href;
const asyncio = await import(entry);

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    runs: { type: "string" },
    jobs: { type: "string" },
    "job-ms": { type: "string" },
    tiny: { type: "string" },
  },
});
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const jobs = Number(values.jobs ?? (quick ? 16 : 64));
const jobMs = Number(values["job-ms"] ?? 50);
const tinyJobs = Number(values.tiny ?? (quick ? 1000 : 10_000));
const cores = availableParallelism();

const WORK = new URL("./executors-work.mjs", import.meta.url);
const hash = asyncio.task(WORK, "hashChain");
const add = asyncio.task(WORK, "add");

/**
 * How many rounds of hashChain take about `ms` milliseconds here, from the fastest of five tries
 * (the least disturbed by other processes on a shared machine).
 */
function calibrate(ms) {
  let rounds = 1000;
  let elapsed = 0;
  while (elapsed < 20) {
    rounds *= 2;
    const start = performance.now();
    hashChain("calibrate", rounds);
    elapsed = performance.now() - start;
  }
  const tries = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    hashChain("calibrate", rounds);
    tries.push(performance.now() - start);
  }
  return Math.max(1, Math.round((rounds * ms) / Math.min(...tries)));
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function stats(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Seconds `body` (a coroutine function) takes, run to completion on the running loop. */
function* seconds(body) {
  const start = performance.now();
  const result = yield* body();
  return [(performance.now() - start) / 1000, result];
}

function seeds(n) {
  return Array.from({ length: n }, (_, i) => `seed-${i}`);
}

/** The CPU-bound batch on the loop: a coroutine that computes blocks the loop until it returns. */
function* onLoop(rounds) {
  function* job(seed) {
    return hashChain(seed, rounds);
  }
  return yield* seconds(() => asyncio.gatherAll(seeds(jobs).map(job)));
}

/** The batch through toThread(), on the loop's default executor, after its threads have started. */
function* throughToThread(rounds) {
  yield* asyncio.gatherAll(seeds(cores).map((seed) => asyncio.toThread(hash, seed, 1000)));
  return yield* seconds(() => asyncio.gatherAll(seeds(jobs).map((seed) => asyncio.toThread(hash, seed, rounds))));
}

/** The batch on a ProcessPoolExecutor of one process per core, after its processes have started. */
function* throughProcesses(rounds) {
  const pool = new asyncio.ProcessPoolExecutor({ maxWorkers: cores });
  try {
    yield* asyncio.gatherAll(seeds(cores).map((seed) => pool.submit(hash, seed, 1000)));
    return yield* seconds(() => asyncio.gatherAll(seeds(jobs).map((seed) => pool.submit(hash, seed, rounds))));
  } finally {
    yield* pool.shutdown();
  }
}

/** Microseconds per job for `tinyJobs` jobs of add(i, 1), all submitted at once to a started pool. */
function* tinyOverhead(pool) {
  yield* asyncio.gatherAll(seeds(cores).map(() => pool.submit(add, 0, 0)));
  const [s, results] = yield* seconds(() =>
    asyncio.gatherAll(Array.from({ length: tinyJobs }, (_, i) => pool.submit(add, i, 1))),
  );
  if (results.some((r, i) => r !== i + 1)) throw new Error("a tiny job returned a wrong result");
  return (s * 1e6) / tinyJobs;
}

/** Milliseconds from a new pool's first submit to its first result: the one-off start-up. */
function* startup(pool) {
  const start = performance.now();
  yield* pool.submit(add, 1, 1);
  return performance.now() - start;
}

const rounds = calibrate(jobMs);
const samples = { loop: [], threads: [], processes: [], tinyThreads: [], tinyProcesses: [] };
const starts = { thread: [], process: [] };
let reference = null;
for (let run = 0; run < runs; run++) {
  await asyncio.run(
    (function* () {
      const [loopS, loopResults] = yield* onLoop(rounds);
      const [threadS, threadResults] = yield* throughToThread(rounds);
      const [processS, processResults] = yield* throughProcesses(rounds);
      reference ??= loopResults;
      for (const results of [loopResults, threadResults, processResults]) {
        if (results.some((digest, i) => digest !== reference[i])) throw new Error("the workers computed other digests");
      }
      samples.loop.push(loopS);
      samples.threads.push(threadS);
      samples.processes.push(processS);
      for (const [kind, make, tiny] of [
        ["thread", () => new asyncio.ThreadPoolExecutor({ maxWorkers: cores }), samples.tinyThreads],
        ["process", () => new asyncio.ProcessPoolExecutor({ maxWorkers: cores }), samples.tinyProcesses],
      ]) {
        const pool = make();
        try {
          starts[kind].push(yield* startup(pool));
          tiny.push(yield* tinyOverhead(pool));
        } finally {
          yield* pool.shutdown();
        }
      }
    })(),
  );
}

const loop = stats(samples.loop);
const result = {
  machine: { cores, cpu: cpus()[0]?.model ?? "unknown", node: process.version, entry },
  cpuBound: {
    jobs,
    jobMs,
    rounds,
    ideal: Math.min(cores, jobs),
    seconds: { loop, toThread: stats(samples.threads), processPool: stats(samples.processes) },
    speedUp: {
      toThread: loop.median / median(samples.threads),
      processPool: loop.median / median(samples.processes),
    },
  },
  tinyJobs: {
    jobs: tinyJobs,
    microsecondsPerJob: { threadPool: stats(samples.tinyThreads), processPool: stats(samples.tinyProcesses) },
  },
  startupMs: { threadPool: stats(starts.thread), processPool: stats(starts.process) },
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const s = (x) => `${x.median.toFixed(2)} s [${x.min.toFixed(2)}–${x.max.toFixed(2)}]`;
  const us = (x) => `${x.median.toFixed(1)} µs/job [${x.min.toFixed(1)}–${x.max.toFixed(1)}]`;
  const { seconds: t, speedUp, ideal } = result.cpuBound;
  console.log(`machine: ${cores} cores (${result.machine.cpu}), Node ${process.version}`);
  console.log(`CPU-bound: ${jobs} jobs × ~${jobMs} ms (hashChain, ${rounds} rounds), ${runs} run(s): median [min–max]`);
  const row = (label, x, ratio) => {
    const share = ratio === undefined ? "" : ` (ideal ${ideal}x: ${((100 * ratio) / ideal).toFixed(0)}% of it)`;
    console.log(`  ${label.padEnd(22)} ${s(x)}   ${(ratio ?? 1).toFixed(2)}x${share}`);
  };
  row("on the loop", t.loop);
  row(`toThread (${cores} threads)`, t.toThread, speedUp.toThread);
  row(`process pool (${cores})`, t.processPool, speedUp.processPool);
  console.log(`per-job overhead, ${tinyJobs} tiny jobs (add) submitted at once to a started pool:`);
  console.log(`  thread pool    ${us(result.tinyJobs.microsecondsPerJob.threadPool)}`);
  console.log(`  process pool   ${us(result.tinyJobs.microsecondsPerJob.processPool)}`);
  console.log(
    `start-up of a new pool (first job): thread ${result.startupMs.threadPool.median.toFixed(0)} ms, process ${result.startupMs.processPool.median.toFixed(0)} ms`,
  );
}
