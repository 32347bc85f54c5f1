// Property-based tests of the queues over random producer/consumer schedules on virtual time.
//
// Each run builds a schedule — producers putting unique items with pauses, consumers taking them
// with processing times, some of either cancelled at random moments, a random maxsize — and checks
// every get against a model of the queue. Recording a put right after `put()` returns and a get
// right after `get()` returns is exact: nothing else runs between the queue operation and the
// record, so the model sees the queue's true order of operations.
//
// Time is counted in loop iterations: a pause of n is n `sleep(0)`s, and a cancellation lands
// after a random number of iterations. At that granularity a cancellation often falls between a
// waiter being woken and that waiter running: the race in which a woken getter or putter that is
// cancelled must hand its wakeup on, or the item (or the free slot) is stranded.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import type { Coroutine, Task } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import fc from "fast-check";

type Item = [priority: number, id: number];

interface Schedule {
  maxsize: number;
  /** Per producer: the priority of each item and the pause before putting it. */
  producers: { priority: number; pause: number }[][];
  producerCancels: (number | null)[];
  /** Per consumer: processing times, used in turn. Consumer 0 is never cancelled, so all drains. */
  consumers: number[][];
  consumerCancels: (number | null)[];
}

const pause = fc.integer({ min: 0, max: 3 });
/** The loop iteration at which to cancel a task, if ever. */
const cancel = fc.option(fc.integer({ min: 0, max: 30 }), { freq: 2 });
const schedule: fc.Arbitrary<Schedule> = fc
  .record({
    maxsize: fc.integer({ min: 0, max: 2 }),
    producers: fc.array(fc.array(fc.record({ priority: fc.integer({ min: 0, max: 3 }), pause }), { maxLength: 8 }), {
      minLength: 1,
      maxLength: 4,
    }),
    consumers: fc.array(fc.array(pause, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
    cancels: fc.array(cancel, { minLength: 8, maxLength: 8 }),
  })
  .map(({ maxsize, producers, consumers, cancels }) => ({
    maxsize,
    producers,
    consumers,
    producerCancels: producers.map((_, i) => cancels[i] ?? null),
    consumerCancels: consumers.map((_, i) => (i === 0 ? null : (cancels[4 + i] ?? null))),
  }));

/** Which of the queued items (oldest first) the model expects `get()` to return. */
type Pick = (queued: readonly Item[]) => number;

/** The index of the first item that no other item comes before under `before`. */
function first(queued: readonly Item[], before: (a: Item, b: Item) => boolean): number {
  let best = 0;
  for (let i = 1; i < queued.length; i++) if (before(queued[i] as Item, queued[best] as Item)) best = i;
  return best;
}

const fifo: Pick = () => 0;
const lifo: Pick = (queued) => queued.length - 1;
/** The default order compares `[priority, id]` like a Python tuple; ids are unique, so no ties. */
const tupleOrder: Pick = (queued) => first(queued, (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]));
/** Highest priority first by a comparator that sees only the priority: ties come out in put order. */
const highestThenPutOrder: Pick = (queued) => first(queued, (a, b) => a[0] > b[0]);

/** Raise the first error among gathered results other than a cancellation. */
function rethrowFailures(results: unknown[]): void {
  for (const r of results) if (r instanceof Error && !(r instanceof asyncio.CancelledError)) throw r;
}

/** Cancel each task at the loop iteration its schedule says. */
function scheduleCancels(loop: asyncio.EventLoop, tasks: Task<void>[], cancels: (number | null)[]): void {
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i] as Task<void>;
    let hops = cancels[i] ?? null;
    if (hops === null) continue;
    const hop = (): void => {
      if ((hops as number)-- > 0) loop.callSoon(hop);
      else task.cancel();
    };
    loop.callSoon(hop);
  }
}

/** Give up `n` loop iterations. */
function* pauseFor(n: number): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
}

/** Run `s` against `queue`, checking each get against the model. */
function* simulate(queue: asyncio.Queue<Item>, s: Schedule, pick: Pick): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const queued: Item[] = [];
  const put: number[] = [];
  const got: number[] = [];
  const violations: string[] = [];
  let done = 0;
  let nextId = 0;

  function* producer(items: { priority: number; pause: number }[]): Coroutine<void> {
    for (const { priority, pause } of items) {
      yield* pauseFor(pause);
      const item: Item = [priority, nextId++];
      yield* queue.put(item);
      queued.push(item);
      put.push(item[1]);
    }
  }

  function* consumer(times: number[]): Coroutine<void> {
    for (let n = 0; ; n++) {
      let item: Item;
      try {
        item = yield* queue.get();
      } catch (error) {
        if (error instanceof asyncio.QueueShutDown) return;
        throw error;
      }
      const expected = queued.splice(pick(queued), 1)[0];
      if (item !== expected) violations.push(`get() returned [${item}] where the model expects [${expected}]`);
      got.push(item[1]);
      try {
        yield* pauseFor(times[n % times.length] as number);
      } finally {
        // Marked done even when cancelled mid-processing, so that join() can return.
        done++;
        queue.taskDone();
      }
    }
  }

  const producers = s.producers.map((items) => asyncio.createTask(producer(items)));
  const consumers = s.consumers.map((times) => asyncio.createTask(consumer(times)));
  scheduleCancels(loop, producers, s.producerCancels);
  scheduleCancels(loop, consumers, s.consumerCancels);

  // A lost wakeup would leave a task blocked forever: the timeouts turn that into a failure.
  rethrowFailures(yield* asyncio.waitFor(asyncio.gatherAll(producers, { returnExceptions: true }), 1000));
  yield* asyncio.waitFor(queue.join(), 1000);
  // join() returns only once every item put has been taken and marked done.
  assert.equal(done, put.length);
  assert.equal(queue.qsize(), 0);
  queue.shutdown();
  rethrowFailures(yield* asyncio.gatherAll(consumers, { returnExceptions: true }));
  // Every get returned the item the model expected: FIFO, LIFO or priority order.
  assert.deepEqual(violations, []);
  // Every item put was delivered exactly once.
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    [...put].sort((a, b) => a - b),
  );
  assert.deepEqual(queued, []);
}

function check(makeQueue: (maxsize: number) => asyncio.Queue<Item>, pick: Pick): Promise<void> {
  return fc.assert(
    fc.asyncProperty(schedule, (s) =>
      asyncio.run(simulate(makeQueue(s.maxsize), s, pick), { loopFactory: () => new VirtualTimeLoop() }),
    ),
    { numRuns: 100 },
  );
}

describe("queues under random producer/consumer schedules", () => {
  it("deliver every item exactly once, first in first out, and join after the last taskDone (Queue)", () =>
    check((maxsize) => new asyncio.Queue<Item>(maxsize), fifo));

  it("deliver every item exactly once, lowest [priority, id] first like Python tuples (PriorityQueue)", () =>
    check((maxsize) => new asyncio.PriorityQueue<Item>(maxsize), tupleOrder));

  it("deliver every item exactly once by a comparator, equal items in put order (PriorityQueue)", () =>
    check(
      (maxsize) => new asyncio.PriorityQueue<Item>({ maxsize, comparator: (a, b) => b[0] - a[0] }),
      highestThenPutOrder,
    ));

  it("deliver every item exactly once, last in first out (LifoQueue)", () =>
    check((maxsize) => new asyncio.LifoQueue<Item>(maxsize), lifo));
});
