// timeout() and timeoutAt() beyond the CPython ports: arguments, rescheduling, a body that
// suppresses the cancellation, and an outside cancellation racing the deadline.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, RuntimeError, type Task, Timeout, TimeoutError, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

let loop: VirtualTimeLoop;

function run<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, {
    loopFactory: () => {
      loop = new VirtualTimeLoop();
      return loop;
    },
  });
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

function current(): Task<unknown> {
  return asyncio.currentTask() as Task<unknown>;
}

describe("timeout() and timeoutAt()", () => {
  it("returns the body's result when the deadline is not reached", async () => {
    const result = await run(
      (function* () {
        return yield* asyncio.using(asyncio.timeout(2), function* () {
          return yield* asyncio.sleep(1, "in time");
        });
      })(),
    );
    assert.equal(result, "in time");
  });

  it("sets the deadline delay seconds after the loop's current time", async () => {
    await run(
      (function* () {
        yield* asyncio.sleep(3);
        assert.equal(asyncio.timeout(2).when(), 5);
        assert.equal(asyncio.timeoutAt(7).when(), 7);
      })(),
    );
  });

  it("raises a TimeoutError caused by the CancelledError that interrupted the body", async () => {
    await run(
      (function* () {
        let seen: unknown;
        const error = yield* caught(
          asyncio.using(asyncio.timeout(1), function* () {
            try {
              yield* asyncio.sleep(5);
            } catch (e) {
              seen = e;
              throw e;
            }
          }),
        );
        assert.ok(error instanceof TimeoutError, "a TimeoutError");
        assert.ok(seen instanceof CancelledError, "the body saw a CancelledError");
        assert.equal(error.cause, seen);
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });

  it("expires earlier when rescheduled to an earlier deadline", async () => {
    await run(
      (function* () {
        const error = yield* caught(
          asyncio.using(asyncio.timeout(10), function* (cm) {
            cm.reschedule(loop.time() + 0.5);
            yield* asyncio.sleep(5);
          }),
        );
        assert.ok(error instanceof TimeoutError, "a TimeoutError");
        assert.equal(loop.time(), 0.5);
      })(),
    );
  });

  it("expires on the next iteration when rescheduled into the past", async () => {
    await run(
      (function* () {
        let steps = 0;
        const error = yield* caught(
          asyncio.using(asyncio.timeout(10), function* (cm) {
            yield* asyncio.sleep(1);
            cm.reschedule(0);
            for (;;) {
              yield* asyncio.sleep(0);
              steps++;
            }
          }),
        );
        assert.ok(error instanceof TimeoutError, "a TimeoutError");
        assert.equal(steps, 0);
        assert.equal(loop.time(), 1);
      })(),
    );
  });

  it("never expires after being rescheduled to null, and never with an infinite delay", async () => {
    await run(
      (function* () {
        const a = yield* asyncio.using(asyncio.timeout(1), function* (cm) {
          cm.reschedule(null);
          yield* asyncio.sleep(5);
          return cm;
        });
        assert.equal(a.expired(), false);
        const b = yield* asyncio.using(asyncio.timeout(Number.POSITIVE_INFINITY), function* (cm) {
          yield* asyncio.sleep(1e9);
          return cm;
        });
        assert.equal(b.expired(), false);
      })(),
    );
  });

  it("counts as expired but raises nothing when the body suppresses the cancellation", async () => {
    await run(
      (function* () {
        const cm = yield* asyncio.using(asyncio.timeout(0.5), function* (c) {
          try {
            yield* asyncio.sleep(1);
          } catch (e) {
            if (!(e instanceof CancelledError)) throw e;
          }
          return c;
        });
        assert.equal(cm.expired(), true);
        assert.equal(String(cm), "<Timeout [expired]>");
        assert.equal(current().cancelling(), 0);
        // The withdrawn cancellation does not resurface.
        yield* asyncio.sleep(1);
        assert.equal(loop.time(), 1.5);
      })(),
    );
  });

  it("lets an outside cancellation made right after the deadline win over the TimeoutError", async () => {
    await run(
      (function* () {
        function* inner() {
          yield* asyncio.using(asyncio.timeout(1), function* (cm) {
            const task = current();
            // Due at the same time as the deadline, and scheduled after it: it runs second.
            loop.callAt(cm.when() as number, () => task.cancel());
            yield* asyncio.sleep(10);
          });
        }
        const t = asyncio.createTask(inner());
        const error = yield* caught(
          (function* () {
            yield* t;
          })(),
        );
        assert.ok(error instanceof CancelledError, `CancelledError, got ${String(error)}`);
        assert.equal(t.cancelled(), true);
      })(),
    );
  });

  it("lets an outside cancellation made right before the deadline win over the TimeoutError", async () => {
    await run(
      (function* () {
        function* inner() {
          const task = current();
          loop.callAt(1, () => task.cancel());
          yield* asyncio.using(asyncio.timeoutAt(1), function* () {
            yield* asyncio.sleep(10);
          });
        }
        const t = asyncio.createTask(inner());
        const error = yield* caught(
          (function* () {
            yield* t;
          })(),
        );
        assert.ok(error instanceof CancelledError, `CancelledError, got ${String(error)}`);
        assert.equal(t.cancelled(), true);
      })(),
    );
  });

  it("raises TimeoutError from an inner timeout and lets the outer one go on", async () => {
    await run(
      (function* () {
        const outer = yield* asyncio.using(asyncio.timeout(5), function* (cm) {
          const error = yield* caught(
            asyncio.using(asyncio.timeout(1), function* () {
              yield* asyncio.sleep(10);
            }),
          );
          assert.ok(error instanceof TimeoutError, "the inner timeout raised");
          yield* asyncio.sleep(1);
          return cm;
        });
        assert.equal(outer.expired(), false);
        assert.equal(loop.time(), 2);
      })(),
    );
  });

  it("refuses delays and deadlines that are not numbers or null, naming the fix", async () => {
    await run(
      (function* () {
        assert.throws(() => asyncio.timeout("1" as unknown as number), { name: "TypeError", message: /or null/ });
        assert.throws(() => asyncio.timeout(undefined as unknown as number), TypeError);
        assert.throws(() => asyncio.timeout(Number.NaN), ValueError);
        assert.throws(() => asyncio.timeoutAt("1" as unknown as number), TypeError);
        assert.throws(() => new Timeout(Number.NaN), ValueError);
        yield* asyncio.using(asyncio.timeout(1), function* (cm) {
          assert.throws(() => cm.reschedule("2" as unknown as number), TypeError);
        });
      })(),
    );
  });

  it("needs a running loop to compute a relative deadline", () => {
    assert.throws(() => asyncio.timeout(1), { name: "RuntimeError", message: /no running event loop/ });
    // An absolute deadline needs no loop until the block is entered.
    assert.equal(asyncio.timeoutAt(3).when(), 3);
  });

  it("refuses to exit a Timeout that was never entered", async () => {
    await run(
      (function* () {
        const cm = asyncio.timeout(1);
        const error = yield* caught(cm.aexit(undefined));
        assert.ok(error instanceof RuntimeError, "a RuntimeError");
      })(),
    );
  });
});
