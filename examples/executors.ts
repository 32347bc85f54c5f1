// CPU-bound work in a gather: on the loop the jobs run one after another, since each blocks the
// loop until it returns; on a ThreadPoolExecutor they run side by side on the machine's cores.
import { availableParallelism } from "node:os";
import * as asyncio from "asyncio-ts";
import { hashChain } from "./executors-work.ts";
import { isMain } from "./is-main.ts";

const work = asyncio.taskModule<typeof import("./executors-work.ts")>(new URL("./executors-work.js", import.meta.url));

/** A coroutine that does the work on the loop itself: nothing else runs until it returns. */
function* hashOnLoop(seed: string, rounds: number): asyncio.Coroutine<string> {
  return hashChain(seed, rounds);
}

/** Await what `start()` returns, and how many seconds that took. */
function* timed<T>(start: () => asyncio.Future<T>): asyncio.Coroutine<[T, number]> {
  const began = performance.now();
  const result = yield* start();
  return [result, (performance.now() - began) / 1000];
}

/** Run `jobs` hash chains of `rounds` rounds on the loop, then on a thread pool, and compare. */
export function* main(jobs = 8, rounds = 60_000) {
  const seeds = Array.from({ length: jobs }, (_, i) => `seed-${i}`);
  const [onLoop, loopSeconds] = yield* timed(() => asyncio.gather(...seeds.map((seed) => hashOnLoop(seed, rounds))));
  console.log(`on the loop:       ${jobs} jobs in ${loopSeconds.toFixed(2)} s`);

  const workers = availableParallelism();
  const [onThreads, threadSeconds] = yield* asyncio.using(
    new asyncio.ThreadPoolExecutor({ maxWorkers: workers }),
    function* (pool) {
      // Start the threads first: a thread starts once per pool, not once per job.
      yield* asyncio.gather(...Array.from({ length: workers }, () => pool.submit(work.hashChain, "warm-up", 1000)));
      return yield* timed(() => asyncio.gather(...seeds.map((seed) => pool.submit(work.hashChain, seed, rounds))));
    },
  );
  const speedUp = loopSeconds / threadSeconds;
  console.log(`on ${workers} threads: ${jobs} jobs in ${threadSeconds.toFixed(2)} s (${speedUp.toFixed(1)}x the loop)`);
  console.log(`same results: ${onThreads.every((digest, i) => digest === onLoop[i])}`);
  return { loopSeconds, threadSeconds, same: onThreads.every((digest, i) => digest === onLoop[i]) };
}

if (isMain(import.meta.url)) await asyncio.run(main());
