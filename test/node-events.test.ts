// Callbacks and events from the rest of Node: once() on EventEmitters and EventTargets, and
// loop.callSoonThreadsafe() for callbacks that arrive from other event sources.
//
// CPython: test_events.EventLoopTestsMixin.test_call_soon_threadsafe_same_thread is ported below.
// Not ported, and why:
// - test_events.EventLoopTestsMixin.test_call_soon_threadsafe: it calls from another thread; its
//   counterpart here is a callback from another Node event source (a setImmediate), tested below.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, RuntimeError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

describe("once()", () => {
  it("becomes done with the event's arguments, and removes its listeners", async () => {
    const emitter = new EventEmitter();
    const args = await runVirtual(
      (function* () {
        const fut = asyncio.once<[string, number]>(emitter, "ready");
        asyncio.getRunningLoop().callLater(1, () => emitter.emit("ready", "port", 8080));
        return yield* fut;
      })(),
    );
    assert.deepEqual(args, ["port", 8080]);
    assert.equal(emitter.listenerCount("ready"), 0);
    assert.equal(emitter.listenerCount("error"), 0);
  });

  it("fails with an 'error' event emitted first, the same error object", async () => {
    const emitter = new EventEmitter();
    const failure = new Error("disk on fire");
    const caught = await runVirtual(
      (function* () {
        const fut = asyncio.once(emitter, "ready");
        emitter.emit("error", failure);
        try {
          yield* fut;
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.equal(caught, failure);
    assert.equal(emitter.listenerCount("ready"), 0);
  });

  it("waits for 'error' itself like any event when asked to", async () => {
    const emitter = new EventEmitter();
    const failure = new Error("expected");
    const [error] = await runVirtual(
      (function* () {
        const fut = asyncio.once<[Error]>(emitter, "error");
        emitter.emit("error", failure);
        return yield* fut;
      })(),
    );
    assert.equal(error, failure);
  });

  it("removes its listeners when the awaiting task is cancelled", async () => {
    const emitter = new EventEmitter();
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(
          (function* () {
            yield* asyncio.once(emitter, "never");
          })(),
        );
        yield* asyncio.sleep(1);
        assert.equal(emitter.listenerCount("never"), 1);
        task.cancel();
        const [outcome] = yield* asyncio.gather(task, { returnExceptions: true });
        assert.ok(outcome instanceof CancelledError);
      })(),
    );
    assert.equal(emitter.listenerCount("never"), 0);
    assert.equal(emitter.listenerCount("error"), 0);
  });

  it("reports an 'error' that its listener caught after the wait was cancelled, instead of losing it", async () => {
    const emitter = new EventEmitter();
    const failure = new Error("arrived too late");
    const contexts: asyncio.ExceptionContext[] = [];
    await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
        const fut = asyncio.once(emitter, "data");
        fut.cancel();
        // The listeners go on the next iteration; an error before then is not swallowed.
        emitter.emit("error", failure);
        yield* asyncio.sleep(0);
      })(),
    );
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.exception, failure);
  });

  it("waits for an EventTarget's event and becomes done with [event]", async () => {
    const target = new EventTarget();
    const [event] = await runVirtual(
      (function* () {
        const fut = asyncio.once<[Event]>(target, "ping");
        asyncio.getRunningLoop().callLater(1, () => target.dispatchEvent(new Event("ping")));
        return yield* fut;
      })(),
    );
    assert.ok(event instanceof Event);
    assert.equal(event.type, "ping");
  });

  it("refuses something that is neither an EventEmitter nor an EventTarget", async () => {
    await runVirtual(
      (function* () {
        assert.throws(() => asyncio.once({} as never, "x"), {
          name: "TypeError",
          message: /once\(\) expects an EventEmitter or an EventTarget/,
        });
      })(),
    );
  });
});

describe("loop.callSoonThreadsafe()", () => {
  it("runs a callback from a Node callback on the loop, waking it while it waits for nothing", async () => {
    const loop = asyncio.newEventLoop();
    const order: string[] = [];
    const fut = loop.createFuture<string>();
    setImmediate(() => {
      order.push("node callback");
      loop.callSoonThreadsafe((value: string) => {
        order.push("on the loop");
        fut.setResult(value);
      }, "hello");
    });
    assert.equal(await loop.runUntilComplete(fut), "hello");
    assert.deepEqual(order, ["node callback", "on the loop"]);
    loop.close();
  });

  // cpython: test_events.EventLoopTestsMixin.test_call_soon_threadsafe_same_thread
  it("runs before a callSoon() made after it, with its arguments", async () => {
    const loop = new VirtualTimeLoop();
    const results: string[] = [];
    const callback = (arg: string): void => {
      results.push(arg);
      if (results.length >= 2) loop.stop();
    };
    loop.callSoonThreadsafe(callback, "hello");
    loop.callSoon(callback, "world");
    await loop.runForever();
    assert.deepEqual(results, ["hello", "world"]);
    loop.close();
  });

  it("keeps FIFO order with callSoon() and returns a Handle that can be cancelled", async () => {
    const loop = new VirtualTimeLoop();
    const order: number[] = [];
    loop.callSoon(() => order.push(1));
    const handle = loop.callSoonThreadsafe(() => order.push(2));
    loop.callSoonThreadsafe(() => order.push(3));
    handle.cancel();
    await loop.runUntilComplete(
      (function* () {
        yield* asyncio.sleep(0);
      })(),
    );
    assert.deepEqual(order, [1, 3]);
    assert.equal(handle.cancelled(), true);
    loop.close();
  });

  it("refuses to schedule on a closed loop, naming the fix", () => {
    const loop = new VirtualTimeLoop();
    loop.close();
    assert.throws(() => loop.callSoonThreadsafe(() => {}), RuntimeError);
  });
});
