// Ports of CPython 3.13's Lib/test/test_asyncio/test_threads.py (asyncio.to_thread), with the
// run_in_executor and default-executor tests of test_events.py and test_base_events.py.
//
// A Python function crosses to a thread as itself; here it crosses by reference (a module URL and
// an export name, asyncio.task()), so the functions live in test/fixtures/work.js. CPython's
// mock.Mock() records its calls in the calling thread; a worker cannot share memory with the
// caller, so the fixture returns what it received (`capture`) or writes a trace instead.
//
// Not ported, and why:
// - ToThreadTests.test_to_thread_contextvars: contextvars are not implemented.
// - ToThreadTests.test_to_thread_args_kwargs: JavaScript has no keyword arguments; the test below
//   passes an options object as the last positional argument, which is what stands in for them.
// - BaseEventLoopTests.test_set_default_executor_error accepts any Executor here, not only a
//   ThreadPoolExecutor (a deliberate difference, see docs/differences-from-python.md); only a
//   value that is not an executor is refused.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { threadId } from "node:worker_threads";
import * as asyncio from "asyncio-ts";
import { lines, tempDir, work } from "../executors/helpers.ts";

describe("test_threads.ToThreadTests", () => {
  // One Runner, so that its loop's default executor (and its threads) serve every test here.
  let runner: asyncio.Runner;
  before(() => {
    runner = new asyncio.Runner();
  });
  after(() => runner.close());
  const run = <T>(main: () => asyncio.Coroutine<T>): Promise<T> => runner.run(main());

  // cpython: test_threads.ToThreadTests.test_to_thread
  it("returns the function's result", async () => {
    const result = await run(function* () {
      return yield* asyncio.toThread(work.sum, [40, 2]);
    });
    assert.equal(result, 42);
  });

  // cpython: test_threads.ToThreadTests.test_to_thread_exception
  it("raises the function's exception, as the same class", async () => {
    await run(function* () {
      try {
        yield* asyncio.toThread(work.raiseRuntime);
        assert.fail("toThread() did not raise");
      } catch (error) {
        assert.ok(error instanceof asyncio.RuntimeError);
        assert.equal(error.message, "test");
      }
    });
  });

  // cpython: test_threads.ToThreadTests.test_to_thread_once
  it("calls the function exactly once", async () => {
    const trace = join(tempDir(), "trace");
    await run(function* () {
      yield* asyncio.toThread(work.mark, trace, "called");
    });
    assert.deepEqual(lines(trace), ["called"]);
  });

  // cpython: test_threads.ToThreadTests.test_to_thread_concurrent
  it("runs ten calls gathered together, each once", async () => {
    const trace = join(tempDir(), "trace");
    await run(function* () {
      const calls = Array.from({ length: 10 }, (_, i) => asyncio.toThread(work.mark, trace, String(i)));
      yield* asyncio.gather(...calls);
    });
    assert.equal(lines(trace).length, 10);
    assert.deepEqual(lines(trace).sort(), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  // cpython: test_threads.ToThreadTests.test_to_thread_args_kwargs
  it("passes the arguments through, an options object standing in for keyword arguments", async () => {
    const received = await run(function* () {
      return yield* asyncio.toThread(work.capture, "test", { something: true });
    });
    assert.deepEqual(received, ["test", { something: true }]);
  });
});

describe("test_events.EventLoopTestsMixin: runInExecutor", () => {
  // cpython: test_events.EventLoopTestsMixin.test_run_in_executor
  it("runs the function in another thread and returns its result", async () => {
    const loop = asyncio.newEventLoop();
    try {
      const future = loop.runInExecutor(null, work.capture, "yo");
      const thread = loop.runInExecutor(null, work.threadIdOf);
      assert.deepEqual(await loop.runUntilComplete(future), ["yo"]);
      assert.notEqual(await loop.runUntilComplete(thread), threadId);
      await loop.runUntilComplete(loop.shutdownDefaultExecutor());
    } finally {
      loop.close();
    }
  });

  // cpython: test_events.EventLoopTestsMixin.test_run_in_executor_cancel
  it("schedules nothing on the loop when a cancelled job finishes after shutdown and close", async () => {
    const loop = asyncio.newEventLoop();
    const trace = join(tempDir(), "trace");
    const future = loop.runInExecutor(null, work.spinAndMark, trace, 50);
    future.cancel();
    await loop.runUntilComplete(loop.shutdownDefaultExecutor());
    loop.close();
    let called = false;
    loop.callSoon = (() => {
      called = true;
    }) as unknown as typeof loop.callSoon;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(called, false);
    assert.ok(future.cancelled());
    assert.deepEqual(lines(trace), ["started", "finished", "finally"], "shutdown waited for the job");
  });
});

describe("test_base_events.BaseEventLoopTests: the default executor", () => {
  // cpython: test_base_events.BaseEventLoopTests.test_set_default_executor
  it("setDefaultExecutor() makes the executor the one runInExecutor(null, ...) uses", async () => {
    const executor = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const loop = asyncio.newEventLoop();
    try {
      loop.setDefaultExecutor(executor);
      const running = loop.runInExecutor(null, work.spin, 200);
      assert.equal(executor.running, 1);
      await loop.runUntilComplete(running);
      await loop.runUntilComplete(loop.shutdownDefaultExecutor());
      assert.throws(() => executor.submit(work.spin, 1), /was shut down/);
    } finally {
      loop.close();
    }
  });

  // cpython: test_base_events.BaseEventLoopTests.test_set_default_executor_error
  it("setDefaultExecutor() refuses a value that is not an executor", () => {
    const loop = asyncio.newEventLoop();
    try {
      assert.throws(
        () => loop.setDefaultExecutor({ submit: 1 } as never),
        (error: unknown) => error instanceof TypeError && /executor must be an Executor/.test(error.message),
      );
    } finally {
      loop.close();
    }
  });

  // cpython: test_base_events.BaseEventLoopTests.test_shutdown_default_executor_timeout
  it("shutdownDefaultExecutor(timeout) warns and stops waiting when the jobs outlast the timeout", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    const loop = asyncio.newEventLoop();
    try {
      const job = loop.runInExecutor(null, work.spin, 1500);
      const started = performance.now();
      await loop.runUntilComplete(loop.shutdownDefaultExecutor(0.05));
      assert.ok(performance.now() - started < 1400, "shutdownDefaultExecutor waited for the job");
      await loop.runUntilComplete(job);
    } finally {
      loop.close();
      await new Promise((resolve) => setImmediate(resolve));
      process.off("warning", onWarning);
    }
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].name, "RuntimeWarning");
    assert.match(warnings[0].message, /did not finish joining its workers within 0.05 seconds/);
  });
});
