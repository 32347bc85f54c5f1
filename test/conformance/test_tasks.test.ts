// Ports of CPython 3.13's Lib/test/test_asyncio/test_tasks.py: the Task core and gather.
//
// wait, as_completed, shield, wait_for, eager tasks and run_coroutine_threadsafe are ported
// beside their own modules. Where a CPython test awaits `asyncio.wait([task])` only to let a task
// finish without raising, `waitDone()` below does the same.
//
// Not ported, and why:
// - BaseTaskTests.test_generic_alias: `Task[str]` is a typing.GenericAlias; TypeScript generics
//   exist only at compile time (test-d/ covers Task<T>).
// - BaseTaskTests.test_task_cancel_message_setter, test_log_traceback: they assign private
//   attributes (`_cancel_message`, `_log_traceback`); asyncio-ts keeps that state internal.
// - BaseTaskTests.test_task_del_collect: a `__del__` that runs the GC during deallocation;
//   JavaScript has no finalizers that run synchronously.
// - BaseTaskTests.test_ensure_future_task_awaitable: an object whose `__await__` returns a
//   coroutine; the JavaScript custom awaitable is a thenable, covered by test_ensure_future_awaitable.
// - BaseTaskTests.test_get_stack: `Task.get_stack()`/`print_stack()` walk Python frames; a
//   JavaScript generator exposes none.
// - BaseTaskTests.test_exception_chaining_after_await,
//   test_exception_chaining_after_await_with_context_cycle: implicit exception chaining
//   (`__context__`) does not exist in JavaScript.
// - BaseTaskTests.test_cancel_traceback_for_future_result, test_cancel_traceback_for_future_exception:
//   a JavaScript stack is captured where the error is constructed, not extended as the error
//   travels through frames.
// - BaseTaskTests.test_baseexception_during_cancel: JavaScript has no BaseException (SystemExit)
//   that escapes the loop while the Task still records it.
// - BaseTaskTests.test_log_destroyed_pending_task, test_task_source_traceback: debug-mode reports,
//   ported with the other debug-mode tests in test_debug.test.ts.
// - BaseTaskTests.test_context_1, test_context_2, test_context_3, test_context_4, test_context_5,
//   test_context_6, test_get_context: contextvars are not implemented.
// - BaseTaskTests.test_wait*, test_as_completed*, test_shield*, test_yield_wait_does_not_shield_cancel,
//   test_gather_shield: ported with wait, as_completed and shield (test_tasks_wait.test.ts);
//   RunCoroutineThreadsafeTests with run_coroutine_threadsafe.
// - CTask_Future_Tests.test_foobar, GenericTaskTests.test_asyncio_module_compiled,
//   CTask_CFuture_Tests.test_refleaks_in_task___init__, test_del__log_destroy_pending_segfault: C
//   accelerator internals.
// - BaseTaskIntrospectionTests.test__register_task_2, test__unregister_task,
//   test__unregister_task_not_registered, test__enter_task, test__leave_task,
//   test__leave_task_failure1, test__leave_task_failure2: `_register_task` and friends are hooks
//   for foreign Task implementations, which asyncio-ts does not offer. The public behaviour they
//   feed (allTasks, currentTask, the refusal to enter a second task) is pinned below.
// - FutureGatherTests.test_constructor_empty_sequence_without_loop,
//   CoroutineGatherTests.test_constructor_without_loop and the "no current event loop" part of
//   test_ensure_future_coroutine: outside any loop, asyncio-ts binds to the ambient loop (its
//   current event loop for plain async code) instead of raising; the `_use_global_loop` ports
//   below pin that, with the ambient loop in the role of the loop given to `set_event_loop()`.
// - RunCoroutineThreadsafeTests (test_run_coroutine_threadsafe and its four variants): it hands a
//   coroutine to a loop running in another thread and returns a concurrent.futures.Future. A Node
//   process runs its loops on one thread; from plain async code the counterpart is
//   `asyncio.toPromise(loop.createTask(coro))`, tested in test/promises.test.ts.
// - The `(5,)` cases of the cancel-message tests: a cancel message is a string here (it becomes
//   the CancelledError's `message`), so non-string values do not round-trip.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, Future, InvalidStateError, RuntimeError, Task, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

type Loop = asyncio.EventLoop;

function* once(): Coroutine<void> {}

/** Run the loop for the two iterations CPython's `test_utils.run_briefly` takes. */
async function runBriefly(loop: Loop): Promise<void> {
  await loop.runUntilComplete(once());
}

/**
 * CPython's GatherTestsBase `_run_loop` runs briefly while callbacks are ready; the ready queue is
 * private here, so run briefly a fixed number of times, more than any test below needs.
 */
async function runLoop(loop: Loop): Promise<void> {
  for (let i = 0; i < 5; i++) await runBriefly(loop);
}

/** Wait until `fut` is done without raising its outcome, as `await asyncio.wait([fut])` does. */
function* waitDone(fut: Future<unknown>): Coroutine<void> {
  const waiter = fut.getLoop().createFuture<void>();
  fut.addDoneCallback(() => {
    if (!waiter.done()) waiter.setResult();
  });
  yield* waiter;
}

/** CPython's `new_task`: a Task named 'TestTask' on `loop`. */
function newTask<T>(loop: Loop, coro: Coroutine<T>): Task<T> {
  return new Task(coro, { loop, name: "TestTask" });
}

/** A done callback that records its calls, like CPython's test_utils.MockCallback. */
function mockCallback(): { (fut: Future<unknown>): void; calls: Future<unknown>[] } {
  const cb = (fut: Future<unknown>): void => {
    cb.calls.push(fut);
  };
  cb.calls = [] as Future<unknown>[];
  return cb;
}

function cancelledWith(message: string): (error: unknown) => boolean {
  return (error) => error instanceof CancelledError && error.message === message;
}

/** Run `body` with a fresh virtual-time loop that is closed afterwards. */
async function withLoop(body: (loop: VirtualTimeLoop) => Promise<void>): Promise<void> {
  const loop = new VirtualTimeLoop();
  try {
    await body(loop);
  } finally {
    loop.close();
  }
}

describe("test_tasks: BaseTaskTests", () => {
  // cpython: test_tasks.BaseTaskTests.test_task_cancel_message_getter
  it("raises the message given to cancel() before the task started", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<void> {}
      const t = newTask(loop, coro());
      t.cancel("my message");
      await assert.rejects(loop.runUntilComplete(t), cancelledWith("my message"));
    }));

  // cpython: test_tasks.BaseTaskTests.test_other_loop_future
  it("fails a task that awaits a Future of another loop", () =>
    withLoop(async (loop) => {
      const otherLoop = asyncio.newEventLoop();
      try {
        const fut = otherLoop.createFuture<void>();
        function* run(): Coroutine<void> {
          yield* fut;
        }
        await assert.rejects(loop.runUntilComplete(run()), (e) => {
          assert.ok(e instanceof RuntimeError);
          assert.match(e.message, /Task .* got Future .* attached/);
          return true;
        });
      } finally {
        otherLoop.close();
      }
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_awaits_on_itself
  it("fails a task that awaits itself", () =>
    withLoop(async (loop) => {
      function* test(): Coroutine<void> {
        yield* task;
      }
      const task: Future<void> = asyncio.ensureFuture(test(), loop);
      await assert.rejects(loop.runUntilComplete(task), /Task cannot await on itself/);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_class
  it("binds a task to the loop it was made for and runs it there", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<string> {
        return "ok";
      }
      const t = newTask(loop, notmuch());
      await loop.runUntilComplete(t);
      assert.ok(t.done());
      assert.equal(t.result(), "ok");
      assert.equal(t.getLoop(), loop);

      const loop2 = asyncio.newEventLoop();
      try {
        const t2 = newTask(loop2, notmuch());
        assert.equal(t2.getLoop(), loop2);
        assert.equal(await loop2.runUntilComplete(t2), "ok");
      } finally {
        loop2.close();
      }
    }));

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_coroutine
  it("wraps a coroutine in a Task of the given or the running loop", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<string> {
        return "ok";
      }
      const t = asyncio.ensureFuture(notmuch(), loop);
      assert.ok(t instanceof Task);
      assert.equal(t.getLoop(), loop);
      await loop.runUntilComplete(t);
      assert.equal(t.result(), "ok");

      // Outside any loop CPython raises (or, with set_event_loop(), uses that loop); here the
      // Task binds to the ambient loop, this library's current event loop for plain async code.
      const a = asyncio.ensureFuture(notmuch());
      try {
        assert.equal(a.getLoop(), asyncio.getEventLoop());
        assert.notEqual(a.getLoop(), loop);
        assert.equal(await a, "ok");
      } finally {
        await asyncio.closeAmbientLoop();
      }

      // Boxed: a promise resolving to a Future (a thenable) would adopt it instead of returning it.
      function* test(): Coroutine<[Future<string>]> {
        return [asyncio.ensureFuture(notmuch())];
      }
      const [t2] = await loop.runUntilComplete(test());
      assert.equal(t2.getLoop(), loop);
      await loop.runUntilComplete(t2);
      assert.equal(t2.result(), "ok");
    }));

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_future
  it("returns a Future as is, and refuses it for another loop", () =>
    withLoop(async (loop) => {
      const fOrig = loop.createFuture<string>();
      fOrig.setResult("ko");
      const f = asyncio.ensureFuture(fOrig);
      await loop.runUntilComplete(f);
      assert.equal(f.result(), "ko");
      assert.equal(f, fOrig);

      const other = asyncio.newEventLoop();
      assert.throws(() => asyncio.ensureFuture(fOrig, other), ValueError);
      other.close();
      assert.equal(asyncio.ensureFuture(fOrig, loop), fOrig);
    }));

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_task
  it("returns a Task as is, and refuses it for another loop", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<string> {
        return "ok";
      }
      const tOrig = newTask(loop, notmuch());
      const t = asyncio.ensureFuture(tOrig);
      await loop.runUntilComplete(t);
      assert.equal(t.result(), "ok");
      assert.equal(t, tOrig);

      const other = asyncio.newEventLoop();
      assert.throws(() => asyncio.ensureFuture(tOrig, other), ValueError);
      other.close();
      assert.equal(asyncio.ensureFuture(tOrig, loop), tOrig);
    }));

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_awaitable
  it("wraps a custom awaitable (a thenable) in a Future", () =>
    withLoop(async (loop) => {
      const aw: PromiseLike<string> = {
        // biome-ignore lint/suspicious/noThenProperty: the object under test is a thenable.
        then(onfulfilled) {
          return Promise.resolve("ok").then(onfulfilled);
        },
      };
      const fut = asyncio.ensureFuture(aw, loop);
      assert.ok(fut instanceof Future);
      await loop.runUntilComplete(fut);
      assert.equal(fut.result(), "ok");
    }));

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_neither
  it("refuses something that is neither a Future, a coroutine nor a promise", () => {
    assert.throws(() => asyncio.ensureFuture("ok" as never), TypeError);
  });

  // cpython: test_tasks.BaseTaskTests.test_ensure_future_error_msg
  it("names the problem when the Future belongs to another loop", () =>
    withLoop(async (loop) => {
      const other = asyncio.newEventLoop();
      const f = loop.createFuture();
      assert.throws(
        () => asyncio.ensureFuture(f, other),
        /The future belongs to a different loop than the one specified as the loop argument/,
      );
      other.close();
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_repr
  it("describes a task as pending, cancelling, cancelled and finished", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<string> {
        return "abc";
      }
      const t = newTask(loop, notmuch());
      assert.match(String(t), /^<Task pending name='TestTask'/);
      t.cancel(); // Does not take effect before the task runs.
      assert.match(String(t), /^<Task cancelling name='TestTask'/);
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.match(String(t), /^<Task cancelled name='TestTask'/);

      const t2 = newTask(loop, notmuch());
      await loop.runUntilComplete(t2);
      assert.match(String(t2), /^<Task finished name='TestTask' result="abc"/);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_repr_autogenerated
  it("numbers unnamed tasks in increasing order", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<number> {
        return 123;
      }
      const t1 = new Task(notmuch(), { loop });
      const t2 = new Task(notmuch(), { loop });
      assert.notEqual(String(t1), String(t2));
      const m1 = /^<Task pending name='Task-(\d+)'/.exec(String(t1));
      const m2 = /^<Task pending name='Task-(\d+)'/.exec(String(t2));
      assert.ok(m1 && m2);
      assert.ok(Number(m1[1]) < Number(m2[1]));
      await loop.runUntilComplete(t1);
      await loop.runUntilComplete(t2);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_set_name_pylong
  it("turns a number given as a name into its string", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<number> {
        return 123;
      }
      const t = new Task(notmuch(), { loop, name: 987654321 as unknown as string });
      assert.equal(t.getName(), "987654321");
      t.setName(123456789);
      assert.equal(t.getName(), "123456789");
      await loop.runUntilComplete(t);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_repr_name_not_str
  it("turns any value given to setName into its string", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<number> {
        return 123;
      }
      const t = newTask(loop, notmuch());
      t.setName({ toString: () => "{6}" });
      assert.equal(t.getName(), "{6}");
      assert.match(String(t), /name='\{6\}'/);
      await loop.runUntilComplete(t);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_repr_wait_for
  it("shows the Future a task waits for in its repr", () =>
    withLoop(async (loop) => {
      function* waitFor(fut: Future<void>): Coroutine<void> {
        return yield* fut;
      }
      const fut = loop.createFuture<void>();
      const task = newTask(loop, waitFor(fut));
      await runBriefly(loop);
      assert.ok(String(task).endsWith(` wait_for=${String(fut)}>`), String(task));
      fut.setResult();
      await loop.runUntilComplete(task);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_basics
  it("returns what the coroutine returns, through nested awaits", () =>
    withLoop(async (loop) => {
      function* inner1(): Coroutine<number> {
        return 42;
      }
      function* inner2(): Coroutine<number> {
        return 1000;
      }
      function* outer(): Coroutine<number> {
        const a = yield* inner1();
        const b = yield* inner2();
        return a + b;
      }
      assert.equal(await loop.runUntilComplete(outer()), 1042);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancelling
  it("counts cancellation requests and shows 'cancelling' in the repr", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<void> {
        yield* asyncio.sleep(10);
      }
      const t = newTask(loop, task());
      assert.equal(t.cancelling(), 0);
      assert.ok(!String(t).includes(" cancelling "));
      assert.equal(t.cancel(), true);
      assert.equal(t.cancelling(), 1);
      assert.ok(String(t).includes(" cancelling "));
      // A second request before the task ran is accepted too (CPython 3.11+).
      assert.equal(t.cancel(), true);
      assert.equal(t.cancelling(), 2);
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
    }));

  // cpython: test_tasks.BaseTaskTests.test_uncancel_basic
  it("lets a task that caught its cancellation uncancel() and go on", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<void> {
        try {
          yield* asyncio.sleep(10);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          asyncio.currentTask()?.uncancel();
          yield* asyncio.sleep(10);
        }
      }
      const t = newTask(loop, task());
      await loop.runUntilComplete(asyncio.sleep(0.01));

      // Cancel the first sleep.
      assert.equal(t.cancel(), true);
      assert.ok(String(t).includes(" cancelling "));
      assert.equal(t.cancelling(), 1);
      assert.equal(t.cancelled(), false);
      await loop.runUntilComplete(asyncio.sleep(0.01));

      // After uncancel().
      assert.ok(!String(t).includes(" cancelling "));
      assert.equal(t.cancelling(), 0);
      assert.equal(t.cancelled(), false);

      // Cancel the second sleep.
      assert.equal(t.cancel(), true);
      assert.equal(t.cancelling(), 1);
      assert.equal(t.cancelled(), false);
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.cancelled());
      assert.ok(t.done());

      // uncancel() no longer changes a task that is done.
      t.uncancel();
      assert.ok(t.cancelled());
      assert.ok(t.done());
    }));

  // cpython: test_tasks.BaseTaskTests.test_uncancel_structured_blocks
  it("supports a timeout-like block built on cancel() and uncancel()", () =>
    withLoop(async (loop) => {
      class Timeout extends Error {}
      function* makeRequestWithTimeout(
        sleep: number,
        timeout: number,
      ): Coroutine<[timedOut: boolean, blockFinished: boolean, outerReached: boolean]> {
        const task = asyncio.currentTask() as Task<unknown>;
        const taskLoop = task.getLoop();
        let timedOut = false;
        let structuredBlockFinished = false;
        const timeoutHandle = taskLoop.callLater(timeout, () => {
          timedOut = true;
          task.cancel();
        });
        try {
          let pending: unknown = null;
          try {
            // The structured block the timeout applies to.
            yield* asyncio.sleep(sleep);
            structuredBlockFinished = true;
          } catch (e) {
            pending = e;
            throw e;
          } finally {
            timeoutHandle.cancel();
            // The order of these checks keeps cancelling() in sync, as CPython's comment explains.
            if (timedOut && task.uncancel() === 0 && pending instanceof CancelledError) {
              // biome-ignore lint/correctness/noUnsafeFinally: converting the cancellation is the point.
              throw new Timeout();
            }
          }
        } catch (e) {
          if (!(e instanceof Timeout)) throw e;
          assert.ok(timedOut);
        }
        // Code after the block is not affected by the timeout.
        const outerCodeReached = true;
        yield* asyncio.sleep(0);
        return [timedOut, structuredBlockFinished, outerCodeReached];
      }

      const t1 = newTask(loop, makeRequestWithTimeout(10, 0.1));
      assert.deepEqual(await loop.runUntilComplete(t1), [true, false, true]);
      assert.equal(t1.cancelling(), 0);

      const t2 = newTask(loop, makeRequestWithTimeout(0, 10));
      assert.deepEqual(await loop.runUntilComplete(t2), [false, true, true]);
      assert.equal(t2.cancelling(), 0);
    }));

  // cpython: test_tasks.BaseTaskTests.test_uncancel_resets_must_cancel
  it("clears a pending cancellation request when uncancel() brings the count to zero", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      function* coro(): Coroutine<number> {
        yield* fut;
        return 42;
      }
      const task = newTask(loop, coro());
      await loop.runUntilComplete(asyncio.sleep(0)); // The task now waits for fut.
      fut.setResult(); // The task is runnable.
      task.cancel();
      assert.equal(task.cancelling(), 1);
      assert.equal(task._mustCancel, true);
      task.uncancel();
      assert.equal(task.cancelling(), 0);
      assert.equal(task._mustCancel, false);
      assert.equal(await loop.runUntilComplete(task), 42);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel
  it("cancels a sleeping task from a callback", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<number> {
        yield* asyncio.sleep(10);
        return 12;
      }
      const t = newTask(loop, task());
      loop.callSoon(() => t.cancel());
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.done());
      assert.ok(t.cancelled());
      assert.equal(t.cancel(), false);
      assert.equal(loop.time(), 0);
    }));

  for (const [label, args, expected] of [
    ["no message", [], ""],
    ["an undefined message", [undefined], ""],
    ["a message", ["my message"], "my message"],
  ] as const) {
    // cpython: test_tasks.BaseTaskTests.test_cancel_with_message_then_future_result
    it(`raises the task's own CancelledError from result() after cancel() with ${label}`, () =>
      withLoop(async (loop) => {
        let captured: unknown = null;
        function* sleep(): Coroutine<void> {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            captured = e;
            throw e;
          }
        }
        function* coro(): Coroutine<void> {
          const task = newTask(loop, sleep());
          yield* asyncio.sleep(0);
          task.cancel(...args);
          yield* waitDone(task);
          task.result();
        }
        const error = await loop.runUntilComplete(newTask(loop, coro())).then(
          () => assert.fail("no CancelledError"),
          (e: unknown) => e,
        );
        assert.ok(cancelledWith(expected)(error));
        // The original error, not a new one wrapping it (CPython: no __context__).
        assert.equal(error, captured);
      }));

    // cpython: test_tasks.BaseTaskTests.test_cancel_with_message_then_future_exception
    it(`raises the task's own CancelledError from exception() after cancel() with ${label}`, () =>
      withLoop(async (loop) => {
        let captured: unknown = null;
        function* sleep(): Coroutine<void> {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            captured = e;
            throw e;
          }
        }
        function* coro(): Coroutine<void> {
          const task = newTask(loop, sleep());
          yield* asyncio.sleep(0);
          task.cancel(...args);
          yield* waitDone(task);
          task.exception();
        }
        const error = await loop.runUntilComplete(newTask(loop, coro())).then(
          () => assert.fail("no CancelledError"),
          (e: unknown) => e,
        );
        assert.ok(cancelledWith(expected)(error));
        assert.equal(error, captured);
      }));
  }

  // cpython: test_tasks.BaseTaskTests.test_cancellation_exception_context
  it("delivers the cancel message to the awaiter, which may raise another error from it", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      function* sleep(): Coroutine<void> {
        fut.setResult();
        yield* asyncio.sleep(10);
      }
      function* coro(): Coroutine<void> {
        const innerTask = newTask(loop, sleep());
        yield* fut;
        loop.callSoon((msg: string) => innerTask.cancel(msg), "msg");
        try {
          yield* innerTask;
        } catch (ex) {
          if (ex instanceof CancelledError) throw new Error("cancelled", { cause: ex });
          throw ex;
        }
      }
      const task = newTask(loop, coro());
      const error = await loop.runUntilComplete(task).then(
        () => assert.fail("no error"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error && !(error instanceof CancelledError));
      assert.equal(error.message, "cancelled");
      assert.ok(cancelledWith("msg")(error.cause));
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_with_message_before_starting_task
  it("keeps the message of a cancel() made before the task started", () =>
    withLoop(async (loop) => {
      function* sleep(): Coroutine<void> {
        yield* asyncio.sleep(10);
      }
      function* coro(): Coroutine<void> {
        const task = newTask(loop, sleep());
        // No sleep(0) here: the task has not started when it is cancelled.
        task.cancel("my message");
        yield* waitDone(task);
        task.exception();
      }
      const task = newTask(loop, coro());
      await assert.rejects(loop.runUntilComplete(task), cancelledWith("my message"));
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_yield
  it("cancels a task suspended on sleep(0)", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<number> {
        yield* asyncio.sleep(0);
        yield* asyncio.sleep(0);
        return 12;
      }
      const t = newTask(loop, task());
      await runBriefly(loop); // Start the coroutine.
      t.cancel();
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.done());
      assert.ok(t.cancelled());
      assert.equal(t.cancel(), false);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_inner_future
  it("cancels a task whose awaited Future is cancelled", () =>
    withLoop(async (loop) => {
      const f = loop.createFuture<void>();
      function* task(): Coroutine<number> {
        yield* f;
        return 12;
      }
      const t = newTask(loop, task());
      await runBriefly(loop);
      f.cancel();
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(f.cancelled());
      assert.ok(t.cancelled());
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_both_task_and_inner_future
  it("ends cancelled when both the task and its awaited Future are cancelled", () =>
    withLoop(async (loop) => {
      const f = loop.createFuture<void>();
      function* task(): Coroutine<number> {
        yield* f;
        return 12;
      }
      const t = newTask(loop, task());
      await runBriefly(loop);
      f.cancel();
      t.cancel();
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.done());
      assert.ok(f.cancelled());
      assert.ok(t.cancelled());
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_task_catching
  it("lets a coroutine catch the cancellation and return a value", () =>
    withLoop(async (loop) => {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      function* task(): Coroutine<number | undefined> {
        yield* fut1;
        try {
          yield* fut2;
        } catch (e) {
          if (e instanceof CancelledError) return 42;
          throw e;
        }
        return undefined;
      }
      const t = newTask(loop, task());
      await runBriefly(loop);
      assert.equal(t._futWaiter, fut1);
      fut1.setResult();
      await runBriefly(loop);
      assert.equal(t._futWaiter, fut2);
      t.cancel();
      assert.ok(fut2.cancelled());
      assert.equal(await loop.runUntilComplete(t), 42);
      assert.equal(t.cancelled(), false);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_task_ignoring
  it("lets a coroutine ignore the cancellation and await something else", () =>
    withLoop(async (loop) => {
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      const fut3 = loop.createFuture<number>();
      function* task(): Coroutine<number> {
        yield* fut1;
        try {
          yield* fut2;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
        return yield* fut3;
      }
      const t = newTask(loop, task());
      await runBriefly(loop);
      assert.equal(t._futWaiter, fut1);
      fut1.setResult();
      await runBriefly(loop);
      assert.equal(t._futWaiter, fut2);
      t.cancel();
      assert.ok(fut2.cancelled());
      await runBriefly(loop);
      assert.equal(t._futWaiter, fut3);
      fut3.setResult(42);
      assert.equal(await loop.runUntilComplete(t), 42);
      assert.equal(fut3.cancelled(), false);
      assert.equal(t.cancelled(), false);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_current_task
  it("cancels the next await of a task that cancels itself", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<number> {
        t.cancel();
        assert.equal(t._mustCancel, true);
        // The sleep is cancelled at once.
        yield* asyncio.sleep(100);
        return 12;
      }
      const t: Task<number> = newTask(loop, task());
      assert.equal(t.cancelled(), false);
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.done());
      assert.ok(t.cancelled());
      assert.equal(t._mustCancel, false);
      assert.equal(t.cancel(), false);
      assert.equal(loop.time(), 0);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_at_end
  it("ends cancelled when the coroutine returns right after cancelling its own task", () =>
    withLoop(async (loop) => {
      function* task(): Coroutine<number> {
        t.cancel();
        assert.equal(t._mustCancel, true);
        return 12;
      }
      const t: Task<number> = newTask(loop, task());
      assert.equal(t.cancelled(), false);
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
      assert.ok(t.done());
      assert.ok(t.cancelled());
      assert.equal(t._mustCancel, false);
      assert.equal(t.cancel(), false);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_awaited_task
  it("cancels the task a self-cancelled task awaits next (bpo-34872)", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      let nestedTask: Task<void> | null = null;
      function* nested(): Coroutine<void> {
        yield* fut;
      }
      function* coro(): Coroutine<void> {
        // Create a sub-task and let it run.
        nestedTask = newTask(loop, nested());
        yield* asyncio.sleep(0);
        // Request the cancellation of the current task, then block on the nested one.
        task.cancel();
        yield* nestedTask;
      }
      const task: Task<void> = newTask(loop, coro());
      await assert.rejects(loop.runUntilComplete(task), CancelledError);
      assert.ok(task.cancelled());
      assert.ok((nestedTask as Task<void> | null)?.cancelled());
      assert.ok(fut.cancelled());
    }));

  // cpython: test_tasks.BaseTaskTests.test_stop_while_run_in_complete
  it("rejects runUntilComplete when the loop is stopped first, leaving the task pending", () =>
    withLoop(async (loop) => {
      let x = 0;
      function* task(): Coroutine<void> {
        while (x < 10) {
          yield* asyncio.sleep(0.1);
          x += 1;
          if (x === 2) loop.stop();
        }
      }
      const t = newTask(loop, task());
      await assert.rejects(loop.runUntilComplete(t), (e) => {
        assert.ok(e instanceof RuntimeError);
        assert.equal(e.message, "Event loop stopped before Future completed.");
        return true;
      });
      assert.equal(t.done(), false);
      assert.equal(x, 2);
      // CPython's TestLoop reads 0.3: it advances its clock after each iteration; ours only jumps
      // the clock when the loop has to wait, and it stopped before that.
      assert.ok(Math.abs(loop.time() - 0.2) < 1e-9);
      t.cancel();
      await assert.rejects(loop.runUntilComplete(t), CancelledError);
    }));

  // cpython: test_tasks.BaseTaskTests.test_sleep
  it("sleeps for the given seconds and returns the result", () =>
    withLoop(async (loop) => {
      function* sleeper(dt: number, arg: string): Coroutine<string> {
        yield* asyncio.sleep(dt / 2);
        return yield* asyncio.sleep(dt / 2, arg);
      }
      const t = newTask(loop, sleeper(0.1, "yeah"));
      await loop.runUntilComplete(t);
      assert.ok(t.done());
      assert.equal(t.result(), "yeah");
      assert.ok(Math.abs(loop.time() - 0.1) < 1e-9);
    }));

  // cpython: test_tasks.BaseTaskTests.test_sleep_when_delay_is_nan
  it("fails the task that sleeps for NaN seconds with a ValueError", () =>
    withLoop(async (loop) => {
      function* sleeper(): Coroutine<void> {
        yield* asyncio.sleep(Number.NaN);
      }
      await assert.rejects(loop.runUntilComplete(newTask(loop, sleeper())), ValueError);
    }));

  // cpython: test_tasks.BaseTaskTests.test_sleep_cancel
  it("cancels the sleep's timer when the sleeping task is cancelled", () =>
    withLoop(async (loop) => {
      const t = newTask(loop, asyncio.sleep(10, "yeah"));
      // CPython spies on call_later; our sleep puts a Future that is its own timer in the heap
      // (src/sleep.ts), so the spy sits on the loop's internal _addTimer instead.
      const internals = loop as unknown as { _addTimer(timer: { _cancelled: boolean }): void };
      let timer: { _cancelled: boolean } | null = null;
      const addTimer = internals._addTimer.bind(loop);
      internals._addTimer = (added) => {
        timer = added;
        addTimer(added);
      };
      await runBriefly(loop);
      const armed = timer as { _cancelled: boolean } | null;
      assert.ok(armed !== null, "the sleep armed a timer");
      assert.equal(armed._cancelled, false);
      t.cancel();
      await runBriefly(loop);
      assert.equal(armed._cancelled, true);
      assert.ok(t.cancelled(), "the task ended cancelled");
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_cancel_sleeping_task
  it("lets the awaiter of a sleeping task that is cancelled catch the CancelledError", () =>
    withLoop(async (loop) => {
      function* sleep(dt: number): Coroutine<void> {
        yield* asyncio.sleep(dt);
      }
      function* doit(): Coroutine<string> {
        const sleeper = newTask(loop, sleep(5000));
        loop.callLater(0.1, () => sleeper.cancel());
        try {
          yield* sleeper;
        } catch (e) {
          if (e instanceof CancelledError) return "cancelled";
          throw e;
        }
        return "slept in";
      }
      assert.equal(await loop.runUntilComplete(doit()), "cancelled");
      assert.ok(Math.abs(loop.time() - 0.1) < 1e-9);
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_cancel_waiter_future
  it("cancels the Future a task waits for and forgets it", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<void>();
      function* coro(): Coroutine<void> {
        yield* fut;
      }
      const task = newTask(loop, coro());
      await runBriefly(loop);
      assert.equal(task._futWaiter, fut);
      task.cancel();
      await runBriefly(loop);
      await assert.rejects(loop.runUntilComplete(task), CancelledError);
      assert.equal(task._futWaiter, null);
      assert.ok(fut.cancelled());
    }));

  // cpython: test_tasks.BaseTaskTests.test_task_set_methods
  it("refuses setResult and setException on a task", () =>
    withLoop(async (loop) => {
      function* notmuch(): Coroutine<string> {
        return "ko";
      }
      const task = newTask(loop, notmuch());
      assert.throws(
        () => task.setResult("ok"),
        (e) => e instanceof RuntimeError && /setResult/.test(e.message),
      );
      assert.throws(
        () => task.setException(new Error()),
        (e) => e instanceof RuntimeError && /setException/.test(e.message),
      );
      assert.equal(await loop.runUntilComplete(task), "ko");
    }));

  // cpython: test_tasks.BaseTaskTests.test_step_result_future
  it("waits on a Future subclass through its own addDoneCallback", () =>
    withLoop(async (loop) => {
      class Fut<T> extends Future<T> {
        cbAdded = false;
        override addDoneCallback(callback: asyncio.DoneCallback<T>): void {
          this.cbAdded = true;
          super.addDoneCallback(callback);
        }
      }
      const fut = new Fut<object>(loop);
      let result: unknown = null;
      function* waitForFuture(): Coroutine<void> {
        result = yield* fut;
      }
      const t = newTask(loop, waitForFuture());
      await runBriefly(loop);
      assert.equal(fut.cbAdded, true);
      const res = {};
      fut.setResult(res);
      await runBriefly(loop);
      assert.equal(result, res);
      assert.ok(t.done());
      assert.equal(t.result(), undefined);
    }));

  // cpython: test_tasks.BaseTaskTests.test_iscoroutinefunction
  it("recognises generator functions as coroutine functions", () => {
    function fn(): void {}
    async function fn1(): Promise<void> {}
    function* fn2(): Coroutine<void> {}
    assert.equal(asyncio.isCoroutineFunction(fn), false);
    // Python's `async def` is a `function*` here; a native async function is not a coroutine function.
    assert.equal(asyncio.isCoroutineFunction(fn1), false);
    assert.equal(asyncio.isCoroutineFunction(fn2), true);
  });

  // cpython: test_tasks.BaseTaskTests.test_coroutine_non_gen_function
  it("runs a coroutine object made by a coroutine function", () =>
    withLoop(async (loop) => {
      function* func(): Coroutine<string> {
        return "test";
      }
      assert.ok(asyncio.isCoroutineFunction(func));
      const coro = func();
      assert.ok(asyncio.isCoroutine(coro));
      assert.equal(await loop.runUntilComplete(coro), "test");
    }));

  // cpython: test_tasks.BaseTaskTests.test_coroutine_non_gen_function_return_future
  it("returns a Future the coroutine returns without awaiting it", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<string>();
      function* func(): Coroutine<Future<string>> {
        return fut;
      }
      function* coro(): Coroutine<void> {
        fut.setResult("test");
      }
      const t1 = newTask(loop, func());
      const t2 = newTask(loop, coro());
      // Awaiting t1 from async code would adopt the thenable it returned; check the raw result.
      await loop.runUntilComplete(asyncio.gather(t1));
      assert.equal(t1.result(), fut);
      assert.equal(t2.result(), undefined);
    }));

  // cpython: test_tasks.BaseTaskTests.test_current_task
  it("reports the running task as the current task, and none outside it", () =>
    withLoop(async (loop) => {
      assert.equal(asyncio.currentTask(loop), null);
      function* coro(): Coroutine<void> {
        assert.equal(asyncio.currentTask(), task);
        assert.equal(asyncio.currentTask(undefined), task);
        assert.equal(asyncio.currentTask(loop), task);
      }
      const task: Task<void> = newTask(loop, coro());
      await loop.runUntilComplete(task);
      assert.equal(asyncio.currentTask(loop), null);
    }));

  // cpython: test_tasks.BaseTaskTests.test_current_task_with_interleaving_tasks
  it("tracks the current task across interleaved steps", () =>
    withLoop(async (loop) => {
      assert.equal(asyncio.currentTask(loop), null);
      const fut1 = loop.createFuture<boolean>();
      const fut2 = loop.createFuture<boolean>();
      function* coro1(): Coroutine<void> {
        assert.equal(asyncio.currentTask(), task1);
        yield* fut1;
        assert.equal(asyncio.currentTask(), task1);
        fut2.setResult(true);
      }
      function* coro2(): Coroutine<void> {
        assert.equal(asyncio.currentTask(), task2);
        fut1.setResult(true);
        yield* fut2;
        assert.equal(asyncio.currentTask(), task2);
      }
      const task1: Task<void> = newTask(loop, coro1());
      const task2: Task<void> = newTask(loop, coro2());
      await loop.runUntilComplete(asyncio.gather(task1, task2));
      assert.equal(asyncio.currentTask(loop), null);
    }));

  // cpython: test_tasks.BaseTaskTests.test_yield_future_passes_cancel
  it("passes a cancellation through a nested coroutine to the Future it awaits", () =>
    withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      function* inner(): Coroutine<void> {
        try {
          yield* waiter;
        } catch (e) {
          if (e instanceof CancelledError) proof += 1;
          throw e;
        }
        assert.fail("got past the await in inner()");
      }
      function* outer(): Coroutine<void> {
        try {
          yield* inner();
          proof += 10;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          proof += 100; // The expected path.
        }
      }
      const f = asyncio.ensureFuture(outer(), loop);
      await runBriefly(loop);
      f.cancel();
      await loop.runUntilComplete(f);
      assert.equal(proof, 101);
      assert.ok(waiter.cancelled());
    }));

  // cpython: test_tasks.BaseTaskTests.test_tb_logger_not_called_after_cancel
  it("does not report the exception of a failed task that was cancelled afterwards", () =>
    withLoop(async (loop) => {
      const reports: asyncio.ExceptionContext[] = [];
      loop.setDebug(true); // Debug mode reports unretrieved exceptions when the loop closes.
      loop.setExceptionHandler((_loop, context) => reports.push(context));
      function* coro(): Coroutine<void> {
        throw new TypeError("never retrieved");
      }
      function* runner(): Coroutine<void> {
        const task = newTask(loop, coro());
        yield* asyncio.sleep(0.05);
        assert.equal(task.cancel(), false);
      }
      await loop.runUntilComplete(runner());
      loop.close();
      assert.deepEqual(reports, []);
    }));

  // cpython: test_tasks.BaseTaskTests.test_cancel_gather_1
  it("refuses to cancel a gather whose children are all done (bpo-26923)", () =>
    withLoop(async (loop) => {
      const fut = loop.createFuture<number>();
      function* create(): Coroutine<[Future<number[]>]> {
        // The child coroutine makes the gather finish one step after fut.
        function* childCoro(): Coroutine<number> {
          return yield* fut;
        }
        const gatherFuture = asyncio.gather(childCoro());
        return [asyncio.ensureFuture(gatherFuture)];
      }
      const [gatherTask] = await loop.runUntilComplete(create());
      let cancelResult: boolean | null = null;
      fut.addDoneCallback(() => {
        cancelResult = gatherTask.cancel();
      });
      fut.setResult(42);
      await loop.runUntilComplete(gatherTask);
      assert.equal(cancelResult, false);
      assert.equal(gatherTask.cancelled(), false);
      assert.deepEqual(gatherTask.result(), [42]);
    }));

  for (const [label, args, expected] of [
    ["no message", [], ""],
    ["an undefined message", [undefined], ""],
    ["a message", ["my message"], "my message"],
  ] as const) {
    // cpython: test_tasks.BaseTaskTests.test_cancel_gather_2
    it(`propagates the cancellation of a task awaiting gather to its awaiter, with ${label}`, () =>
      withLoop(async (loop) => {
        function* test(): Coroutine<void> {
          let time = 0;
          for (;;) {
            time += 0.05;
            yield* asyncio.gather(asyncio.sleep(0.05), { returnExceptions: true });
            if (time > 1) return;
          }
        }
        function* main(): Coroutine<void> {
          const qwe = newTask(loop, test());
          yield* asyncio.sleep(0.2);
          qwe.cancel(...args);
          yield* qwe;
        }
        await assert.rejects(loop.runUntilComplete(main()), (e) => {
          assert.ok(cancelledWith(expected)(e), String(e));
          assert.equal((e as Error).cause, undefined);
          return true;
        });
      }));
  }

  // cpython: test_tasks.BaseTaskTests.test_exception_traceback
  it("keeps the stack of the error a task raised", () =>
    withLoop(async (loop) => {
      function* foo(): Coroutine<void> {
        throw new RangeError("division by zero");
      }
      function* main(): Coroutine<void> {
        const task = newTask(loop, foo());
        yield* asyncio.sleep(0); // Skip one loop iteration.
        const exc = task.exception();
        assert.ok(exc instanceof RangeError);
        assert.match(exc.stack ?? "", /foo/);
      }
      await loop.runUntilComplete(main());
    }));

  // cpython: test_tasks.BaseTaskTests.test_error_in_call_soon
  it("does not register a task whose first step could not be scheduled", () =>
    withLoop(async (loop) => {
      const internals = loop as unknown as { _callSoon: (fn: unknown, arg: unknown) => void };
      internals._callSoon = () => {
        throw new ValueError("call_soon failed");
      };
      function* coro(): Coroutine<void> {}
      const gen = coro();
      try {
        assert.throws(() => newTask(loop, gen), ValueError);
      } finally {
        gen.return();
        delete (internals as { _callSoon?: unknown })._callSoon;
      }
      assert.deepEqual(asyncio.allTasks(loop), new Set());
    }));

  // cpython: test_tasks.BaseTaskTests.test_create_task_with_noncoroutine
  it("refuses to make a task of something that is not a coroutine", () =>
    withLoop(async (loop) => {
      for (let i = 0; i < 2; i++) {
        assert.throws(
          () => newTask(loop, 123 as never),
          (e) => {
            assert.ok(e instanceof TypeError);
            assert.match(e.message, /a coroutine was expected, got number 123/);
            return true;
          },
        );
      }
    }));

  // cpython: test_tasks.BaseTaskTests.test_create_task_with_async_function
  it("makes a Task of a coroutine object, again and again", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<void> {}
      for (let i = 0; i < 2; i++) {
        const task = newTask(loop, coro());
        assert.ok(task instanceof Task);
        await loop.runUntilComplete(task);
      }
    }));

  // cpython: test_tasks.BaseTaskTests.test_create_task_with_asynclike_function
  it("drives a coroutine-like object that is not a generator", () =>
    withLoop(async (loop) => {
      // Python's CoroLikeObject: send() raises StopIteration(42), that is, returns 42 at once.
      const coroLike = () =>
        ({
          next: () => ({ done: true, value: 42 }),
          throw: (e: unknown) => {
            throw e;
          },
          return: (value: unknown) => ({ done: true, value }),
        }) as unknown as Coroutine<number>;
      for (let i = 0; i < 2; i++) {
        const task = newTask(loop, coroLike());
        assert.ok(task instanceof Task);
        assert.equal(await loop.runUntilComplete(task), 42);
      }
    }));

  // cpython: test_tasks.BaseTaskTests.test_bare_create_task
  it("creates a task on the running loop with createTask()", () =>
    withLoop(async (loop) => {
      function* inner(): Coroutine<number> {
        return 1;
      }
      function* coro(): Coroutine<void> {
        const task = asyncio.createTask(inner());
        assert.ok(task instanceof Task);
        assert.equal(task.getLoop(), loop);
        assert.equal(yield* task, 1);
      }
      await loop.runUntilComplete(coro());
    }));

  // cpython: test_tasks.BaseTaskTests.test_bare_create_named_task
  it("creates a named task with createTask(coro, { name })", () =>
    withLoop(async (loop) => {
      function* coroNoop(): Coroutine<void> {}
      function* coro(): Coroutine<void> {
        const task = asyncio.createTask(coroNoop(), { name: "No-op" });
        assert.equal(task.getName(), "No-op");
        yield* task;
      }
      await loop.runUntilComplete(coro());
    }));

  // cpython: test_tasks.BaseTaskTests.test_get_coro
  it("returns the coroutine it runs from getCoro()", () =>
    withLoop(async (loop) => {
      function* coroutineFunction(): Coroutine<void> {}
      const coro = coroutineFunction();
      const task = newTask(loop, coro);
      await loop.runUntilComplete(task);
      assert.equal(task.getCoro(), coro);
    }));

  // cpython: test_tasks.add_subclass_tests.test_subclasses_ctask_cfuture
  it("calls the addDoneCallback of Task and Future subclasses once each", () =>
    withLoop(async (loop) => {
      const calls = { task: 0, fut: 0 };
      class CountingFuture<T> extends Future<T> {
        override addDoneCallback(callback: asyncio.DoneCallback<T>): void {
          calls.fut++;
          super.addDoneCallback(callback);
        }
      }
      class CountingTask<T> extends Task<T> {
        override addDoneCallback(callback: asyncio.DoneCallback<T>): void {
          calls.task++;
          super.addDoneCallback(callback);
        }
      }
      const fut = new CountingFuture<string>(loop);
      function* func(): Coroutine<string> {
        loop.callSoon(() => fut.setResult("spam"));
        return yield* fut;
      }
      const task = new CountingTask(func(), { loop });
      assert.equal(await loop.runUntilComplete(task), "spam");
      assert.deepEqual(calls, { task: 1, fut: 1 });
    }));
});

describe("test_tasks: SetMethodsTest", () => {
  // cpython: test_tasks.SetMethodsTest.test_set_result_causes_invalid_state
  it("reports the step of a task whose result was forced with Future.setResult", () =>
    withLoop(async (loop) => {
      const reports: asyncio.ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => reports.push(context));
      function* foo(): Coroutine<number> {
        yield* asyncio.sleep(0.1);
        return 10;
      }
      const coro = foo();
      const task = newTask(loop, coro);
      Future.prototype.setResult.call(task, "spam");
      assert.equal(await loop.runUntilComplete(task), "spam");
      assert.equal(reports.length, 1);
      const exc = reports[0]?.exception;
      assert.ok(exc instanceof InvalidStateError);
      assert.match(exc.message, /step\(\): already done/);
      coro.return(0);
    }));

  // cpython: test_tasks.SetMethodsTest.test_set_exception_causes_invalid_state
  it("reports the step of a task whose exception was forced with Future.setException", () =>
    withLoop(async (loop) => {
      class MyExc extends Error {}
      const reports: asyncio.ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => reports.push(context));
      function* foo(): Coroutine<number> {
        yield* asyncio.sleep(0.1);
        return 10;
      }
      const coro = foo();
      const task = newTask(loop, coro);
      Future.prototype.setException.call(task, new MyExc());
      await assert.rejects(loop.runUntilComplete(task), MyExc);
      assert.equal(reports.length, 1);
      const exc = reports[0]?.exception;
      assert.ok(exc instanceof InvalidStateError);
      assert.match(exc.message, /step\(\): already done/);
      coro.return(0);
    }));
});

describe("test_tasks: task introspection", () => {
  // cpython: test_tasks.BaseTaskIntrospectionTests.test__register_task_1
  it("lists a pending task in allTasks()", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<void> {}
      assert.deepEqual(asyncio.allTasks(loop), new Set());
      const task = newTask(loop, coro());
      assert.deepEqual(asyncio.allTasks(loop), new Set([task]));
      await loop.runUntilComplete(task);
    }));

  // cpython: test_tasks.BaseTaskIntrospectionTests.test__register_task_3
  it("leaves done tasks out of allTasks()", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<void> {}
      const task = newTask(loop, coro());
      await loop.runUntilComplete(task);
      assert.deepEqual(asyncio.allTasks(loop), new Set());
    }));

  // cpython: test_tasks.BaseTaskIntrospectionTests.test__enter_task_failure
  it("refuses to step a task while another task's step runs", () =>
    withLoop(async (loop) => {
      function* other(): Coroutine<number> {
        return 1;
      }
      function* coro(): Coroutine<Task<number>> {
        // Not started yet: stepping it from here is the "enter" that must fail.
        const otherTask = newTask(loop, other());
        assert.throws(
          () => otherTask._step(undefined, false),
          (e) => {
            assert.ok(e instanceof RuntimeError);
            assert.match(e.message, /Cannot enter into task .* while another task .* is being executed/);
            return true;
          },
        );
        assert.equal(asyncio.currentTask(), task);
        return otherTask;
      }
      const task: Task<Task<number>> = newTask(loop, coro());
      await loop.runUntilComplete(asyncio.gather(task));
      // The refused step changed nothing: the other task runs normally on its scheduled step.
      const otherTask = task.result();
      assert.equal(await loop.runUntilComplete(otherTask), 1);
    }));
});

describe("test_tasks: current task without a running loop", () => {
  // cpython: test_tasks.BaseCurrentLoopTests.test_current_task_no_running_loop
  it("answers null for a loop that is not running", () =>
    withLoop(async (loop) => {
      assert.equal(asyncio.currentTask(loop), null);
    }));

  // cpython: test_tasks.BaseCurrentLoopTests.test_current_task_no_running_loop_implicit
  it("raises when no loop is given and none is running", () => {
    assert.throws(
      () => asyncio.currentTask(),
      (e) => e instanceof RuntimeError && /no running event loop/.test(e.message),
    );
  });

  // cpython: test_tasks.BaseCurrentLoopTests.test_current_task_with_implicit_loop
  it("finds the current task with or without the loop argument", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<void> {
        assert.equal(asyncio.currentTask(loop), task);
        assert.equal(asyncio.currentTask(undefined), task);
        assert.equal(asyncio.currentTask(), task);
      }
      const task: Task<void> = new Task(coro(), { loop });
      await loop.runUntilComplete(task);
      assert.equal(asyncio.currentTask(loop), null);
    }));

  // cpython: test_tasks.GenericTaskTests.test_future_subclass
  it("makes Task a subclass of Future", () => {
    assert.ok(Task.prototype instanceof Future);
  });

  // cpython: test_tasks.SleepTests.test_sleep_zero
  it("runs the callbacks already scheduled during sleep(0), and returns its result", () =>
    withLoop(async (loop) => {
      let result = 0;
      const incResult = (num: number): void => {
        result += num;
      };
      function* coro(): Coroutine<void> {
        loop.callSoon(incResult, 1);
        assert.equal(result, 0);
        const num = yield* asyncio.sleep(0, 10);
        assert.equal(result, 1); // Incremented by the callSoon callback.
        incResult(num);
      }
      await loop.runUntilComplete(coro());
      assert.equal(result, 11);
    }));
});

// ---- gather ----------------------------------------------------------------------------------

type GatherFlavour = {
  name: string;
  /** Pass the Futures themselves, or coroutines awaiting them (CPython's wrap_futures). */
  wrap: (futs: Future<unknown>[]) => unknown[];
  /**
   * Call gather outside the loop (FutureGatherTests) or inside a running one (CoroutineGatherTests).
   * The Future comes boxed: a promise resolving to a Future (a thenable) would adopt it.
   */
  gather: (loop: Loop, args: unknown[], returnExceptions?: boolean) => Promise<[Future<unknown[]>]>;
};

function callGather(args: unknown[], returnExceptions: boolean | undefined): Future<unknown[]> {
  const gather = asyncio.gather as (...a: unknown[]) => Future<unknown[]>;
  return returnExceptions === undefined ? gather(...args) : gather(...args, { returnExceptions });
}

const flavours: GatherFlavour[] = [
  {
    name: "FutureGatherTests",
    wrap: (futs) => futs,
    gather: async (_loop, args, returnExceptions) => [callGather(args, returnExceptions)],
  },
  {
    name: "CoroutineGatherTests",
    wrap: (futs) =>
      futs.map((fut) =>
        (function* coro(): Coroutine<unknown> {
          return yield* fut;
        })(),
      ),
    gather: (loop, args, returnExceptions) =>
      loop.runUntilComplete(
        (function* coro(): Coroutine<[Future<unknown[]>]> {
          return [callGather(args, returnExceptions)];
        })(),
      ),
  },
];

for (const flavour of flavours) {
  describe(`test_tasks: ${flavour.name} (GatherTestsBase)`, () => {
    async function checkSuccess(returnExceptions?: boolean): Promise<void> {
      await withLoop(async (loop) => {
        const [a, b, c] = [loop.createFuture(), loop.createFuture(), loop.createFuture()] as Future<unknown>[];
        const [fut] = await flavour.gather(loop, flavour.wrap([a, b, c] as Future<unknown>[]), returnExceptions);
        const cb = mockCallback();
        fut.addDoneCallback(cb);
        b?.setResult(1);
        a?.setResult(2);
        await runLoop(loop);
        assert.equal(cb.calls.length, 0);
        assert.equal(fut.done(), false);
        c?.setResult(3);
        await runLoop(loop);
        assert.deepEqual(cb.calls, [fut]);
        assert.deepEqual(fut.result(), [2, 1, 3]);
      });
    }

    // cpython: test_tasks.GatherTestsBase.test_success
    it("resolves with the results in argument order once every child is done", async () => {
      await checkSuccess();
      await checkSuccess(false);
    });

    // cpython: test_tasks.GatherTestsBase.test_result_exception_success
    it("resolves the same way with returnExceptions when nothing fails", () => checkSuccess(true));

    // cpython: test_tasks.GatherTestsBase.test_one_exception
    it("fails with the first child's exception and ignores the children that end later", () =>
      withLoop(async (loop) => {
        const [a, b, c, d, e] = Array.from({ length: 5 }, () => loop.createFuture()) as [
          Future<unknown>,
          Future<unknown>,
          Future<unknown>,
          Future<unknown>,
          Future<unknown>,
        ];
        const [fut] = await flavour.gather(loop, flavour.wrap([a, b, c, d, e]));
        const cb = mockCallback();
        fut.addDoneCallback(cb);
        const exc = new RangeError("division by zero");
        a.setResult(1);
        b.setException(exc);
        await runLoop(loop);
        assert.ok(fut.done());
        assert.deepEqual(cb.calls, [fut]);
        assert.equal(fut.exception(), exc);
        // These change nothing.
        c.setResult(3);
        d.cancel();
        e.setException(new RuntimeError());
        e.exception();
        await runLoop(loop);
        assert.equal(fut.exception(), exc);
        assert.equal(cb.calls.length, 1);
      }));

    // cpython: test_tasks.GatherTestsBase.test_return_exceptions
    it("puts exceptions in the results, in order, with returnExceptions", () =>
      withLoop(async (loop) => {
        const [a, b, c, d] = Array.from({ length: 4 }, () => loop.createFuture()) as [
          Future<unknown>,
          Future<unknown>,
          Future<unknown>,
          Future<unknown>,
        ];
        const [fut] = await flavour.gather(loop, flavour.wrap([a, b, c, d]), true);
        const cb = mockCallback();
        fut.addDoneCallback(cb);
        const exc = new RangeError("division by zero");
        const exc2 = new RuntimeError();
        b.setResult(1);
        c.setException(exc);
        a.setResult(3);
        await runLoop(loop);
        assert.equal(fut.done(), false);
        d.setException(exc2);
        await runLoop(loop);
        assert.ok(fut.done());
        assert.deepEqual(cb.calls, [fut]);
        const res = fut.result();
        assert.deepEqual(res, [3, 1, exc, exc2]);
        assert.equal(res[2], exc);
        assert.equal(res[3], exc2);
      }));
  });
}

describe("test_tasks: GatherTestsBase", () => {
  // cpython: test_tasks.GatherTestsBase.test_env_var_debug
  it("turns debug mode on from ASYNCIO_TS_DEBUG, as PYTHONASYNCIODEBUG does", () => {
    const saved = process.env.ASYNCIO_TS_DEBUG;
    try {
      const debugWith = (value: string | undefined): boolean => {
        if (value === undefined) delete process.env.ASYNCIO_TS_DEBUG;
        else process.env.ASYNCIO_TS_DEBUG = value;
        const loop = asyncio.newEventLoop();
        const debug = loop.getDebug();
        loop.close();
        return debug;
      };
      assert.equal(debugWith(undefined), false);
      assert.equal(debugWith(""), false);
      assert.equal(debugWith("1"), true);
    } finally {
      if (saved === undefined) delete process.env.ASYNCIO_TS_DEBUG;
      else process.env.ASYNCIO_TS_DEBUG = saved;
    }
  });
});

describe("test_tasks: FutureGatherTests", () => {
  // cpython: test_tasks.FutureGatherTests.test_constructor_empty_sequence_use_global_loop
  it("binds an empty gather made outside any loop to the ambient loop", async () => {
    try {
      const fut = asyncio.gather();
      assert.ok(fut instanceof Future);
      assert.equal(fut.getLoop(), asyncio.getEventLoop());
      assert.ok(fut.done());
      assert.deepEqual(fut.result(), []);
    } finally {
      await asyncio.closeAmbientLoop();
    }
  });

  // cpython: test_tasks.FutureGatherTests.test_constructor_empty_sequence_use_running_loop
  it("binds an empty gather to the running loop and resolves it with []", () =>
    withLoop(async (loop) => {
      function* gather(): Coroutine<[Future<[]>]> {
        return [asyncio.gather()];
      }
      const [fut] = await loop.runUntilComplete(gather());
      assert.ok(fut instanceof Future);
      assert.equal(fut.getLoop(), loop);
      await runLoop(loop);
      assert.ok(fut.done());
      assert.deepEqual(fut.result(), []);
    }));

  // cpython: test_tasks.FutureGatherTests.test_constructor_heterogenous_futures
  it("refuses Futures of different loops with a ValueError", () =>
    withLoop(async (loop) => {
      const other = new VirtualTimeLoop();
      try {
        const fut1 = loop.createFuture();
        const fut2 = other.createFuture();
        assert.throws(() => asyncio.gather(fut1, fut2), ValueError);
      } finally {
        other.close();
      }
    }));

  // cpython: test_tasks.FutureGatherTests.test_constructor_homogenous_futures
  it("binds a gather of Futures to their loop", () =>
    withLoop(async (loop) => {
      const children = [loop.createFuture(), loop.createFuture(), loop.createFuture()];
      for (let i = 0; i < 2; i++) {
        const fut = asyncio.gatherAll(children);
        assert.equal(fut.getLoop(), loop);
        await runLoop(loop);
        assert.equal(fut.done(), false);
      }
    }));

  // cpython: test_tasks.FutureGatherTests.test_one_cancellation
  it("fails (not cancelled) with a CancelledError when a child is cancelled", () =>
    withLoop(async (loop) => {
      const [a, b, c, d, e] = Array.from({ length: 5 }, () => loop.createFuture()) as [
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
      ];
      const fut = asyncio.gather(a, b, c, d, e);
      const cb = mockCallback();
      fut.addDoneCallback(cb);
      a.setResult(1);
      b.cancel();
      await runLoop(loop);
      assert.ok(fut.done());
      assert.deepEqual(cb.calls, [fut]);
      assert.equal(fut.cancelled(), false);
      assert.ok(fut.exception() instanceof CancelledError);
      // These change nothing.
      c.setResult(3);
      d.cancel();
      e.setException(new RuntimeError());
      e.exception();
    }));

  // cpython: test_tasks.FutureGatherTests.test_result_exception_one_cancellation
  it("puts a CancelledError in the results for each cancelled child with returnExceptions", () =>
    withLoop(async (loop) => {
      const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => loop.createFuture()) as [
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
        Future<unknown>,
      ];
      const fut = asyncio.gather(a, b, c, d, e, f, { returnExceptions: true });
      const cb = mockCallback();
      fut.addDoneCallback(cb);
      a.setResult(1);
      const zde = new RangeError("division by zero");
      b.setException(zde);
      c.cancel();
      await runLoop(loop);
      assert.equal(fut.done(), false);
      d.setResult(3);
      e.cancel();
      const rte = new RuntimeError();
      f.setException(rte);
      const res = (await loop.runUntilComplete(fut)) as unknown[];
      assert.ok(res[2] instanceof CancelledError);
      assert.ok(res[4] instanceof CancelledError);
      res[2] = null;
      res[4] = null;
      assert.deepEqual(res, [1, zde, null, 3, null, rte]);
      assert.deepEqual(cb.calls, [fut]);
    }));
});

describe("test_tasks: CoroutineGatherTests", () => {
  // cpython: test_tasks.CoroutineGatherTests.test_constructor_use_global_loop
  it("wraps coroutines gathered outside any loop in tasks of the ambient loop", async () => {
    function* coro(): Coroutine<string> {
      return "abc";
    }
    try {
      const fut = asyncio.gather(coro(), coro());
      assert.equal(fut.getLoop(), asyncio.getEventLoop());
      assert.deepEqual(await fut, ["abc", "abc"]);
    } finally {
      await asyncio.closeAmbientLoop();
    }
  });

  // cpython: test_tasks.CoroutineGatherTests.test_constructor_use_running_loop
  it("wraps coroutines in tasks of the running loop", () =>
    withLoop(async (loop) => {
      function* coro(): Coroutine<string> {
        return "abc";
      }
      const gen1 = coro();
      const gen2 = coro();
      function* gather(): Coroutine<[Future<[string, string]>]> {
        return [asyncio.gather(gen1, gen2)];
      }
      const [fut] = await loop.runUntilComplete(gather());
      assert.equal(fut.getLoop(), loop);
      assert.deepEqual(await loop.runUntilComplete(fut), ["abc", "abc"]);
    }));

  // cpython: test_tasks.CoroutineGatherTests.test_duplicate_coroutines
  it("wraps a coroutine passed several times once and repeats its result", () =>
    withLoop(async (loop) => {
      function* coro(s: string): Coroutine<string> {
        return s;
      }
      const c = coro("abc");
      function* gather(): Coroutine<[Future<string[]>]> {
        return [asyncio.gather(c, c, coro("def"), c)];
      }
      const [fut] = await loop.runUntilComplete(gather());
      await runLoop(loop);
      assert.deepEqual(fut.result(), ["abc", "abc", "def", "abc"]);
    }));

  // cpython: test_tasks.CoroutineGatherTests.test_cancellation_broadcast
  it("cancels every child when the task awaiting the gather is cancelled", () =>
    withLoop(async (loop) => {
      let proof = 0;
      const waiter = loop.createFuture<void>();
      function* inner(): Coroutine<void> {
        yield* waiter;
        proof += 1;
      }
      const child1 = asyncio.ensureFuture(inner(), loop);
      const child2 = asyncio.ensureFuture(inner(), loop);
      let gatherer: Future<unknown> | null = null;
      function* outer(): Coroutine<void> {
        gatherer = asyncio.gather(child1, child2);
        yield* gatherer;
        proof += 100;
      }
      const f = asyncio.ensureFuture(outer(), loop);
      await runBriefly(loop);
      assert.equal(f.cancel(), true);
      await assert.rejects(loop.runUntilComplete(f), CancelledError);
      assert.equal((gatherer as Future<unknown> | null)?.cancel(), false);
      assert.ok(waiter.cancelled());
      assert.ok(child1.cancelled());
      assert.ok(child2.cancelled());
      await runBriefly(loop);
      assert.equal(proof, 0);
    }));

  // cpython: test_tasks.CoroutineGatherTests.test_exception_marking
  it("marks the exception of a child failing after the gather failed as retrieved", () =>
    withLoop(async (loop) => {
      const reports: asyncio.ExceptionContext[] = [];
      loop.setDebug(true); // Debug mode reports unretrieved exceptions when the loop closes.
      loop.setExceptionHandler((_loop, context) => reports.push(context));
      function* inner(f: Future<void>): Coroutine<void> {
        yield* f;
        throw new RuntimeError("should not be ignored");
      }
      const a = loop.createFuture<void>();
      const b = loop.createFuture<void>();
      function* outer(): Coroutine<void> {
        yield* asyncio.gather(inner(a), inner(b));
      }
      const f = asyncio.ensureFuture(outer(), loop);
      await runBriefly(loop);
      a.setResult();
      await runBriefly(loop);
      b.setResult();
      await runBriefly(loop);
      assert.ok(f.exception() instanceof RuntimeError);
      loop.close();
      assert.deepEqual(reports, []);
    }));

  // cpython: test_tasks.CoroutineGatherTests.test_issue46672
  it("reports nothing when an argument after a coroutine is not awaitable", () =>
    withLoop(async (loop) => {
      const reports: asyncio.ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => reports.push(context));
      function* coro(s: string): Coroutine<string> {
        return s;
      }
      const c = coro("abc");
      // Python passes `{}`; a plain object in the last position is gather's options here, so the
      // argument that is not awaitable is a number.
      function* gather(): Coroutine<void> {
        (asyncio.gather as (...a: unknown[]) => unknown)(c, 42);
      }
      await assert.rejects(loop.runUntilComplete(gather()), TypeError);
      await runLoop(loop);
      assert.deepEqual(reports, []);
    }));
});

describe("test_tasks: cancellation through gather, as CPython does it", () => {
  // The expectations below were confirmed by running the same programs on CPython 3.13.
  for (const returnExceptions of [false, true]) {
    it(`raises the message of gather.cancel(msg) in the awaiting task (returnExceptions ${returnExceptions})`, () =>
      withLoop(async (loop) => {
        function* child(d: number): Coroutine<number> {
          yield* asyncio.sleep(d);
          return d;
        }
        const g = asyncio.gather(loop.createTask(child(1)), loop.createTask(child(2)), { returnExceptions });
        function* waiter(): Coroutine<unknown> {
          return yield* g;
        }
        const t = loop.createTask(waiter());
        await loop.runUntilComplete(asyncio.sleep(0.5));
        assert.equal(g.cancel("boom"), true);
        await assert.rejects(loop.runUntilComplete(t), cancelledWith("boom"));
        assert.ok(t.cancelled());
        // The gather future holds the CancelledError as its exception; it is not cancelled().
        assert.equal(g.cancelled(), false);
        assert.ok(cancelledWith("boom")(g.exception()));
      }));

    it(`passes the awaiting task's cancel message through gather (returnExceptions ${returnExceptions})`, () =>
      withLoop(async (loop) => {
        function* child(d: number): Coroutine<number> {
          yield* asyncio.sleep(d);
          return d;
        }
        const g = asyncio.gather(loop.createTask(child(1)), loop.createTask(child(2)), { returnExceptions });
        function* waiter(): Coroutine<unknown> {
          return yield* g;
        }
        const t = loop.createTask(waiter());
        await loop.runUntilComplete(asyncio.sleep(0.5));
        t.cancel("tmsg");
        await assert.rejects(loop.runUntilComplete(t), cancelledWith("tmsg"));
        assert.equal(g.cancelled(), false);
        assert.ok(cancelledWith("tmsg")(g.exception()));
      }));
  }

  it("raises a child's cancel message from gather and leaves the other child running", () =>
    withLoop(async (loop) => {
      function* child(d: number): Coroutine<number> {
        yield* asyncio.sleep(d);
        return d;
      }
      const c1 = loop.createTask(child(1));
      const c2 = loop.createTask(child(2));
      const g = asyncio.gather(c1, c2);
      await runBriefly(loop);
      c1.cancel("child msg");
      await assert.rejects(loop.runUntilComplete(g), cancelledWith("child msg"));
      assert.equal(g.cancelled(), false);
      assert.equal(c2.done(), false);
      assert.equal(await loop.runUntilComplete(c2), 2);
    }));

  it("puts a CancelledError without the child's message in the results with returnExceptions", () =>
    withLoop(async (loop) => {
      function* child(d: number): Coroutine<number> {
        yield* asyncio.sleep(d);
        return d;
      }
      const c1 = loop.createTask(child(1));
      const c2 = loop.createTask(child(2));
      const g = asyncio.gather(c1, c2, { returnExceptions: true });
      await runBriefly(loop);
      c1.cancel("child msg");
      const res = await loop.runUntilComplete(g);
      // CPython builds a new CancelledError from the task's own (empty) cancel message here.
      assert.ok(cancelledWith("")(res[0]));
      assert.equal(res[1], 2);
    }));

  it("refuses to cancel a gather that is done, and an empty one", () =>
    withLoop(async (loop) => {
      function* child(): Coroutine<number> {
        yield* asyncio.sleep(0);
        return 0;
      }
      function* main(): Coroutine<void> {
        const g = asyncio.gather(child());
        yield* g;
        assert.equal(g.cancel(), false);
        const empty = asyncio.gather();
        assert.ok(empty.done());
        assert.deepEqual(empty.result(), []);
        assert.equal(empty.cancel(), false);
      }
      await loop.runUntilComplete(main());
    }));
});
