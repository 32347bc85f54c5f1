// Cancelling 100,000 sleeping tasks spent most of its time capturing stack traces for the
// CancelledErrors delivered into them: frames of the loop's own callbacks, never of the coroutine.
// The library's CancelledErrors now skip that capture, unless debug mode or tracing is on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function* caughtCancellation(): asyncio.Coroutine<asyncio.CancelledError> {
  const sleeper = asyncio.createTask(asyncio.sleep(10));
  yield* asyncio.sleep(0);
  sleeper.cancel("stop now");
  try {
    yield* sleeper;
  } catch (error) {
    if (error instanceof asyncio.CancelledError) return error;
    throw error;
  }
  throw new Error("the sleeper was not cancelled");
}

describe("a CancelledError the library delivers", () => {
  it("carries its message but no captured frames", async () => {
    const error = await asyncio.run(caughtCancellation(), { loopFactory: () => new VirtualTimeLoop() });
    assert.equal(error.message, "stop now");
    assert.equal(error.stack, "CancelledError: stop now");
  });

  it("keeps its frames in debug mode", async () => {
    const error = await asyncio.run(caughtCancellation(), { debug: true, loopFactory: () => new VirtualTimeLoop() });
    assert.equal(error.message, "stop now");
    assert.match(error.stack ?? "", /^CancelledError: stop now\n\s+at /);
  });

  it("leaves a CancelledError made by user code with its stack", () => {
    assert.match(new asyncio.CancelledError("mine").stack ?? "", /\n\s+at /);
  });
});
