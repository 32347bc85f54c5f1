// Promises and coroutines, both ways: wrap() (a promise, or a function given an AbortSignal) and toPromise().
//
// CPython's wrap_future tests are ported where a promise can stand in for a concurrent Future.
// Not ported, and why:
// - test_futures.BaseFutureTests.test_wrap_future, test_wrap_future_without_loop: threads and
//   concurrent.futures; outside any loop, wrap() binds to the ambient loop (see test/ambient.test.ts).
// - test_futures.BaseFutureTests.test_wrap_future_cancel: cancelling the wrapper of a promise cannot
//   cancel the promise; its counterpart here is the function form, whose signal is aborted.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

/** A promise with its resolvers, like Promise.withResolvers (Node 22). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An operation for wrap(fn) that never settles by itself and records what its signal did. */
function neverEnding() {
  const seen = { signal: null as AbortSignal | null, aborts: 0, reasons: [] as unknown[] };
  const operation = (signal: AbortSignal): Promise<never> => {
    seen.signal = signal;
    signal.addEventListener("abort", () => {
      seen.aborts++;
      seen.reasons.push(signal.reason);
    });
    return new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  };
  return { seen, operation };
}

describe("wrap(promise)", () => {
  it("evaluates to the promise's value inside a coroutine", async () => {
    const value = await runVirtual(
      (function* () {
        return yield* asyncio.wrap(Promise.resolve({ answer: 42 }));
      })(),
    );
    assert.deepEqual(value, { answer: 42 });
  });

  it("throws the promise's rejection into the coroutine as the same object, stack unchanged", async () => {
    const failure = new TypeError("boom");
    const stack = failure.stack;
    const caught = await runVirtual(
      (function* () {
        try {
          yield* asyncio.wrap(Promise.reject(failure));
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, failure);
    assert.equal((caught as Error).stack, stack);
  });

  // cpython: test_futures.BaseFutureTests.test_wrap_future_use_global_loop
  it("binds a wrapper made by plain async code during run() to run()'s loop", async () => {
    let runLoop: asyncio.EventLoop | undefined;
    let wrapperLoop: asyncio.EventLoop | undefined;
    await runVirtual(
      (function* () {
        runLoop = asyncio.getRunningLoop();
        // The promise reaction runs outside any loop iteration, as a Node callback would.
        yield* asyncio.wrap(
          Promise.resolve().then(() => {
            wrapperLoop = asyncio.wrap(Promise.resolve(1)).getLoop();
          }),
        );
      })(),
    );
    assert.ok(runLoop !== undefined);
    assert.equal(wrapperLoop, runLoop);
  });

  it("reports a promise that rejects after its wrapper was cancelled to the loop's exception handler", async () => {
    const contexts: asyncio.ExceptionContext[] = [];
    const late = deferred<never>();
    const failure = new Error("rejected after nobody waited");
    await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
        const wrapper = asyncio.wrap(late.promise);
        wrapper.cancel();
        late.reject(failure);
        yield* asyncio.wrap(Promise.resolve());
        yield* asyncio.sleep(0);
      })(),
    );
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.exception, failure);
    assert.match(contexts[0]?.message ?? "", /rejected after the Future wrapping it was cancelled/);
  });

  it("does not report an abort error that arrives after its wrapper was cancelled", async () => {
    const contexts: asyncio.ExceptionContext[] = [];
    const aborted = Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
    const withCause = new Error("stopped", { cause: new CancelledError() });
    await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
        for (const error of [aborted, withCause, new CancelledError("x")]) {
          const late = deferred<never>();
          asyncio.wrap(late.promise).cancel();
          late.reject(error);
        }
        yield* asyncio.wrap(Promise.resolve());
        yield* asyncio.sleep(0);
      })(),
    );
    assert.deepEqual(contexts, []);
  });

  it("settles 10,000 concurrent wrapped promises with every result in argument order, none lost", async () => {
    const n = 10_000;
    const pending = Array.from({ length: n }, () => deferred<number>());
    // Settle them in a scrambled order (a fixed permutation), a tenth of them by rejecting.
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const settledOrder: number[] = [];
    const results = await runVirtual(
      (function* () {
        const wrappers = pending.map((d, i) => {
          const fut = asyncio.wrap(d.promise);
          fut.addDoneCallback(() => settledOrder.push(i));
          return fut;
        });
        const all = asyncio.gatherAll(wrappers, { returnExceptions: true });
        setImmediate(() => {
          for (const i of order) {
            if (i % 10 === 3) pending[i]?.reject(new RangeError(`no ${i}`));
            else pending[i]?.resolve(i * 2);
          }
        });
        return yield* all;
      })(),
    );
    assert.equal(results.length, n);
    for (let i = 0; i < n; i++) {
      const r = results[i];
      if (i % 10 === 3) assert.ok(r instanceof RangeError && r.message === `no ${i}`, `slot ${i}`);
      else assert.equal(r, i * 2, `slot ${i}`);
    }
    // Each wrapper completed once, in the order its promise settled.
    assert.deepEqual(settledOrder, order);
  });

  it("refuses a value that is neither a promise nor a function, naming both forms", () => {
    assert.throws(() => asyncio.wrap(42 as never), {
      name: "TypeError",
      message: /wrap\(\) expects a promise, a thenable or a function taking an AbortSignal, got number 42/,
    });
  });
});

describe("wrap((signal) => promise)", () => {
  it("calls the function at once with a signal that is not aborted, and settles like its promise", async () => {
    let calledWith: AbortSignal | undefined;
    const value = await runVirtual(
      (function* () {
        const fut = asyncio.wrap((signal) => {
          calledWith = signal;
          return Promise.resolve("done");
        });
        assert.ok(calledWith instanceof AbortSignal, "called synchronously");
        return yield* fut;
      })(),
    );
    assert.equal(value, "done");
    assert.equal(calledWith?.aborted, false);
  });

  it("aborts the signal exactly once, with the CancelledError the task receives, and the task ends cancelled", async () => {
    const { seen, operation } = neverEnding();
    let received: unknown;
    let task: asyncio.Task<unknown> | undefined;
    await runVirtual(
      (function* () {
        task = asyncio.createTask(
          (function* () {
            try {
              yield* asyncio.wrap(operation);
            } catch (error) {
              received = error;
              throw error;
            }
          })(),
        );
        yield* asyncio.sleep(0);
        task.cancel("stop it");
        task.cancel("and again");
        yield* asyncio.gather(task, { returnExceptions: true });
      })(),
    );
    assert.equal(seen.aborts, 1);
    assert.ok(received instanceof CancelledError);
    assert.equal((received as Error).message, "stop it");
    assert.equal(seen.reasons[0], received);
    assert.equal(task?.cancelled(), true);
  });

  it("does not abort the signal when the promise settles first, so a response body stays readable", async () => {
    let signal: AbortSignal | undefined;
    await runVirtual(
      (function* () {
        const value = yield* asyncio.wrap((s) => {
          signal = s;
          return Promise.resolve("headers");
        });
        yield* asyncio.sleep(1);
        return value;
      })(),
    );
    assert.equal(signal?.aborted, false);
  });

  it("aborts the signal when a timeout() around the wait expires", async () => {
    const { seen, operation } = neverEnding();
    // A wrapped promise holds virtual time still, so this one deadline is a real 10 ms.
    const outcome = await asyncio.run(
      (function* () {
        try {
          yield* asyncio.using(asyncio.timeout(0.01), function* () {
            yield* asyncio.wrap(operation);
          });
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.ok(outcome instanceof asyncio.TimeoutError);
    assert.equal(seen.aborts, 1);
    assert.ok(seen.reasons[0] instanceof CancelledError);
  });

  it("fails the Future with what the function throws before returning a promise", async () => {
    const failure = new Error("could not start");
    const caught = await runVirtual(
      (function* () {
        try {
          yield* asyncio.wrap((): Promise<never> => {
            throw failure;
          });
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, failure);
  });

  it("raises TypeError, naming the fix, when the function returns something that is not a promise", async () => {
    await runVirtual(
      (function* () {
        assert.throws(() => asyncio.wrap((() => 42) as never), {
          name: "TypeError",
          message: /must return a promise, got number 42: make it async or return the promise/,
        });
      })(),
    );
  });
});

describe("toPromise()", () => {
  it("returns a real Promise that resolves with a Future's result", async () => {
    const loop = new VirtualTimeLoop();
    const fut = loop.createFuture<string>();
    const promise = asyncio.toPromise(fut);
    assert.ok(promise instanceof Promise);
    fut.setResult("ok");
    await loop.runUntilComplete(fut);
    assert.equal(await promise, "ok");
    loop.close();
  });

  it("rejects with the very error object a failed Task holds", async () => {
    const failure = new Error("task failed");
    const loop = new VirtualTimeLoop();
    const task = loop.createTask(
      (function* () {
        yield* asyncio.sleep(1);
        throw failure;
      })(),
    );
    const promise = asyncio.toPromise(task);
    await loop.runUntilComplete(task).catch(() => {});
    await assert.rejects(promise, (error) => error === failure);
    loop.close();
  });

  it("rejects with the Task's own CancelledError when the Task was cancelled", async () => {
    const loop = new VirtualTimeLoop();
    let thrownIn: unknown;
    const task = loop.createTask(
      (function* () {
        try {
          yield* asyncio.sleep(10);
        } catch (error) {
          thrownIn = error;
          throw error;
        }
      })(),
    );
    loop.callLater(1, () => task.cancel("enough"));
    const promise = asyncio.toPromise(task);
    await loop.runUntilComplete(task).catch(() => {});
    await assert.rejects(promise, (error) => error === thrownIn && (error as Error).message === "enough");
    loop.close();
  });

  it("runs a coroutine in a Task on the current loop and resolves with what it returns", async () => {
    let taskLoop: asyncio.EventLoop | undefined;
    let runLoop: asyncio.EventLoop | undefined;
    // A real loop: awaiting a promise of its own Task would hold a virtual clock still.
    const result = await asyncio.run(
      (function* () {
        runLoop = asyncio.getRunningLoop();
        const promise = asyncio.toPromise(
          (function* () {
            taskLoop = asyncio.getRunningLoop();
            yield* asyncio.sleep(0);
            return "from the task";
          })(),
        );
        return yield* asyncio.wrap(promise);
      })(),
    );
    assert.equal(result, "from the task");
    assert.ok(runLoop !== undefined);
    assert.equal(taskLoop, runLoop);
  });

  it("returns a promise for a thenable, and refuses other values naming the fix", async () => {
    assert.equal(await asyncio.toPromise(Promise.resolve(3)), 3);
    function* coro(): Coroutine<number> {
      return 1;
    }
    assert.throws(() => asyncio.toPromise(coro as never), {
      name: "TypeError",
      message: /call it: function coro\(\) returns the coroutine/,
    });
  });

  it("lets an unobserved rejection reach Node's unhandledRejection, the same error object", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/unobserved-rejection.ts", import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ["--conditions=asyncio-ts-source", "--import", "tsx", fixture],
        { timeout: 60_000 },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
    });
    assert.deepEqual(JSON.parse(stdout), { reported: "nobody awaits me", same: true });
  });
});
