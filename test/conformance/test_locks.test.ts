// Ports of CPython 3.13's Lib/test/test_asyncio/test_locks.py: Lock, Event, Condition, Semaphore,
// BoundedSemaphore and Barrier.
//
// Each CPython test is an IsolatedAsyncioTestCase coroutine; here each runs as the main coroutine
// of `asyncio.run` on a virtual-time loop. CPython peeks at private state (`lock._waiters`,
// `sem._value`, `barrier._count`); asyncio-ts keeps that state in #private fields, so the ports
// read the same facts from the public repr (`toString()`), which shows the waiter count and, for a
// Semaphore, the value, or count them in the test itself.
//
// Adapted, and why:
// - The repr tests: asyncio's repr is `<asyncio.locks.Lock object at 0x... [locked]>`; the object
//   address has no JavaScript counterpart, so the pattern checks `<Lock [locked]>`. A Semaphore's
//   repr shows its value when locked too (asyncio shows it only when unlocked), and a waiter is a
//   real waiting Task rather than a `mock.Mock()` appended to the private deque.
// - test_lock, test_semaphore, test_barrier, test_lock_by_with_statement: `await lock` becomes
//   `yield* lock`, which TypeScript rejects at compile time and JavaScript at run time with a
//   TypeError ("is not iterable") instead of "can't be used in 'await' expression".
// - test_lock_doesnt_accept_loop_parameter: `Lock(loop=loop)` becomes `new Lock(loop)`.
// - ConditionTests.test_explicit_lock: `cond._lock is lock` is private; the rest of the test shows
//   that the condition uses the given lock.
// - ConditionTests.test_ambiguous_loops: instead of assigning `_loop`, the primitive is bound to
//   another loop by using it there first.
// - BarrierTests.test_reset_barrier_when_tasks_half_draining: `barrier._count` (tasks still inside
//   `wait()`) is computed as parties minus the tasks that have left it, which is the same number
//   at that point because nothing suspends between leaving `wait()` and the check.
//
// Not ported: none of test_locks' tests is skipped.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { BrokenBarrierError, CancelledError, type Coroutine, RuntimeError, type Task, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** Run `main` as the test's coroutine on a fresh virtual-time loop, as IsolatedAsyncioTestCase does. */
function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
}

/** The repr pattern of asyncio's test_locks, without the object address (see the header). */
const RGX_REPR =
  /^<(?<class>\w+) \[(?<extras>(set|unset|locked|unlocked|filling|draining|resetting|broken)(, value:\d+)?(, waiters:\d+)?(, waiters:\d+\/\d+)?)\]>$/;

/** The number of queued waiters a primitive's repr shows (`len(x._waiters)` in CPython). */
function waiters(primitive: object): number {
  const match = /, waiters:(\d+)\]/.exec(String(primitive));
  return match ? Number(match[1]) : 0;
}

/** A Semaphore's value as its repr shows it (`sem._value` in CPython). */
function value(sem: asyncio.Semaphore): number {
  const match = /value:(\d+)/.exec(String(sem));
  assert.ok(match, `no value in ${sem}`);
  return Number(match[1]);
}

/** Run `body` and return the error it raised, failing unless it is an instance of `cls`. */
function* raises<E>(
  cls: abstract new (...args: never[]) => E,
  body: () => Coroutine<unknown> | asyncio.Future<unknown>,
): Coroutine<E> {
  let raised: unknown;
  try {
    yield* body();
  } catch (error) {
    raised = error;
  }
  assert.ok(raised instanceof cls, `expected ${cls.name}, got ${String(raised)}`);
  return raised;
}

/** Await `thing` the way `await lock` would be written, which must fail: primitives are not awaitable. */
function* awaitDirectly(thing: object): Coroutine<unknown> {
  return yield* thing as unknown as Coroutine<unknown>;
}

describe("test_locks.LockTests", () => {
  // cpython: test_locks.LockTests.test_repr
  it("shows locked or unlocked in its repr", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      assert.ok(String(lock).endsWith("[unlocked]>"));
      assert.match(String(lock), RGX_REPR);
      yield* lock.acquire();
      assert.ok(String(lock).endsWith("[locked]>"));
      assert.match(String(lock), RGX_REPR);
    }));

  // cpython: test_locks.LockTests.test_lock
  it("cannot be awaited itself, only through acquire()", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      const error = yield* raises(TypeError, () => awaitDirectly(lock));
      assert.match(error.message, /not iterable/);
      assert.equal(lock.locked(), false);
    }));

  // cpython: test_locks.LockTests.test_lock_doesnt_accept_loop_parameter
  it("rejects a loop argument in every primitive's constructor", () =>
    run(function* () {
      const loop = asyncio.getRunningLoop();
      const classes = [asyncio.Lock, asyncio.Condition, asyncio.Event, asyncio.Semaphore, asyncio.BoundedSemaphore];
      for (const cls of classes) {
        assert.throws(() => new (cls as unknown as new (arg: unknown) => unknown)(loop), TypeError, cls.name);
      }
    }));

  // cpython: test_locks.LockTests.test_lock_by_with_statement
  it("refuses to be awaited as a context manager for every lock-like primitive", () =>
    run(function* () {
      const primitives = [
        new asyncio.Lock(),
        new asyncio.Condition(),
        new asyncio.Semaphore(),
        new asyncio.BoundedSemaphore(),
      ];
      for (const lock of primitives) {
        yield* asyncio.sleep(0.01);
        assert.equal(lock.locked(), false);
        yield* raises(TypeError, () => awaitDirectly(lock));
        assert.equal(lock.locked(), false);
      }
    }));

  // cpython: test_locks.LockTests.test_acquire
  it("hands the lock to waiters one release at a time, in FIFO order", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      const result: number[] = [];
      assert.equal(yield* lock.acquire(), true);
      function* c(n: number): Coroutine<boolean> {
        if (yield* lock.acquire()) result.push(n);
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      lock.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      const t3 = asyncio.createTask(c(3));
      lock.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2]);
      lock.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      for (const t of [t1, t2, t3]) {
        assert.ok(t.done());
        assert.equal(t.result(), true);
      }
    }));

  // cpython: test_locks.LockTests.test_acquire_cancel
  it("removes a cancelled acquire from the waiters", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      assert.equal(yield* lock.acquire(), true);
      const task = asyncio.createTask(lock.acquire());
      asyncio.getRunningLoop().callSoon(() => task.cancel());
      yield* raises(CancelledError, () => task);
      assert.equal(waiters(lock), 0);
    }));

  // cpython: test_locks.LockTests.test_cancel_race
  it("skips a waiter cancelled just before the release and wakes the next one", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      function* lockit(blocker: asyncio.Future<unknown> | null): Coroutine<void> {
        yield* lock.acquire();
        try {
          if (blocker !== null) yield* blocker;
        } finally {
          lock.release();
        }
      }
      const fa = asyncio.getRunningLoop().createFuture();
      const ta = asyncio.createTask(lockit(fa));
      yield* asyncio.sleep(0);
      assert.ok(lock.locked());
      const tb = asyncio.createTask(lockit(null));
      yield* asyncio.sleep(0);
      assert.equal(waiters(lock), 1);
      const tc = asyncio.createTask(lockit(null));
      yield* asyncio.sleep(0);
      assert.equal(waiters(lock), 2);

      fa.setResult(undefined);
      assert.equal(tb.cancel(), true);
      // B's waiter is cancelled but still queued (CPython: `lock._waiters[0].cancelled()`).
      assert.equal(waiters(lock), 2);
      yield* asyncio.sleep(0);
      assert.equal(lock.locked(), false);
      assert.ok(ta.done());
      assert.ok(tb.cancelled());
      yield* tc;
    }));

  // cpython: test_locks.LockTests.test_cancel_release_race
  it("lets only one waiter take the lock when one is cancelled as the lock is released", () =>
    run(function* () {
      const loop = asyncio.getRunningLoop();
      const lock = new asyncio.Lock();
      let lockCount = 0;
      let callCount = 0;
      function* lockit(): Coroutine<void> {
        callCount++;
        yield* lock.acquire();
        lockCount++;
      }
      yield* lock.acquire();
      const t1 = asyncio.createTask(lockit());
      const t2 = asyncio.createTask(lockit());
      const t3 = asyncio.createTask(lockit());
      yield* asyncio.sleep(0);
      loop.callSoon(() => {
        t1.cancel();
        lock.release();
      });
      yield* raises(CancelledError, () => t1);
      assert.equal(lockCount, 1);
      assert.equal(callCount, 3);
      assert.ok(t1.cancelled() && t2.done());
      t3.cancel();
      yield* asyncio.sleep(0);
      assert.ok(t3.cancelled());
    }));

  // cpython: test_locks.LockTests.test_finished_waiter_cancelled
  it("wakes the second waiter when the woken first one is cancelled", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      yield* lock.acquire();
      assert.ok(lock.locked());
      const tb = asyncio.createTask(lock.acquire());
      yield* asyncio.sleep(0);
      assert.equal(waiters(lock), 1);
      const tc = asyncio.createTask(lock.acquire());
      tb.cancel();
      lock.release();
      yield* asyncio.sleep(0);
      assert.ok(lock.locked());
      assert.ok(tb.cancelled());
      yield* tc;
    }));

  // cpython: test_locks.LockTests.test_release_not_acquired
  it("raises RuntimeError when releasing a lock that is not held", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      assert.throws(() => lock.release(), RuntimeError);
    }));

  // cpython: test_locks.LockTests.test_release_no_waiters
  it("unlocks on release when nobody waits", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      yield* lock.acquire();
      assert.ok(lock.locked());
      lock.release();
      assert.equal(lock.locked(), false);
    }));

  // cpython: test_locks.LockTests.test_context_manager
  it("holds the lock inside using() and releases it after", () =>
    run(function* () {
      const lock = new asyncio.Lock();
      assert.equal(lock.locked(), false);
      yield* asyncio.using(lock, function* () {
        assert.ok(lock.locked());
      });
      assert.equal(lock.locked(), false);
    }));
});

describe("test_locks.EventTests", () => {
  // cpython: test_locks.EventTests.test_repr
  it("shows set or unset and the waiter count in its repr", () =>
    run(function* () {
      const ev = new asyncio.Event();
      assert.ok(String(ev).endsWith("[unset]>"));
      assert.equal(RGX_REPR.exec(String(ev))?.groups?.extras, "unset");
      const waiter = asyncio.createTask(ev.wait());
      yield* asyncio.sleep(0);
      assert.ok(String(ev).includes("waiters:1"));
      assert.match(String(ev), RGX_REPR);
      ev.set();
      assert.ok(String(ev).includes("[set"));
      assert.match(String(ev), RGX_REPR);
      yield* waiter;
      assert.ok(String(ev).endsWith("[set]>"));
    }));

  // cpython: test_locks.EventTests.test_wait
  it("wakes every waiter on set(), a task started meanwhile first", () =>
    run(function* () {
      const ev = new asyncio.Event();
      assert.equal(ev.isSet(), false);
      const result: number[] = [];
      function* c(n: number): Coroutine<void> {
        if (yield* ev.wait()) result.push(n);
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      const t3 = asyncio.createTask(c(3));
      ev.set();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [3, 1, 2]);
      for (const t of [t1, t2, t3]) {
        assert.ok(t.done());
        assert.equal(t.result(), undefined);
      }
    }));

  // cpython: test_locks.EventTests.test_wait_on_set
  it("returns true at once when already set", () =>
    run(function* () {
      const ev = new asyncio.Event();
      ev.set();
      assert.equal(yield* ev.wait(), true);
    }));

  // cpython: test_locks.EventTests.test_wait_cancel
  it("removes a cancelled wait from the waiters", () =>
    run(function* () {
      const ev = new asyncio.Event();
      const wait = asyncio.createTask(ev.wait());
      asyncio.getRunningLoop().callSoon(() => wait.cancel());
      yield* raises(CancelledError, () => wait);
      assert.equal(waiters(ev), 0);
    }));

  // cpython: test_locks.EventTests.test_clear
  it("clears the flag", () =>
    run(function* () {
      const ev = new asyncio.Event();
      assert.equal(ev.isSet(), false);
      ev.set();
      assert.equal(ev.isSet(), true);
      ev.clear();
      assert.equal(ev.isSet(), false);
    }));

  // cpython: test_locks.EventTests.test_clear_with_waiters
  it("still wakes a waiter when set, cleared and set again before it runs", () =>
    run(function* () {
      const ev = new asyncio.Event();
      const result: number[] = [];
      function* c1(): Coroutine<boolean> {
        if (yield* ev.wait()) result.push(1);
        return true;
      }
      const t = asyncio.createTask(c1());
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      ev.set();
      ev.clear();
      assert.equal(ev.isSet(), false);
      ev.set();
      ev.set();
      assert.equal(waiters(ev), 1);
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      assert.equal(waiters(ev), 0);
      assert.ok(t.done());
      assert.equal(t.result(), true);
    }));
});

describe("test_locks.ConditionTests", () => {
  // cpython: test_locks.ConditionTests.test_wait
  it("wakes notified waiters one by one as the lock is released", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      const result: number[] = [];
      function* c(n: number): Coroutine<boolean> {
        yield* cond.acquire();
        if (yield* cond.wait()) result.push(n);
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      const t3 = asyncio.createTask(c(3));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      assert.equal(cond.locked(), false);

      assert.equal(yield* cond.acquire(), true);
      cond.notify();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      assert.ok(cond.locked());

      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(cond.locked());

      cond.notify(2);
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(cond.locked());

      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2]);
      assert.ok(cond.locked());

      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      assert.ok(cond.locked());
      for (const t of [t1, t2, t3]) {
        assert.ok(t.done());
        assert.equal(t.result(), true);
      }
    }));

  // cpython: test_locks.ConditionTests.test_wait_cancel
  it("holds the lock again after a cancelled wait", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      yield* cond.acquire();
      const wait = asyncio.createTask(cond.wait());
      asyncio.getRunningLoop().callSoon(() => wait.cancel());
      yield* raises(CancelledError, () => wait);
      assert.equal(waiters(cond), 0);
      assert.ok(cond.locked());
    }));

  // cpython: test_locks.ConditionTests.test_wait_cancel_contested
  it("re-acquires the contested lock when cancelled after being notified", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      yield* cond.acquire();
      assert.ok(cond.locked());
      const waitTask = asyncio.createTask(cond.wait());
      yield* asyncio.sleep(0);
      assert.equal(cond.locked(), false);

      yield* cond.acquire();
      assert.ok(cond.locked());
      cond.notify();
      const loop = asyncio.getRunningLoop();
      loop.callSoon(() => waitTask.cancel());
      loop.callSoon(() => cond.release());
      try {
        yield* waitTask;
      } catch (error) {
        // Should not happen, since there is no cancellation point; CPython tolerates it too.
        if (!(error instanceof CancelledError)) throw error;
      }
      assert.ok(cond.locked());
    }));

  // cpython: test_locks.ConditionTests.test_wait_cancel_after_notify
  it("ends cancelled when cancelled while re-acquiring after a notify (bpo-32841)", () =>
    run(function* () {
      let waited = false;
      const cond = new asyncio.Condition();
      const waiter = asyncio.createTask(
        asyncio.using(cond, function* () {
          waited = true;
          yield* cond.wait();
        }),
      );
      yield* asyncio.sleep(0);
      yield* cond.acquire();
      cond.notify();
      yield* asyncio.sleep(0);
      waiter.cancel();
      yield* asyncio.sleep(0);
      cond.release();
      yield* asyncio.sleep(0);
      assert.ok(waiter.cancelled());
      assert.ok(waited);
    }));

  // cpython: test_locks.ConditionTests.test_wait_unacquired
  it("raises RuntimeError when waiting without the lock", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      yield* raises(RuntimeError, () => cond.wait());
    }));

  // cpython: test_locks.ConditionTests.test_wait_for
  it("waits until the predicate holds, across notifications", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      let presult = false;
      const result: number[] = [];
      function* c1(): Coroutine<boolean> {
        yield* cond.acquire();
        if (yield* cond.waitFor(() => presult)) {
          result.push(1);
          cond.release();
        }
        return true;
      }
      const t = asyncio.createTask(c1());
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);

      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);

      presult = true;
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(t.done());
      assert.equal(t.result(), true);
    }));

  // cpython: test_locks.ConditionTests.test_wait_for_unacquired
  it("returns a true predicate's value without the lock, and needs the lock to wait", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      const res = yield* cond.waitFor(() => [1, 2, 3]);
      assert.deepEqual(res, [1, 2, 3]);
      yield* raises(RuntimeError, () => cond.waitFor(() => false));
    }));

  // cpython: test_locks.ConditionTests.test_notify
  it("wakes n waiters per notify(n), all of them for a large n", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      const result: number[] = [];
      function* c(n: number): Coroutine<boolean> {
        yield* cond.acquire();
        if (yield* cond.wait()) {
          result.push(n);
          cond.release();
        }
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      const t3 = asyncio.createTask(c(3));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);

      yield* cond.acquire();
      cond.notify(1);
      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);

      yield* cond.acquire();
      cond.notify(1);
      cond.notify(2048);
      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      for (const t of [t1, t2, t3]) {
        assert.ok(t.done());
        assert.equal(t.result(), true);
      }
    }));

  // cpython: test_locks.ConditionTests.test_notify_all
  it("wakes every waiter on notifyAll()", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      const result: number[] = [];
      function* c(n: number): Coroutine<boolean> {
        yield* cond.acquire();
        if (yield* cond.wait()) {
          result.push(n);
          cond.release();
        }
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, []);
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1, 2]);
      for (const t of [t1, t2]) {
        assert.ok(t.done());
        assert.equal(t.result(), true);
      }
    }));

  // cpython: test_locks.ConditionTests.test_notify_unacquired
  it("raises RuntimeError on notify() without the lock", () => {
    const cond = new asyncio.Condition();
    assert.throws(() => cond.notify(), RuntimeError);
  });

  // cpython: test_locks.ConditionTests.test_notify_all_unacquired
  it("raises RuntimeError on notifyAll() without the lock", () => {
    const cond = new asyncio.Condition();
    assert.throws(() => cond.notifyAll(), RuntimeError);
  });

  // cpython: test_locks.ConditionTests.test_repr
  it("shows the lock state and the waiter count in its repr", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      assert.ok(String(cond).includes("unlocked"));
      assert.match(String(cond), RGX_REPR);
      yield* cond.acquire();
      assert.ok(String(cond).includes("locked"));
      const tasks: Task<unknown>[] = [];
      for (const n of [1, 2]) {
        tasks.push(asyncio.createTask(asyncio.using(cond, () => cond.wait())));
        cond.release();
        yield* asyncio.sleep(0);
        yield* cond.acquire();
        assert.ok(String(cond).includes(`waiters:${n}`));
        assert.match(String(cond), RGX_REPR);
      }
      cond.notifyAll();
      cond.release();
      yield* asyncio.gather(...tasks);
    }));

  // cpython: test_locks.ConditionTests.test_context_manager
  it("holds its lock inside using() and releases it after", () =>
    run(function* () {
      const cond = new asyncio.Condition();
      assert.equal(cond.locked(), false);
      yield* asyncio.using(cond, function* () {
        assert.ok(cond.locked());
      });
      assert.equal(cond.locked(), false);
    }));

  // cpython: test_locks.ConditionTests.test_explicit_lock
  it("uses the lock it is given, locked through either object", () =>
    run(function* () {
      function* f(lock?: asyncio.Lock, cond?: asyncio.Condition): Coroutine<void> {
        const theLock = lock ?? new asyncio.Lock();
        const theCond = cond ?? new asyncio.Condition(theLock);
        assert.equal(theLock.locked(), false);
        assert.equal(theCond.locked(), false);
        yield* asyncio.using(theCond, function* () {
          assert.ok(theLock.locked());
          assert.ok(theCond.locked());
        });
        assert.equal(theLock.locked(), false);
        assert.equal(theCond.locked(), false);
        yield* asyncio.using(theLock, function* () {
          assert.ok(theLock.locked());
          assert.ok(theCond.locked());
        });
        assert.equal(theLock.locked(), false);
        assert.equal(theCond.locked(), false);
      }
      yield* f();
      yield* f(new asyncio.Lock());
      const lock = new asyncio.Lock();
      yield* f(lock, new asyncio.Condition(lock));
    }));

  // cpython: test_locks.ConditionTests.test_ambiguous_loops
  it("refuses to wait on a loop other than the one it is bound to", async () => {
    // Bind a lock and a condition to another loop by making each wait there first.
    const lock = new asyncio.Lock();
    const otherLock = new asyncio.Lock();
    const cond = new asyncio.Condition(otherLock);
    await run(function* () {
      yield* lock.acquire();
      const contender = asyncio.createTask(lock.acquire());
      yield* asyncio.sleep(0);
      contender.cancel();
      yield* raises(CancelledError, () => contender);
      lock.release();
      yield* cond.acquire();
      const waiter = asyncio.createTask(cond.wait());
      yield* asyncio.sleep(0);
      waiter.cancel();
      yield* raises(CancelledError, () => waiter);
      cond.release();
    });
    assert.equal(otherLock.locked(), false);

    await run(function* wrongLoopInLock() {
      yield* asyncio.using(lock, function* () {
        // Acquired at once through the fast path, without touching any loop; the condition's
        // acquire() must wait on the lock and discovers the mismatch.
        const cond2 = new asyncio.Condition(lock);
        const error = yield* raises(RuntimeError, () => cond2.acquire());
        assert.match(error.message, /is bound to a different event loop/);
      });
    });

    await run(function* wrongLoopInCond() {
      yield* asyncio.using(otherLock, function* () {
        const error = yield* raises(RuntimeError, () => cond.wait());
        assert.match(error.message, /is bound to a different event loop/);
      });
    });
  });

  // cpython: test_locks.ConditionTests.test_timeout_in_block
  it("raises TimeoutError from waitFor() around a wait that nobody notifies", () =>
    run(function* () {
      const condition = new asyncio.Condition();
      yield* asyncio.using(condition, function* () {
        yield* raises(asyncio.TimeoutError, () => asyncio.waitFor(condition.wait(), 0.5));
      });
    }));

  // cpython: test_locks.ConditionTests.test_cancelled_error_wakeup
  it("re-raises the very CancelledError received while waiting for the wakeup", () =>
    run(function* () {
      const wake = false;
      let raised: CancelledError | undefined;
      const cond = new asyncio.Condition();
      const task = asyncio.createTask(
        asyncio.using(cond, function* () {
          raised = yield* raises(CancelledError, () => cond.waitFor(() => wake));
          throw raised;
        }),
      );
      yield* asyncio.sleep(0);
      task.cancel("foo");
      const error = yield* raises(CancelledError, () => task);
      assert.equal(error.message, "foo");
      assert.equal(error, raised);
    }));

  // cpython: test_locks.ConditionTests.test_cancelled_error_re_aquire
  it("re-raises the very CancelledError received while re-acquiring the lock", () =>
    run(function* () {
      let wake = false;
      let raised: CancelledError | undefined;
      const cond = new asyncio.Condition();
      const task = asyncio.createTask(
        asyncio.using(cond, function* () {
          raised = yield* raises(CancelledError, () => cond.waitFor(() => wake));
          throw raised;
        }),
      );
      yield* asyncio.sleep(0);
      yield* cond.acquire();
      wake = true;
      cond.notify();
      yield* asyncio.sleep(0);
      // The task now waits to re-acquire the lock: cancel it there.
      task.cancel("foo");
      cond.release();
      const error = yield* raises(CancelledError, () => task);
      assert.equal(error.message, "foo");
      assert.equal(error, raised);
    }));

  /** Two consumers of `state` under one condition, as both cancelled-wakeup tests set them up. */
  function consumers(condition: asyncio.Condition, state: { value: number }): Task<void>[] {
    function* consumer(): Coroutine<void> {
      yield* asyncio.using(condition, function* () {
        for (;;) {
          yield* condition.waitFor(() => state.value !== 0);
          if (state.value < 0) return;
          state.value--;
        }
      });
    }
    return [asyncio.createTask(consumer()), asyncio.createTask(consumer())];
  }

  /** Wait up to 0.01 s for the item to be consumed; a lost wakeup shows as a state left at 1. */
  function* waitConsumed(condition: asyncio.Condition, state: { value: number }): Coroutine<void> {
    try {
      yield* asyncio.using(asyncio.timeout(0.01), function* () {
        yield* condition.waitFor(() => state.value === 0);
      });
    } catch (error) {
      if (!(error instanceof asyncio.TimeoutError)) throw error;
    }
  }

  // cpython: test_locks.ConditionTests.test_cancelled_wakeup
  it("passes a notification on when the notified task is cancelled before it runs", () =>
    run(function* () {
      const condition = new asyncio.Condition();
      const state = { value: 0 };
      const c = consumers(condition, state);
      yield* asyncio.sleep(0);
      yield* asyncio.using(condition, function* () {
        state.value++;
        condition.notify(1);
        // Cancel it while it waits to run; the cancellation could come from anywhere.
        c[0]?.cancel();
        yield* waitConsumed(condition, state);
        assert.equal(state.value, 0);
        state.value = -1;
        condition.notifyAll();
      });
      yield* c[1] as Task<void>;
    }));

  // cpython: test_locks.ConditionTests.test_cancelled_wakeup_relock
  it("passes a notification on when the notified task is cancelled while re-acquiring", () =>
    run(function* () {
      const condition = new asyncio.Condition();
      const state = { value: 0 };
      const c = consumers(condition, state);
      yield* asyncio.sleep(0);
      yield* asyncio.using(condition, function* () {
        state.value++;
        condition.notify(1);
        // Let the notified task wake up and queue for the lock, then cancel it there.
        yield* asyncio.sleep(0);
        c[0]?.cancel();
        yield* waitConsumed(condition, state);
        assert.equal(state.value, 0);
        state.value = -1;
        condition.notifyAll();
      });
      yield* c[1] as Task<void>;
    }));
});

describe("test_locks.SemaphoreTests", () => {
  // cpython: test_locks.SemaphoreTests.test_initial_value_zero
  it("is locked when it starts at zero", () => {
    const sem = new asyncio.Semaphore(0);
    assert.ok(sem.locked());
  });

  // cpython: test_locks.SemaphoreTests.test_repr
  it("shows its state, value and waiter count in its repr", () =>
    run(function* () {
      const sem = new asyncio.Semaphore();
      assert.ok(String(sem).endsWith("[unlocked, value:1]>"));
      assert.match(String(sem), RGX_REPR);
      yield* sem.acquire();
      assert.ok(String(sem).endsWith("[locked, value:0]>"));
      assert.ok(!String(sem).includes("waiters"));
      assert.match(String(sem), RGX_REPR);
      const t1 = asyncio.createTask(sem.acquire());
      yield* asyncio.sleep(0);
      assert.ok(String(sem).includes("waiters:1"));
      assert.match(String(sem), RGX_REPR);
      const t2 = asyncio.createTask(sem.acquire());
      yield* asyncio.sleep(0);
      assert.ok(String(sem).includes("waiters:2"));
      assert.match(String(sem), RGX_REPR);
      t1.cancel();
      t2.cancel();
    }));

  // cpython: test_locks.SemaphoreTests.test_semaphore
  it("starts at 1 and cannot be awaited itself", () =>
    run(function* () {
      const sem = new asyncio.Semaphore();
      assert.equal(value(sem), 1);
      yield* raises(TypeError, () => awaitDirectly(sem));
      assert.equal(sem.locked(), false);
      assert.equal(value(sem), 1);
    }));

  // cpython: test_locks.SemaphoreTests.test_semaphore_value
  it("rejects a negative initial value with ValueError", () => {
    assert.throws(() => new asyncio.Semaphore(-1), ValueError);
  });

  // cpython: test_locks.SemaphoreTests.test_acquire
  it("wakes as many waiters as slots are released", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(3);
      const result: number[] = [];
      assert.equal(yield* sem.acquire(), true);
      assert.equal(yield* sem.acquire(), true);
      assert.equal(sem.locked(), false);
      function* c(n: number): Coroutine<boolean> {
        yield* sem.acquire();
        result.push(n);
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      const t3 = asyncio.createTask(c(3));
      yield* asyncio.sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(sem.locked());
      assert.equal(waiters(sem), 2);
      assert.equal(value(sem), 0);

      const t4 = asyncio.createTask(c(4));
      sem.release();
      sem.release();
      assert.equal(value(sem), 0);
      yield* asyncio.sleep(0);
      assert.equal(value(sem), 0);
      assert.equal(result.length, 3);
      assert.ok(sem.locked());
      assert.equal(waiters(sem), 1);
      assert.equal(value(sem), 0);

      assert.ok(t1.done());
      assert.equal(t1.result(), true);
      const raceTasks = [t2, t3, t4];
      assert.equal(raceTasks.filter((t) => t.done() && t.result()).length, 2);
      sem.release();
      yield* asyncio.gather(...raceTasks);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_cancel
  it("leaves no live waiter behind after a cancelled acquire", () =>
    run(function* () {
      const sem = new asyncio.Semaphore();
      yield* sem.acquire();
      const acquire = asyncio.createTask(sem.acquire());
      asyncio.getRunningLoop().callSoon(() => acquire.cancel());
      yield* raises(CancelledError, () => acquire);
      assert.equal(waiters(sem), 0);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_cancel_before_awoken
  it("gives a slot to the first live waiter when the ones before it were cancelled", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const t1 = asyncio.createTask(sem.acquire());
      const t2 = asyncio.createTask(sem.acquire());
      const t3 = asyncio.createTask(sem.acquire());
      const t4 = asyncio.createTask(sem.acquire());
      yield* asyncio.sleep(0);
      t1.cancel();
      t2.cancel();
      sem.release();
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      assert.equal([t3, t4].filter((t) => t.done()).length, 1);
      assert.ok(t3.done());
      assert.equal(t4.done(), false);
      t3.cancel();
      t4.cancel();
      yield* asyncio.sleep(0);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_hang
  it("does not hang the next waiter when the first is cancelled as a slot frees", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const t1 = asyncio.createTask(sem.acquire());
      const t2 = asyncio.createTask(sem.acquire());
      yield* asyncio.sleep(0);
      t1.cancel();
      sem.release();
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      assert.ok(sem.locked());
      assert.ok(t2.done());
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_no_hang
  it("stays acquirable after a waiter is cancelled while woken", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(1);
      let t2: Task<void> | null = null;
      function* c1(): Coroutine<void> {
        yield* asyncio.using(sem, function* () {
          yield* asyncio.sleep(0);
        });
        t2?.cancel();
      }
      function* c2(): Coroutine<void> {
        yield* asyncio.using(sem, function* () {
          assert.fail("c2 must not get the semaphore");
        });
      }
      const t1 = asyncio.createTask(c1());
      t2 = asyncio.createTask(c2());
      const [r1, r2] = yield* asyncio.gather(t1, t2, { returnExceptions: true });
      assert.equal(r1, undefined);
      assert.ok(r2 instanceof CancelledError);
      yield* asyncio.waitFor(sem.acquire(), 1.0);
    }));

  // cpython: test_locks.SemaphoreTests.test_release_not_acquired
  it("raises ValueError when a BoundedSemaphore is released more than acquired", () => {
    const sem = new asyncio.BoundedSemaphore();
    assert.throws(() => sem.release(), ValueError);
    assert.throws(() => sem.release(), RangeError);
  });

  // cpython: test_locks.SemaphoreTests.test_release_no_waiters
  it("unlocks on release when nobody waits", () =>
    run(function* () {
      const sem = new asyncio.Semaphore();
      yield* sem.acquire();
      assert.ok(sem.locked());
      sem.release();
      assert.equal(sem.locked(), false);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_fifo_order
  it("grants the slot in FIFO order across repeated acquisitions", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(1);
      const result: string[] = [];
      function* coro(tag: string): Coroutine<void> {
        yield* sem.acquire();
        result.push(`${tag}_1`);
        yield* asyncio.sleep(0.01);
        sem.release();
        yield* sem.acquire();
        result.push(`${tag}_2`);
        yield* asyncio.sleep(0.01);
        sem.release();
      }
      yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        tg.createTask(coro("c1"));
        tg.createTask(coro("c2"));
        tg.createTask(coro("c3"));
      });
      assert.deepEqual(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_fifo_order_2
  it("queues a re-acquiring task behind the tasks already waiting", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(1);
      const result: number[] = [];
      function* c1(): Coroutine<boolean> {
        yield* sem.acquire();
        result.push(1);
        return true;
      }
      function* c2(): Coroutine<boolean> {
        yield* sem.acquire();
        result.push(2);
        sem.release();
        yield* sem.acquire();
        result.push(4);
        return true;
      }
      function* c3(): Coroutine<boolean> {
        yield* sem.acquire();
        result.push(3);
        return true;
      }
      const tasks = [asyncio.createTask(c1()), asyncio.createTask(c2()), asyncio.createTask(c3())];
      yield* asyncio.sleep(0);
      sem.release();
      sem.release();
      yield* asyncio.gather(...tasks);
      assert.deepEqual(result, [1, 2, 3, 4]);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_fifo_order_3
  it("keeps FIFO order among the waiters left after one is cancelled", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const result: number[] = [];
      function* c(n: number): Coroutine<boolean> {
        yield* sem.acquire();
        result.push(n);
        return true;
      }
      const t1 = asyncio.createTask(c(1));
      const t2 = asyncio.createTask(c(2));
      const t3 = asyncio.createTask(c(3));
      yield* asyncio.sleep(0);
      t1.cancel();
      yield* asyncio.sleep(0);
      sem.release();
      sem.release();
      yield* asyncio.gather(t1, t2, t3, { returnExceptions: true });
      assert.deepEqual(result, [2, 3]);
    }));

  // cpython: test_locks.SemaphoreTests.test_acquire_fifo_order_4
  it("wakes every waiter a successful acquire leaves room for", () =>
    run(function* () {
      const sem = new asyncio.Semaphore(0);
      const result: number[] = [];
      let t4 = null as Task<boolean> | null;
      function* c1(): Coroutine<boolean> {
        // Waits at once; c2's releases wake it.
        assert.equal(value(sem), 0);
        yield* sem.acquire();
        // Every waiting task has been woken by now.
        assert.equal(value(sem), 0);
        // A fourth task, which must run after c3, not c2.
        t4 = asyncio.createTask(c4());
        result.push(1);
        return true;
      }
      function* c2(): Coroutine<boolean> {
        // Release three times, for c1, c2 and c3.
        sem.release();
        sem.release();
        sem.release();
        assert.equal(value(sem), 2);
        // Locked, because c1 has not woken up yet.
        assert.ok(sem.locked());
        yield* sem.acquire();
        result.push(2);
        return true;
      }
      function* c3(): Coroutine<boolean> {
        yield* sem.acquire();
        assert.ok(sem.locked());
        result.push(3);
        return true;
      }
      function* c4(): Coroutine<boolean> {
        result.push(4);
        return true;
      }
      const t1 = asyncio.createTask(c1());
      const t2 = asyncio.createTask(c2());
      const t3 = asyncio.createTask(c3());
      yield* asyncio.sleep(0);
      // Three tasks are queued; the first has not woken up yet.
      assert.equal(value(sem), 2);
      assert.equal(waiters(sem), 3);
      yield* asyncio.sleep(0);
      assert.ok(t4 !== null);
      yield* asyncio.gather(t1, t2, t3, t4);
      assert.deepEqual(result, [1, 2, 3, 4]);
    }));
});

describe("test_locks.BarrierTests", () => {
  const N = 5;

  function makeTasks<T>(n: number, coro: () => Coroutine<T>): Task<T>[] {
    return Array.from({ length: n }, () => asyncio.createTask(coro()));
  }

  function* gatherTasks<T>(n: number, coro: () => Coroutine<T>): Coroutine<T[]> {
    return yield* asyncio.gatherAll(makeTasks(n, coro));
  }

  // cpython: test_locks.BarrierTests.test_barrier
  it("starts filling and cannot be awaited itself", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      assert.ok(String(barrier).includes("filling"));
      yield* raises(TypeError, () => awaitDirectly(barrier));
      assert.ok(String(barrier).includes("filling"));
    }));

  // cpython: test_locks.BarrierTests.test_repr
  it("shows filling, draining, resetting and broken in its repr", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      assert.match(String(barrier), RGX_REPR);
      assert.ok(String(barrier).includes("filling"));
      const waiting: Task<number>[] = [];
      const incr = 2;
      for (let i = 0; i < incr; i++) waiting.push(asyncio.createTask(barrier.wait()));
      yield* asyncio.sleep(0);
      assert.match(String(barrier), RGX_REPR);
      assert.ok(String(barrier).includes(`waiters:${incr}/${N}`));
      assert.ok(String(barrier).includes("filling"));

      const missing = barrier.parties - barrier.nWaiting;
      for (let i = 0; i < missing; i++) waiting.push(asyncio.createTask(barrier.wait()));
      yield* asyncio.sleep(0);
      assert.match(String(barrier), RGX_REPR);
      assert.ok(String(barrier).includes("draining"));

      for (let i = 0; i < incr; i++) waiting.push(asyncio.createTask(barrier.wait()));
      yield* asyncio.sleep(0);
      yield* barrier.reset();
      assert.match(String(barrier), RGX_REPR);
      assert.ok(String(barrier).includes("resetting"));

      for (let i = 0; i < incr; i++) waiting.push(asyncio.createTask(barrier.wait()));
      yield* asyncio.sleep(0);
      yield* barrier.abort();
      assert.match(String(barrier), RGX_REPR);
      assert.ok(String(barrier).includes("broken"));
      assert.ok(barrier.broken);
      yield* asyncio.gatherAll(waiting, { returnExceptions: true });
    }));

  // cpython: test_locks.BarrierTests.test_barrier_parties
  it("rejects fewer than one party with ValueError", () => {
    assert.throws(() => new asyncio.Barrier(0), ValueError);
    assert.throws(() => new asyncio.Barrier(-4), ValueError);
    assert.ok(new asyncio.Barrier(N) instanceof asyncio.Barrier);
  });

  // cpython: test_locks.BarrierTests.test_context_manager
  it("gives each task in using() a distinct index", () =>
    run(function* () {
      const n = 3;
      const barrier = new asyncio.Barrier(n);
      const results: number[] = [];
      yield* gatherTasks(n, function* () {
        yield* asyncio.using(barrier, function* (i) {
          results.push(i);
        });
      });
      assert.deepEqual(
        results.sort((a, b) => a - b),
        [0, 1, 2],
      );
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_filling_one_task
  it("lets a single party through at once", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(1);
      const ret = yield* asyncio.using(barrier, function* () {
        return true;
      });
      assert.equal(ret, true);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_filling_one_task_twice
  it("lets a single party through twice with the same index", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(1);
      const t1 = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 0);
      const t2 = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      assert.equal(t1.result(), t2.result());
      assert.equal(t1.done(), t2.done());
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_filling_task_by_task
  it("counts waiters as they arrive and releases them when full", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(3);
      const t1 = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 1);
      assert.ok(String(barrier).includes("filling"));
      const t2 = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 2);
      assert.ok(String(barrier).includes("filling"));
      const t3 = asyncio.createTask(barrier.wait());
      yield* asyncio.sleep(0);
      yield* asyncio.wait([t1, t2, t3]);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_filling_tasks_wait_twice
  it("can be passed twice in a row by the same tasks", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results: boolean[] = [];
      yield* gatherTasks(N, function* () {
        yield* asyncio.using(barrier, function* () {
          results.push(true);
          yield* asyncio.using(barrier, function* () {
            results.push(false);
          });
        });
      });
      assert.equal(results.length, N * 2);
      assert.equal(results.filter((r) => r).length, N);
      assert.equal(results.filter((r) => !r).length, N);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_filling_tasks_check_return_value
  it("returns every index once on the second pass", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const res = yield* gatherTasks(N, function* () {
        return yield* asyncio.using(barrier, function* () {
          results1.push(true);
          return yield* asyncio.using(barrier, function* (i) {
            results2.push(true);
            return i;
          });
        });
      });
      assert.equal(results1.length, N);
      assert.equal(results2.length, N);
      assert.deepEqual(
        res.sort((a, b) => a - b),
        [0, 1, 2, 3, 4],
      );
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_draining_state
  it("drains while tasks leave and fills again once the last has left", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results: boolean[] = [];
      yield* gatherTasks(N, function* () {
        yield* asyncio.using(barrier, function* () {
          results.push(String(barrier).includes("draining"));
        });
      });
      assert.equal(results.length, N);
      assert.equal(results[N - 1], false);
      assert.ok(results.slice(0, N - 1).every((r) => r));
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_blocking_tasks_while_draining
  it("blocks tasks that come back while the barrier drains", () =>
    run(function* () {
      const rewait = 2;
      const barrier = new asyncio.Barrier(N);
      const barrierNowaiting = new asyncio.Barrier(N - rewait);
      let rewaitN = rewait;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        if (rewaitN > 0) {
          rewaitN--;
          yield* barrier.wait();
        } else {
          yield* barrierNowaiting.wait();
          yield* barrier.wait();
        }
      });
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrierNowaiting.nWaiting, 0);
    }));

  // cpython: test_locks.BarrierTests.test_filling_tasks_cancel_one
  it("forgets a cancelled waiter and still releases a full set", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(3);
      const results: boolean[] = [];
      function* coro(): Coroutine<void> {
        yield* barrier.wait();
        results.push(true);
      }
      const t1 = asyncio.createTask(coro());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 1);
      const t2 = asyncio.createTask(coro());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 2);
      t1.cancel();
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 1);
      yield* raises(CancelledError, () => t1);
      assert.ok(t1.cancelled());
      const t3 = asyncio.createTask(coro());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 2);
      const t4 = asyncio.createTask(coro());
      yield* asyncio.gather(t2, t3, t4);
      assert.equal(results.length, 3);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier
  it("resets an empty barrier to filling", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(1);
      asyncio.createTask(barrier.reset());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier_while_tasks_waiting
  it("raises BrokenBarrierError in every waiter on reset", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results: boolean[] = [];
      const tasks = makeTasks(N - 1, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results.push(true);
        }
      });
      yield* asyncio.sleep(0);
      asyncio.createTask(barrier.reset());
      yield* asyncio.gatherAll(tasks);
      assert.equal(results.length, N - 1);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes("resetting"));
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier_when_tasks_half_draining
  it("breaks only the tasks still inside when reset while draining", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const restOfTasks = Math.floor(N / 2);
      let left = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          left++;
          results1.push(true);
          return;
        }
        left++;
        // N - left is `barrier._count`, the tasks still inside wait().
        if (restOfTasks === N - left) yield* barrier.reset();
      });
      assert.deepEqual(results1, Array(restOfTasks).fill(true));
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes("resetting"));
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier_when_tasks_half_draining_half_blocking
  it("lets tasks blocked during a drain wait again after a reset", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
          yield* barrier.wait();
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.reset();
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            results2.push(true);
          }
        }
      });
      assert.deepEqual(results1, Array(blockingTasks).fill(true));
      assert.deepEqual(results2, []);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes("resetting"));
      assert.equal(barrier.broken, false);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier_while_tasks_waiting_and_waiting_again
  it("lets tasks broken by a reset pass the barrier on their next wait", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const tasks = makeTasks(N - 1, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
        } finally {
          yield* barrier.wait();
          results2.push(true);
        }
      });
      asyncio.createTask(barrier.reset());
      yield* asyncio.sleep(0);
      asyncio.createTask(
        asyncio.using(barrier, function* () {
          results2.push(true);
        }),
      );
      yield* asyncio.gatherAll(tasks);
      assert.equal(barrier.broken, false);
      assert.equal(results1.length, N - 1);
      assert.equal(results2.length, N);
      assert.equal(barrier.nWaiting, 0);
    }));

  // cpython: test_locks.BarrierTests.test_reset_barrier_while_tasks_draining
  it("completes a second round when the last task out resets the barrier", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      let count = 0;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        count++;
        if (count === N) {
          yield* barrier.reset();
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
            results1.push(true);
          } catch {
            results2.push(true);
          }
        }
        yield* barrier.wait();
        results3.push(true);
      });
      assert.equal(barrier.broken, false);
      assert.equal(results1.length, N - 1);
      assert.equal(results2.length, 0);
      assert.equal(results3.length, N);
      assert.equal(barrier.nWaiting, 0);
    }));

  // cpython: test_locks.BarrierTests.test_abort_barrier
  it("breaks an empty barrier on abort", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(1);
      asyncio.createTask(barrier.abort());
      yield* asyncio.sleep(0);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(barrier.broken);
    }));

  // cpython: test_locks.BarrierTests.test_abort_barrier_when_tasks_half_draining_half_blocking
  it("breaks both draining and blocked tasks on abort", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.abort();
        } else {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            results2.push(true);
          }
        }
      });
      assert.ok(barrier.broken);
      assert.deepEqual(results1, Array(blockingTasks).fill(true));
      assert.deepEqual(results2, Array(N - blockingTasks - 1).fill(true));
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes("resetting"));
    }));

  // cpython: test_locks.BarrierTests.test_abort_barrier_when_exception
  it("breaks the barrier for everyone when one party fails and aborts", () =>
    run(function* () {
      const barrier = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      yield* gatherTasks(N, function* () {
        try {
          yield* asyncio.using(barrier, function* (i) {
            if (i === Math.floor(N / 2)) throw new RuntimeError();
          });
          yield* asyncio.using(barrier, function* () {
            results1.push(true);
          });
        } catch (error) {
          // BrokenBarrierError is a RuntimeError: test it first, as CPython's except clauses do.
          if (error instanceof BrokenBarrierError) results2.push(true);
          else if (error instanceof RuntimeError) yield* barrier.abort();
          else throw error;
        }
      });
      assert.ok(barrier.broken);
      assert.equal(results1.length, 0);
      assert.equal(results2.length, N - 1);
      assert.equal(barrier.nWaiting, 0);
    }));

  // cpython: test_locks.BarrierTests.test_abort_barrier_when_exception_then_resetting
  it("is usable again after an abort followed by a reset", () =>
    run(function* () {
      const barrier1 = new asyncio.Barrier(N);
      const barrier2 = new asyncio.Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      yield* gatherTasks(N, function* () {
        try {
          const i = yield* barrier1.wait();
          if (i === Math.floor(N / 2)) throw new RuntimeError();
          yield* barrier1.wait();
          results1.push(true);
        } catch (error) {
          if (error instanceof BrokenBarrierError) results2.push(true);
          else if (error instanceof RuntimeError) yield* barrier1.abort();
          else throw error;
        }
        // Synchronize before the reset, so everyone has left barrier1, and after it, so nobody
        // enters barrier1 before it is reset.
        const i = yield* barrier2.wait();
        if (i === Math.floor(N / 2)) yield* barrier1.reset();
        yield* barrier2.wait();
        yield* barrier1.wait();
        results3.push(true);
      });
      assert.equal(barrier1.broken, false);
      assert.equal(results1.length, 0);
      assert.equal(results2.length, N - 1);
      assert.equal(results3.length, N);
      assert.equal(barrier1.nWaiting, 0);
    }));
});
