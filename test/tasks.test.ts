// Task: what a coroutine may yield, and the TypeError that names anything else.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import type { Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** Run `make(loop)` as a Task on a fresh virtual-time loop and return the error it fails with. */
async function failureOf(make: (loop: asyncio.EventLoop) => Coroutine<unknown>): Promise<unknown> {
  const loop = new VirtualTimeLoop();
  try {
    return await loop.runUntilComplete(make(loop)).then(
      () => assert.fail("the task did not fail"),
      (error: unknown) => error,
    );
  } finally {
    loop.close();
  }
}

function assertBadYield(error: unknown, names: RegExp, fix: RegExp): void {
  assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
  assert.match(error.message, names);
  assert.match(error.message, fix);
}

describe("a coroutine that yields something other than a Future through yield*", () => {
  it("fails with a TypeError naming the Future and suggesting yield* for a bare yield of a Future", async () => {
    const error = await failureOf(function* (loop) {
      yield loop.createFuture<void>();
    });
    assertBadYield(error, /<Future pending/, /yield\* future/);
  });

  it("fails with a TypeError naming the promise and suggesting yield* asyncio.wrap() for a yielded promise", async () => {
    const error = await failureOf(function* () {
      yield Promise.resolve(1) as never;
    });
    assertBadYield(error, /Promise/, /yield\* asyncio\.wrap\(promise\)/);
  });

  it("fails with a TypeError naming the generator and suggesting yield* for a yielded coroutine", async () => {
    function* inner(): Coroutine<number> {
      return 1;
    }
    const error = await failureOf(function* () {
      yield inner() as never;
    });
    assertBadYield(error, /generator/, /yield\* coro\(\)/);
  });

  it("fails with a TypeError naming the number and suggesting yield* for a yielded number", async () => {
    const error = await failureOf(function* () {
      yield 42 as never;
    });
    assertBadYield(error, /number 42/, /yield\* future/);
  });

  it("throws the TypeError in at the yield, where the coroutine can catch it and go on", async () => {
    const loop = new VirtualTimeLoop();
    try {
      function* coro(): Coroutine<string> {
        try {
          yield 42 as never;
        } catch (error) {
          assert.ok(error instanceof TypeError);
          yield* asyncio.sleep(1);
          return "recovered";
        }
        return "not reached";
      }
      assert.equal(await loop.runUntilComplete(coro()), "recovered");
      assert.equal(loop.time(), 1);
    } finally {
      loop.close();
    }
  });

  it("gives up exactly one loop iteration for a bare yield of nothing", async () => {
    const loop = new VirtualTimeLoop();
    try {
      const order: string[] = [];
      function* coro(): Coroutine<void> {
        loop.callSoon(() => order.push("callback"));
        yield;
        order.push("resumed");
      }
      await loop.runUntilComplete(coro());
      assert.deepEqual(order, ["callback", "resumed"]);
    } finally {
      loop.close();
    }
  });
});
