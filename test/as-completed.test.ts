// asCompleted beyond CPython's tests: `for await` from async code, and a cancelled consumer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, type Future, TimeoutError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/**
 * The Future a `for await` loop variable really holds. TypeScript 6 types that variable as the
 * awaited value when the iterated values are thenables (as Futures are), so the tests check the
 * runtime value and restore its type.
 */
function futureOf<T>(value: unknown): Future<T> {
  assert.ok(value instanceof asyncio.Future, "for await yields the Futures themselves");
  return value as Future<T>;
}

function* steps<T>(n: number, value: T): Coroutine<T> {
  for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
  return value;
}

describe("asCompleted", () => {
  it("yields the original Futures in completion order to for await in async code", async () => {
    const loop = new VirtualTimeLoop();
    function* main(): Coroutine<unknown[]> {
      const a = asyncio.createTask(steps(3, "a"));
      const b = asyncio.createTask(steps(1, "b"));
      const fromPromise = Promise.resolve("p");
      async function consume(): Promise<unknown[]> {
        const seen: unknown[] = [];
        for await (const value of asyncio.asCompleted([a, b, steps(2, "c"), fromPromise])) {
          const f = futureOf<string>(value);
          seen.push(f === a ? "task a" : f === b ? "task b" : f.result());
        }
        return seen;
      }
      // wrap() keeps the loop running (and virtual time still) until the async code is done.
      return yield* asyncio.wrap(consume());
    }
    const seen = await asyncio.run(main(), { loopFactory: () => loop });
    // The promise settles on Node's schedule, not the loop's, so only its presence is certain.
    assert.deepEqual(
      seen.filter((x) => x !== "p"),
      ["task b", "c", "task a"],
    );
    assert.ok(seen.includes("p"));
  });

  it("raises TimeoutError from for await once the timeout passes, after what finished in time", async () => {
    const loop = new VirtualTimeLoop();
    const a = loop.createTask(asyncio.sleep(0.1, "a"));
    const b = loop.createTask(asyncio.sleep(0.3, "b"));
    const consumer = (async () => {
      const seen: unknown[] = [];
      try {
        for await (const f of asyncio.asCompleted([a, b], { timeout: 0.2 })) seen.push(futureOf(f).result());
      } catch (error) {
        seen.push(error);
      }
      return seen;
    })();
    await loop.runUntilComplete(asyncio.wait([a, b]));
    const seen = await consumer;
    assert.equal(seen[0], "a");
    assert.ok(seen[1] instanceof TimeoutError);
    assert.equal(seen.length, 2);
    assert.equal(b.cancelled(), false, "a timeout cancels nothing");
    loop.close();
  });

  it("resumes a for await that was left with break", async () => {
    const loop = new VirtualTimeLoop();
    function* main(): Coroutine<unknown[]> {
      const it = asyncio.asCompleted([steps(1, 1), steps(2, 2), steps(3, 3)]);
      async function consume(): Promise<unknown[]> {
        const seen: unknown[] = [];
        for await (const f of it) {
          seen.push(futureOf(f).result());
          break;
        }
        for await (const f of it) seen.push(futureOf(f).result());
        return seen;
      }
      return yield* asyncio.wrap(consume());
    }
    assert.deepEqual(await asyncio.run(main(), { loopFactory: () => loop }), [1, 2, 3]);
  });

  it("passes the wakeup on when a consumer is cancelled right after being woken", async () => {
    const loop = new VirtualTimeLoop();
    function* main(): Coroutine<[boolean, boolean]> {
      const f1 = loop.createFuture<string>();
      const f2 = loop.createFuture<string>();
      const it = asyncio.asCompleted([f1, f2]);
      const consumer1 = asyncio.createTask(it.anext());
      const consumer2 = asyncio.createTask(it.anext());
      yield* asyncio.sleep(0);
      f1.setResult("first");
      // Runs in the same iteration as asCompleted's own callback, after it woke consumer1.
      f1.addDoneCallback(() => consumer1.cancel());
      const got = yield* consumer2;
      let cancelled = false;
      try {
        yield* consumer1;
      } catch (error) {
        cancelled = error instanceof CancelledError;
      }
      f2.setResult("second");
      return [got === (f1 as Future<unknown>), cancelled];
    }
    assert.deepEqual(await asyncio.run(main(), { loopFactory: () => loop }), [true, true]);
  });

  it("refuses a generator object, which may be a coroutine, and things that are not awaitable", async () => {
    function* tasks(): Generator<Future<unknown>> {}
    function* main(): Coroutine<void> {
      assert.throws(
        () => asyncio.asCompleted(tasks()),
        (e) => e instanceof TypeError && /generator object.*Array\.from\(generator\)/.test(e.message),
      );
      assert.throws(
        () => asyncio.asCompleted([42 as unknown as Future<number>]),
        (e) => e instanceof TypeError && /not awaitable: number 42/.test(e.message),
      );
      assert.throws(
        () => asyncio.asCompleted([], { timeout: "1" as unknown as number }),
        (e) => e instanceof TypeError && /timeout must be a number of seconds/.test(e.message),
      );
    }
    await asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
  });
});
