// Property-based tests of Lock and Semaphore over random schedules of acquiring tasks.
//
// Each run starts tasks that pause, acquire, hold for a while and release, some of them more than
// once, while random cancellations land on any of them at any loop iteration — while it waits, at
// the moment it is woken, or while it holds the slot. Time is counted in loop iterations (a pause
// of n is n `sleep(0)`s), so cancellations often fall between a waiter being woken and running.
// Checked: never more than N holders; slots are granted in the order acquire() was called (FIFO);
// every task that is not cancelled gets its turn (no lost wakeup); and all slots come back.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import type { Coroutine, Task } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import fc from "fast-check";

interface Plan {
  /** Per task: for each acquisition, the pause before it and how long the slot is held. */
  tasks: { pause: number; hold: number }[][];
  /** Per task: the loop iteration at which it is cancelled, if ever. */
  cancels: (number | null)[];
}

const iterations = fc.integer({ min: 0, max: 3 });
const plan: fc.Arbitrary<Plan> = fc
  .array(fc.array(fc.record({ pause: iterations, hold: iterations }), { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: 8,
  })
  .chain((tasks) =>
    fc.record({
      tasks: fc.constant(tasks),
      cancels: fc.array(fc.option(fc.integer({ min: 0, max: 25 }), { freq: 2 }), {
        minLength: tasks.length,
        maxLength: tasks.length,
      }),
    }),
  );

function* pauseFor(n: number): Coroutine<void> {
  for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
}

/** The primitive under test with its number of slots. */
interface Subject {
  primitive: asyncio.Lock | asyncio.Semaphore;
  slots: number;
}

function* simulate({ primitive, slots }: Subject, p: Plan): Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  let holders = 0;
  let maxHolders = 0;
  let calls = 0;
  /** The call number of each acquire() that succeeded, in the order they succeeded. */
  const granted: number[] = [];
  /** Per task: how many acquisitions it completed. */
  const completed = p.tasks.map(() => 0);

  function* worker(index: number, steps: { pause: number; hold: number }[]): Coroutine<void> {
    for (const { pause, hold } of steps) {
      yield* pauseFor(pause);
      const call = calls++;
      yield* asyncio.using(primitive, function* () {
        granted.push(call);
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        try {
          yield* pauseFor(hold);
        } finally {
          holders--;
        }
      });
      completed[index]++;
    }
  }

  const tasks = p.tasks.map((steps, i) => asyncio.createTask(worker(i, steps)));
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i] as Task<void>;
    let hops = p.cancels[i] ?? null;
    if (hops === null) continue;
    const hop = (): void => {
      if ((hops as number)-- > 0) loop.callSoon(hop);
      else task.cancel();
    };
    loop.callSoon(hop);
  }

  // A lost wakeup would leave a task waiting forever: the timeout turns that into a failure.
  const results = yield* asyncio.waitFor(asyncio.gatherAll(tasks, { returnExceptions: true }), 1000);
  for (const r of results) if (r instanceof Error && !(r instanceof asyncio.CancelledError)) throw r;

  assert.ok(maxHolders <= slots, `${maxHolders} holders at once with ${slots} slots`);
  assert.deepEqual(
    granted,
    [...granted].sort((a, b) => a - b),
    "slots were not granted in the order acquire() was called",
  );
  for (let i = 0; i < tasks.length; i++) {
    if (!tasks[i]?.cancelled()) assert.equal(completed[i], p.tasks[i]?.length, `task ${i} did not get every turn`);
  }
  assert.equal(holders, 0);
  assert.equal(primitive.locked(), false);
  if (primitive instanceof asyncio.Semaphore) assert.match(String(primitive), new RegExp(`value:${slots}[,\\]]`));
}

function check(makeSubject: (slots: number) => Subject): Promise<void> {
  return fc.assert(
    fc.asyncProperty(plan, fc.integer({ min: 1, max: 3 }), (p, slots) =>
      asyncio.run(simulate(makeSubject(slots), p), { loopFactory: () => new VirtualTimeLoop() }),
    ),
    { numRuns: 100 },
  );
}

describe("locks under random schedules of acquiring tasks", () => {
  it("a Lock has at most one holder, grants it in FIFO order and never loses a wakeup", () =>
    check(() => ({ primitive: new asyncio.Lock(), slots: 1 })));

  it("a Semaphore has at most N holders, grants slots in FIFO order and never loses a wakeup", () =>
    check((slots) => ({ primitive: new asyncio.Semaphore(slots), slots })));

  it("a BoundedSemaphore behaves the same and gets every slot back without over-release", () =>
    check((slots) => ({ primitive: new asyncio.BoundedSemaphore(slots), slots })));
});
