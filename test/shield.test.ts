// shield() beyond CPython's tests: promises, and errors nobody can see any more.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

describe("shield", () => {
  it("cancels only the waiting when it shields a promise", async () => {
    const loop = new VirtualTimeLoop();
    const outcome = await asyncio.run(
      (function* () {
        let release: (value: string) => void = () => {};
        const promise = new Promise<string>((resolve) => {
          release = resolve;
        });
        const outer = asyncio.shield(promise);
        outer.cancel();
        let cancelled = false;
        try {
          yield* outer;
        } catch (error) {
          cancelled = error instanceof CancelledError;
        }
        release("kept");
        // Awaiting the same promise again still gives its value: nothing cancelled it.
        return [cancelled, yield* asyncio.wrap(promise)];
      })(),
      { loopFactory: () => loop },
    );
    assert.deepEqual(outcome, [true, "kept"]);
  });

  it("reports an inner error nobody can see as CPython does: only once the shield has let go", async () => {
    // Checked against CPython 3.13: the error of a shielded task that fails after the shield was
    // cancelled is "never retrieved"; one that fails before the shield hears of its cancellation
    // is retrieved by the shield.
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const reports: string[] = [];
    loop.setExceptionHandler((_l, context) => reports.push(context.message));
    function* failsLater(): Coroutine<void> {
      yield* asyncio.sleep(1);
      throw new RangeError("nobody is listening");
    }
    await asyncio.run(
      (function* () {
        const outer = asyncio.shield(failsLater());
        outer.cancel();
        yield* asyncio.sleep(2);
        const inner = loop.createFuture<void>();
        const outer2 = asyncio.shield(inner);
        outer2.cancel();
        inner.setException(new RangeError("seen by the shield"));
        yield* asyncio.sleep(0);
        yield* asyncio.sleep(0);
      })(),
      { loopFactory: () => loop },
    );
    // Debug mode reports unretrieved errors when the loop closes.
    assert.deepEqual(reports, ["Task exception was never retrieved"]);
  });
});
