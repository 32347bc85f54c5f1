// The synchronization primitives beyond CPython's test suite: argument checks, error messages,
// using() semantics, the Semaphore repr, and races CPython's tests leave implicit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { BrokenBarrierError, CancelledError, type Coroutine, RuntimeError, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
}

describe("Lock", () => {
  it("releases the lock when the using() body throws, and lets the error through", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      const failure = new Error("body failed");
      let raised: unknown;
      try {
        yield* asyncio.using(lock, function* () {
          yield* asyncio.sleep(0);
          throw failure;
        });
      } catch (error) {
        raised = error;
      }
      assert.equal(raised, failure);
      assert.equal(lock.locked(), false);
    }));

  it("releases the lock when the task in the using() body is cancelled", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      const holder = asyncio.createTask(asyncio.using(lock, () => asyncio.sleep(10)));
      yield* asyncio.sleep(1);
      assert.ok(lock.locked());
      holder.cancel();
      yield* asyncio.gather(holder, { returnExceptions: true });
      assert.ok(holder.cancelled());
      assert.equal(lock.locked(), false);
    }));

  it("may be released by a task other than the one that acquired it", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      yield* lock.acquire();
      yield* asyncio.createTask(
        (function* () {
          lock.release();
        })(),
      );
      assert.equal(lock.locked(), false);
    }));

  it("names the fix when released while not held", () => {
    assert.throws(() => new asyncio.Lock().release(), {
      name: "RuntimeError",
      message: /Lock is not acquired: release\(\) only a lock you acquired/,
    });
  });

  it("names the fix when given a loop argument", () => {
    const ctor = asyncio.Lock as unknown as new (loop: unknown) => asyncio.Lock;
    assert.throws(() => new ctor({}), { name: "TypeError", message: /Lock\(\) takes no arguments/ });
  });
});

describe("Event", () => {
  it("wakes a waiter that set() and clear() bracketed before it ran", () =>
    run(function* () {
      const ev = new asyncio.Event();
      const waiter = asyncio.createTask(ev.wait());
      yield* asyncio.sleep(0);
      ev.set();
      ev.clear();
      assert.equal(yield* waiter, true);
      assert.equal(ev.isSet(), false);
    }));

  it("wakes waiters at the time set() is called, on virtual time", () =>
    run(function* () {
      const loop = asyncio.getRunningLoop();
      const ev = new asyncio.Event();
      loop.callLater(2.5, () => ev.set());
      const [a, b] = yield* asyncio.gather(ev.wait(), ev.wait());
      assert.deepEqual([a, b], [true, true]);
      assert.equal(loop.time(), 2.5);
    }));
});

describe("Condition", () => {
  it("rejects a lock that is not a Lock", () => {
    assert.throws(() => new asyncio.Condition(new asyncio.Semaphore() as unknown as asyncio.Lock), {
      name: "TypeError",
      message: /Condition\(\) expects a Lock or nothing, got <Semaphore/,
    });
  });

  it("returns the predicate's truthy value from waitFor()", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      const items: string[] = [];
      const consumer = asyncio.createTask(
        asyncio.using(cond, () => cond.waitFor(() => (items.length > 0 ? items.slice() : null))),
      );
      yield* asyncio.sleep(0);
      yield* asyncio.using(cond, function* () {
        items.push("x");
        cond.notify();
      });
      assert.deepEqual(yield* consumer, ["x"]);
    }));

  it("holds the lock again when the waiting task is cancelled, before its finally runs", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      let lockedInFinally: boolean | undefined;
      const waiter = asyncio.createTask(
        (function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
          } finally {
            lockedInFinally = cond.locked();
            cond.release();
          }
        })(),
      );
      yield* asyncio.sleep(0);
      // Someone else holds the lock when the cancellation arrives: the waiter must wait for it.
      yield* cond.acquire();
      waiter.cancel();
      yield* asyncio.sleep(1);
      assert.equal(waiter.done(), false);
      cond.release();
      yield* asyncio.gather(waiter, { returnExceptions: true });
      assert.ok(waiter.cancelled());
      assert.equal(lockedInFinally, true);
      assert.equal(cond.locked(), false);
    }));
});

describe("Semaphore", () => {
  it("rejects an initial value that is not a non-negative integer", () => {
    assert.throws(() => new asyncio.Semaphore(1.5), ValueError);
    assert.throws(() => new asyncio.Semaphore(Number.NaN), ValueError);
    assert.throws(() => new asyncio.Semaphore(Number.POSITIVE_INFINITY), ValueError);
    assert.throws(() => new asyncio.Semaphore("2" as unknown as number), TypeError);
    assert.throws(() => new asyncio.BoundedSemaphore(-1), { name: "ValueError", message: /BoundedSemaphore/ });
  });

  it("shows its value while locked by FIFO, which asyncio's repr hides", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const waiters = [asyncio.createTask(sem.acquire()), asyncio.createTask(sem.acquire())];
      yield* asyncio.sleep(0);
      assert.equal(String(sem), "<Semaphore [locked, value:0, waiters:2]>");
      sem.release();
      sem.release();
      // Both waiters were woken, each with a slot set aside for it, and have not run yet.
      assert.equal(String(sem), "<Semaphore [locked, value:0, waiters:2]>");
      yield* asyncio.gatherAll(waiters);
      assert.equal(String(sem), "<Semaphore [locked, value:0]>");
      sem.release();
      assert.equal(String(sem), "<Semaphore [unlocked, value:1]>");
    }));

  it("makes a newcomer wait behind a woken waiter even though the count is positive", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const order: string[] = [];
      const first = asyncio.createTask(
        (function* () {
          yield* sem.acquire();
          order.push("first");
        })(),
      );
      yield* asyncio.sleep(0);
      sem.release(); // wakes `first`, which has not run yet
      sem.release(); // a second slot is free, but `first` is still queued
      assert.ok(sem.locked());
      yield* sem.acquire();
      order.push("main");
      yield* first;
      assert.deepEqual(order, ["first", "main"]);
    }));
});

describe("BoundedSemaphore", () => {
  it("allows releasing what was acquired and refuses one release more", () =>
    run(function* () {
      const sem = new asyncio.BoundedSemaphore(2);
      yield* sem.acquire();
      yield* sem.acquire();
      sem.release();
      sem.release();
      assert.throws(() => sem.release(), {
        name: "ValueError",
        message: /BoundedSemaphore released too many times/,
      });
      assert.equal(String(sem), "<BoundedSemaphore [unlocked, value:2]>");
    }));
});

describe("Barrier", () => {
  it("rejects parties that are not a positive integer", () => {
    assert.throws(() => new asyncio.Barrier(2.5), ValueError);
    assert.throws(() => new asyncio.Barrier("3" as unknown as number), TypeError);
  });

  it("raises BrokenBarrierError, a RuntimeError, from wait() on an aborted barrier", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(2);
      yield* barrier.abort();
      let raised: unknown;
      try {
        yield* barrier.wait();
      } catch (error) {
        raised = error;
      }
      assert.ok(raised instanceof BrokenBarrierError);
      assert.ok(raised instanceof RuntimeError);
      assert.equal(raised.name, "BrokenBarrierError");
      assert.equal(String(barrier), "<Barrier [broken]>");
    }));

  it("releases its parties together at the time the last one arrives", () =>
    run(function* () {
      const loop = asyncio.getRunningLoop();
      const barrier = new asyncio.Barrier(3);
      const released: number[] = [];
      function* party(delay: number): Coroutine<number> {
        yield* asyncio.sleep(delay);
        const index = yield* barrier.wait();
        released.push(loop.time());
        return index;
      }
      const indices = yield* asyncio.gather(party(1), party(3), party(2));
      assert.deepEqual(released, [3, 3, 3]);
      assert.deepEqual([...indices].sort(), [0, 1, 2]);
      assert.equal(indices[0], 0);
    }));

  it("lets a cancelled waiter leave without breaking the barrier", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(2);
      const leaver = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 1);
      leaver.cancel();
      const [result] = yield* asyncio.gather(leaver, { returnExceptions: true });
      assert.ok(result instanceof CancelledError);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
      const [a, b] = yield* asyncio.gather(barrier.wait(), barrier.wait());
      assert.deepEqual([a, b], [0, 1]);
    }));
});
