// Ports of CPython 3.13's Lib/test/test_asyncio/test_timeouts.py, on the virtual-time loop.
//
// `async with asyncio.timeout(d) as cm:` is `yield* asyncio.using(asyncio.timeout(d), function* (cm) {...})`.
// `time.sleep(x)` (the loop blocked for a while) is `loop.advance(x)` on the virtual clock.
//
// Ported in part, and why: JavaScript has no implicit exception chaining (`__context__`), only an
// explicit `cause`. The TimeoutError's `cause` (Python's `raise TimeoutError from exc`) is checked;
// the `__context__` links, and the TimeoutError CPython splices into the context chain of a
// foreign exception that escapes an expired timeout, cannot exist here. The tests that check those
// links (test_timeout_exception_context, test_foreign_exception_on_timeout,
// test_foreign_exception_on_timeout_2, test_nested_timeout_in_finally, test_timeout_taskgroup)
// pin everything else: which error escapes, its `cause`, and the timeout's state.
//
// Adapted: the repr prints a disabled deadline as `when=null` (the API takes null, not None),
// and a deadline without a fraction as JavaScript prints numbers (`when=10`, not `when=10.0`).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import {
  CancelledError,
  type Coroutine,
  ExceptionGroup,
  RuntimeError,
  type Task,
  TaskGroup,
  TimeoutError,
} from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { awaitWithoutTask } from "../helpers/await-without-task.ts";

class ZeroDivisionError extends Error {
  override name = "ZeroDivisionError";
}

class KeyError extends Error {
  override name = "KeyError";
}

/** Python's `1 / 0`. */
function divideByZero(): never {
  throw new ZeroDivisionError("division by zero");
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

function current(): Task<unknown> {
  return asyncio.currentTask() as Task<unknown>;
}

describe("timeout() and timeoutAt() (test_timeouts.TimeoutTests)", () => {
  // cpython: test_timeouts.TimeoutTests.test_timeout_basic
  it("raises TimeoutError out of the block when the delay passes", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* (c) {
            cm = c;
            yield* asyncio.sleep(10);
          }),
        );
        assert.equal(cm.expired(), true);
        assert.equal(loop.time(), 0.01);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_at_basic
  it("raises TimeoutError at an absolute deadline and reports that deadline", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        const deadline = loop.time() + 0.01;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeoutAt(deadline), function* (c) {
            cm = c;
            yield* asyncio.sleep(10);
          }),
        );
        assert.equal(cm.expired(), true);
        assert.equal(cm.when(), deadline);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_nested_timeouts
  it("raises TimeoutError from the outermost of two timeouts expiring together; the inner sees CancelledError", async () => {
    await run(
      (function* () {
        let cancelled = false;
        let cm1!: asyncio.Timeout;
        let cm2!: asyncio.Timeout;
        const deadline = loop.time() + 0.01;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeoutAt(deadline), function* (c1) {
            cm1 = c1;
            // Only the outermost context manager raises TimeoutError.
            try {
              yield* asyncio.using(asyncio.timeoutAt(deadline), function* (c2) {
                cm2 = c2;
                yield* asyncio.sleep(10);
              });
            } catch (e) {
              if (e instanceof CancelledError) cancelled = true;
              throw e;
            }
          }),
        );
        assert.equal(cancelled, true);
        assert.equal(cm1.expired(), true);
        assert.equal(cm2.expired(), true);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_waiter_cancelled
  it("cancels what the block awaits when it expires", async () => {
    await run(
      (function* () {
        let cancelled = false;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* () {
            try {
              yield* asyncio.sleep(10);
            } catch (e) {
              if (e instanceof CancelledError) cancelled = true;
              throw e;
            }
          }),
        );
        assert.equal(cancelled, true);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_not_called
  it("does not expire when the block finishes in time", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(10), function* (c) {
          yield* asyncio.sleep(0.01);
          return c;
        });
        const t1 = loop.time();
        assert.equal(cm.expired(), false);
        assert.ok((cm.when() as number) > t1, "the deadline is still ahead");
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_disabled
  it("never expires with a null delay", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(null), function* (c) {
          yield* asyncio.sleep(0.01);
          return c;
        });
        assert.equal(cm.expired(), false);
        assert.equal(cm.when(), null);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_at_disabled
  it("never expires with a null deadline", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeoutAt(null), function* (c) {
          yield* asyncio.sleep(0.01);
          return c;
        });
        assert.equal(cm.expired(), false);
        assert.equal(cm.when(), null);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_zero
  it("expires at once with a zero delay", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        const t0 = loop.time();
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0), function* (c) {
            cm = c;
            yield* asyncio.sleep(10);
          }),
        );
        const t1 = loop.time();
        assert.equal(cm.expired(), true);
        const when = cm.when() as number;
        assert.ok(t0 <= when && when <= t1, `${t0} <= ${when} <= ${t1}`);
        assert.equal(t1, t0, "no time passed");
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_zero_sleep_zero
  it("expires with a zero delay even when the block only yields once", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        const t0 = loop.time();
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0), function* (c) {
            cm = c;
            yield* asyncio.sleep(0);
          }),
        );
        const t1 = loop.time();
        assert.equal(cm.expired(), true);
        const when = cm.when() as number;
        assert.ok(t0 <= when && when <= t1, `${t0} <= ${when} <= ${t1}`);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_in_the_past_sleep_zero
  it("expires on the next iteration with a deadline in the past", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        const t0 = loop.time();
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(-11), function* (c) {
            cm = c;
            yield* asyncio.sleep(0);
          }),
        );
        const t1 = loop.time();
        assert.equal(cm.expired(), true);
        const when = cm.when() as number;
        assert.ok(t0 >= when && when <= t1, `${t0} >= ${when} <= ${t1}`);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_foreign_exception_passed
  it("lets the block's own error through untouched when it has not expired", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        const error = new KeyError();
        const raised = yield* raises(
          KeyError,
          asyncio.using(asyncio.timeout(0.01), function* (c) {
            cm = c;
            throw error;
          }),
        );
        assert.equal(raised, error);
        assert.equal(cm.expired(), false);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_exception_context
  it("raises TimeoutError caused by the CancelledError that interrupted the block's cleanup", async () => {
    await run(
      (function* () {
        const e = yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* () {
            try {
              divideByZero();
            } finally {
              yield* asyncio.sleep(1);
            }
          }),
        );
        // Python also links the CancelledError's __context__ to the ZeroDivisionError; see the top.
        assert.ok(e.cause instanceof CancelledError, "the cause is the CancelledError");
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_foreign_exception_on_timeout
  it("lets an error raised while the block is cancelled by the timeout replace the TimeoutError", async () => {
    await run(
      (function* () {
        function* crash() {
          try {
            yield* asyncio.sleep(1);
          } finally {
            divideByZero();
          }
        }
        let cm!: asyncio.Timeout;
        yield* raises(
          ZeroDivisionError,
          asyncio.using(asyncio.timeout(0.01), function* (c) {
            cm = c;
            yield* crash();
          }),
        );
        assert.equal(cm.expired(), true);
        // The task's cancellation request was withdrawn by the timeout.
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_foreign_exception_on_timeout_2
  it("lets the last error of a chain raised during the timeout's cancellation escape", async () => {
    await run(
      (function* () {
        yield* raises(
          ZeroDivisionError,
          asyncio.using(asyncio.timeout(0.01), function* () {
            try {
              try {
                throw new asyncio.ValueError();
              } finally {
                yield* asyncio.sleep(1);
              }
            } finally {
              try {
                // biome-ignore lint/correctness/noUnsafeFinally: the test raises from finally on purpose.
                throw new KeyError();
              } finally {
                divideByZero();
              }
            }
          }),
        );
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired
  it("lets an outside cancellation through as CancelledError when the deadline has not passed", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        yield* raises(
          CancelledError,
          asyncio.using(asyncio.timeout(10), function* (c) {
            cm = c;
            current().cancel();
            yield* asyncio.sleep(10);
          }),
        );
        assert.equal(cm.expired(), false);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_outer_task_is_not_cancelled
  it("leaves the task that ran the expired block not cancelled", async () => {
    await run(
      (function* () {
        function* outer() {
          yield* raises(
            TimeoutError,
            asyncio.using(asyncio.timeout(0.001), function* () {
              yield* asyncio.sleep(10);
            }),
          );
        }
        const task = asyncio.createTask(outer());
        yield* task;
        assert.equal(task.cancelled(), false);
        assert.equal(task.done(), true);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_nested_timeouts_concurrent
  it("raises TimeoutError from each of two nested timeouts both past due after the loop was blocked", async () => {
    await run(
      (function* () {
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.002), function* () {
            yield* raises(
              TimeoutError,
              asyncio.using(asyncio.timeout(0.1), function* () {
                // Pretend we crunch some numbers: the loop is blocked, the clock runs on.
                loop.advance(0.01);
                yield* asyncio.sleep(1);
              }),
            );
          }),
        );
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_nested_timeouts_loop_busy
  it("lets the outer timeout interrupt work that follows an inner timeout expired while the loop was busy", async () => {
    await run(
      (function* () {
        const t0 = loop.time();
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.1), function* () {
            yield* raises(
              TimeoutError,
              asyncio.using(asyncio.timeout(0.01), function* () {
                // Pretend the loop is busy for a while.
                loop.advance(0.1);
                yield* asyncio.sleep(1);
              }),
            );
            // The inner timeout raised; this sleep must be interrupted by the outer one.
            yield* asyncio.sleep(10);
          }),
        );
        const t1 = loop.time();
        assert.ok(t0 <= t1 && t1 <= t0 + 1, `${t0} <= ${t1} <= ${t0 + 1}`);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_reschedule
  it("moves or removes the deadline from another task", async () => {
    await run(
      (function* () {
        const fut = loop.createFuture<asyncio.Timeout>();
        const deadline1 = loop.time() + 10;
        const deadline2 = deadline1 + 20;
        function* f() {
          yield* asyncio.using(asyncio.timeoutAt(deadline1), function* (cm) {
            fut.setResult(cm);
            yield* asyncio.sleep(50);
          });
        }
        const task = asyncio.createTask(f());
        const cm = yield* fut;
        assert.equal(cm.when(), deadline1);
        cm.reschedule(deadline2);
        assert.equal(cm.when(), deadline2);
        cm.reschedule(null);
        assert.equal(cm.when(), null);
        task.cancel();
        yield* raises(CancelledError, awaitTask(task));
        assert.equal(cm.expired(), false);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_repr_active
  it("shows an active timeout's deadline in its repr", async () => {
    await run(
      (function* () {
        yield* asyncio.using(asyncio.timeout(10), function* (cm) {
          assert.match(String(cm), /^<Timeout \[active\] when=\d+(\.\d+)?>$/);
        });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_repr_expired
  it("shows an expired timeout as expired in its repr", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* (c) {
            cm = c;
            yield* asyncio.sleep(10);
          }),
        );
        assert.equal(String(cm), "<Timeout [expired]>");
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_repr_finished
  it("shows a timeout whose block ended in time as finished in its repr", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(10), function* (c) {
          yield* asyncio.sleep(0);
          return c;
        });
        assert.equal(String(cm), "<Timeout [finished]>");
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_repr_disabled
  it("shows a disabled timeout's deadline as null in its repr", async () => {
    await run(
      (function* () {
        yield* asyncio.using(asyncio.timeout(null), function* (cm) {
          assert.equal(String(cm), "<Timeout [active] when=null>");
        });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_nested_timeout_in_finally
  it("lets a timeout inside the cleanup of an expired block raise its own TimeoutError", async () => {
    await run(
      (function* () {
        let e2: TimeoutError | undefined;
        const e1 = yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* () {
            try {
              yield* asyncio.sleep(1);
            } finally {
              e2 = yield* raises(
                TimeoutError,
                asyncio.using(asyncio.timeout(0.01), function* () {
                  yield* asyncio.sleep(10);
                }),
              );
            }
          }),
        );
        // Each TimeoutError is caused by its own CancelledError (Python also links their contexts).
        assert.ok(e1.cause instanceof CancelledError, "the outer TimeoutError is caused by a CancelledError");
        assert.ok(e2?.cause instanceof CancelledError, "the inner TimeoutError is caused by a CancelledError");
        assert.notEqual(e2?.cause, e1.cause);
        assert.equal(loop.time(), 0.02);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_after_cancellation
  it("still expires when entered in the cleanup of a cancelled task", async () => {
    await run(
      (function* () {
        try {
          current().cancel();
          yield* asyncio.sleep(1); // work which will be cancelled
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        } finally {
          yield* raises(
            TimeoutError,
            asyncio.using(asyncio.timeout(0.0), function* () {
              yield* asyncio.sleep(1); // some cleanup
            }),
          );
        }
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_cancel_in_timeout_after_cancellation
  it("lets a new cancellation through a timeout entered in the cleanup of a cancelled task", async () => {
    await run(
      (function* () {
        try {
          current().cancel();
          yield* asyncio.sleep(1); // work which will be cancelled
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        } finally {
          yield* raises(
            CancelledError,
            asyncio.using(asyncio.timeout(1.0), function* () {
              current().cancel();
              yield* asyncio.sleep(2); // some cleanup
            }),
          );
        }
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_already_entered
  it("cannot be entered while it is already entered", async () => {
    await run(
      (function* () {
        yield* asyncio.using(asyncio.timeout(0.01), function* (cm) {
          const error = yield* raises(
            RuntimeError,
            asyncio.using(cm, function* () {}),
          );
          assert.match(error.message, /has already been entered/);
        });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_double_enter
  it("cannot be entered a second time after it finished", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(0.01), function* (c) {
          return c;
        });
        const error = yield* raises(
          RuntimeError,
          asyncio.using(cm, function* () {}),
        );
        assert.match(error.message, /has already been entered/);
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_finished
  it("cannot be rescheduled once finished", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(0.01), function* (c) {
          return c;
        });
        assert.throws(() => cm.reschedule(0.02), { name: "RuntimeError", message: /finished/ });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_expired
  it("cannot be rescheduled once expired", async () => {
    await run(
      (function* () {
        let cm!: asyncio.Timeout;
        yield* raises(
          TimeoutError,
          asyncio.using(asyncio.timeout(0.01), function* (c) {
            cm = c;
            yield* asyncio.sleep(1);
          }),
        );
        assert.throws(() => cm.reschedule(0.02), { name: "RuntimeError", message: /expired/ });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_expiring
  it("cannot be rescheduled while it is expiring", async () => {
    await run(
      (function* () {
        yield* asyncio.using(asyncio.timeout(0.01), function* (cm) {
          yield* raises(CancelledError, asyncio.sleep(1));
          assert.throws(() => cm.reschedule(0.02), { name: "RuntimeError", message: /expiring/ });
        });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_not_entered
  it("cannot be rescheduled before it is entered", async () => {
    await run(
      (function* () {
        const cm = asyncio.timeout(0.01);
        assert.throws(() => cm.reschedule(0.02), { name: "RuntimeError", message: /has not been entered/ });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_without_task
  it("cannot be entered outside a task, and stays unentered", async () => {
    await run(
      (function* () {
        const cm = asyncio.timeout(0.01);
        const error = yield* raises(RuntimeError, awaitWithoutTask(cm.aenter()));
        assert.match(error.message, /task/);
        assert.throws(() => cm.reschedule(0.02), { name: "RuntimeError", message: /has not been entered/ });
      })(),
    );
  });

  // cpython: test_timeouts.TimeoutTests.test_timeout_taskgroup
  it("lets the ExceptionGroup of a TaskGroup cancelled by the timeout escape instead of TimeoutError", async () => {
    await run(
      (function* () {
        function* task() {
          try {
            yield* asyncio.sleep(2); // interrupted after 0.01 second
          } finally {
            divideByZero(); // crash in cleanup
          }
        }
        const eg = yield* raises(
          ExceptionGroup,
          asyncio.using(asyncio.timeout(0.01), function* () {
            yield* asyncio.using(new TaskGroup(), function* (tg) {
              tg.createTask(task());
              try {
                throw new asyncio.ValueError();
              } finally {
                yield* asyncio.sleep(1);
              }
            });
          }),
        );
        assert.equal(eg.exceptions.length, 1, String(eg));
        assert.ok(eg.exceptions[0] instanceof ZeroDivisionError, "the child's cleanup error is grouped");
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });
});

/** `await task` as a coroutine, so that `raises` can run it. */
function* awaitTask<T>(task: Task<T>): Coroutine<T> {
  return yield* task;
}
