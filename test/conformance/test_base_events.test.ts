// Ports of CPython 3.13's Lib/test/test_asyncio/test_base_events.py: BaseEventLoopTests and
// RunningLoopTests, the parts that are about scheduling, running and error handling.
//
// Not ported, and why:
// - BaseEventTests, BaseEventLoopWithSelectorTests, BaseLoopSockSendfileTests, TestSelectorUtils:
//   sockets, DNS, servers, transports and sendfile; asyncio-ts has no networking layer.
// - test_not_implemented: the transport and selector hooks of BaseEventLoop do not exist here.
// - test_set_default_executor, test_set_default_executor_error, test_shutdown_default_executor_timeout:
//   executors belong to the executors work (issue 8).
// - test_check_thread: the loop runs on one thread; there is no thread-safety check to make.
// - test_subprocess_exec_invalid_args, test_subprocess_shell_invalid_args: no subprocess support.
// - test_single_selecter_event_callback_after_stopping: I/O events come from a selector in
//   asyncio; here they arrive as host callbacks, there is no `_process_events` step to re-run.
// - test_custom_run_forever_integration: there are no `_run_forever_setup()`/`_run_forever_cleanup()`
//   primitives: the loop rides on Node's and is driven by host callbacks, not a caller's loop.
// - test_asyncgen_finalization_by_gc, test_asyncgen_finalization_by_gc_in_other_thread: coroutines
//   are generators; there are no asyncio async generators whose finalizer the loop would schedule.
import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { runGcFixture } from "../helpers/gc-fixture.ts";

/** CPython's test_utils.run_once: schedule stop() and run exactly one iteration. */
async function runOnce(loop: asyncio.EventLoop): Promise<void> {
  loop.callSoon(() => loop.stop());
  await loop.runForever();
}

/** CPython's test_utils.run_briefly: run a Task that yields once. */
async function runBriefly(loop: asyncio.EventLoop): Promise<void> {
  await loop.runUntilComplete(
    (function* () {
      yield;
    })(),
  );
}

/** Run `body` with console.error replaced by a recorder; return what was written, one string per call. */
async function capturingStderr(body: () => Promise<void> | void): Promise<string[]> {
  const written: string[] = [];
  const spy = mock.method(console, "error", (...args: unknown[]) => {
    written.push(args.map((a) => (a instanceof Error ? (a.stack ?? String(a)) : String(a))).join(" "));
  });
  try {
    await body();
  } finally {
    spy.mock.restore();
  }
  return written;
}

function zeroError(): never {
  throw new asyncio.ValueError("division by zero");
}

describe("BaseEventLoop: scheduling", () => {
  // cpython: test_base_events.BaseEventLoopTests.test__add_callback_handle
  it("runs a scheduled handle on the next iteration, not at once", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    loop.callSoon(() => calls.push("h"));
    assert.deepEqual(calls, []);
    await runOnce(loop);
    assert.deepEqual(calls, ["h"]);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test__add_callback_cancelled_handle
  it("never runs a handle cancelled before its turn", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    const h = loop.callSoon(() => calls.push("h"));
    h.cancel();
    assert.equal(h.cancelled(), true);
    await runOnce(loop);
    assert.deepEqual(calls, []);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_call_soon
  it("returns a Handle holding the callback from callSoon()", () => {
    const loop = new VirtualTimeLoop();
    const cb = (): void => {};
    const h = loop.callSoon(cb);
    assert.ok(h instanceof asyncio.Handle);
    assert.equal(h._callback, cb);
    assert.equal(h.cancelled(), false);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_call_soon_non_callable
  it("refuses a callback that is not a function", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    assert.throws(() => loop.callSoon(1 as never), { name: "TypeError", message: /a function was expected/ });
    loop.close();
  });

  it("refuses a generator function or coroutine as a callback and names createTask() as the fix", () => {
    const loop = new VirtualTimeLoop();
    function* coro(): asyncio.Coroutine<void> {}
    assert.throws(() => loop.callSoon(coro), { name: "TypeError", message: /createTask/ });
    assert.throws(() => loop.callLater(1, coro), { name: "TypeError", message: /createTask/ });
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_call_later
  it("returns a TimerHandle from callLater() that is due later, and refuses a missing delay", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    const cb = (): void => {
      calls.push("cb");
    };
    const h = loop.callLater(10.0, cb);
    assert.ok(h instanceof asyncio.TimerHandle);
    assert.equal(h.when(), loop.time() + 10);
    await runOnce(loop);
    assert.deepEqual(calls, [], "not run before its deadline");
    assert.throws(() => loop.callLater(null as never, cb), TypeError);
    h.cancel();
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_call_later_negative_delays
  it("runs timers with negative delays as soon as possible, earliest deadline first", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    const cb = (arg: string): void => {
      calls.push(arg);
    };
    loop.callLater(-1, cb, "a");
    loop.callLater(-2, cb, "b");
    await runBriefly(loop);
    assert.deepEqual(calls, ["b", "a"]);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_time_and_call_at
  it("runs a callAt() callback no earlier than its loop time, and refuses a missing time", async () => {
    const loop = new VirtualTimeLoop();
    const delay = 0.1;
    const when = loop.time() + delay;
    loop.callAt(when, () => loop.stop());
    const t0 = loop.time();
    await loop.runForever();
    const dt = loop.time() - t0;
    assert.ok(dt >= delay, `${dt} >= ${delay}`);
    assert.equal(loop.time(), when);
    assert.throws(() => loop.callAt(null as never, () => {}), TypeError);
    loop.close();
  });

  it("refuses a NaN delay or time with ValueError", () => {
    const loop = new VirtualTimeLoop();
    assert.throws(() => loop.callLater(Number.NaN, () => {}), asyncio.ValueError);
    assert.throws(() => loop.callAt(Number.NaN, () => {}), asyncio.ValueError);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test__run_once
  it("waits for the first timer that is not cancelled, dropping cancelled ones at the head", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    const h1 = loop.callLater(5, () => calls.push("h1"));
    const h2 = loop.callLater(10, () => {
      calls.push("h2");
      loop.stop();
    });
    h1.cancel();
    await loop.runForever();
    assert.deepEqual(calls, ["h2"]);
    assert.equal(loop.time(), 10);
    assert.equal(h1._scheduled, false, "the cancelled timer left the heap");
    assert.equal(h2._scheduled, false);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test__run_once_schedule_handle
  it("runs a callback scheduled by a due timer on the following iteration", async () => {
    const loop = new VirtualTimeLoop();
    let processed = false;
    let laterRan = false;
    let handle: asyncio.Handle | null = null;
    loop.callLater(-1, () => {
      processed = true;
      handle = loop.callSoon(() => {
        laterRan = true;
      });
    });
    await runOnce(loop);
    assert.equal(processed, true);
    assert.ok(handle !== null);
    assert.equal(laterRan, false, "the new handle waits for the next iteration");
    await runOnce(loop);
    assert.equal(laterRan, true);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test__run_once_cancelled_event_cleanup
  it("drops cancelled timers at the head at once and the rest in bulk once they are the majority", async () => {
    const loop = new VirtualTimeLoop();
    const cb = (): void => {};
    const notCancelled: asyncio.TimerHandle[] = [loop.callLater(3000, cb)];
    const cancelledLate: asyncio.TimerHandle[] = [];
    for (let i = 0; i < 2; i++) {
      const h = loop.callLater(3600, cb);
      h.cancel();
      cancelledLate.push(h);
    }
    const cancelledEarly: asyncio.TimerHandle[] = [];
    for (let i = 0; i < 2; i++) {
      const h = loop.callLater(100, cb);
      h.cancel();
      cancelledEarly.push(h);
    }
    await runOnce(loop);
    // The two at the head went; the two behind a live timer stay until a bulk clean-up.
    assert.ok(cancelledEarly.every((h) => !h._scheduled));
    assert.ok(cancelledLate.every((h) => h._scheduled));
    assert.ok(notCancelled.every((h) => h._scheduled));

    // CPython's thresholds: more than 100 timers, more than half of them cancelled.
    const addCancel = Math.ceil(100 * 0.5) + 1;
    const addNotCancel = 100 - addCancel;
    for (let i = 0; i < addNotCancel; i++) notCancelled.push(loop.callLater(3600, cb));
    for (let i = 0; i < addCancel; i++) {
      const h = loop.callLater(3600, cb);
      h.cancel();
      cancelledLate.push(h);
    }
    assert.ok(
      cancelledLate.every((h) => h._scheduled),
      "nothing is dropped before the next iteration",
    );
    await runOnce(loop);
    assert.ok(
      cancelledLate.every((h) => !h._scheduled),
      "every cancelled timer was removed",
    );
    assert.equal(notCancelled.filter((h) => h._scheduled).length, notCancelled.length);
    for (const h of notCancelled) h.cancel();
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_once
  it("runs exactly one iteration with the callSoon(stop) + runForever() idiom", async () => {
    const loop = new VirtualTimeLoop();
    let count = 0;
    loop.callSoon(() => {
      count++;
      loop.callSoon(() => count++);
    });
    await runOnce(loop);
    assert.equal(count, 1);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_forever_pre_stopped
  it("runs one iteration without waiting for timers when stop() was called before runForever()", async () => {
    const loop = new VirtualTimeLoop();
    const calls: string[] = [];
    loop.callLater(10, () => calls.push("timer"));
    loop.stop();
    await loop.runForever();
    assert.equal(loop.time(), 0, "the clock did not jump to the timer");
    assert.deepEqual(calls, []);
    assert.equal(loop.isRunning(), false);
    loop.close();
  });
});

describe("BaseEventLoop: running and closing", () => {
  // cpython: test_base_events.BaseEventLoopTests.test_close
  it("can be closed more than once and refuses to run once closed", () => {
    const loop = new VirtualTimeLoop();
    assert.equal(loop.isClosed(), false);
    loop.close();
    assert.equal(loop.isClosed(), true);
    loop.close();
    loop.close();
    assert.throws(() => loop.runForever(), { name: "RuntimeError", message: /closed/ });
    const other = new VirtualTimeLoop();
    const f = other.createFuture();
    assert.throws(() => loop.runUntilComplete(f), { name: "RuntimeError", message: /closed/ });
    f.cancel();
    other.close();
  });

  it("cannot be closed while it runs", async () => {
    const loop = new VirtualTimeLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        error = e;
      }
      loop.stop();
    });
    await loop.runForever();
    assert.ok(error instanceof asyncio.RuntimeError);
    assert.equal(loop.isClosed(), false);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_debug
  it("turns debug mode on and off", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    assert.equal(loop.getDebug(), true);
    loop.setDebug(false);
    assert.equal(loop.getDebug(), false);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_env_var_debug
  it("starts in debug mode when ASYNCIO_TS_DEBUG is set to a non-empty value other than 0", () => {
    const saved = process.env.ASYNCIO_TS_DEBUG;
    const debugWith = (value: string | undefined): boolean => {
      if (value === undefined) delete process.env.ASYNCIO_TS_DEBUG;
      else process.env.ASYNCIO_TS_DEBUG = value;
      const loop = asyncio.newEventLoop();
      const debug = loop.getDebug();
      loop.close();
      return debug;
    };
    try {
      assert.equal(debugWith(undefined), false);
      assert.equal(debugWith(""), false);
      assert.equal(debugWith("0"), false);
      assert.equal(debugWith("1"), true);
    } finally {
      if (saved === undefined) delete process.env.ASYNCIO_TS_DEBUG;
      else process.env.ASYNCIO_TS_DEBUG = saved;
    }
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_until_complete_type_error
  it("refuses to run until something that is neither a Future nor a coroutine", () => {
    const loop = new VirtualTimeLoop();
    assert.throws(() => loop.runUntilComplete("blah" as never), TypeError);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_until_complete_loop
  it("refuses to run until a Future of another loop is done", () => {
    const loop = new VirtualTimeLoop();
    const task = loop.createFuture();
    const otherLoop = new VirtualTimeLoop();
    assert.throws(() => otherLoop.runUntilComplete(task), asyncio.ValueError);
    task.cancel();
    otherLoop.close();
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_until_complete_loop_orphan_future_close_loop
  it("removes its done callback when stopped early, so the orphan Future cannot stop a later run", async () => {
    const loop = new VirtualTimeLoop();
    function* foo(delay: number): asyncio.Coroutine<void> {
      yield* asyncio.sleep(delay);
    }
    loop.callSoon(() => loop.stop());
    await assert.rejects(loop.runUntilComplete(foo(0.1)), {
      name: "RuntimeError",
      message: "Event loop stopped before Future completed.",
    });
    // foo(0.1) finishes during this run; had its stop() callback stayed, this run would end early.
    await loop.runUntilComplete(foo(0.2));
    assert.equal(loop.time(), 0.2);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_forever_keyboard_interrupt
  it("consumes the exception of the Task runUntilComplete() made, so nothing reports it as unretrieved", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const handler = mock.fn<asyncio.ExceptionHandler>();
    loop.setExceptionHandler(handler);
    function* raiseInterrupt(): asyncio.Coroutine<never> {
      throw new asyncio.RuntimeError("interrupt");
    }
    await assert.rejects(loop.runUntilComplete(raiseInterrupt()), { message: "interrupt" });
    // Debug mode reports every unretrieved exception at close().
    loop.close();
    assert.equal(handler.mock.callCount(), 0);
  });

  // cpython: test_base_events.BaseEventLoopTests.test_run_until_complete_baseexception
  it("leaves no pending stop() behind when the awaited coroutine fails", async () => {
    const loop = new VirtualTimeLoop();
    function* raiseInterrupt(): asyncio.Coroutine<never> {
      throw new asyncio.RuntimeError("interrupt");
    }
    await assert.rejects(loop.runUntilComplete(raiseInterrupt()), { message: "interrupt" });
    let called = false;
    const func = (): void => {
      loop.stop();
      called = true;
    };
    loop.callSoon(() => loop.callSoon(func));
    await loop.runForever();
    assert.equal(called, true);
    loop.close();
  });

  // cpython: test_base_events.RunningLoopTests.test_running_loop_within_a_loop
  it("refuses to run a loop from a coroutine another loop is running", async () => {
    const loop = asyncio.newEventLoop();
    const outerLoop = asyncio.newEventLoop();
    function* runner(inner: asyncio.EventLoop): asyncio.Coroutine<void> {
      void inner.runForever();
    }
    try {
      await assert.rejects(outerLoop.runUntilComplete(runner(loop)), {
        name: "RuntimeError",
        message: /while another loop is running/,
      });
    } finally {
      loop.close();
      outerLoop.close();
    }
  });

  it("refuses to run a loop that is already running", async () => {
    const loop = new VirtualTimeLoop();
    function* again(): asyncio.Coroutine<void> {
      void loop.runForever();
    }
    await assert.rejects(loop.runUntilComplete(again()), { name: "RuntimeError", message: /already running/ });
    loop.close();
  });
});

describe("BaseEventLoop: exception handlers", () => {
  // cpython: test_base_events.BaseEventLoopTests.test_default_exc_handler_callback
  it("logs an exception raised by a callSoon() or callLater() callback with the default handler", async () => {
    const loop = new VirtualTimeLoop();
    for (const schedule of ["callSoon", "callLater"] as const) {
      const written = await capturingStderr(async () => {
        const fut = loop.createFuture<boolean>();
        const zeroErrorCb = (f: asyncio.Future<boolean>): void => {
          f.setResult(true);
          zeroError();
        };
        if (schedule === "callSoon") loop.callSoon(zeroErrorCb, fut);
        else loop.callLater(0.01, zeroErrorCb, fut);
        fut.addDoneCallback(() => loop.stop());
        await loop.runForever();
      });
      assert.equal(written.length, 1, schedule);
      assert.match(written[0] ?? "", /^Exception in callback.*zeroErrorCb/);
      assert.match(written[0] ?? "", /ValueError: division by zero/);
    }
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_exc_handler_invalid
  it("refuses an exception handler that is neither a function nor null", () => {
    const loop = new VirtualTimeLoop();
    assert.throws(() => loop.setExceptionHandler("spam" as never), {
      name: "TypeError",
      message: /a function or null/,
    });
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_exc_handler_custom
  it("calls a custom handler with the loop and the context, and the default one again after reset", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const runLoop = async (): Promise<asyncio.Handle> => {
      const handle = loop.callSoon(zeroError);
      await runOnce(loop);
      return handle;
    };
    assert.equal(loop.getExceptionHandler(), null);
    const handler = mock.fn<asyncio.ExceptionHandler>();
    loop.setExceptionHandler(handler);
    assert.equal(loop.getExceptionHandler(), handler);
    const handle = await runLoop();
    assert.equal(handler.mock.callCount(), 1);
    const [calledLoop, context] = handler.mock.calls[0]?.arguments ?? [];
    assert.equal(calledLoop, loop);
    assert.match(context?.message ?? "", /Exception in callback.*zeroError/);
    assert.ok(context?.exception instanceof asyncio.ValueError);
    assert.equal(context?.handle, handle);

    loop.setExceptionHandler(null);
    const written = await capturingStderr(async () => {
      await runLoop();
    });
    assert.equal(written.length, 1);
    assert.match(written[0] ?? "", /Exception in callback.*zero/);
    assert.equal(handler.mock.callCount(), 1, "the removed handler was not called again");
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_exc_handler_broken
  it("logs 'Unhandled error in exception handler' when the custom handler throws", async () => {
    const loop = new VirtualTimeLoop();
    loop.setExceptionHandler(() => {
      throw new TypeError("spam");
    });
    const written = await capturingStderr(async () => {
      loop.callSoon(zeroError);
      await runOnce(loop);
    });
    assert.equal(written.length, 1);
    assert.match(written[0] ?? "", /^Unhandled error in exception handler/);
    assert.match(written[0] ?? "", /TypeError: spam/);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_default_exc_handler_broken
  it("logs when the default handler itself throws, and passes it the custom handler's context", async () => {
    let seen: asyncio.ExceptionContext | null = null;
    class Loop extends VirtualTimeLoop {
      override defaultExceptionHandler(context: asyncio.ExceptionContext): void {
        seen = context;
        // A buggy default handler.
        throw new asyncio.ValueError("spam");
      }
    }
    const loop = new Loop();
    const runLoop = async (): Promise<void> => {
      loop.callSoon(zeroError);
      await runOnce(loop);
    };
    let written = await capturingStderr(runLoop);
    assert.equal(written.length, 1);
    assert.match(written[0] ?? "", /^Exception in default exception handler .*ValueError: spam/s);

    loop.setExceptionHandler(() => {
      throw new asyncio.ValueError("ham");
    });
    seen = null;
    written = await capturingStderr(runLoop);
    assert.equal(written.length, 1);
    assert.match(written[0] ?? "", /^Exception in default exception.*while handling.*in a custom/);
    // The default handler received the original context under "context".
    const outer = seen as asyncio.ExceptionContext | null;
    assert.ok(outer !== null);
    const original = outer.context as asyncio.ExceptionContext;
    assert.ok(original.exception instanceof asyncio.ValueError);
    assert.equal((original.exception as Error).message, "division by zero");
    loop.close();
  });

  describe("an exception of a collected Task", () => {
    let outcome: { collected: boolean; reports: { message: string; exception: string | null }[] };
    before(async () => {
      type Outcome = { collected: boolean; reports: { message: string; exception: string | null }[] };
      const all = await runGcFixture<Record<string, Outcome>>(
        "never-retrieved",
        ["task-exception-unretrieved", "task-exception-awaited"],
        30_000,
      );
      outcome = all["task-exception-unretrieved"] as Outcome;
      const awaited = all["task-exception-awaited"] as Outcome;
      assert.equal(awaited.collected, true);
      assert.deepEqual(awaited.reports, [], "an awaited Task's exception counts as retrieved");
    });

    // cpython: test_base_events.BaseEventLoopTests.test_default_exc_handler_coro
    it("is logged by the default handler as 'Task exception was never retrieved' once the Task is collected", () => {
      assert.equal(outcome.collected, true);
      assert.equal(outcome.reports.length, 1);
      const report = outcome.reports[0];
      assert.equal(report?.message, "Task exception was never retrieved");
      assert.match(report?.exception ?? "", /ValueError: division by zero\n\s+at zeroErrorCoro/);
    });
  });
});

describe("BaseEventLoop: tasks", () => {
  // cpython: test_base_events.BaseEventLoopTests.test_set_task_factory_invalid
  it("refuses a task factory that is neither a function nor null", () => {
    const loop = new VirtualTimeLoop();
    assert.throws(() => loop.setTaskFactory(1 as never), { name: "TypeError", message: /a function or null/ });
    assert.equal(loop.getTaskFactory(), null);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_task_factory
  it("builds Tasks with the factory set, and with Task again once it is reset", async () => {
    const loop = new VirtualTimeLoop();
    class MyTask<T> extends asyncio.Task<T> {}
    function* coro(): asyncio.Coroutine<void> {}
    const factory: asyncio.TaskFactory = (l, c) => new MyTask(c, { loop: l });
    assert.equal(loop.getTaskFactory(), null);
    loop.setTaskFactory(factory);
    assert.equal(loop.getTaskFactory(), factory);
    let task = loop.createTask(coro());
    assert.ok(task instanceof MyTask);
    await loop.runUntilComplete(task);

    loop.setTaskFactory(null);
    assert.equal(loop.getTaskFactory(), null);
    task = loop.createTask(coro());
    assert.ok(task instanceof asyncio.Task);
    assert.ok(!(task instanceof MyTask));
    await loop.runUntilComplete(task);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_create_task
  it("makes ensureFuture() go through the loop's createTask(), which a subclass may override", () => {
    class MyTask<T> extends asyncio.Task<T> {}
    class EventLoop extends VirtualTimeLoop {
      override createTask<T>(coro: asyncio.Coroutine<T>): asyncio.Task<T> {
        return new MyTask(coro, { loop: this });
      }
    }
    const loop = new EventLoop();
    function* test(): asyncio.Coroutine<void> {}
    const coro = test();
    const task = asyncio.ensureFuture(coro, loop);
    assert.ok(task instanceof MyTask);
    task._logDestroyPending = false;
    coro.return(undefined);
    loop.close();
  });

  // cpython: test_base_events.BaseEventLoopTests.test_create_task_error_closes_coro
  it("closes the coroutine when a closed loop refuses to wrap it in a Task", () => {
    const loop = asyncio.newEventLoop();
    loop.close();
    function* test(): asyncio.Coroutine<void> {
      yield;
    }
    const coro = test();
    assert.throws(() => asyncio.ensureFuture(coro, loop), asyncio.RuntimeError);
    // A closed generator is finished: resuming it does not reach its `yield`.
    assert.deepEqual(coro.next(), { done: true, value: undefined });
  });

  // cpython: test_base_events.BaseEventLoopTests.test_create_named_task_with_default_factory
  it("names a Task made by the default factory", async () => {
    const loop = asyncio.newEventLoop();
    function* test(): asyncio.Coroutine<void> {}
    const task = loop.createTask(test(), { name: "test_task" });
    try {
      assert.equal(task.getName(), "test_task");
    } finally {
      await loop.runUntilComplete(task);
      loop.close();
    }
  });

  // cpython: test_base_events.BaseEventLoopTests.test_create_named_task_with_custom_factory
  it("names a Task made by a custom factory that ignores the options", async () => {
    const loop = asyncio.newEventLoop();
    loop.setTaskFactory((l, coro) => new asyncio.Task(coro, { loop: l }));
    function* test(): asyncio.Coroutine<void> {}
    const task = loop.createTask(test(), { name: "test_task" });
    try {
      assert.equal(task.getName(), "test_task");
    } finally {
      await loop.runUntilComplete(task);
      loop.close();
    }
  });
});
