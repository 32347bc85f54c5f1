// AbortSignal both ways: task.signal aborted on cancellation, and signals that cancel Tasks,
// gathers and waits (createTask's and gather's `signal` options, fromSignal()).
//
// CPython has no AbortSignal; these tests pin asyncio-ts's own contract.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

function* sleeper(seconds: number, log: string[], name: string): Coroutine<string> {
  try {
    yield* asyncio.sleep(seconds);
    log.push(`${name} done`);
    return name;
  } finally {
    log.push(`${name} finally`);
  }
}

describe("task.signal", () => {
  it("is not aborted while the task runs, and is the same signal on every read", async () => {
    await runVirtual(
      (function* () {
        const task = asyncio.currentTask()!;
        const signal = task.signal;
        yield* asyncio.sleep(1);
        assert.equal(task.signal, signal);
        assert.equal(asyncio.currentTask()!.signal, signal);
        assert.equal(signal.aborted, false);
      })(),
    );
  });

  it("is aborted at the moment cancel() is requested, once, with a CancelledError carrying the message", async () => {
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(asyncio.sleep(10));
        const signal = task.signal;
        const reasons: unknown[] = [];
        signal.addEventListener("abort", () => reasons.push(signal.reason));
        yield* asyncio.sleep(1);
        task.cancel("first");
        // Synchronously, before the task has even resumed.
        assert.equal(signal.aborted, true);
        assert.equal(task.done(), false);
        task.cancel("second");
        yield* asyncio.gather(task, { returnExceptions: true });
        assert.equal(reasons.length, 1);
        assert.ok(reasons[0] instanceof CancelledError);
        assert.equal((reasons[0] as Error).message, "first");
      })(),
    );
  });

  it("is already aborted when first read while a cancellation is pending", async () => {
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(asyncio.sleep(10));
        task.cancel("early");
        assert.equal(task.signal.aborted, true);
        assert.equal((task.signal.reason as Error).message, "early");
        yield* asyncio.gather(task, { returnExceptions: true });
      })(),
    );
  });

  it("is never aborted for a task that simply finishes", async () => {
    let signal: AbortSignal | undefined;
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(
          (function* () {
            signal = asyncio.currentTask()!.signal;
            yield* asyncio.sleep(1);
          })(),
        );
        yield* task;
        assert.equal(task.cancel(), false);
      })(),
    );
    assert.equal(signal?.aborted, false);
  });

  it("stops a Node API it was handed when the task is cancelled", async () => {
    const { setTimeout: delay } = await import("node:timers/promises");
    let caught: unknown;
    await asyncio.run(
      (function* () {
        const task = asyncio.createTask(
          (function* () {
            try {
              yield* asyncio.wrap(delay(60_000, "late", { signal: asyncio.currentTask()!.signal }));
            } catch (error) {
              caught = error;
              throw error;
            }
          })(),
        );
        yield* asyncio.sleep(0);
        task.cancel();
        yield* asyncio.gather(task, { returnExceptions: true });
      })(),
    );
    // The task got the CancelledError at once; the timer itself was cleared by the abort.
    assert.ok(caught instanceof CancelledError);
  });

  it("is fresh again once a timeout() turned the cancellation into TimeoutError, so later work can use it", async () => {
    await runVirtual(
      (function* () {
        const task = asyncio.currentTask()!;
        let inside: AbortSignal | undefined;
        try {
          yield* asyncio.using(asyncio.timeout(1), function* () {
            inside = task.signal;
            yield* asyncio.sleep(5);
          });
        } catch (error) {
          assert.ok(error instanceof asyncio.TimeoutError);
        }
        assert.equal(inside?.aborted, true, "the signal used inside the block was aborted");
        assert.equal(task.cancelling(), 0);
        assert.notEqual(task.signal, inside);
        assert.equal(task.signal.aborted, false);
      })(),
    );
  });
});

describe("createTask(coro, { signal })", () => {
  it("cancels a task whose signal is already aborted before its body runs", async () => {
    let bodyRan = false;
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(
          (function* () {
            bodyRan = true;
            yield* asyncio.sleep(1);
          })(),
          { signal: AbortSignal.abort(new Error("too late")) },
        );
        const [outcome] = yield* asyncio.gather(task, { returnExceptions: true });
        assert.ok(outcome instanceof CancelledError);
        assert.equal(task.cancelled(), true);
      })(),
    );
    assert.equal(bodyRan, false);
  });

  it("cancels the task when the signal aborts while it runs, with the reason's message; its finally runs", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const controller = new AbortController();
        const task = asyncio.createTask(sleeper(10, log, "t"), { signal: controller.signal });
        asyncio.getRunningLoop().callLater(2, () => controller.abort(new Error("user left")));
        try {
          yield* task;
          assert.fail("the task should have been cancelled");
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          assert.equal(error.message, "user left");
        }
        assert.equal(asyncio.getRunningLoop().time(), 2);
      })(),
    );
    assert.deepEqual(log, ["t finally"]);
  });

  it("stops listening to the signal once the task is done", async () => {
    const controller = new AbortController();
    await runVirtual(
      (function* () {
        const task = asyncio.createTask(asyncio.sleep(1), { signal: controller.signal });
        assert.equal(getEventListeners(controller.signal, "abort").length, 1);
        yield* task;
        yield* asyncio.sleep(0);
        assert.equal(getEventListeners(controller.signal, "abort").length, 0);
      })(),
    );
  });

  it("works for the tasks of a TaskGroup too", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const controller = new AbortController();
        yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
          tg.createTask(sleeper(5, log, "aborted"), { signal: controller.signal });
          tg.createTask(sleeper(2, log, "other"));
          yield* asyncio.sleep(1);
          controller.abort();
        });
      })(),
    );
    assert.deepEqual(log, ["aborted finally", "other done", "other finally"]);
  });

  it("refuses a signal option that is not an AbortSignal", async () => {
    await runVirtual(
      (function* () {
        assert.throws(() => asyncio.createTask(asyncio.sleep(1), { signal: {} as AbortSignal }), {
          name: "TypeError",
          message: /the signal option expects an AbortSignal/,
        });
      })(),
    );
  });
});

describe("an AbortSignal and gather", () => {
  it("cancels a gather whose signal was aborted before it ran: no child starts", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const signal = AbortSignal.abort("not needed");
        const outer = asyncio.gather(sleeper(1, log, "a"), sleeper(2, log, "b"), { signal });
        try {
          yield* outer;
          assert.fail("the gather should have been cancelled");
        } catch (error) {
          assert.ok(error instanceof CancelledError);
        }
      })(),
    );
    assert.deepEqual(log, []);
  });

  it("cancels the children of a gather when its signal aborts while they run; each finally runs", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const controller = new AbortController();
        asyncio.getRunningLoop().callLater(1.5, () => controller.abort("enough"));
        try {
          yield* asyncio.gather(sleeper(1, log, "a"), sleeper(2, log, "b"), sleeper(3, log, "c"), {
            signal: controller.signal,
          });
          assert.fail("the gather should have been cancelled");
        } catch (error) {
          assert.ok(error instanceof CancelledError);
        }
        assert.equal(asyncio.getRunningLoop().time(), 1.5);
      })(),
    );
    assert.deepEqual(log, ["a done", "a finally", "b finally", "c finally"]);
  });

  it("cancels a task's gather through the task's own signal option", async () => {
    const log: string[] = [];
    await runVirtual(
      (function* () {
        const controller = new AbortController();
        const task = asyncio.createTask(
          (function* () {
            return yield* asyncio.gather(sleeper(1, log, "a"), sleeper(2, log, "b"));
          })(),
          { signal: controller.signal },
        );
        yield* asyncio.sleep(0.5);
        controller.abort();
        const [outcome] = yield* asyncio.gather(task, { returnExceptions: true });
        assert.ok(outcome instanceof CancelledError);
      })(),
    );
    assert.deepEqual(log, ["a finally", "b finally"]);
  });
});

describe("fromSignal()", () => {
  it("becomes done with the signal's reason when it aborts", async () => {
    await runVirtual(
      (function* () {
        const controller = new AbortController();
        const fut = asyncio.fromSignal(controller.signal);
        asyncio.getRunningLoop().callLater(3, () => controller.abort("the reason"));
        assert.equal(yield* fut, "the reason");
        assert.equal(asyncio.getRunningLoop().time(), 3);
      })(),
    );
  });

  it("is done at once for a signal that is already aborted", async () => {
    await runVirtual(
      (function* () {
        const reason = new Error("already");
        const fut = asyncio.fromSignal(AbortSignal.abort(reason));
        assert.equal(fut.done(), true);
        assert.equal(fut.result(), reason);
      })(),
    );
  });

  it("stops listening when it is cancelled", async () => {
    const controller = new AbortController();
    await runVirtual(
      (function* () {
        const fut = asyncio.fromSignal(controller.signal);
        assert.equal(getEventListeners(controller.signal, "abort").length, 1);
        fut.cancel();
        yield* asyncio.sleep(0);
        assert.equal(getEventListeners(controller.signal, "abort").length, 0);
      })(),
    );
  });

  it("refuses something that is not an AbortSignal", async () => {
    await runVirtual(
      (function* () {
        assert.throws(() => asyncio.fromSignal(new AbortController() as never), {
          name: "TypeError",
          message: /fromSignal\(\) expects an AbortSignal/,
        });
      })(),
    );
  });
});
