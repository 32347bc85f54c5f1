// waitFor() beyond the CPython ports: what it accepts, where a coroutine runs, promises.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, TimeoutError, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function run<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

/** Run `body` and return the error it throws, failing if it completes. */
function* caught(body: Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* body;
  } catch (error) {
    return error;
  }
  assert.fail("nothing was thrown");
}

describe("waitFor()", () => {
  it("runs a coroutine inside the calling task, as await does", async () => {
    await run(
      (function* () {
        const caller = asyncio.currentTask();
        function* probe() {
          yield* asyncio.sleep(0.1);
          return asyncio.currentTask();
        }
        assert.equal(yield* asyncio.waitFor(probe(), 1), caller);
        assert.equal(yield* asyncio.waitFor(probe(), null), caller);
      })(),
    );
  });

  it("returns a Task's result in time, and a promise's", async () => {
    await run(
      (function* () {
        const task = asyncio.createTask(asyncio.sleep(1, "task"));
        assert.equal(yield* asyncio.waitFor(task, 2), "task");
        assert.equal(yield* asyncio.waitFor(Promise.resolve("promise"), 2), "promise");
      })(),
    );
  });

  it("gives up on a pending promise at once with a zero timeout, and stops waiting for it", async () => {
    await run(
      (function* () {
        const never = new Promise<never>(() => {});
        const error = yield* caught(asyncio.waitFor(never, 0));
        assert.ok(error instanceof TimeoutError, "a TimeoutError");
        assert.ok(error.cause instanceof CancelledError, "caused by the wrapper's cancellation");
        // The virtual clock is free to jump again: nothing waits on the promise any more.
        yield* asyncio.sleep(5);
      })(),
    );
  });

  it("raises the awaitable's own error, not a TimeoutError, when it fails in time", async () => {
    await run(
      (function* () {
        function* fail(): Coroutine<never> {
          yield* asyncio.sleep(0.1);
          throw new ValueError("own");
        }
        const error = yield* caught(asyncio.waitFor(fail(), 1));
        assert.ok(error instanceof ValueError && error.message === "own", String(error));
      })(),
    );
  });

  it("refuses what is not awaitable and timeouts that are not numbers or null, naming the fix", () => {
    function* coro() {
      yield* asyncio.sleep(0);
    }
    assert.throws(() => asyncio.waitFor(coro as never, 1), {
      name: "TypeError",
      message: /call it: function coro\(\)/,
    });
    assert.throws(() => asyncio.waitFor(42 as never, 1), {
      name: "TypeError",
      message: /a coroutine, a Future or a promise/,
    });
    assert.throws(() => asyncio.waitFor(coro(), "1" as never), { name: "TypeError", message: /or null/ });
    assert.throws(() => asyncio.waitFor(coro(), undefined as never), TypeError);
    assert.throws(() => asyncio.waitFor(coro(), Number.NaN), ValueError);
  });
});
