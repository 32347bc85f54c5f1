// DistributedExecutor: per-job overhead and round trips through a private Redis to 1 and 2 local
// worker processes, and the speed-up of a CPU-bound batch from a second worker process.
//
//   node bench/distributed.mjs [--quick] [--json] [--runs 3] [--tiny 1000] [--trips 200] [--jobs 16] [--job-ms 100]
//
// It measures dist/ (`npm run build` first), as installed users run it: the workers are
// `bin/asyncio-ts.mjs worker`, without a TypeScript loader. It starts its own redis-server (on a free
// loopback port, no persistence) and says how to install one when there is none. This machine is
// shared: read the ratios, not the absolute times.
import { spawn } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findRedisServer, REDIS_INSTALL_HINT, startRedisServer } from "../scripts/redis-server.mjs";
import { hashChain } from "./distributed-work.mjs";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    runs: { type: "string" },
    tiny: { type: "string" },
    trips: { type: "string" },
    jobs: { type: "string" },
    "job-ms": { type: "string" },
  },
});
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const tinyJobs = Number(values.tiny ?? 1000);
const trips = Number(values.trips ?? (quick ? 50 : 200));
const cpuJobs = Number(values.jobs ?? (quick ? 8 : 16));
const jobMs = Number(values["job-ms"] ?? 100);

const binary = findRedisServer();
if (binary === null) {
  console.error(`bench/distributed.mjs needs a redis-server, and none was found: ${REDIS_INSTALL_HINT}`);
  process.exit(values.json ? 1 : 0);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const asyncio = await import(new URL("../dist/index.js", import.meta.url).href);
const { DistributedExecutor } = await import(new URL("../dist/distributed/index.js", import.meta.url).href);
const WORK = new URL("./distributed-work.mjs", import.meta.url);
const add = asyncio.task(WORK, "add");
const hash = asyncio.task(WORK, "hashChain");

/** Start `asyncio-ts worker` (the installed command's launcher) and resolve once it is ready. */
async function startWorker(url, queue, concurrency) {
  const child = spawn(
    process.execPath,
    [
      `${root}/bin/asyncio-ts.mjs`,
      "worker",
      "--redis",
      url,
      "--queue",
      queue,
      "--module",
      fileURLToPath(WORK),
      "--concurrency",
      String(concurrency),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`a worker exited with code ${code} before it was ready`)));
  });
  return child;
}

async function stopWorkers(workers) {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", resolve);
          process.kill(child.pid, "SIGTERM");
        }),
    ),
  );
}

/** How many rounds of hashChain take about `ms` milliseconds here (the fastest of five tries). */
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

function quantile(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(xs) {
  return { median: quantile(xs, 0.5), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Microseconds per job for `tinyJobs` add() jobs submitted at once, and the milliseconds of `trips` sequential round trips. */
function* tiny(remote) {
  yield* asyncio.gatherAll(Array.from({ length: 50 }, () => remote.submit(add, 0, 0)));
  const start = performance.now();
  const results = yield* asyncio.gatherAll(Array.from({ length: tinyJobs }, (_, i) => remote.submit(add, i, 1)));
  const perJobUs = ((performance.now() - start) * 1000) / tinyJobs;
  if (results.some((r, i) => r !== i + 1)) throw new Error("a tiny job returned a wrong result");
  const roundTrips = [];
  for (let i = 0; i < trips; i++) {
    const began = performance.now();
    if ((yield* remote.submit(add, i, 1)) !== i + 1) throw new Error("a round trip returned a wrong result");
    roundTrips.push(performance.now() - began);
  }
  return { perJobUs, p50: quantile(roundTrips, 0.5), p95: quantile(roundTrips, 0.95) };
}

/** Seconds for the CPU-bound batch, and how many worker processes took part. */
function* cpuBatch(remote, rounds) {
  const start = performance.now();
  const results = yield* asyncio.gatherAll(
    Array.from({ length: cpuJobs }, (_, i) => remote.submit(hash, `seed-${i}`, rounds)),
  );
  const s = (performance.now() - start) / 1000;
  for (let i = 0; i < cpuJobs; i++) {
    if (results[i].digest !== hashChain(`seed-${i}`, rounds).digest)
      throw new Error("a worker computed another digest");
  }
  return [s, new Set(results.map((r) => r.pid)).size];
}

const rounds = calibrate(jobMs);
const samples = {
  one: { perJobUs: [], p50: [], p95: [] },
  two: { perJobUs: [], p50: [], p95: [] },
  cpuOne: [],
  cpuTwo: [],
};
const redis = await startRedisServer({ binary });
try {
  for (let run = 0; run < runs; run++) {
    // Tiny jobs: sixteen at a time on each worker. CPU-bound jobs: one at a time on each worker,
    // which then uses its one core; a second worker process brings a second core.
    const tinyQueue = `tiny-${run}`;
    const cpuQueue = `cpu-${run}`;
    const workers = [await startWorker(redis.url, tinyQueue, 16), await startWorker(redis.url, cpuQueue, 1)];
    try {
      const measure = (queue, body) =>
        asyncio.run(asyncio.using(new DistributedExecutor({ queue, redis: redis.url }), body));
      const one = await measure(tinyQueue, tiny);
      const [cpuOne, used1] = await measure(cpuQueue, (remote) => cpuBatch(remote, rounds));
      workers.push(await startWorker(redis.url, tinyQueue, 16), await startWorker(redis.url, cpuQueue, 1));
      const two = await measure(tinyQueue, tiny);
      const [cpuTwo, used2] = await measure(cpuQueue, (remote) => cpuBatch(remote, rounds));
      if (used1 !== 1 || used2 !== 2) throw new Error(`the CPU-bound batch ran on ${used1} then ${used2} workers`);
      for (const [key, sample] of [
        ["one", one],
        ["two", two],
      ]) {
        for (const field of ["perJobUs", "p50", "p95"]) samples[key][field].push(sample[field]);
      }
      samples.cpuOne.push(cpuOne);
      samples.cpuTwo.push(cpuTwo);
    } finally {
      await stopWorkers(workers);
    }
  }
} finally {
  await redis.stop();
}

const cores = availableParallelism();
const result = {
  machine: { cores, cpu: cpus()[0]?.model ?? "unknown", node: process.version },
  tinyJobs: {
    jobs: tinyJobs,
    roundTrips: trips,
    oneWorker: {
      microsecondsPerJob: stats(samples.one.perJobUs),
      roundTripMs: { p50: stats(samples.one.p50), p95: stats(samples.one.p95) },
    },
    twoWorkers: {
      microsecondsPerJob: stats(samples.two.perJobUs),
      roundTripMs: { p50: stats(samples.two.p50), p95: stats(samples.two.p95) },
    },
  },
  cpuBound: {
    jobs: cpuJobs,
    jobMs,
    rounds,
    seconds: { oneWorker: stats(samples.cpuOne), twoWorkers: stats(samples.cpuTwo) },
    speedUp: stats(samples.cpuOne).median / stats(samples.cpuTwo).median,
  },
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const ms = (x) => `${x.median.toFixed(2)} ms [${x.min.toFixed(2)}–${x.max.toFixed(2)}]`;
  const us = (x) => `${x.median.toFixed(0)} µs/job [${x.min.toFixed(0)}–${x.max.toFixed(0)}]`;
  const s = (x) => `${x.median.toFixed(2)} s [${x.min.toFixed(2)}–${x.max.toFixed(2)}]`;
  console.log(
    `machine: ${cores} cores (${result.machine.cpu}), Node ${process.version}; ${runs} run(s): median [min–max]`,
  );
  console.log(`${tinyJobs} tiny jobs (add) submitted at once, then ${trips} round trips one at a time:`);
  for (const [label, x] of [
    ["1 worker ", result.tinyJobs.oneWorker],
    ["2 workers", result.tinyJobs.twoWorkers],
  ]) {
    console.log(
      `  ${label}  ${us(x.microsecondsPerJob)}   round trip p50 ${ms(x.roundTripMs.p50)}, p95 ${ms(x.roundTripMs.p95)}`,
    );
  }
  const { seconds: t, speedUp } = result.cpuBound;
  console.log(`CPU-bound: ${cpuJobs} jobs × ~${jobMs} ms (hashChain, ${rounds} rounds), one at a time per worker:`);
  console.log(`  1 worker   ${s(t.oneWorker)}`);
  console.log(
    `  2 workers  ${s(t.twoWorkers)}   ${speedUp.toFixed(2)}x (ideal ${Math.min(2, cores)}x on ${cores} cores)`,
  );
}
