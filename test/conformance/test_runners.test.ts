// Ports of CPython 3.13's Lib/test/test_asyncio/test_runners.py: run() and Runner.
//
// CPython interrupts itself with `_thread.interrupt_main()`, which calls the SIGINT handler as if
// the signal had arrived; `process.emit("SIGINT")` does the same here. One test sends a real SIGINT
// to a child process.
//
// Not ported, and why:
// - RunTests.test_asyncio_run_set_event_loop, RunnerTests.test_set_event_loop_called_once: there
//   are no event loop policies and no set_event_loop().
// - RunTests.test_asyncio_run_closes_gens_after_hanging_tasks_errors: coroutines are generators;
//   there are no asyncio async generators for run() to finalize (shutdown_asyncgens).
// - RunTests.test_asyncio_run_without_uncancel: a task factory must return a Task, so there is no
//   duck-typed task without uncancel() to tolerate.
// - RunnerTests.test_run_keeps_context: contextvars are not implemented.
// - RunnerTests.test_signal_install_not_supported_ok: installing a listener with process.on() cannot
//   fail; the neighbouring case, a program that has its own SIGINT listener, is tested instead.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it, mock } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

const virtual = { loopFactory: () => new VirtualTimeLoop() };

/** CPython's `interrupt_self()`: deliver SIGINT to this process's listeners, as the signal would. */
function interruptSelf(): void {
  process.emit("SIGINT", "SIGINT");
}

/** A loop factory that remembers the loops it made, to check they were closed. */
function recordingFactory(): { loops: asyncio.EventLoop[]; loopFactory: () => asyncio.EventLoop } {
  const loops: asyncio.EventLoop[] = [];
  return {
    loops,
    loopFactory: () => {
      const loop = new VirtualTimeLoop();
      loops.push(loop);
      return loop;
    },
  };
}

describe("run()", () => {
  // cpython: test_runners.RunTests.test_asyncio_run_return
  it("resolves with what the main coroutine returns, and closes its loop", async () => {
    const { loops, loopFactory } = recordingFactory();
    function* main(): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0);
      return 42;
    }
    assert.equal(await asyncio.run(main(), { loopFactory }), 42);
    assert.equal(loops.length, 1);
    assert.equal(loops[0]?.isClosed(), true);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_raises
  it("rejects with what the main coroutine throws, and closes its loop", async () => {
    const { loops, loopFactory } = recordingFactory();
    function* main(): asyncio.Coroutine<never> {
      yield* asyncio.sleep(0);
      throw new asyncio.ValueError("spam");
    }
    await assert.rejects(asyncio.run(main(), { loopFactory }), { name: "ValueError", message: "spam" });
    assert.equal(loops[0]?.isClosed(), true);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_only_coro
  it("refuses anything but a coroutine with ValueError, before making a loop", () => {
    const { loops, loopFactory } = recordingFactory();
    for (const o of [1, () => undefined]) {
      assert.throws(() => asyncio.run(o as never, { loopFactory }), {
        name: "ValueError",
        message: /a coroutine was expected/,
      });
    }
    assert.equal(loops.length, 0);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_debug
  it("sets the loop's debug mode from the debug option, or else from ASYNCIO_TS_DEBUG", async () => {
    function* main(expected: boolean): asyncio.Coroutine<void> {
      assert.equal(asyncio.getRunningLoop().getDebug(), expected);
    }
    const saved = process.env.ASYNCIO_TS_DEBUG;
    try {
      delete process.env.ASYNCIO_TS_DEBUG;
      await asyncio.run(main(false), { debug: false });
      await asyncio.run(main(true), { debug: true });
      await asyncio.run(main(false));
      process.env.ASYNCIO_TS_DEBUG = "1";
      await asyncio.run(main(true));
      await asyncio.run(main(false), { debug: false });
    } finally {
      if (saved === undefined) delete process.env.ASYNCIO_TS_DEBUG;
      else process.env.ASYNCIO_TS_DEBUG = saved;
    }
  });

  // cpython: test_runners.RunTests.test_asyncio_run_from_running_loop
  it("cannot be called from a running loop: it throws at once, in the calling coroutine", async () => {
    let closedCoro: boolean | null = null;
    function* inner(): asyncio.Coroutine<void> {
      yield;
    }
    function* main(): asyncio.Coroutine<void> {
      const coro = inner();
      try {
        void asyncio.run(coro);
      } finally {
        // The refused coroutine was closed: resuming it does not reach its `yield`.
        closedCoro = coro.next().done === true;
      }
    }
    await assert.rejects(asyncio.run(main(), virtual), {
      name: "RuntimeError",
      message: /cannot be called from a running event loop/,
    });
    assert.equal(closedCoro, true);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_cancels_hanging_tasks
  it("cancels the Tasks still pending when main returns", async () => {
    let loTask: asyncio.Task<void> | null = null;
    let cancelledInside = false;
    function* leftover(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(0.1);
      } catch (e) {
        cancelledInside = e instanceof asyncio.CancelledError;
        throw e;
      }
    }
    function* main(): asyncio.Coroutine<number> {
      loTask = asyncio.createTask(leftover());
      return 123;
    }
    assert.equal(await asyncio.run(main(), virtual), 123);
    const task = loTask as asyncio.Task<void> | null;
    assert.equal(task?.done(), true);
    assert.equal(task?.cancelled(), true);
    assert.equal(cancelledInside, true);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_reports_hanging_tasks_errors
  it("reports the error a pending Task raises when cancelled at shutdown", async () => {
    let loTask: asyncio.Task<void> | null = null;
    const callExcHandler = mock.fn<(context: asyncio.ExceptionContext) => void>();
    function* leftover(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(0.1);
      } catch (e) {
        if (e instanceof asyncio.CancelledError) throw new asyncio.ValueError("division by zero");
        throw e;
      }
    }
    function* main(): asyncio.Coroutine<number> {
      const loop = asyncio.getRunningLoop();
      loop.callExceptionHandler = callExcHandler;
      loTask = asyncio.createTask(leftover());
      return 123;
    }
    assert.equal(await asyncio.run(main(), virtual), 123);
    const task = loTask as asyncio.Task<void> | null;
    assert.equal(task?.done(), true);
    assert.equal(callExcHandler.mock.callCount(), 1);
    const context = callExcHandler.mock.calls[0]?.arguments[0];
    assert.deepEqual(Object.keys(context ?? {}).sort(), ["exception", "message", "task"]);
    assert.match(context?.message ?? "", /asyncio.run.*shutdown/);
    assert.equal(context?.task, task);
    assert.ok(context?.exception instanceof asyncio.ValueError);
  });

  // cpython: test_runners.RunTests.test_asyncio_run_loop_factory
  it("makes its loop with loopFactory, called once without arguments", async () => {
    const loop = new VirtualTimeLoop();
    const factory = mock.fn(() => loop);
    function* main(): asyncio.Coroutine<void> {
      assert.equal(asyncio.getRunningLoop(), loop);
    }
    await asyncio.run(main(), { loopFactory: factory });
    assert.equal(factory.mock.callCount(), 1);
    assert.deepEqual(factory.mock.calls[0]?.arguments, []);
    assert.equal(loop.isClosed(), true);
  });

  // cpython: test_runners.RunTests.test_loop_factory_default_event_loop
  it("accepts newEventLoop as loopFactory and runs on a BaseEventLoop", async () => {
    function* main(): asyncio.Coroutine<boolean> {
      return asyncio.getRunningLoop() instanceof asyncio.BaseEventLoop;
    }
    assert.equal(await asyncio.run(main(), { loopFactory: asyncio.newEventLoop }), true);
  });
});

describe("Runner", () => {
  // cpython: test_runners.RunnerTests.test_non_debug
  it("makes a loop out of debug mode when debug is false", async () => {
    const runner = new asyncio.Runner({ debug: false });
    assert.equal(runner.getLoop().getDebug(), false);
    await runner.close();
  });

  // cpython: test_runners.RunnerTests.test_debug
  it("makes a loop in debug mode when debug is true", async () => {
    const runner = new asyncio.Runner({ debug: true });
    assert.equal(runner.getLoop().getDebug(), true);
    await runner.close();
  });

  // cpython: test_runners.RunnerTests.test_custom_factory
  it("uses the loop its loopFactory returns", async () => {
    const loop = new VirtualTimeLoop();
    const runner = new asyncio.Runner({ loopFactory: () => loop });
    assert.equal(runner.getLoop(), loop);
    await runner.close();
  });

  // cpython: test_runners.RunnerTests.test_run
  it("runs coroutines to completion, then refuses getLoop() once closed, with its loop closed", async () => {
    function* f(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0);
      return "done";
    }
    const runner = new asyncio.Runner(virtual);
    let loop: asyncio.EventLoop;
    try {
      assert.equal(await runner.run(f()), "done");
      loop = runner.getLoop();
    } finally {
      await runner.close();
    }
    assert.throws(() => runner.getLoop(), { name: "RuntimeError", message: /Runner is closed/ });
    assert.equal(loop.isClosed(), true);
  });

  it("runs every coroutine on the same loop", async () => {
    const runner = new asyncio.Runner(virtual);
    function* whichLoop(): asyncio.Coroutine<{ loop: asyncio.EventLoop }> {
      return { loop: asyncio.getRunningLoop() };
    }
    try {
      const first = await runner.run(whichLoop());
      const second = await runner.run(whichLoop());
      assert.equal(first.loop, second.loop);
      assert.equal(first.loop, runner.getLoop());
    } finally {
      await runner.close();
    }
  });

  // cpython: test_runners.RunnerTests.test_run_non_coro
  it("refuses to run a number with ValueError", async () => {
    const runner = new asyncio.Runner(virtual);
    assert.throws(() => runner.run(123 as never), { name: "ValueError", message: /a coroutine was expected/ });
    await runner.close();
  });

  // cpython: test_runners.RunnerTests.test_run_future
  it("refuses to run a Future with ValueError", async () => {
    const runner = new asyncio.Runner(virtual);
    const fut = runner.getLoop().createFuture();
    assert.throws(() => runner.run(fut as never), { name: "ValueError", message: /a coroutine was expected/ });
    fut.cancel();
    await runner.close();
  });

  // cpython: test_runners.RunnerTests.test_explicit_close
  it("closes its loop on close() and refuses getLoop() afterwards", async () => {
    const runner = new asyncio.Runner(virtual);
    const loop = runner.getLoop();
    await runner.close();
    assert.throws(() => runner.getLoop(), { name: "RuntimeError", message: /Runner is closed/ });
    assert.equal(loop.isClosed(), true);
  });

  // cpython: test_runners.RunnerTests.test_double_close
  it("does nothing on a second close()", async () => {
    const runner = new asyncio.Runner(virtual);
    const loop = runner.getLoop();
    await runner.close();
    assert.equal(loop.isClosed(), true);
    await runner.close();
    assert.equal(loop.isClosed(), true);
  });

  // cpython: test_runners.RunnerTests.test_second_with_block_raises
  it("refuses to run again once closed, without running the coroutine", async () => {
    const ret: number[] = [];
    function* f(arg: number): asyncio.Coroutine<void> {
      ret.push(arg);
    }
    const runner = new asyncio.Runner(virtual);
    try {
      await runner.run(f(1));
    } finally {
      await runner.close();
    }
    const second = f(2);
    assert.throws(() => runner.run(second), { name: "RuntimeError", message: /Runner is closed/ });
    assert.deepEqual(ret, [1]);
    assert.deepEqual(second.next(), { done: true, value: undefined }, "the refused coroutine was closed");
  });

  // cpython: test_runners.RunnerTests.test_recursive_run
  it("cannot run a coroutine from inside a coroutine it runs", async () => {
    const runner = new asyncio.Runner(virtual);
    function* g(): asyncio.Coroutine<void> {}
    function* f(): asyncio.Coroutine<void> {
      void runner.run(g());
    }
    try {
      await assert.rejects(runner.run(f()), {
        name: "RuntimeError",
        message: /^Runner\.run\(\) cannot be called from a running event loop/,
      });
    } finally {
      await runner.close();
    }
  });

  // cpython: test_runners.RunnerTests.test_no_repr_is_call_on_the_task_result
  it("never formats the main Task's result", async () => {
    class MyResult {
      reprCount = 0;
      toString(): string {
        this.reprCount++;
        return "MyResult";
      }
    }
    function* coro(): asyncio.Coroutine<MyResult> {
      return new MyResult();
    }
    const runner = new asyncio.Runner(virtual);
    let result: MyResult;
    try {
      result = await runner.run(coro());
    } finally {
      await runner.close();
    }
    assert.equal(result.reprCount, 0);
  });
});

describe("Runner: SIGINT", () => {
  // cpython: test_runners.RunnerTests.test_interrupt_call_soon
  it("cancels a main Task that is between steps and rejects with KeyboardInterrupt", async () => {
    let caught: unknown = null;
    function* coro(): asyncio.Coroutine<string> {
      try {
        // CPython loops forever; a bound turns a missed interrupt into a failure, not a hang.
        for (let i = 0; i < 10_000; i++) yield* asyncio.sleep(0);
        return "never interrupted";
      } catch (e) {
        caught = e;
      }
      throw new asyncio.CancelledError();
    }
    const runner = new asyncio.Runner(virtual);
    try {
      const loop = runner.getLoop();
      // A few iterations in, while the Task sits in the ready queue rather than on a Future.
      loop.callSoon(() => loop.callSoon(() => loop.callSoon(interruptSelf)));
      await assert.rejects(runner.run(coro()), asyncio.KeyboardInterrupt);
    } finally {
      await runner.close();
    }
    assert.ok(caught instanceof asyncio.CancelledError);
    assert.equal(process.listenerCount("SIGINT"), 0, "the Runner removed its listener");
  });

  // cpython: test_runners.RunnerTests.test_interrupt_wait
  it("cancels both the awaited Future and the main Task, and rejects with KeyboardInterrupt", async () => {
    let caught: unknown = null;
    function* coro(fut: asyncio.Future<unknown>): asyncio.Coroutine<never> {
      try {
        yield* fut;
      } catch (e) {
        caught = e;
      }
      throw new asyncio.CancelledError();
    }
    const runner = new asyncio.Runner(virtual);
    try {
      const fut = runner.getLoop().createFuture();
      runner.getLoop().callLater(0.1, interruptSelf);
      await assert.rejects(runner.run(coro(fut)), asyncio.KeyboardInterrupt);
      assert.equal(fut.cancelled(), true);
    } finally {
      await runner.close();
    }
    assert.ok(caught instanceof asyncio.CancelledError);
  });

  // cpython: test_runners.RunnerTests.test_interrupt_cancelled_task
  it("rejects with CancelledError, not KeyboardInterrupt, when the main Task was also cancelled by the program", async () => {
    function* subtask(task: asyncio.Task<unknown>): asyncio.Coroutine<void> {
      yield* asyncio.sleep(0);
      task.cancel();
      interruptSelf();
    }
    function* coro(): asyncio.Coroutine<void> {
      asyncio.createTask(subtask(asyncio.currentTask() as asyncio.Task<unknown>));
      yield* asyncio.sleep(10);
    }
    const runner = new asyncio.Runner(virtual);
    try {
      await assert.rejects(runner.run(coro()), (e) => e instanceof asyncio.CancelledError);
    } finally {
      await runner.close();
    }
  });

  it("stops the loop at a second SIGINT when the main Task ignores the first", async () => {
    let sawCancel = false;
    function* stubborn(): asyncio.Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } catch {
        sawCancel = true;
      }
      yield* asyncio.sleep(1000);
    }
    const runner = new asyncio.Runner(virtual);
    let endedAt = Number.NaN;
    try {
      const loop = runner.getLoop();
      loop.callLater(1, interruptSelf);
      loop.callLater(2, interruptSelf);
      await assert.rejects(runner.run(stubborn()), asyncio.KeyboardInterrupt);
      endedAt = loop.time();
    } finally {
      await runner.close();
    }
    assert.equal(sawCancel, true);
    assert.equal(endedAt, 2);
  });

  it("leaves SIGINT to a listener the program installed itself", async () => {
    const own = mock.fn();
    process.on("SIGINT", own);
    function* coro(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(1);
      return "finished";
    }
    const runner = new asyncio.Runner(virtual);
    try {
      runner.getLoop().callLater(0.5, interruptSelf);
      assert.equal(await runner.run(coro()), "finished");
    } finally {
      process.off("SIGINT", own);
      await runner.close();
    }
    assert.equal(own.mock.callCount(), 1);
  });

  it("cancels main on a real SIGINT while the loop waits on its host timer", async () => {
    const fixture = fileURLToPath(new URL("../fixtures/sigint.ts", import.meta.url));
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ["--conditions=asyncio-ts-source", "--import", "tsx", fixture],
          { encoding: "utf8", timeout: 30_000 },
          (error, out, err) => resolve({ code: error ? (error.code as number | null) : 0, stdout: out, stderr: err }),
        );
        // The fixture prints "waiting" once main sleeps on the real loop.
        child.stdout?.on("data", (chunk: string) => {
          if (chunk.includes("waiting")) child.kill("SIGINT");
        });
      },
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split("\n"), ["waiting", "finally ran", "run() rejected: KeyboardInterrupt"]);
  });
});
