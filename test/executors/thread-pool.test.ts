// ThreadPoolExecutor on real worker threads (piscina): results, errors, cancellation, shutdown.
//
// One pool of two threads serves most tests, to keep thread start-ups (each loads the TypeScript
// loader) few; every test leaves it idle. Tests that need other options make their own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { MessageChannel, threadId } from "node:worker_threads";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { ValidationError } from "../fixtures/work.js";
import { lines, run, tempDir, until, work, WORK_URL } from "./helpers.ts";

let pool: asyncio.ThreadPoolExecutor;

before(() => {
  pool = new asyncio.ThreadPoolExecutor({ maxWorkers: 2 });
});

after(() => asyncio.run(pool.shutdown()));

describe("ThreadPoolExecutor results", () => {
  // cpython: test_concurrent_futures.executor.ExecutorTest.test_submit
  it("runs a submitted function in another thread and returns its result", async () => {
    const where = await run(function* () {
      return yield* pool.submit(work.whereAmI);
    });
    assert.equal(where.pid, process.pid);
    assert.notEqual(where.threadId, threadId);
  });

  it("gives the results of gather(...submits) in argument order, whatever order they finish in", async () => {
    const results = await run(function* () {
      return yield* asyncio.gather(
        pool.submit(work.later, "slow", 150),
        pool.submit(work.fib, 20),
        pool.submit(work.add, 40, 2),
        pool.submit(work.later, "fast", 1),
      );
    });
    assert.deepEqual(results, ["slow", 6765, 42, "fast"]);
  });

  // cpython: test_concurrent_futures.executor.ExecutorTest.test_map
  it("map() returns the results in the items' order", async () => {
    const items = [18, 5, 12, 1, 15, 0, 9];
    const results = await run(function* () {
      return yield* pool.map(work.fib, items);
    });
    const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
    assert.deepEqual(results, items.map(fib));
  });

  it("map() with a limit keeps at most that many jobs in flight and still returns results in order", async () => {
    let most = 0;
    const results = await run(function* () {
      const mapping = asyncio.createTask(pool.map(work.spin, [50, 10, 30, 20, 40], { limit: 1 }));
      while (!mapping.done()) {
        most = Math.max(most, pool.running + pool.waiting);
        yield* asyncio.sleep(0.002);
      }
      return mapping.result();
    });
    assert.deepEqual(results, [50, 10, 30, 20, 40]);
    assert.equal(most, 1);
  });

  // cpython: test_concurrent_futures.executor.ExecutorTest.test_map_exception
  it("map() raises the first failure and submits nothing more", async () => {
    const trace = join(tempDir(), "trace");
    const items = [
      { path: trace, line: "a" },
      { path: trace, line: "b", fail: true },
      { path: trace, line: "c" },
      { path: trace, line: "d" },
    ];
    const error = await run(function* () {
      try {
        yield* pool.map(work.markItem, items, { limit: 1 });
        return null;
      } catch (e) {
        return e as Error;
      }
    });
    assert.equal(error?.message, "item b failed");
    assert.deepEqual(lines(trace), ["a", "b"]);
  });

  it("keeps Maps, Sets, Dates, typed arrays, bigints and nested errors in results", async () => {
    const rich = await run(function* () {
      return yield* pool.submit(work.returnRich);
    });
    assert.deepEqual(rich.map, new Map([["a", 1]]));
    assert.deepEqual(rich.set, new Set([1, 2]));
    assert.equal(rich.date.getTime(), 86_400_000);
    assert.deepEqual([...rich.bytes], [104, 105]);
    assert.equal(rich.big, 10n);
    assert.ok(rich.error instanceof TypeError);
    assert.equal(rich.error.message, "inside a result");
  });
});

describe("ThreadPoolExecutor errors", () => {
  it("rebuilds a registered error class with its fields, code, stack and cause chain", async () => {
    asyncio.registerErrorClass(ValidationError);
    const error = await run(function* () {
      try {
        yield* pool.submit(work.failValidation, "age");
        return null;
      } catch (e) {
        return e as ValidationError & { handler: unknown; cause: Error & { cause: Error & { code: string } } };
      }
    });
    assert.ok(error instanceof ValidationError);
    assert.equal(error.name, "ValidationError");
    assert.equal(error.message, "age is invalid");
    assert.equal(error.field, "age");
    assert.equal(error.code, "E_VALIDATION");
    assert.deepEqual(error.details?.limits, [1, 2]);
    assert.ok(error.details?.when instanceof Date);
    assert.match(String(error.handler), /^\[not copied: it is a function/);
    assert.match(error.stack ?? "", /failValidation/);
    assert.ok(error.cause instanceof TypeError);
    assert.equal(error.cause.message, "middle cause");
    assert.ok(error.cause.cause instanceof RangeError);
    assert.equal(error.cause.cause.code, "E_ROOT");
  });

  it("rebuilds an error of an unknown class as an Error with the same name and fields", async () => {
    const error = await run(function* () {
      try {
        yield* pool.submit(work.failOdd);
        return null;
      } catch (e) {
        return e as Error & { level: number };
      }
    });
    assert.ok(error instanceof Error);
    assert.equal(error.name, "OddError");
    assert.equal(error.message, "odd things happen");
    assert.equal(error.level, 3);
  });

  it("rebuilds an AggregateError with its member errors", async () => {
    const error = await run(function* () {
      try {
        yield* pool.submit(work.failAggregate);
        return null;
      } catch (e) {
        return e as AggregateError;
      }
    });
    assert.ok(error instanceof AggregateError);
    assert.equal(error.errors.length, 2);
    assert.ok(error.errors[0] instanceof TypeError);
    assert.equal(error.errors[1].name, "ValidationError");
    assert.equal(error.errors[1].field, "age");
  });

  it("passes a thrown value that is not an Error through as that value", async () => {
    const thrown = await run(function* () {
      const out: unknown[] = [];
      for (const value of [42, "text", { code: 7, list: [1] }, null]) {
        try {
          yield* pool.submit(work.throwValue, value);
        } catch (e) {
          out.push(e);
        }
      }
      return out;
    });
    assert.deepEqual(thrown, [42, "text", { code: 7, list: [1] }, null]);
  });

  it("fails with a SerializationError when the thrown value cannot be copied", async () => {
    const error = await run(function* () {
      try {
        yield* pool.submit(work.throwFunction);
        return null;
      } catch (e) {
        return e;
      }
    });
    assert.ok(error instanceof asyncio.SerializationError);
    assert.match(error.message, /threw function notSendable/);
  });

  it("fails with a SerializationError naming the path of what cannot be copied in a result, never {}", async () => {
    const errors = await run(function* () {
      const out: unknown[] = [];
      const refs: asyncio.TaskRef<() => unknown>[] = [work.returnFunction, work.returnUrl, work.returnPromiseInside];
      for (const ref of refs) {
        try {
          out.push(yield* pool.submit(ref));
        } catch (e) {
          out.push(e);
        }
      }
      return out as asyncio.SerializationError[];
    });
    assert.ok(errors.every((e) => e instanceof asyncio.SerializationError));
    assert.equal(errors[0].path, ".nested[1].fn");
    assert.match(errors[0].message, /the result's \.nested\[1\]\.fn is a function/);
    assert.equal(errors[1].path, "");
    assert.match(errors[1].message, /the result is an instance of URL, which would arrive as a plain object/);
    assert.match(errors[2].message, /\.later is a Promise/);
  });

  it("fails with a SerializationError for an argument that cannot be copied, without running the job", async () => {
    const dir = tempDir();
    const error = await run(function* () {
      try {
        yield* pool.submit(work.mark, join(dir, "trace"), { site: new URL("https://example.org") } as never);
        return null;
      } catch (e) {
        return e as asyncio.SerializationError;
      }
    });
    assert.ok(error instanceof asyncio.SerializationError);
    assert.equal(error.path, ".site");
    assert.match(error.message, /^argument 1's \.site of mark from work\.js is an instance of URL/);
    assert.deepEqual(lines(join(dir, "trace")), []);
  });

  it("fails only the job whose thread called process.exit(), and the pool goes on", async () => {
    const results = await run(function* () {
      return yield* asyncio.gather(pool.submit(work.exitWith, 3), pool.submit(work.fib, 10), {
        returnExceptions: true,
      });
    });
    const [exited, fib] = results;
    assert.ok(exited instanceof asyncio.BrokenWorkerError);
    assert.equal(exited.exitCode, 3);
    assert.match(exited.message, /exited with code 3 before it replied/);
    assert.equal(fib, 55);
    const after = await run(function* () {
      return yield* pool.submit(work.add, 1, 1);
    });
    assert.equal(after, 2);
  });

  it("fails the job that runs out of memory under resourceLimits, and the pool goes on", async () => {
    const small = new asyncio.ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const [error, next] = await run(function* () {
      try {
        const outcome = yield* asyncio.gather(small.submit(work.exhaustMemory), { returnExceptions: true });
        return [outcome[0], yield* small.submit(work.add, 2, 3)] as const;
      } finally {
        yield* small.shutdown();
      }
    });
    assert.ok(error instanceof asyncio.BrokenWorkerError);
    assert.equal(error.outOfMemory, true);
    assert.match(error.message, /ran out of memory \(its limit of 16 MB/);
    assert.equal(next, 5);
  });

  it("fails a job whose module cannot be imported, saying which and why", async () => {
    const missing = asyncio.task(new URL("../fixtures/does-not-exist.js", import.meta.url), "anything");
    const error = await run(function* () {
      try {
        yield* pool.submit(missing);
        return null;
      } catch (e) {
        return e as Error;
      }
    });
    assert.ok(error instanceof Error);
    assert.match(error.message, /could not import .*does-not-exist\.js/);
  });

  it("fails a job whose export is not a function with a TypeError listing the exported functions", async () => {
    const error = await run(function* () {
      try {
        yield* pool.submit(asyncio.task(WORK_URL, "notAFunction"));
        return null;
      } catch (e) {
        return e as Error;
      }
    });
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /no exported function named "notAFunction"; its exported functions are .*\bfib\b/);
  });

  it("refuses a plain function with a TypeError that names the fix", async () => {
    await run(function* () {
      assert.throws(
        () => pool.submit((() => 1) as never),
        (error: unknown) => error instanceof TypeError && /asyncio\.task\(new URL/.test(error.message),
      );
    });
  });
});

describe("ThreadPoolExecutor cancellation", () => {
  it("cancelling the awaiting task cancels a queued job at once, and the job never runs", async () => {
    const dir = tempDir();
    const trace = join(dir, "trace");
    await run(function* () {
      const busy = [pool.submit(work.spin, 150), pool.submit(work.spin, 150)];
      const waiter = asyncio.createTask(
        (function* () {
          return yield* pool.submit(work.mark, trace, "queued job ran");
        })(),
      );
      yield* asyncio.sleep(0);
      assert.equal(pool.waiting, 1);
      waiter.cancel();
      yield* asyncio.sleep(0);
      assert.ok(waiter.cancelled());
      assert.equal(pool.waiting, 0);
      yield* asyncio.gather(...busy);
      yield* until(() => pool.running === 0);
    });
    assert.deepEqual(lines(trace), []);
  });

  it("lets a running job run on to its end by default when its Future is cancelled", async () => {
    const trace = join(tempDir(), "trace");
    await run(function* () {
      const job = pool.submit(work.spinAndMark, trace, 200);
      yield* until(() => lines(trace).includes("started"));
      assert.equal(job.cancel(), true);
      assert.ok(job.cancelled());
      assert.equal(pool.running, 1);
      yield* until(() => pool.running === 0);
    });
    assert.deepEqual(lines(trace), ["started", "finished", "finally"]);
  });

  it("terminates the thread of a running job with terminateOnCancel: its finally does not run", async () => {
    const trace = join(tempDir(), "trace");
    const stoppable = asyncio.task<typeof import("../fixtures/work.js")["spinAndMark"]>(WORK_URL, "spinAndMark", {
      terminateOnCancel: true,
    });
    const next = await run(function* () {
      const job = asyncio.createTask(
        (function* () {
          return yield* pool.submit(stoppable, trace, 3000);
        })(),
      );
      yield* until(() => lines(trace).includes("started"));
      job.cancel();
      yield* until(() => pool.running === 0);
      assert.ok(job.cancelled());
      return yield* pool.submit(work.add, 20, 22);
    });
    assert.equal(next, 42);
    assert.deepEqual(lines(trace), ["started"]);
  });

  it("a job a Future waits for holds a virtual-time loop's clock still", async () => {
    const virtual = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const loop = new VirtualTimeLoop();
    const result = await asyncio.run(
      (function* () {
        try {
          // Were the clock free to jump, the 5 s timeout would expire at once.
          return yield* asyncio.waitFor(virtual.submit(work.later, "computed", 100), 5);
        } finally {
          yield* virtual.shutdown();
        }
      })(),
      { loopFactory: () => loop },
    );
    assert.equal(result, "computed");
    assert.equal(loop.time(), 0);
  });
});

describe("ThreadPoolExecutor transfer", () => {
  it("moves an ArrayBuffer to the worker without copying when the caller asks", async () => {
    const moved = new Uint8Array(1024);
    const copied = new Uint8Array(512);
    const [a, b] = await run(function* () {
      return yield* asyncio.gather(
        pool.submit(work.byteLength, asyncio.transfer(moved)),
        pool.submit(work.byteLength, copied),
      );
    });
    assert.equal(a, 1024);
    assert.equal(b, 512);
    assert.equal(moved.byteLength, 0, "the moved buffer is detached on the caller's side");
    assert.equal(copied.byteLength, 512, "a buffer not marked is copied");
  });

  it("moves a result back when the worker function returns transfer()", async () => {
    const makeBytes = asyncio.task<typeof import("../fixtures/transfer-work.js")["makeBytes"]>(
      new URL("../fixtures/transfer-work.js", import.meta.url),
      "makeBytes",
    );
    const bytes = await run(function* () {
      return yield* pool.submit(makeBytes, 4096, 7);
    });
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.length, 4096);
    assert.equal(bytes[4095], 7);
  });

  it("sends a MessagePort only when it is moved", async () => {
    const { port1, port2 } = new MessageChannel();
    const heard = new Promise((resolve) => port2.once("message", resolve));
    const [refused, sent] = await run(function* () {
      return yield* asyncio.gather(
        pool.submit(work.postThrough, port1),
        pool.submit(work.postThrough, asyncio.transfer(port1)),
        {
          returnExceptions: true,
        },
      );
    });
    assert.ok(refused instanceof asyncio.SerializationError);
    assert.match(refused.message, /MessagePort that is not moved: pass it with transfer\(\)/);
    assert.equal(sent, "sent");
    assert.equal(await heard, "hello from the worker");
    port2.close();
  });
});

describe("ThreadPoolExecutor shutdown", () => {
  // cpython: test_concurrent_futures.test_shutdown.ExecutorShutdownTest.test_run_after_shutdown
  it("refuses submit() after shutdown with a RuntimeError that names the fix", async () => {
    const closed = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    await run(function* () {
      yield* closed.shutdown();
      assert.throws(
        () => closed.submit(work.add, 1, 2),
        (error: unknown) =>
          error instanceof asyncio.RuntimeError && /was shut down: submit before shutdown/.test(error.message),
      );
    });
  });

  // cpython: test_concurrent_futures.test_thread_pool.ThreadPoolExecutorTest.test_map_submits_without_iteration
  it("shutdown() waits for running and queued jobs, then returns", async () => {
    const own = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const futures = await run(function* () {
      const submitted = [40, 40, 40].map((ms) => own.submit(work.spin, ms));
      assert.equal(own.waiting, 2);
      yield* own.shutdown();
      assert.equal(own.running + own.waiting, 0);
      return submitted;
    });
    assert.ok(futures.every((future) => future.done() && future.result() === 40));
  });

  // cpython: test_concurrent_futures.test_shutdown.ExecutorShutdownTest.test_cancel_futures
  it("shutdown({ cancelFutures: true }) cancels the queued jobs and lets the running ones finish", async () => {
    const own = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const futures = await run(function* () {
      const submitted = Array.from({ length: 5 }, () => own.submit(work.spin, 30));
      yield* own.shutdown({ cancelFutures: true });
      return submitted;
    });
    assert.deepEqual(
      futures.map((future) => future.cancelled()),
      [false, true, true, true, true],
    );
    assert.equal(futures[0].result(), 30);
  });

  // cpython: test_concurrent_futures.test_shutdown.ThreadPoolShutdownTest.test_shutdown_no_wait
  it("shutdown({ wait: false }) returns at once while the jobs still finish", async () => {
    const own = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const results = await run(function* () {
      const submitted = [-3, -2, -1].map((n) => own.submit(work.add, n, 10));
      yield* own.shutdown({ wait: false });
      assert.ok(submitted.every((future) => !future.done()));
      return yield* asyncio.gather(...submitted);
    });
    assert.deepEqual(results, [7, 8, 9]);
  });

  // cpython: test_concurrent_futures.test_shutdown.ThreadPoolShutdownTest.test_context_manager_shutdown
  it("using() shuts the executor down at the end of the body, waiting for its jobs", async () => {
    const own = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    const [pending] = await run(function* () {
      const submitted: asyncio.Future<number>[] = [];
      yield* asyncio.using(own, function* (executor) {
        submitted.push(executor.submit(work.spin, 30));
      });
      // In an array: a Future returned by itself would be awaited by run()'s promise.
      return submitted;
    });
    assert.equal(pending.result(), 30);
    await run(function* () {
      assert.throws(() => own.submit(work.add, 1, 1), asyncio.RuntimeError);
    });
  });

  it("raises QueueFull from submit() when maxQueue jobs already wait", async () => {
    const own = new asyncio.ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 1 });
    await run(function* () {
      const running = own.submit(work.spin, 30);
      const queued = own.submit(work.spin, 1);
      assert.throws(() => own.submit(work.spin, 1), asyncio.QueueFull);
      yield* asyncio.gather(running, queued);
      yield* own.shutdown();
    });
  });

  it("rejects a maxWorkers that is not a positive integer", () => {
    assert.throws(() => new asyncio.ThreadPoolExecutor({ maxWorkers: 0 }), asyncio.ValueError);
    assert.throws(() => new asyncio.ThreadPoolExecutor({ maxWorkers: 1.5 }), asyncio.ValueError);
    assert.throws(() => new asyncio.ThreadPoolExecutor({ idleTimeout: -1 }), asyncio.ValueError);
  });
});
