// When Future and Task folded result, exception and cancel message into one field, the
// CancelledError made for a Future that was not cancelled took its result or exception as its
// message: a cancelled gather whose last child caught the cancellation and returned "kept going"
// raised CancelledError("kept going"). asyncio raises CancelledError() there (the child has no
// cancel message), and the child's own result or exception must stay as it was.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function* stubborn(end: "return" | "raise"): asyncio.Coroutine<string> {
  try {
    yield* asyncio.sleep(10);
  } catch {
    if (end === "raise") throw new asyncio.CancelledError("its own");
    return "kept going";
  }
  return "slept";
}

function cancelledGatherOf(end: "return" | "raise"): Promise<{ error: unknown; child: asyncio.Task<string> }> {
  return asyncio.run(
    (function* () {
      const child = asyncio.createTask(stubborn(end));
      const g = asyncio.gather(child, { returnExceptions: true });
      yield* asyncio.sleep(0);
      g.cancel();
      try {
        yield* g;
        return { error: null, child };
      } catch (error) {
        return { error, child };
      }
    })(),
    { loopFactory: () => new VirtualTimeLoop() },
  );
}

describe("regression 003: the CancelledError of a gather cancelled while its last child finished", () => {
  // CPython 3.13, the same program: awaiting the gather raises CancelledError() with no args.
  it("carries no message when the child returned, and leaves the child's result alone", async () => {
    const { error, child } = await cancelledGatherOf("return");
    assert.ok(error instanceof asyncio.CancelledError, `got ${String(error)}`);
    assert.equal(error.message, "");
    assert.equal(child.result(), "kept going");
  });

  it("hands out the CancelledError the child raised itself when that child was the last", async () => {
    const { error, child } = await cancelledGatherOf("raise");
    assert.ok(error instanceof asyncio.CancelledError, `got ${String(error)}`);
    assert.equal(error.message, "its own");
    assert.equal(child.cancelled(), true);
  });
});
