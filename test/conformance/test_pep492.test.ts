// Ports of CPython 3.13's Lib/test/test_asyncio/test_pep492.py: the parts of PEP 492 (`async def`,
// `await`, `async with`) that have a counterpart here, where `async def` is `function*`, `await`
// is `yield*` and `async with` is `asyncio.using`.
//
// Not ported, and why:
// - StreamReaderTests.test_readline: asyncio streams (`StreamReader`) are not implemented.
// - CoroutineTests.test_iscoroutine_generator: in Python a plain generator is not a coroutine; here
//   every generator is one, since generators are how coroutines are written.
// - CoroutineTests.test_debug_mode_manages_coroutine_origin_tracking: `sys.set_coroutine_origin_
//   tracking_depth` is a CPython interpreter hook with no JavaScript counterpart.
// - CoroutineTests.test_types_coroutine: `types.coroutine` turns a generator into an awaitable;
//   here a generator is awaitable with `yield*` as it is.
// - CoroutineTests.test_task_print_stack: `Task.get_stack()` walks Python frames; a JavaScript
//   generator exposes none.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import type { Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** The lock-like primitives `async with` works on, fresh for each run. */
function primitives(): (asyncio.Lock | asyncio.Condition | asyncio.Semaphore | asyncio.BoundedSemaphore)[] {
  return [new asyncio.Lock(), new asyncio.Condition(), new asyncio.Semaphore(), new asyncio.BoundedSemaphore()];
}

describe("test_pep492.LockTests", () => {
  // cpython: test_pep492.LockTests.test_context_manager_async_with
  it("holds each lock-like primitive inside using(), whose body receives undefined", async () => {
    const loop = new VirtualTimeLoop();
    try {
      for (const primitive of primitives()) {
        await loop.runUntilComplete(
          (function* (): Coroutine<void> {
            yield* asyncio.sleep(0.01);
            assert.equal(primitive.locked(), false);
            yield* asyncio.using(primitive, function* (value) {
              assert.equal(value, undefined);
              assert.ok(primitive.locked());
              yield* asyncio.sleep(0.01);
              assert.ok(primitive.locked());
            });
            assert.equal(primitive.locked(), false);
          })(),
        );
        assert.equal(primitive.locked(), false);
      }
    } finally {
      loop.close();
    }
  });

  // cpython: test_pep492.LockTests.test_context_manager_with_await
  it("raises TypeError when a lock-like primitive is awaited itself", async () => {
    const loop = new VirtualTimeLoop();
    try {
      for (const primitive of primitives()) {
        await loop.runUntilComplete(
          (function* (): Coroutine<void> {
            yield* asyncio.sleep(0.01);
            assert.equal(primitive.locked(), false);
            let raised: unknown;
            try {
              // `with await lock:`, which Python rejects: a lock is not awaitable.
              yield* primitive as unknown as Coroutine<unknown>;
            } catch (error) {
              raised = error;
            }
            assert.ok(raised instanceof TypeError, String(raised));
          })(),
        );
        assert.equal(primitive.locked(), false);
      }
    } finally {
      loop.close();
    }
  });
});

describe("test_pep492.CoroutineTests", () => {
  // cpython: test_pep492.CoroutineTests.test_iscoroutine
  it("recognizes a coroutine object and any object with next and throw", () => {
    function* foo(): Coroutine<void> {}
    const f = foo();
    try {
      assert.ok(asyncio.isCoroutine(f));
    } finally {
      f.return();
    }
    const fakeCoro = {
      next: () => ({ done: true, value: undefined }),
      throw: () => ({ done: true, value: undefined }),
      return: () => ({ done: true, value: undefined }),
    };
    assert.ok(asyncio.isCoroutine(fakeCoro));
    assert.equal(asyncio.isCoroutine({ next: () => undefined }), false);
  });

  // cpython: test_pep492.CoroutineTests.test_iscoroutinefunction
  it("recognizes a coroutine function", () => {
    function* foo(): Coroutine<void> {}
    assert.ok(asyncio.isCoroutineFunction(foo));
    assert.equal(
      asyncio.isCoroutineFunction(() => undefined),
      false,
    );
  });

  // cpython: test_pep492.CoroutineTests.test_async_def_coroutines
  it("runs a coroutine awaiting another, in production and in debug mode", async () => {
    function* bar(): Coroutine<string> {
      return "spam";
    }
    function* foo(): Coroutine<string> {
      return yield* bar();
    }
    const loop = new VirtualTimeLoop();
    try {
      assert.equal(await loop.runUntilComplete(foo()), "spam");
      loop.setDebug(true);
      assert.equal(await loop.runUntilComplete(foo()), "spam");
    } finally {
      loop.close();
    }
  });

  // cpython: test_pep492.CoroutineTests.test_double_await
  it("raises RuntimeError when a coroutine a Task is running is awaited again", async () => {
    function* afunc(): Coroutine<void> {
      yield* asyncio.sleep(0.1);
    }
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    try {
      await assert.rejects(
        loop.runUntilComplete(
          (function* runner(): Coroutine<void> {
            const coro = afunc();
            const t = loop.createTask(coro);
            try {
              yield* asyncio.sleep(0);
              yield* coro;
            } finally {
              t.cancel();
            }
          })(),
        ),
        asyncio.RuntimeError,
      );
    } finally {
      loop.close();
    }
  });
});
