// Async iterables both ways: forEach()/iterate() read one inside a coroutine and close it however
// the loop ends; toAsyncIterable() and asCompleted() feed `for await` in plain async code.
//
// CPython's `async for` is syntax, tested through async generators in test_asyncgen.py, which
// exercises the generator protocol itself rather than asyncio; nothing there maps one-to-one.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

/** An async generator of 1..n that records its life; each item waits on a promise, like real I/O. */
function counter(n: number, log: string[]) {
  return async function* count(): AsyncGenerator<number> {
    try {
      for (let i = 1; i <= n; i++) {
        await Promise.resolve();
        yield i;
      }
      log.push("exhausted");
    } finally {
      log.push("finally");
    }
  };
}

describe("forEach()", () => {
  it("runs the body for every item in order, and the generator ends normally", async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await runVirtual(
      asyncio.forEach(counter(3, log)(), function* (n) {
        yield* asyncio.sleep(1);
        seen.push(n);
      }),
    );
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(log, ["exhausted", "finally"]);
  });

  it("stops when the body returns false, closing the generator so its finally runs first", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        yield* asyncio.forEach(counter(10, log)(), function* (n) {
          log.push(`item ${n}`);
          if (n === 2) return false;
        });
        log.push("after forEach");
      })(),
    );
    assert.deepEqual(log, ["item 1", "item 2", "finally", "after forEach"]);
  });

  it("runs an async generator's finally when the consuming task is cancelled in the body", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(
          asyncio.forEach(counter(10, log)(), function* (n) {
            log.push(`item ${n}`);
            yield* asyncio.sleep(10);
          }),
        );
        yield* asyncio.sleep(1);
        task.cancel();
        const [outcome] = yield* asyncio.gather(task, { returnExceptions: true });
        assert.ok(outcome instanceof CancelledError);
        assert.equal(task.cancelled(), true);
      })(),
    );
    assert.deepEqual(log, ["item 1", "finally"]);
  });

  it("aborts the source's signal when cancelled while waiting for the next item, and its finally runs before the task ends", async () => {
    const log: string[] = [];
    let signal: AbortSignal | undefined;
    async function* slow(s: AbortSignal): AsyncGenerator<number> {
      signal = s;
      try {
        yield 1;
        // Waits until aborted, as an I/O call given the signal would.
        await new Promise((_, reject) => s.addEventListener("abort", () => reject(s.reason)));
        yield 2;
      } finally {
        log.push(`finally, aborted=${s.aborted}`);
      }
    }
    await runVirtual(
      (function* () {
        const gotFirst = new asyncio.Event();
        const task = asyncio.createTask(
          asyncio.forEach(slow, function* (n) {
            log.push(`item ${n}`);
            gotFirst.set();
          }),
        );
        // After item 1 the task goes straight back to waiting for item 2, which never comes.
        yield* gotFirst.wait();
        task.cancel("stop");
        const [outcome] = yield* asyncio.gather(task, { returnExceptions: true });
        assert.ok(outcome instanceof CancelledError);
        log.push("task ended");
      })(),
    );
    assert.deepEqual(log, ["item 1", "finally, aborted=true", "task ended"]);
    const reason = signal?.reason as unknown;
    assert.ok(reason instanceof CancelledError);
    assert.equal(reason.message, "stop");
  });

  it("closes the iterator and raises the body's error, the same object", async () => {
    const log: string[] = [];
    const failure = new Error("bad item");
    const caught = await runVirtual(
      (function* () {
        try {
          yield* asyncio.forEach(counter(5, log)(), function* (n) {
            if (n === 2) throw failure;
          });
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, failure);
    assert.deepEqual(log, ["finally"]);
  });

  it("raises what the iterator throws, without closing it again", async () => {
    const failure = new Error("source broke");
    let returnCalls = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(failure),
        return: () => {
          returnCalls++;
          return Promise.resolve({ done: true as const, value: undefined });
        },
      }),
    };
    const caught = await runVirtual(
      (function* () {
        try {
          yield* asyncio.forEach(source, function* () {});
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, failure);
    assert.equal(returnCalls, 0);
  });

  it("does not abort the source's signal when the loop ends normally", async () => {
    let signal: AbortSignal | undefined;
    const source = (s: AbortSignal): AsyncIterable<number> => {
      signal = s;
      return counter(2, [])();
    };
    await runVirtual(asyncio.forEach(source, function* () {}));
    assert.equal(signal?.aborted, false);
  });

  it("refuses a source that is not async iterable, and a body that is not a function", () => {
    assert.throws(() => asyncio.forEach([1, 2] as never, function* () {}), {
      name: "TypeError",
      message: /forEach\(\) expects an async iterable or a function/,
    });
    assert.throws(() => asyncio.forEach(counter(1, [])(), null as never), {
      name: "TypeError",
      message: /forEach\(\) expects a generator function as its body/,
    });
  });
});

describe("iterate()", () => {
  it("reads items with yield* next() inside using(), and closes the iterator on break", async () => {
    const log: string[] = [];
    const seen = await runVirtual(
      (function* () {
        const items: number[] = [];
        yield* asyncio.using(asyncio.iterate(counter(10, log)()), function* (it) {
          for (let r = yield* it.next(); !r.done; r = yield* it.next()) {
            items.push(r.value);
            if (r.value === 3) break;
          }
        });
        return items;
      })(),
    );
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(log, ["finally"]);
  });

  it("answers done forever after the source is exhausted or closed", async () => {
    await runVirtual(
      (function* () {
        const it = asyncio.iterate(counter(1, [])());
        assert.deepEqual(yield* it.next(), { done: false, value: 1 });
        assert.equal((yield* it.next()).done, true);
        assert.equal((yield* it.next()).done, true);
        yield* it.return();
        assert.equal((yield* it.next()).done, true);
      })(),
    );
  });

  it("reports an error from closing while the block's own error propagates", async () => {
    const contexts: asyncio.ExceptionContext[] = [];
    const closeFailure = new Error("close failed");
    const bodyFailure = new Error("body failed");
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: false, value: 1 }),
        return: () => Promise.reject(closeFailure),
      }),
    };
    const caught = await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
        try {
          yield* asyncio.using(asyncio.iterate(source), function* (it) {
            yield* it.next();
            throw bodyFailure;
          });
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, bodyFailure);
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.exception, closeFailure);
  });

  it("reads a Node stream chunk by chunk", async () => {
    const { Readable } = await import("node:stream");
    const chunks = await runVirtual(
      (function* () {
        const out: string[] = [];
        yield* asyncio.forEach(Readable.from(["a", "b", "c"]), function* (chunk) {
          out.push(String(chunk));
        });
        return out;
      })(),
    );
    assert.deepEqual(chunks, ["a", "b", "c"]);
  });
});

describe("for await in plain async code", () => {
  beforeEach(() => asyncio.setAmbientLoopFactory(() => new VirtualTimeLoop()));
  afterEach(async () => {
    await asyncio.closeAmbientLoop();
    asyncio.setAmbientLoopFactory(null);
  });

  function* produce(queue: asyncio.Queue<string>, items: string[]): Coroutine<void> {
    for (const item of items) {
      yield* queue.put(item);
      yield* asyncio.sleep(1);
    }
    queue.shutdown();
  }

  it("reads a Queue with toAsyncIterable() in order, ending when the queue is shut down", async () => {
    const queue = new asyncio.Queue<string>();
    asyncio.createTask(produce(queue, ["a", "b", "c"]));
    const seen: string[] = [];
    for await (const item of asyncio.toAsyncIterable(queue)) seen.push(item);
    assert.deepEqual(seen, ["a", "b", "c"]);
  });

  it("throws other errors of get() out of the for await, the same object", async () => {
    const failure = new Error("get failed");
    const source = {
      *get(): Coroutine<string> {
        throw failure;
      },
    };
    await assert.rejects(
      (async () => {
        for await (const _ of asyncio.toAsyncIterable(source)) assert.fail("no item expected");
      })(),
      (error) => error === failure,
    );
  });

  it("cancels the pending get() and throws the signal's reason when the signal aborts", async () => {
    const queue = new asyncio.Queue<string>();
    const controller = new AbortController();
    const reason = new Error("consumer gave up");
    const seen: string[] = [];
    setImmediate(() => controller.abort(reason));
    await assert.rejects(
      (async () => {
        for await (const item of asyncio.toAsyncIterable(queue, { signal: controller.signal })) seen.push(item);
      })(),
      (error) => error === reason,
    );
    assert.deepEqual(seen, []);
    // The cancelled getter left the queue: a later item is not lost to it.
    queue.putNowait("kept");
    assert.equal(queue.qsize(), 1);
  });

  it("refuses a source without get(), naming what it needs", () => {
    assert.throws(() => asyncio.toAsyncIterable({} as never), {
      name: "TypeError",
      message: /expects a Queue or an object with a get\(\) coroutine/,
    });
  });

  it("reads asCompleted() with for await, Futures in the order they finish", async () => {
    function* after(seconds: number, value: string): Coroutine<string> {
      yield* asyncio.sleep(seconds);
      return value;
    }
    const order: string[] = [];
    const tasks = [after(3, "slow"), after(1, "fast"), after(2, "middle")].map((c) => asyncio.createTask(c));
    // Read through the iterator: TypeScript types `for await` values as awaited, and a Future is a thenable.
    const iterator = asyncio.asCompleted(tasks)[Symbol.asyncIterator]();
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) order.push(r.value.result());
    assert.deepEqual(order, ["fast", "middle", "slow"]);
  });
});
