// Ports of CPython 3.13's Lib/test/test_asyncio/test_waitfor.py, on the virtual-time loop.
//
// SlowTask measures its 0.2 s with `time.monotonic()`; here it reads the loop's virtual clock,
// which is what lets it run in microseconds. `cm.exception.__context__` (implicit chaining) is
// the TimeoutError's explicit `cause` here. Every test of the file is ported.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, type Future, type Task, TimeoutError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** A very small timeout: it passes `timeout > 0` but costs next to nothing. */
const EPSILON = 0.0001;

/** A task that runs for TASK_TIMEOUT seconds, ignoring cancellation requests. */
class SlowTask {
  static TASK_TIMEOUT = 0.2;
  exited = false;

  *run(): Coroutine<void> {
    const loop = asyncio.getRunningLoop();
    const exitAt = loop.time() + SlowTask.TASK_TIMEOUT;
    for (;;) {
      const toSleep = exitAt - loop.time();
      if (toSleep <= 0) break;
      try {
        yield* asyncio.sleep(toSleep);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
    }
    this.exited = true;
  }
}

/** Run `body` to completion and return what it raised, failing unless it is an instance of `cls`. */
function* raises<E>(cls: abstract new (...args: never[]) => E, body: Coroutine<unknown>): Coroutine<E> {
  try {
    yield* body;
  } catch (error) {
    if (error instanceof cls) return error;
    throw error;
  }
  assert.fail(`${cls.name} was not raised`);
}

/** `await fut` as a coroutine, so that `raises` can run it. */
function* awaitFuture<T>(fut: Future<T>): Coroutine<T> {
  return yield* fut;
}

let loop: VirtualTimeLoop;

/** Run a test coroutine the way IsolatedAsyncioTestCase does: in a task, here on virtual time. */
function run<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, {
    loopFactory: () => {
      loop = new VirtualTimeLoop();
      return loop;
    },
  });
}

describe("waitFor() (test_waitfor.AsyncioWaitForTest)", () => {
  // cpython: test_waitfor.AsyncioWaitForTest.test_asyncio_wait_for_cancelled
  it("waits for the inner coroutine to really finish when the waiting task is cancelled", async () => {
    await run(
      (function* () {
        const t = new SlowTask();
        const waitForTask = asyncio.createTask(asyncio.waitFor(t.run(), SlowTask.TASK_TIMEOUT * 2));
        yield* asyncio.sleep(0);
        waitForTask.cancel();
        yield* asyncio.wait([waitForTask]);
        assert.equal(t.exited, true);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_asyncio_wait_for_timeout
  it("waits for the inner coroutine to really finish after the timeout", async () => {
    await run(
      (function* () {
        const t = new SlowTask();
        try {
          yield* asyncio.waitFor(t.run(), SlowTask.TASK_TIMEOUT / 2);
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
        }
        assert.equal(t.exited, true);
        assert.equal(loop.time(), SlowTask.TASK_TIMEOUT);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_future_done
  it("returns the result of a Future already done, even with a zero timeout", async () => {
    await run(
      (function* () {
        const fut = loop.createFuture<string>();
        fut.setResult("done");
        const ret = yield* asyncio.waitFor(fut, 0);
        assert.equal(ret, "done");
        assert.equal(fut.done(), true);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
  it("never starts a coroutine given a zero timeout", async () => {
    await run(
      (function* () {
        let fooStarted = false;
        function* foo(): Coroutine<void> {
          fooStarted = true;
        }
        yield* raises(TimeoutError, asyncio.waitFor(foo(), 0));
        assert.equal(fooStarted, false);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0
  it("cancels a running task at once with a zero or negative timeout and waits for it", async () => {
    await run(
      (function* () {
        for (const timeout of [0, -1]) {
          let fooRunning: boolean | undefined;
          const started = loop.createFuture<void>();
          function* foo() {
            fooRunning = true;
            started.setResult();
            try {
              yield* asyncio.sleep(10);
            } finally {
              fooRunning = false;
            }
            return "done";
          }
          const fut = asyncio.createTask(foo());
          yield* started;
          yield* raises(TimeoutError, asyncio.waitFor(fut, timeout));
          assert.equal(fut.done(), true, `timeout=${timeout}`);
          // It was cancelled because of the timeout.
          assert.equal(fut.cancelled(), true, `timeout=${timeout}`);
          assert.equal(fooRunning, false, `timeout=${timeout}`);
        }
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for
  it("cancels the task when the timeout expires, and its cleanup has run when TimeoutError arrives", async () => {
    await run(
      (function* () {
        let fooRunning: boolean | undefined;
        function* foo() {
          fooRunning = true;
          try {
            yield* asyncio.sleep(300);
          } finally {
            fooRunning = false;
          }
          return "done";
        }
        const fut = asyncio.createTask(foo());
        yield* raises(TimeoutError, asyncio.waitFor(fut, 0.1));
        assert.equal(fut.done(), true);
        // It was cancelled because of the timeout.
        assert.equal(fut.cancelled(), true);
        assert.equal(fooRunning, false);
        assert.equal(loop.time(), 0.1);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_blocking
  it("returns the coroutine's result with no timeout", async () => {
    await run(
      (function* () {
        function* coro(): Coroutine<string> {
          return "done";
        }
        const res = yield* asyncio.waitFor(coro(), null);
        assert.equal(res, "done");
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_race_condition
  it("returns the result of a Future set soon after the call", async () => {
    await run(
      (function* () {
        const fut = loop.createFuture<string>();
        const task = asyncio.waitFor(fut, 0.2);
        loop.callSoon(() => fut.setResult("ok"));
        const res = yield* task;
        assert.equal(res, "ok");
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_cancellation_race_condition
  it("returns the value of a coroutine that suppressed the timeout's cancellation", async () => {
    await run(
      (function* () {
        function* inner() {
          yield* raises(CancelledError, asyncio.sleep(1));
          return 1;
        }
        const result = yield* asyncio.waitFor(inner(), 0.01);
        assert.equal(result, 1);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation
  it("raises TimeoutError only after the cancelled task has finished its cleanup", async () => {
    await run(
      (function* () {
        let taskDone = false;
        function* inner() {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) yield* asyncio.sleep(EPSILON);
            throw e;
          } finally {
            taskDone = true;
          }
        }
        const innerTask = asyncio.createTask(inner());
        const e = yield* raises(TimeoutError, asyncio.waitFor(innerTask, EPSILON));
        assert.equal(taskDone, true);
        assert.equal((e.cause as object)?.constructor, CancelledError);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation_w_timeout_0
  it("waits for the cancelled task's cleanup with a zero timeout too", async () => {
    await run(
      (function* () {
        let taskDone = false;
        function* foo() {
          function* inner() {
            try {
              yield* asyncio.sleep(10);
            } catch (e) {
              if (e instanceof CancelledError) yield* asyncio.sleep(EPSILON);
              throw e;
            } finally {
              taskDone = true;
            }
          }
          const innerTask = asyncio.createTask(inner());
          yield* asyncio.sleep(EPSILON);
          yield* asyncio.waitFor(innerTask, 0);
        }
        const e = yield* raises(TimeoutError, foo());
        assert.equal(taskDone, true);
        assert.equal((e.cause as object)?.constructor, CancelledError);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_reraises_exception_during_cancellation
  it("raises the error a task throws while being cancelled by the timeout", async () => {
    await run(
      (function* () {
        class FooException extends Error {}
        function* foo() {
          function* inner() {
            try {
              yield* asyncio.sleep(0.2);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the test raises from finally on purpose.
              throw new FooException();
            }
          }
          const innerTask = asyncio.createTask(inner());
          yield* asyncio.waitFor(innerTask, EPSILON);
        }
        yield* raises(FooException, foo());
      })(),
    );
  });

  function* cancelWaitFor(timeout: number | null) {
    function* blockingCoroutine() {
      const fut = loop.createFuture<void>();
      // Block: fut's result is never set.
      yield* fut;
    }
    const task = asyncio.createTask(blockingCoroutine());
    const wait = asyncio.createTask(asyncio.waitFor(task, timeout));
    loop.callSoon(() => wait.cancel());
    yield* raises(CancelledError, awaitFuture(wait));
    // Python issue #23219: cancelling the wait must also cancel the task.
    assert.equal(task.cancelled(), true);
  }

  // cpython: test_waitfor.AsyncioWaitForTest.test_cancel_blocking_wait_for
  it("cancels the awaited task when the waiting task is cancelled, with no timeout", async () => {
    await run(cancelWaitFor(null));
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_cancel_wait_for
  it("cancels the awaited task when the waiting task is cancelled, with a timeout", async () => {
    await run(cancelWaitFor(60.0));
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_cancel_suppressed
  it("returns the value a task returns instead of its cancellation (gh-86296)", async () => {
    await run(
      (function* () {
        function* return42() {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) return 42;
            throw e;
          }
          return 0;
        }
        const res = yield* asyncio.waitFor(return42(), 0.1);
        assert.equal(res, 42);
      })(),
    );
  });

  // cpython: test_waitfor.AsyncioWaitForTest.test_wait_for_issue86296
  it("does not swallow the cancellation of a task whose awaited task finished the same iteration (gh-86296)", async () => {
    await run(
      (function* () {
        function* inner(): Coroutine<string> {
          return "done";
        }
        const innerTask = asyncio.createTask(inner());
        let reachedEnd = false;
        function* waitForCoro() {
          yield* asyncio.waitFor(innerTask, 100);
          yield* asyncio.sleep(1);
          reachedEnd = true;
        }
        const task = asyncio.createTask(waitForCoro());
        assert.equal(task.done(), false);
        // Run the task.
        yield* asyncio.sleep(0);
        task.cancel();
        yield* raises(CancelledError, awaitFuture(task));
        assert.equal(innerTask.done(), true);
        assert.equal(yield* innerTask, "done");
        assert.equal(reachedEnd, false);
      })(),
    );
  });
});

describe("waitFor() with shield() (test_waitfor.WaitForShieldTests)", () => {
  // cpython: test_waitfor.WaitForShieldTests.test_zero_timeout
  it("cancels only the shield with a zero timeout, leaving the task running", async () => {
    await run(
      (function* () {
        function* coro() {
          yield* asyncio.sleep(0.01);
          return "done";
        }
        const task = asyncio.createTask(coro());
        let shieldedTask!: Future<string>;
        yield* raises(
          TimeoutError,
          (function* () {
            shieldedTask = asyncio.shield(task);
            yield* asyncio.waitFor(shieldedTask, 0);
          })(),
        );
        // The task runs in the background.
        assert.equal(task.done(), false);
        assert.equal(task.cancelled(), false);
        assert.equal(shieldedTask.cancelled(), true);
        // Wait for the task to complete.
        yield* asyncio.sleep(0.1);
        assert.equal(task.done(), true);
      })(),
    );
  });

  // cpython: test_waitfor.WaitForShieldTests.test_none_timeout
  it("runs a shielded task to completion with no timeout", async () => {
    await run(
      (function* () {
        function* coro() {
          yield* asyncio.sleep(0.1);
          return "done";
        }
        const task = asyncio.createTask(coro());
        yield* asyncio.waitFor(asyncio.shield(task), null);
        assert.equal(task.done(), true);
        assert.equal(yield* task, "done");
      })(),
    );
  });

  // cpython: test_waitfor.WaitForShieldTests.test_shielded_timeout
  it("keeps a shielded task running past the timeout", async () => {
    await run(
      (function* () {
        function* coro() {
          yield* asyncio.sleep(0.1);
          return "done";
        }
        const task: Task<string> = asyncio.createTask(coro());
        yield* raises(TimeoutError, asyncio.waitFor(asyncio.shield(task), 0.01));
        assert.equal(task.done(), false);
        assert.equal(task.cancelled(), false);
        assert.equal(yield* task, "done");
      })(),
    );
  });
});
