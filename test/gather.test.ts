// gather() and gatherAll(): argument order, duplicates, options, errors, promises, fan-out, cancellation.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

function* after<T>(delay: number, value: T): Coroutine<T> {
  yield* asyncio.sleep(delay);
  return value;
}

function* fail(delay: number, error: Error): Coroutine<never> {
  yield* asyncio.sleep(delay);
  throw error;
}

/** The untyped call, for arguments the typed signature rightly refuses. */
const gatherAny = asyncio.gather as (...args: unknown[]) => asyncio.Future<unknown[]>;

describe("gather", () => {
  it("resolves with the results in argument order, not in completion order", async () => {
    const [results, elapsed] = await runVirtual(
      (function* () {
        const loop = asyncio.getRunningLoop();
        const results = yield* asyncio.gather(after(3, "slow"), after(1, 1), after(2, true));
        return [results, loop.time()] as const;
      })(),
    );
    assert.deepEqual(results, ["slow", 1, true]);
    // Concurrent, not sequential: 3 seconds, not 6.
    assert.equal(elapsed, 3);
  });

  it("starts the children on the next iteration, in argument order", async () => {
    const started: string[] = [];
    function* child(name: string): Coroutine<string> {
      started.push(name);
      return name;
    }
    await runVirtual(
      (function* () {
        const g = asyncio.gather(child("a"), child("b"), child("c"));
        assert.deepEqual(started, []);
        yield* g;
        assert.deepEqual(started, ["a", "b", "c"]);
      })(),
    );
  });

  it("wraps a coroutine passed twice once, runs it once and repeats its result", async () => {
    let runs = 0;
    function* once(): Coroutine<string> {
      runs++;
      yield* asyncio.sleep(1);
      return "x";
    }
    const results = await runVirtual(
      (function* () {
        const c = once();
        return yield* asyncio.gather(c, after(1, "y"), c, c);
      })(),
    );
    assert.deepEqual(results, ["x", "y", "x", "x"]);
    assert.equal(runs, 1);
  });

  it("wraps a promise passed twice once and waits on a Future passed twice once", async () => {
    await runVirtual(
      (function* () {
        const p = Promise.resolve("p");
        const fut = asyncio.getRunningLoop().createFuture<string>();
        fut.setResult("f");
        const g = asyncio.gather(p, fut, p, fut);
        assert.equal(g._children[0], g._children[2]);
        assert.equal(g._children[1], fut);
        assert.equal(g._children[3], fut);
        assert.deepEqual(yield* g, ["p", "f", "p", "f"]);
      })(),
    );
  });

  it("registers once on a pending Future passed twice, and lets the next gather register again", async () => {
    await runVirtual(
      (function* () {
        const fut = asyncio.getRunningLoop().createFuture<string>();
        const first = asyncio.gather(fut, fut);
        assert.equal(fut._callbacks().length, 1, "one done callback for two positions");
        const second = asyncio.gather(fut);
        assert.equal(fut._callbacks().length, 2, "a later gather is not mistaken for the same one");
        fut.setResult("f");
        assert.deepEqual(yield* first, ["f", "f"]);
        assert.deepEqual(yield* second, ["f"]);
      })(),
    );
  });

  it("resolves an empty gather to [] at once", async () => {
    await runVirtual(
      (function* () {
        const g = asyncio.gather();
        assert.ok(g.done());
        assert.deepEqual(g.result(), []);
        assert.deepEqual(yield* g, []);
      })(),
    );
  });

  it("reads a plain object in the last position as the options", async () => {
    const boom = new Error("boom");
    const results = await runVirtual(
      (function* () {
        return yield* asyncio.gather(after(1, 1), fail(1, boom), { returnExceptions: true });
      })(),
    );
    assert.deepEqual(results, [1, boom]);
  });

  it("reads a null-prototype object in the last position as the options", async () => {
    const boom = new Error("boom");
    const options = Object.assign(Object.create(null) as object, { returnExceptions: true });
    const results = await runVirtual(
      (function* () {
        return yield* gatherAny(fail(1, boom), options);
      })(),
    );
    assert.deepEqual(results, [boom]);
  });

  it("refuses a plain object that is not in the last position, naming its position", async () => {
    await runVirtual(
      (function* () {
        const c = after(0, 1);
        assert.throws(
          () => gatherAny({ returnExceptions: true }, c),
          (e) => e instanceof TypeError && /argument 1 is not awaitable/.test(e.message),
        );
        yield* asyncio.sleep(0);
      })(),
    );
  });

  it("refuses a class instance in the last position instead of reading it as the options", async () => {
    class Options {
      returnExceptions = true;
    }
    await runVirtual(
      (function* () {
        assert.throws(
          () => gatherAny(after(0, 1), new Options()),
          (e) => e instanceof TypeError && /argument 2 is not awaitable: got an instance of Options/.test(e.message),
        );
        assert.throws(
          () => asyncio.gatherAll([after(0, 1)], new Options()),
          (e) => e instanceof TypeError && /plain object/.test(e.message),
        );
        yield* asyncio.sleep(0);
      })(),
    );
  });

  it("raises a TypeError naming the position of an argument that is not awaitable", async () => {
    await runVirtual(
      (function* () {
        assert.throws(
          () => gatherAny(after(0, 1), 42, after(0, 2)),
          (e) => e instanceof TypeError && /argument 2 is not awaitable: got number 42/.test(e.message),
        );
        assert.throws(
          () => gatherAny(after(0, 1), after(0, 2), "three"),
          (e) => e instanceof TypeError && /argument 3 is not awaitable: got "three"/.test(e.message),
        );
        yield* asyncio.sleep(0);
      })(),
    );
  });

  it("hints at calling a generator function passed instead of its coroutine", async () => {
    function* fetchUser(): Coroutine<string> {
      return "user";
    }
    await runVirtual(
      (function* () {
        assert.throws(
          () => gatherAny(fetchUser(), fetchUser),
          (e) =>
            e instanceof TypeError &&
            /argument 2 is not awaitable: got function fetchUser; call it: function fetchUser\(\) returns the coroutine/.test(
              e.message,
            ),
        );
        yield* asyncio.sleep(0);
      })(),
    );
  });

  it("takes native promises as children, beside coroutines", async () => {
    const results = await runVirtual(
      (function* () {
        const late = new Promise<string>((resolve) => setTimeout(resolve, 5, "late"));
        return yield* asyncio.gather(Promise.resolve(1), after(2, "coro"), late);
      })(),
    );
    assert.deepEqual(results, [1, "coro", "late"]);
  });

  it("fails with a rejected promise's error, or returns it with returnExceptions", async () => {
    const boom = new Error("boom");
    await runVirtual(
      (function* () {
        const rejected = Promise.reject(boom);
        const g = asyncio.gather(after(1, 1), rejected);
        try {
          yield* g;
          assert.fail("gather did not fail");
        } catch (e) {
          assert.equal(e, boom);
        }
        assert.deepEqual(yield* asyncio.gather(after(1, 1), rejected, { returnExceptions: true }), [1, boom]);
      })(),
    );
  });

  it("cancels the unfinished children when the gather is cancelled, and raises in the awaiter", async () => {
    const cleanedUp: number[] = [];
    function* child(delay: number): Coroutine<number> {
      try {
        yield* asyncio.sleep(delay);
        return delay;
      } finally {
        cleanedUp.push(delay);
      }
    }
    for (const returnExceptions of [false, true]) {
      cleanedUp.length = 0;
      await runVirtual(
        (function* () {
          const children = [asyncio.createTask(child(1)), asyncio.createTask(child(2)), asyncio.createTask(child(3))];
          const g = asyncio.gatherAll(children, { returnExceptions });
          const waiter = asyncio.createTask(
            (function* () {
              return yield* g;
            })(),
          );
          yield* asyncio.sleep(1.5);
          assert.equal(g.cancel("stop"), true);
          try {
            yield* waiter;
            assert.fail("the awaiting task was not cancelled");
          } catch (e) {
            assert.ok(e instanceof CancelledError);
            assert.equal(e.message, "stop");
          }
          assert.ok(waiter.cancelled());
          assert.equal(children[0]?.result(), 1);
          assert.ok(children[1]?.cancelled());
          assert.ok(children[2]?.cancelled());
          assert.equal(asyncio.getRunningLoop().time(), 1.5);
        })(),
      );
      assert.deepEqual(cleanedUp, [1, 2, 3]);
    }
  });
});

describe("gatherAll", () => {
  it("gathers 1,000,000 trivial coroutines", async () => {
    const n = 1_000_000;
    function* trivial(i: number): Coroutine<number> {
      return i;
    }
    const results = await asyncio.run(
      (function* () {
        const coros = new Array<Coroutine<number>>(n);
        for (let i = 0; i < n; i++) coros[i] = trivial(i);
        return yield* asyncio.gatherAll(coros);
      })(),
    );
    assert.equal(results.length, n);
    for (let i = 0; i < n; i += 99_991) assert.equal(results[i], i);
    assert.equal(results[n - 1], n - 1);
  });

  it("takes any iterable, such as a generator of coroutines or a Set", async () => {
    const results = await runVirtual(
      (function* () {
        function* coros(): Generator<Coroutine<number>> {
          for (let i = 0; i < 5; i++) yield after(5 - i, i);
        }
        const fromGenerator = yield* asyncio.gatherAll(coros());
        const fromSet = yield* asyncio.gatherAll(new Set([after(2, "a"), after(1, "b")]));
        return [fromGenerator, fromSet] as const;
      })(),
    );
    assert.deepEqual(results, [
      [0, 1, 2, 3, 4],
      ["a", "b"],
    ]);
  });

  it("refuses something that is not iterable", () => {
    assert.throws(
      () => asyncio.gatherAll(42 as never),
      (e) => e instanceof TypeError && /expects an array or iterable/.test(e.message),
    );
  });
});
