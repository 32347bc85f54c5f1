// A producer/consumer pipeline: a bounded Queue between a producer and a pool of four workers, and
// a Semaphore that lets only two of them fetch at once. In Python this is asyncio.Queue(maxsize=2),
// asyncio.Semaphore(2) and `async with slots:`; here `async with` is `asyncio.using`.
import * as asyncio from "asyncio-ts";
import { isMain } from "./is-main.ts";

/** The pages to fetch, with how long each takes, in tenths of a second. */
const PAGES: readonly (readonly [name: string, tenths: number])[] = [
  ["home", 3],
  ["about", 1],
  ["blog", 4],
  ["shop", 2],
  ["faq", 1],
  ["contact", 2],
];
const WORKERS = 4;

function* fetchPage(name: string, tenths: number): asyncio.Coroutine<string> {
  yield* asyncio.sleep(tenths / 10);
  return `${name} (${tenths * 10} kB)`;
}

export function* main(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const start = loop.time();
  const elapsed = (): string => (loop.time() - start).toFixed(1);

  const queue = new asyncio.Queue<readonly [string, number]>(2); // the producer waits when 2 are pending
  const slots = new asyncio.Semaphore(2); // at most 2 of the workers fetch at once
  let fetching = 0;
  let mostAtOnce = 0;
  let producerWaits = 0;

  function* producer(): asyncio.Coroutine<void> {
    for (const page of PAGES) {
      if (queue.full()) producerWaits++;
      yield* queue.put(page);
    }
  }

  function* worker(id: number): asyncio.Coroutine<void> {
    for (;;) {
      let page: readonly [string, number];
      try {
        page = yield* queue.get();
      } catch (error) {
        if (error instanceof asyncio.QueueShutDown) return; // no more work
        throw error;
      }
      try {
        yield* asyncio.using(slots, function* () {
          mostAtOnce = Math.max(mostAtOnce, ++fetching);
          try {
            const result = yield* fetchPage(...page);
            console.log(`[${elapsed()} s] worker ${id} fetched ${result}`);
          } finally {
            fetching--;
          }
        });
      } finally {
        queue.taskDone();
      }
    }
  }

  yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
    for (let id = 1; id <= WORKERS; id++) tg.createTask(worker(id), { name: `worker-${id}` });
    yield* producer();
    yield* queue.join(); // every page fetched and marked done
    queue.shutdown(); // the idle workers' get() raises QueueShutDown, and they return
  });
  console.log(
    `${PAGES.length} pages in ${elapsed()} s by ${WORKERS} workers, at most ${mostAtOnce} fetching at once; ` +
      `the producer waited ${producerWaits} times for room in the queue`,
  );
}

if (isMain(import.meta.url)) await asyncio.run(main());
