// Ports of CPython 3.13's Lib/test/test_asyncio/test_futures.py and test_futures2.py.
//
// Not ported, and why:
// - DuckTests.test_wrap_future, DuckTests.test_ensure_future: a Future is recognised by class
//   (`instanceof Future`), not by duck typing on `_asyncio_future_blocking`.
// - test_generic_alias: `Future[str]` is a Python typing construct; TypeScript generics exist only
//   at compile time.
// - test_constructor_without_loop, test_wrap_future_without_loop: outside any running loop a
//   Future binds to the ambient loop (src/ambient.ts) instead of failing with "no current event
//   loop"; the ambient loop stands where CPython's global loop is, so the *_use_global_loop tests
//   are ported against it.
// - test_constructor_positional: the loop is the only constructor parameter and TypeScript's
//   types reject `new Future(42)`; no runtime check is spent on the Task creation hot path.
// - test_uninitialized, BaseFutureInheritanceTests.test_inherit_without_calling_super_init:
//   JavaScript forbids a subclass constructor that does not call `super()`, and there is no `__new__`.
// - test_stop_iteration_exception, test_stop_iteration_subclass_exception: JavaScript has no
//   StopIteration; any value may be set as a Future's exception.
// - test_exception_class: Python instantiates an exception class passed to set_exception();
//   in JavaScript a class is an ordinary value and is stored as given.
// - test_copy_state: there is no `_copy_future_state` helper (it serves concurrent.futures chaining).
// - test_log_traceback: the unretrieved-exception flag is internal (a bit of `_flags`); Python
//   guards its setter for `__del__`.
// - test_wrap_future, test_wrap_future_cancel: concurrent.futures and threads. `wrap()` takes a
//   promise, which cannot be cancelled (test_wrap_future_cancel2 is ported: the wrapper is).
// - test_future_source_traceback: ported with the other debug-mode tests in test_debug.test.ts.
// - The "created at" part of test_future_repr: creation sites appear in reprs in debug mode,
//   pinned in test_debug.test.ts (test_handle_repr_debug) and test/debug.test.ts.
// - test_set_result_unless_cancelled: the helper is internal to sleep() and not exported.
// - test_future_del_collect: results have no `__del__` that could re-enter the collector.
// - test_remove_done_callbacks_list_mutation, test_remove_done_callbacks_list_clear,
//   test_schedule_callbacks_list_mutation_2: they mutate the callback list from an `__eq__`;
//   JavaScript compares callbacks by identity, so no user code runs inside removeDoneCallback().
// - CFutureTests.test_future_del_segfault, CFutureTests.test_future_iter_get_referents_segfault:
//   crashes of the C accelerator.
// - test_futures2 FutureTests.test_task_exc_handler_correct_context,
//   test_handle_exc_handler_correct_context: contextvars are not implemented.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { runGcFixture } from "../helpers/gc-fixture.ts";

/** CPython's test_utils.run_briefly: run a Task that yields once, so ready callbacks run. */
async function runBriefly(loop: asyncio.EventLoop): Promise<void> {
  await loop.runUntilComplete(
    (function* () {
      yield;
    })(),
  );
}

/** A done callback that appends `thing` to `bag`, as the CPython tests' `_make_callback`. */
function makeCallback(bag: unknown[], thing: unknown): (future: asyncio.Future<unknown>) => void {
  return () => {
    bag.push(thing);
  };
}

function newFuture<T = unknown>(): { loop: VirtualTimeLoop; fut: asyncio.Future<T> } {
  const loop = new VirtualTimeLoop();
  return { loop, fut: loop.createFuture<T>() };
}

function firstCb(): void {}
function lastCb(): void {}
function fakeFunc(): void {}

describe("Future: state, result and exception", () => {
  // cpython: test_futures.BaseFutureTests.test_isfuture
  it("isFuture() is true for Futures and Tasks only, not for the class or other values", async () => {
    const loop = new VirtualTimeLoop();
    const fut = loop.createFuture();
    assert.equal(asyncio.isFuture(fut), true);
    assert.equal(asyncio.isFuture(asyncio.Future), false);
    assert.equal(asyncio.isFuture(1), false);
    assert.equal(asyncio.isFuture({ _blocking: false, done: () => false }), false);
    const task = loop.createTask(
      (function* () {
        yield;
      })(),
    );
    assert.equal(asyncio.isFuture(task), true);
    await loop.runUntilComplete(task);
    fut.cancel();
    loop.close();
  });

  // cpython: test_futures.BaseFutureTests.test_initial_state
  it("starts pending, neither done nor cancelled, and is cancelled after cancel()", () => {
    const { fut } = newFuture();
    assert.equal(fut.cancelled(), false);
    assert.equal(fut.done(), false);
    fut.cancel();
    assert.equal(fut.cancelled(), true);
  });

  // cpython: test_futures.BaseFutureTests.test_constructor_use_global_loop
  it("binds to the ambient loop when constructed without one outside any running loop", async () => {
    const fut = new asyncio.Future();
    try {
      assert.equal(fut.getLoop(), asyncio.getEventLoop());
      assert.equal(fut.getLoop().isRunning(), true);
    } finally {
      fut.cancel();
      await asyncio.closeAmbientLoop();
    }
  });

  // cpython: test_futures.BaseFutureTests.test_constructor_use_running_loop
  it("binds to the running loop when constructed without one inside a coroutine", async () => {
    const loop = new VirtualTimeLoop();
    // Returned inside an object: a promise resolved with a Future (a thenable) would adopt it.
    function* test(): asyncio.Coroutine<{ fut: asyncio.Future<unknown> }> {
      return { fut: new asyncio.Future() };
    }
    const { fut } = await loop.runUntilComplete(test());
    assert.equal(fut.getLoop(), loop);
    fut.cancel();
    loop.close();
  });

  // cpython: test_futures.BaseFutureTests.test_future_cancel_message_getter
  it("keeps the cancel message and raises it when awaited", async () => {
    const { loop, fut } = newFuture();
    assert.equal(fut._cancelMessage, undefined);
    fut.cancel("my message");
    await assert.rejects(loop.runUntilComplete(fut), { name: "CancelledError", message: "my message" });
    assert.equal(fut._cancelMessage, "my message");
  });

  // cpython: test_futures.BaseFutureTests.test_future_cancel_message_setter
  it("builds the CancelledError from the cancel message current when it is awaited", async () => {
    const { loop, fut } = newFuture();
    fut.cancel("my message");
    fut._cancelMessage = "my new message";
    assert.equal(fut._cancelMessage, "my new message");
    await assert.rejects(loop.runUntilComplete(fut), { name: "CancelledError", message: "my new message" });
    assert.equal(fut._cancelMessage, "my new message");
  });

  // cpython: test_futures.BaseFutureTests.test_cancel
  it("once cancelled, raises CancelledError from result() and exception() and refuses to settle", () => {
    const { fut } = newFuture();
    assert.equal(fut.cancel(), true);
    assert.equal(fut.cancelled(), true);
    assert.equal(fut.done(), true);
    assert.throws(() => fut.result(), asyncio.CancelledError);
    assert.throws(() => fut.exception(), asyncio.CancelledError);
    assert.throws(() => fut.setResult(undefined), asyncio.InvalidStateError);
    assert.throws(() => fut.setException(new Error()), asyncio.InvalidStateError);
    assert.equal(fut.cancel(), false);
  });

  // cpython: test_futures.BaseFutureTests.test_result
  it("holds its result once set, has no exception, and can neither be set again nor cancelled", () => {
    const { fut } = newFuture<number | undefined>();
    assert.throws(() => fut.result(), asyncio.InvalidStateError);
    fut.setResult(42);
    assert.equal(fut.cancelled(), false);
    assert.equal(fut.done(), true);
    assert.equal(fut.result(), 42);
    assert.equal(fut.exception(), null);
    assert.throws(() => fut.setResult(undefined), asyncio.InvalidStateError);
    assert.throws(() => fut.setException(new Error()), asyncio.InvalidStateError);
    assert.equal(fut.cancel(), false);
  });

  // cpython: test_futures.BaseFutureTests.test_exception
  it("raises its exception from result(), returns it from exception(), and stays settled", () => {
    const exc = new asyncio.RuntimeError();
    const { fut } = newFuture();
    assert.throws(() => fut.exception(), asyncio.InvalidStateError);
    fut.setException(exc);
    assert.equal(fut.cancelled(), false);
    assert.equal(fut.done(), true);
    assert.throws(
      () => fut.result(),
      (e) => e === exc,
    );
    assert.equal(fut.exception(), exc);
    assert.throws(() => fut.setResult(undefined), asyncio.InvalidStateError);
    assert.throws(() => fut.setException(new Error()), asyncio.InvalidStateError);
    assert.equal(fut.cancel(), false);
  });

  it("refuses a CancelledError as its exception and names cancel() as the fix", () => {
    // A deliberate difference: CPython stores it and leaves a Future that is finished yet not
    // cancelled (docs/differences-from-python.md, Futures).
    const { fut } = newFuture();
    assert.throws(() => fut.setException(new asyncio.CancelledError()), { name: "TypeError", message: /cancel\(\)/ });
    assert.equal(fut.done(), false);
  });
});

describe("Future: awaiting and iteration", () => {
  // cpython: test_futures.BaseFutureTests.test_yield_from_twice
  it("yields itself once while pending, then evaluates to its result on every later yield*", () => {
    const { fut } = newFuture<number>();
    function* fixture(): Generator<unknown, void, unknown> {
      yield "A";
      const x = yield* fut;
      yield ["B", x];
      const y = yield* fut;
      yield ["C", y];
    }
    const g = fixture();
    assert.equal(g.next().value, "A");
    assert.equal(g.next().value, fut);
    fut.setResult(42);
    assert.deepEqual(g.next().value, ["B", 42]);
    // The second `yield* fut` does not yield the Future: it is done.
    assert.deepEqual(g.next().value, ["C", 42]);
  });

  // cpython: test_futures.BaseFutureTests.test_iter
  it("refuses to be resumed while pending, as when a coroutine is iterated without a Task", () => {
    const { fut } = newFuture();
    function* coro(): asyncio.Coroutine<unknown> {
      return yield* fut;
    }
    // Destructuring drives the coroutine like a plain iterable; nothing waits for the Future.
    assert.throws(
      () => {
        const [_arg1, _arg2] = coro();
      },
      { name: "RuntimeError", message: /resumed before it was done/ },
    );
    fut.cancel();
  });

  // cpython: test_futures.BaseFutureTests.test_future_stop_iteration_args
  it("finishes its iterator at once with the result when it is already done", () => {
    const { fut } = newFuture<[number, number]>();
    fut.setResult([1, 2]);
    const it = fut[Symbol.iterator]();
    assert.deepEqual(it.next(), { done: true, value: [1, 2] });
  });

  // cpython: test_futures.BaseFutureTests.test_future_iter_throw
  it("rethrows what is thrown into its iterator", () => {
    const { fut } = newFuture();
    const it = fut[Symbol.iterator]();
    const zebra = new Error("zebra");
    assert.throws(
      () => it.throw?.(zebra),
      (e) => e === zebra,
    );
    fut.cancel();
  });

  // cpython: test_futures2.FutureTests.test_future_traceback
  it("raises the same error, stack unchanged, each time a failed Task is awaited", async () => {
    const loop = new VirtualTimeLoop();
    function* raiseExc(): asyncio.Coroutine<never> {
      throw new TypeError("42");
    }
    function* main(): asyncio.Coroutine<unknown[]> {
      const future = asyncio.createTask(raiseExc());
      const seen: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        try {
          yield* future;
          assert.fail("TypeError was not raised");
        } catch (e) {
          seen.push(e);
        }
      }
      return seen;
    }
    const seen = await loop.runUntilComplete(main());
    const first = seen[0] as TypeError;
    assert.ok(first instanceof TypeError);
    const stack = first.stack;
    assert.equal((stack?.match(/at raiseExc \(/g) ?? []).length, 1);
    for (const e of seen) {
      assert.equal(e, first);
      assert.equal((e as Error).stack, stack);
    }
    loop.close();
  });

  it("is thenable: async code awaits its result or its exception", async () => {
    const loop = new VirtualTimeLoop();
    const ok = loop.createFuture<number>();
    ok.setResult(7);
    assert.equal(await ok, 7);
    const failed = loop.createFuture();
    const boom = new Error("boom");
    failed.setException(boom);
    await assert.rejects((async () => failed)(), (e) => e === boom);
    loop.close();
  });
});

describe("Future: repr", () => {
  // cpython: test_futures.BaseFutureTests.test_future_repr
  it("describes its state, result or exception, and its callbacks", () => {
    const loop = new VirtualTimeLoop();
    const pending = loop.createFuture();
    assert.equal(String(pending), "<Future pending>");
    pending.cancel();

    const cancelled = loop.createFuture();
    cancelled.cancel();
    assert.equal(String(cancelled), "<Future cancelled>");

    const finished = loop.createFuture<number>();
    finished.setResult(4);
    assert.equal(String(finished), "<Future finished result=number 4>");
    assert.equal(finished.result(), 4);

    const exc = new asyncio.RuntimeError();
    const failed = loop.createFuture();
    failed.setException(exc);
    assert.equal(String(failed), "<Future finished exception=RuntimeError>");
    assert.equal(failed.exception(), exc);

    const oneCallback = loop.createFuture();
    oneCallback.addDoneCallback(fakeFunc);
    assert.equal(String(oneCallback), "<Future pending cb=[fakeFunc()]>");
    oneCallback.cancel();
    assert.equal(String(oneCallback), "<Future cancelled>");

    const twoCallbacks = loop.createFuture();
    twoCallbacks.addDoneCallback(firstCb);
    twoCallbacks.addDoneCallback(lastCb);
    assert.equal(String(twoCallbacks), "<Future pending cb=[firstCb(), lastCb()]>");
    twoCallbacks.cancel();

    const manyCallbacks = loop.createFuture();
    manyCallbacks.addDoneCallback(firstCb);
    for (let i = 0; i < 8; i++) manyCallbacks.addDoneCallback(fakeFunc);
    manyCallbacks.addDoneCallback(lastCb);
    assert.equal(String(manyCallbacks), "<Future pending cb=[firstCb(), <8 more>, lastCb()]>");
    manyCallbacks.cancel();
    assert.equal(String(manyCallbacks), "<Future cancelled>");
    loop.close();
  });

  // cpython: test_futures2.FutureReprTests.test_recursive_repr_for_pending_tasks
  it("shows '...' instead of recursing when its result contains itself", async () => {
    const loop = new VirtualTimeLoop();
    const self = loop.createFuture<unknown>();
    self.setResult(self);
    assert.equal(String(self), "<Future finished result=...>");

    function* func(): asyncio.Coroutine<asyncio.Task<unknown>> {
      return asyncio.currentTask() as asyncio.Task<unknown>;
    }
    function* main(): asyncio.Coroutine<{ task: asyncio.Task<unknown>; result: unknown }> {
      const task = asyncio.createTask(func());
      return { task, result: yield* task };
    }
    const { task, result } = await loop.runUntilComplete(main());
    assert.equal(result, task);
    assert.match(String(task), /^<Task finished .*result=\.\.\.[^<]*>$/);
    loop.close();
  });
});

describe("Future: done callbacks", () => {
  // cpython: test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_first_callback
  it("runs the remaining callbacks in order after the first one is removed", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    fut.addDoneCallback(cb1);
    fut.addDoneCallback(cb2);
    fut.addDoneCallback(cb3);
    fut.removeDoneCallback(cb1);
    fut.removeDoneCallback(cb1);
    assert.deepEqual(bag, []);
    fut.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [17, 100]);
    assert.equal(fut.result(), "foo");
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_first_and_second_callback
  it("runs only the third callback after the first two are removed", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    fut.addDoneCallback(cb1);
    fut.addDoneCallback(cb2);
    fut.addDoneCallback(cb3);
    fut.removeDoneCallback(cb1);
    fut.removeDoneCallback(cb2);
    fut.removeDoneCallback(cb1);
    assert.deepEqual(bag, []);
    fut.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [100]);
    assert.equal(fut.result(), "foo");
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_callbacks_remove_third_callback
  it("runs the first two callbacks in order after the third one is removed", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<string>();
    const cb1 = makeCallback(bag, 42);
    const cb2 = makeCallback(bag, 17);
    const cb3 = makeCallback(bag, 100);
    fut.addDoneCallback(cb1);
    fut.addDoneCallback(cb2);
    fut.addDoneCallback(cb3);
    fut.removeDoneCallback(cb3);
    fut.removeDoneCallback(cb3);
    assert.deepEqual(bag, []);
    fut.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [42, 17]);
    assert.equal(fut.result(), "foo");
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result
  it("runs its callbacks in registration order on the loop after setResult(), not during it", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<string>();
    fut.addDoneCallback(makeCallback(bag, 42));
    fut.addDoneCallback(makeCallback(bag, 17));
    assert.deepEqual(bag, []);
    fut.setResult("foo");
    assert.deepEqual(bag, []);
    await runBriefly(loop);
    assert.deepEqual(bag, [42, 17]);
    assert.equal(fut.result(), "foo");
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_exception
  it("runs its callbacks on the loop after setException()", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture();
    fut.addDoneCallback(makeCallback(bag, 100));
    assert.deepEqual(bag, []);
    const exc = new asyncio.RuntimeError();
    fut.setException(exc);
    await runBriefly(loop);
    assert.deepEqual(bag, [100]);
    assert.equal(fut.exception(), exc);
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_remove_done_callback
  it("removes every registration of a callback and returns how many it removed", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<string>();
    const cb1 = makeCallback(bag, 1);
    const cb2 = makeCallback(bag, 2);
    const cb3 = makeCallback(bag, 3);
    fut.addDoneCallback(cb1);
    fut.addDoneCallback(cb2);
    assert.equal(fut.removeDoneCallback(cb2), 1);
    assert.equal(fut.removeDoneCallback(cb3), 0);
    fut.addDoneCallback(cb2);
    for (let i = 0; i < 5; i++) fut.addDoneCallback(cb1);
    assert.equal(fut.removeDoneCallback(cb1), 6);
    assert.deepEqual(bag, []);
    fut.setResult("foo");
    await runBriefly(loop);
    assert.deepEqual(bag, [2]);
    assert.equal(fut.result(), "foo");
  });

  // cpython: test_futures.BaseFutureDoneCallbackTests.test_schedule_callbacks_list_mutation_1
  it("runs every callback scheduled at completion even if one removes the others", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<number>();
    const str = makeCallback(bag, "str");
    const mut = (f: asyncio.Future<number>): void => {
      bag.push(["removed", f.removeDoneCallback(str)]);
    };
    fut.addDoneCallback(mut);
    fut.addDoneCallback(str);
    fut.addDoneCallback(str);
    fut.setResult(1);
    await runBriefly(loop);
    // The callbacks were taken off the Future when it completed: nothing is left to remove.
    assert.deepEqual(bag, [["removed", 0], "str", "str"]);
  });

  it("schedules a callback added to a done Future for the next iteration", async () => {
    const bag: unknown[] = [];
    const { loop, fut } = newFuture<number>();
    fut.setResult(1);
    fut.addDoneCallback(makeCallback(bag, "late"));
    assert.deepEqual(bag, []);
    await runBriefly(loop);
    assert.deepEqual(bag, ["late"]);
  });

  it("refuses a done callback that is not a function", () => {
    const { fut } = newFuture();
    assert.throws(() => fut.addDoneCallback(42 as never), { name: "TypeError", message: /expects a function/ });
  });
});

describe("Future: wrap()", () => {
  // cpython: test_futures.BaseFutureTests.test_wrap_future_future
  it("returns a Future it is given unchanged", () => {
    const { fut } = newFuture();
    assert.equal(asyncio.wrap(fut), fut);
    fut.cancel();
  });

  // cpython: test_futures.BaseFutureTests.test_wrap_future_use_global_loop
  it("binds the wrapper to the ambient loop outside any running loop", async () => {
    const f2 = asyncio.wrap(Promise.resolve("oi"));
    try {
      assert.equal(f2.getLoop(), asyncio.getEventLoop());
      assert.equal(await f2, "oi");
    } finally {
      await asyncio.closeAmbientLoop();
    }
  });

  // cpython: test_futures.BaseFutureTests.test_wrap_future_use_running_loop
  it("binds the wrapper to the running loop and settles it with the promise", async () => {
    const loop = new VirtualTimeLoop();
    function* test(): asyncio.Coroutine<[asyncio.Future<string>, string]> {
      const f2 = asyncio.wrap(Promise.resolve("oi"));
      const value = yield* f2;
      return [f2, value];
    }
    const [f2, value] = await loop.runUntilComplete(test());
    assert.equal(f2.getLoop(), loop);
    assert.equal(value, "oi");
    loop.close();
  });

  // cpython: test_futures.BaseFutureTests.test_wrap_future_cancel2
  it("stays cancelled when cancelled before the promise's result arrives", async () => {
    const loop = new VirtualTimeLoop();
    const f1 = Promise.resolve(42);
    const f2 = asyncio.wrap(f1, loop);
    f2.cancel();
    await runBriefly(loop);
    assert.equal(await f1, 42);
    assert.equal(f2.cancelled(), true);
    loop.close();
  });
});

describe("Future: exception never retrieved", () => {
  // These need the garbage collector: a child process runs with --expose-gc (see the fixture).
  type Report = { message: string; exception: string | null; futureRepr: string | null };
  let outcomes: Record<string, { collected: boolean; reports: Report[] }>;
  before(async () => {
    outcomes = await runGcFixture(
      "never-retrieved",
      [
        "pending-future-abandoned",
        "exception-set-then-cancelled",
        "result-unretrieved",
        "result-retrieved",
        "exception-unretrieved",
        "exception-retrieved",
        "exception-result-retrieved",
      ],
      30_000,
    );
  });

  function outcome(name: string) {
    const found = outcomes[name];
    assert.ok(found, `scenario ${name} ran`);
    assert.equal(found.collected, true, "the Future was garbage-collected");
    return found.reports;
  }

  // cpython: test_futures.BaseFutureTests.test_tb_logger_abandoned
  it("reports nothing when a pending Future is collected", () => {
    assert.deepEqual(outcome("pending-future-abandoned"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_not_called_after_cancel
  it("reports nothing when a failed Future was cancelled (cancel() counts as retrieving)", () => {
    assert.deepEqual(outcome("exception-set-then-cancelled"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_result_unretrieved
  it("reports nothing when a Future with an unread result is collected", () => {
    assert.deepEqual(outcome("result-unretrieved"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_result_retrieved
  it("reports nothing when a Future whose result was read is collected", () => {
    assert.deepEqual(outcome("result-retrieved"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_exception_unretrieved
  it("reports an exception nobody retrieved once the Future is collected", () => {
    const reports = outcome("exception-unretrieved");
    assert.ok(reports.length > 0, "the exception handler was called");
    assert.equal(reports[0]?.exception, "RuntimeError: boom");
  });

  // cpython: test_futures.BaseFutureTests.test_future_exception_never_retrieved
  it("reports it exactly once, as 'Future exception was never retrieved', with the Future's repr", () => {
    assert.deepEqual(outcome("exception-unretrieved"), [
      {
        message: "Future exception was never retrieved",
        exception: "RuntimeError: boom",
        futureRepr: "<Future finished exception=RuntimeError: boom>",
      },
    ]);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_exception_retrieved
  it("reports nothing when exception() was called before the Future was collected", () => {
    assert.deepEqual(outcome("exception-retrieved"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_tb_logger_exception_result_retrieved
  it("reports nothing when result() raised the exception before the Future was collected", () => {
    assert.deepEqual(outcome("exception-result-retrieved"), []);
  });

  // cpython: test_futures.BaseFutureTests.test_future_exception_never_retrieved_debug
  it("reports an unretrieved exception once, at loop.close(), in debug mode", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const reports: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, context) => reports.push(context));
    const exc = new asyncio.ValueError("memory");
    const fut = loop.createFuture();
    fut.setException(exc);
    const retrieved = loop.createFuture();
    retrieved.setException(new Error("seen"));
    retrieved.exception();
    assert.equal(reports.length, 0);
    loop.close();
    assert.equal(reports.length, 1);
    assert.match(reports[0]?.message ?? "", /^Future exception was never retrieved/);
    assert.equal(reports[0]?.exception, exc);
    assert.equal(reports[0]?.future, fut);
    // Reported once: the Future now counts as retrieved.
    loop.close();
    assert.equal(reports.length, 1);
  });

  it("reports a failed Task nobody awaited as 'Task exception was never retrieved' at close() in debug mode", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const reports: asyncio.ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, context) => reports.push(context));
    const boom = new asyncio.ValueError("boom");
    function* failing(): asyncio.Coroutine<never> {
      yield* asyncio.sleep(1);
      throw boom;
    }
    function* awaited(): asyncio.Coroutine<never> {
      throw new Error("awaited");
    }
    function* main(): asyncio.Coroutine<{ task: asyncio.Task<unknown> }> {
      const task = asyncio.createTask(failing());
      try {
        yield* asyncio.createTask(awaited());
      } catch {
        // Awaiting retrieves this one.
      }
      yield* asyncio.sleep(2);
      // Inside an object: a promise resolved with the Task itself would adopt it and retrieve its error.
      return { task };
    }
    const { task } = await loop.runUntilComplete(main());
    assert.equal(task.done(), true);
    assert.equal(reports.length, 0, "nothing is reported before close()");
    loop.close();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.message, "Task exception was never retrieved");
    assert.equal(reports[0]?.exception, boom);
    assert.equal(reports[0]?.future, task);
  });
});
