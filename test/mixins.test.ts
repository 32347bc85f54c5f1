// LoopBoundMixin: a primitive binds to the loop it first waits on, and refuses any other.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { type Coroutine, RuntimeError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
}

function* waitBriefly(ev: asyncio.Event): Coroutine<void> {
  const waiter = asyncio.createTask(ev.wait());
  yield* asyncio.sleep(0);
  ev.set();
  yield* waiter;
  ev.clear();
}

describe("LoopBoundMixin", () => {
  it("lets a primitive be created outside any loop and binds it on its first wait", async () => {
    const ev = new asyncio.Event();
    await run(() => waitBriefly(ev));
    await assert.rejects(
      run(() => waitBriefly(ev)),
      (error: unknown) =>
        error instanceof RuntimeError &&
        /^<Event \[unset\]> is bound to a different event loop: create it inside the loop/.test(error.message),
    );
  });

  it("does not bind a primitive that never had to wait", async () => {
    const lock = new asyncio.Lock();
    for (let i = 0; i < 2; i++) {
      await run(() => asyncio.using(lock, () => asyncio.sleep(0)));
    }
    assert.equal(lock.locked(), false);
  });

  it("raises RuntimeError naming the fix when a primitive waits outside a running loop", () => {
    const ev = new asyncio.Event();
    assert.throws(() => ev.wait().next(), { name: "RuntimeError", message: /no running event loop/ });
  });
});
