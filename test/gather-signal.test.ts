// gather's `signal` option, an extension beyond asyncio: an AbortSignal that cancels the gather.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import fc from "fast-check";
import { checkTree, gatherTree } from "./helpers/gather-trees.ts";

function runVirtual<T>(main: Coroutine<T>, loop = new VirtualTimeLoop()): Promise<T> {
  return asyncio.run(main, { loopFactory: () => loop });
}

/** Await `fut` and return what it raises (or its result), so a test can look at the error. */
function* outcomeOf<T>(fut: asyncio.Future<T>): Coroutine<T | unknown> {
  try {
    return yield* fut;
  } catch (error) {
    return error;
  }
}

describe("gather with signal", () => {
  for (const returnExceptions of [false, true]) {
    it(`cancels the gather with the abort reason as message (returnExceptions ${returnExceptions})`, async () => {
      const loop = new VirtualTimeLoop();
      const finals: [number, unknown][] = [];
      function* child(i: number): Coroutine<number> {
        try {
          yield* asyncio.sleep(10);
          return i;
        } catch (error) {
          finals.push([i, error instanceof CancelledError ? error.message : error]);
          throw error;
        }
      }
      const controller = new AbortController();
      const outcome = await runVirtual(
        (function* () {
          loop.callLater(2, () => controller.abort("user pressed stop"));
          return yield* outcomeOf(asyncio.gather(child(0), child(1), { signal: controller.signal, returnExceptions }));
        })(),
        loop,
      );
      assert.ok(outcome instanceof CancelledError);
      assert.equal(outcome.message, "user pressed stop");
      assert.deepEqual(finals, [
        [0, "user pressed stop"],
        [1, "user pressed stop"],
      ]);
      assert.equal(loop.time(), 2);
    });
  }

  it("uses the message of an Error reason, such as the default AbortError", async () => {
    const controller = new AbortController();
    const outcome = await runVirtual(
      (function* () {
        asyncio.getRunningLoop().callLater(1, () => controller.abort());
        return yield* outcomeOf(asyncio.gather(asyncio.sleep(5), { signal: controller.signal }));
      })(),
    );
    assert.ok(outcome instanceof CancelledError);
    assert.equal(outcome.message, "This operation was aborted");
  });

  it("waits for the children to finish cancelling with returnExceptions, as a cancelled gather does", async () => {
    const loop = new VirtualTimeLoop();
    function* slowToStop(): Coroutine<void> {
      try {
        yield* asyncio.sleep(10);
      } finally {
        yield* asyncio.sleep(3);
      }
    }
    const controller = new AbortController();
    const outcome = await runVirtual(
      (function* () {
        loop.callLater(1, () => controller.abort("stop"));
        const g = asyncio.gather(slowToStop(), asyncio.sleep(10), {
          signal: controller.signal,
          returnExceptions: true,
        });
        const outcome = yield* outcomeOf(g);
        return [outcome, loop.time()] as const;
      })(),
      loop,
    );
    assert.ok(outcome[0] instanceof CancelledError);
    assert.equal(outcome[1], 4);
  });

  it("is cancelled at once by a signal aborted already: nothing starts and Futures are cancelled", async () => {
    const loop = new VirtualTimeLoop();
    loop.setTaskFactory(asyncio.eagerTaskFactory);
    let started = false;
    function* child(): Coroutine<void> {
      started = true;
    }
    const coro = child();
    const outcome = await runVirtual(
      (function* () {
        const fut = loop.createFuture<number>();
        const g = asyncio.gather(coro, fut, { signal: AbortSignal.abort("too late") });
        assert.equal(g.done(), true);
        assert.equal(fut.cancelled(), true);
        return yield* outcomeOf(g);
      })(),
      loop,
    );
    assert.ok(outcome instanceof CancelledError);
    assert.equal(outcome.message, "too late");
    assert.equal(started, false);
    assert.deepEqual(coro.next(), { done: true, value: undefined });
  });

  it("closes never-started coroutines on abort when combined with limit", async () => {
    const loop = new VirtualTimeLoop();
    const started: number[] = [];
    function* child(i: number): Coroutine<number> {
      started.push(i);
      yield* asyncio.sleep(10);
      return i;
    }
    const coros = [child(0), child(1), child(2)];
    const controller = new AbortController();
    const outcome = await runVirtual(
      (function* () {
        loop.callLater(1, () => controller.abort("halt"));
        return yield* outcomeOf(asyncio.gatherAll(coros, { limit: 1, signal: controller.signal }));
      })(),
      loop,
    );
    assert.ok(outcome instanceof CancelledError);
    assert.deepEqual(started, [0]);
    for (const coro of coros.slice(1)) assert.deepEqual(coro.next(), { done: true, value: undefined });
  });

  it("changes nothing when aborted after the gather finished, and drops its listener", async () => {
    const controller = new AbortController();
    const results = await runVirtual(
      (function* () {
        const g = asyncio.gather(asyncio.sleep(1, "a"), asyncio.sleep(2, "b"), { signal: controller.signal });
        assert.equal(getEventListeners(controller.signal, "abort").length, 1);
        const results = yield* g;
        assert.equal(getEventListeners(controller.signal, "abort").length, 0);
        controller.abort();
        return [results, g.result()];
      })(),
    );
    assert.deepEqual(results, [
      ["a", "b"],
      ["a", "b"],
    ]);
  });

  it("is woken by an abort from outside the loop, in a host callback", async () => {
    const loop = new VirtualTimeLoop();
    const controller = new AbortController();
    const outcome = await runVirtual(
      (function* () {
        const g = asyncio.gather(asyncio.sleep(100), asyncio.sleep(200), { signal: controller.signal });
        // The host promise holds virtual time still until it settles, so the abort lands at t=0.
        yield* asyncio.wrap(new Promise<void>((resolve) => setImmediate(() => resolve(controller.abort("from Node")))));
        return yield* outcomeOf(g);
      })(),
      loop,
    );
    assert.ok(outcome instanceof CancelledError);
    assert.equal(outcome.message, "from Node");
    assert.equal(loop.time(), 0);
  });

  it("refuses a signal that is not an AbortSignal, naming the fix", async () => {
    function* main(): Coroutine<void> {
      assert.throws(
        () => asyncio.gather(asyncio.sleep(0), { signal: { aborted: false } as unknown as AbortSignal }),
        (e) =>
          e instanceof TypeError &&
          /option signal must be an AbortSignal.*new AbortController\(\)\.signal/.test(e.message),
      );
    }
    await runVirtual(main());
  });

  it("keeps every invariant when the signal aborts at a random moment (property)", async () => {
    const at = fc.integer({ min: 0, max: 6 }).map((s) => s + 0.75);
    await fc.assert(
      fc.asyncProperty(gatherTree, at, fc.boolean(), async (tree, when, eager) => {
        await checkTree(tree, { via: "signal", at: when }, eager);
      }),
      { numRuns: 100 },
    );
  });
});
