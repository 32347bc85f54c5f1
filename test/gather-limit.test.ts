// gather's `limit` option, an extension beyond asyncio: bounded concurrency with results in order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import fc from "fast-check";
import { checkTree, gatherTree } from "./helpers/gather-trees.ts";

function runVirtual<T>(main: Coroutine<T>, loop = new VirtualTimeLoop()): Promise<T> {
  return asyncio.run(main, { loopFactory: () => loop });
}

/** A child that records when it starts and when its finally runs, then returns its index. */
function recorder(loop: asyncio.EventLoop) {
  const starts = new Map<number, number>();
  const finals = new Set<number>();
  function* child(i: number, seconds: number, fail = false): Coroutine<number> {
    starts.set(i, loop.time());
    try {
      yield* asyncio.sleep(seconds);
      if (fail) throw new RangeError(`child ${i} failed`);
      return i;
    } finally {
      finals.add(i);
    }
  }
  return { starts, finals, child };
}

describe("gather with limit", () => {
  it("runs at most limit coroutines at once, starting the rest in argument order as slots free", async () => {
    const loop = new VirtualTimeLoop();
    const { starts, child } = recorder(loop);
    const results = await runVirtual(
      (function* () {
        return yield* asyncio.gather(child(0, 3), child(1, 1), child(2, 1.5), child(3, 1), child(4, 2), { limit: 2 });
      })(),
      loop,
    );
    assert.deepEqual(results, [0, 1, 2, 3, 4]);
    // 0 and 1 at once; 2 when 1 ends (t=1); 3 when 2 ends (t=2.5); 4 when 0 ends (t=3).
    assert.deepEqual(
      [...starts],
      [
        [0, 0],
        [1, 0],
        [2, 1],
        [3, 2.5],
        [4, 3],
      ],
    );
    assert.equal(loop.time(), 5);
  });

  it("puts errors in argument order with returnExceptions and keeps starting the others", async () => {
    const loop = new VirtualTimeLoop();
    const { starts, child } = recorder(loop);
    const results = await runVirtual(
      (function* () {
        return yield* asyncio.gatherAll([child(0, 2, true), child(1, 1, true), child(2, 1), child(3, 0.5)], {
          limit: 1,
          returnExceptions: true,
        });
      })(),
      loop,
    );
    assert.equal((results[0] as Error).message, "child 0 failed");
    assert.equal((results[1] as Error).message, "child 1 failed");
    assert.deepEqual(results.slice(2), [2, 3]);
    assert.deepEqual([...starts.values()], [0, 2, 3, 4]);
  });

  it("fails at the first error, lets running siblings run on, and closes the coroutines not started", async () => {
    const loop = new VirtualTimeLoop();
    const { starts, finals, child } = recorder(loop);
    const neverStarted = [child(2, 1), child(3, 1)];
    const sibling = child(1, 5);
    await assert.rejects(
      runVirtual(
        (function* () {
          const g = asyncio.gather(child(0, 1, true), sibling, ...neverStarted, { limit: 2 });
          try {
            yield* g;
          } finally {
            // The sibling was not cancelled: it is still sleeping when the gather fails.
            assert.equal(loop.time(), 1);
            assert.equal(finals.has(1), false);
            yield* asyncio.sleep(10);
            assert.ok(finals.has(1), "the sibling ran to completion");
          }
        })(),
        loop,
      ),
      /child 0 failed/,
    );
    assert.deepEqual([...starts.keys()], [0, 1]);
    for (const coro of neverStarted) assert.deepEqual(coro.next(), { done: true, value: undefined });
  });

  for (const returnExceptions of [false, true]) {
    it(`cancels running children and closes never-started ones when cancelled (returnExceptions ${returnExceptions})`, async () => {
      const loop = new VirtualTimeLoop();
      const { starts, finals, child } = recorder(loop);
      const coros = [child(0, 10), child(1, 10), child(2, 10), child(3, 10)];
      const error = await runVirtual(
        (function* () {
          const g = asyncio.gatherAll(coros, { limit: 2, returnExceptions });
          loop.callLater(1, () => g.cancel("enough"));
          try {
            yield* g;
          } catch (e) {
            return e;
          }
          return null;
        })(),
        loop,
      );
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, "enough");
      assert.deepEqual([...starts.keys()], [0, 1]);
      assert.deepEqual([...finals].sort(), [0, 1]);
      for (const coro of coros.slice(2)) assert.deepEqual(coro.next(), { done: true, value: undefined });
      assert.equal(loop.time(), 1);
    });
  }

  it("counts a never-started coroutine's slot as cancelled when only those are pending", async () => {
    const loop = new VirtualTimeLoop();
    let bStarted = false;
    function* a(): Coroutine<string> {
      return "a";
    }
    function* b(): Coroutine<string> {
      bStarted = true;
      return "b";
    }
    let cancelled: boolean | null = null;
    const outcome = await runVirtual(
      (function* () {
        const g = asyncio.gather(a(), b(), { limit: 1, returnExceptions: true });
        // Runs right after a's first step (which finishes it), before the gather hears of it.
        loop.callSoon(() => {
          cancelled = g.cancel();
        });
        try {
          return yield* g;
        } catch (e) {
          return e;
        }
      })(),
      loop,
    );
    assert.equal(cancelled, true);
    assert.ok(outcome instanceof CancelledError);
    assert.equal(bStarted, false);
  });

  it("runs a coroutine passed twice once, holding one slot", async () => {
    let runs = 0;
    function* once(): Coroutine<string> {
      runs++;
      yield* asyncio.sleep(1);
      return "x";
    }
    function* other(): Coroutine<string> {
      yield* asyncio.sleep(1);
      return "y";
    }
    const c = once();
    const loop = new VirtualTimeLoop();
    const results = await runVirtual(
      (function* () {
        return yield* asyncio.gather(c, c, other(), c, { limit: 1 });
      })(),
      loop,
    );
    assert.deepEqual(results, ["x", "x", "y", "x"]);
    assert.equal(runs, 1);
    assert.equal(loop.time(), 2);
  });

  it("gives no slot to Futures and promises, which are running already", async () => {
    const loop = new VirtualTimeLoop();
    const { starts, child } = recorder(loop);
    const results = await runVirtual(
      (function* () {
        const fut = loop.createFuture<string>();
        loop.callLater(5, () => fut.setResult("future"));
        return yield* asyncio.gather(fut, Promise.resolve("promise"), child(0, 1), child(1, 1), { limit: 1 });
      })(),
      loop,
    );
    assert.deepEqual(results, ["future", "promise", 0, 1]);
    assert.deepEqual([...starts.values()], [0, 1]);
  });

  it("does not hold a slot for an eager Task that finished in its first step", async () => {
    const loop = new VirtualTimeLoop();
    loop.setTaskFactory(asyncio.eagerTaskFactory);
    function* quick(i: number): Coroutine<number> {
      return i * 10;
    }
    const done = await runVirtual(
      (function* () {
        const g = asyncio.gatherAll([quick(0), quick(1), quick(2), quick(3)], { limit: 1 });
        return [g.done(), yield* g] as const;
      })(),
      loop,
    );
    assert.deepEqual(done, [true, [0, 10, 20, 30]]);
  });

  it("accepts Infinity as no limit", async () => {
    const loop = new VirtualTimeLoop();
    const { child } = recorder(loop);
    const results = await runVirtual(
      (function* () {
        return yield* asyncio.gather(child(0, 1), child(1, 1), child(2, 1), { limit: Number.POSITIVE_INFINITY });
      })(),
      loop,
    );
    assert.deepEqual(results, [0, 1, 2]);
    assert.equal(loop.time(), 1);
  });

  it("refuses a limit that is not a positive integer, naming the fix", async () => {
    function* main(): Coroutine<void> {
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        assert.throws(
          () => asyncio.gather(asyncio.sleep(0), { limit }),
          (e) => e instanceof ValueError && /option limit must be a positive integer/.test(e.message),
        );
      }
      assert.throws(
        () => asyncio.gatherAll([asyncio.sleep(0)], { limit: "2" as unknown as number }),
        (e) => e instanceof TypeError && /gatherAll\(\) option limit must be a number/.test(e.message),
      );
    }
    await runVirtual(main());
  });

  it("keeps every invariant over random trees of children (property)", async () => {
    await fc.assert(
      fc.asyncProperty(gatherTree, fc.boolean(), async (tree, eager) => {
        await checkTree(tree, null, eager);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps every invariant when the gather is cancelled at a random moment (property)", async () => {
    const at = fc.integer({ min: 0, max: 6 }).map((s) => s + 0.75);
    await fc.assert(
      fc.asyncProperty(gatherTree, at, fc.boolean(), async (tree, when, eager) => {
        await checkTree(tree, { via: "cancel", at: when }, eager);
      }),
      { numRuns: 100 },
    );
  });
});
