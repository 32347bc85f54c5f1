// TaskGroup beyond the CPython ports: its repr, the group it raises, eager tasks, timeouts around
// it, the order of errors and cancellations, and JavaScript's thrown non-Error values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import {
  BaseExceptionGroup,
  CancelledError,
  type Coroutine,
  ExceptionGroup,
  type Task,
  TaskGroup,
  TimeoutError,
  ValueError,
} from "asyncio-ts";
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

function* failAfter(delay: number, message: string): Coroutine<never> {
  yield* asyncio.sleep(delay);
  throw new ValueError(message);
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

describe("TaskGroup", () => {
  it("returns the body's result from using()", async () => {
    const result = await run(
      (function* () {
        return yield* asyncio.using(new TaskGroup(), function* (tg) {
          const t = tg.createTask(asyncio.sleep(1, "child"));
          return `body and ${yield* t}`;
        });
      })(),
    );
    assert.equal(result, "body and child");
  });

  it("describes its state in its repr: tasks, errors, entered, cancelling", async () => {
    await run(
      (function* () {
        const tg = new TaskGroup();
        assert.equal(String(tg), "<TaskGroup>");
        const error = yield* caught(
          asyncio.using(tg, function* () {
            tg.createTask(asyncio.sleep(1));
            assert.equal(String(tg), "<TaskGroup tasks=1 entered>");
            tg.createTask(failAfter(0, "boom"));
            yield* asyncio.sleep(0);
            yield* asyncio.sleep(0);
          }),
        );
        assert.ok(error instanceof ExceptionGroup, "the failure was raised as a group");
        assert.equal(String(tg), "<TaskGroup cancelling>");
      })(),
    );
  });

  it("raises an ExceptionGroup that is an AggregateError with asyncio's message", async () => {
    await run(
      (function* () {
        const error = yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(failAfter(0.1, "a"));
          }),
        );
        assert.ok(error instanceof ExceptionGroup && error instanceof AggregateError, "an AggregateError");
        assert.equal(error.message, "unhandled errors in a TaskGroup");
        assert.equal(String(error), "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)");
        assert.deepEqual(
          error.errors.map((e: Error) => e.message),
          ["a"],
        );
      })(),
    );
  });

  it("lists errors in the order the tasks failed, not the order they were created", async () => {
    await run(
      (function* () {
        const error = yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(failAfter(0.2, "late"));
            tg.createTask(failAfter(0.1, "first"));
            tg.createTask(failAfter(0.1, "second"));
          }),
        );
        assert.ok(error instanceof ExceptionGroup, "an ExceptionGroup");
        // "late" was cancelled by the first failure before it could fail.
        assert.deepEqual(
          error.exceptions.map((e) => e.message),
          ["first", "second"],
        );
      })(),
    );
  });

  it("groups the errors children raise while being cancelled, after the one that caused it", async () => {
    await run(
      (function* () {
        class KeyError extends Error {}
        function* stubborn() {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) throw new KeyError("cleanup");
            throw e;
          }
        }
        const error = yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(stubborn());
            tg.createTask(failAfter(0.1, "x"));
          }),
        );
        assert.ok(error instanceof ExceptionGroup, "an ExceptionGroup");
        assert.deepEqual(
          error.exceptions.map((e) => [e.constructor, e.message]),
          [
            [ValueError, "x"],
            [KeyError, "cleanup"],
          ],
        );
      })(),
    );
  });

  it("cancels its children in the order they were created", async () => {
    await run(
      (function* () {
        const order: number[] = [];
        function* child(i: number) {
          try {
            yield* asyncio.sleep(10);
          } finally {
            order.push(i);
          }
        }
        yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            for (let i = 0; i < 4; i++) tg.createTask(child(i));
            tg.createTask(failAfter(1, "stop"));
          }),
        );
        assert.deepEqual(order, [0, 1, 2, 3]);
      })(),
    );
  });

  it("records a child that throws null or another non-Error value in a BaseExceptionGroup", async () => {
    await run(
      (function* () {
        function* throwsNull(): Coroutine<void> {
          yield* asyncio.sleep(0.1);
          throw null;
        }
        const error = yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(throwsNull());
          }),
        );
        assert.ok(error instanceof BaseExceptionGroup && !(error instanceof ExceptionGroup), "a BaseExceptionGroup");
        assert.deepEqual(error.exceptions, [null]);
      })(),
    );
  });

  it("handles tasks that an eager task factory finishes inside createTask", async () => {
    await run(
      (function* () {
        loop.setTaskFactory(asyncio.eagerTaskFactory);
        function* ok(): Coroutine<number> {
          return 5;
        }
        function* fail(): Coroutine<never> {
          throw new ValueError("eager");
        }
        let reached = false;
        const error = yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            const t0 = tg.createTask(ok());
            assert.equal(t0.done(), true);
            assert.equal(String(tg), "<TaskGroup entered>");
            const t1 = tg.createTask(fail());
            assert.equal(t1.done(), true);
            assert.equal(String(tg), "<TaskGroup errors=1 cancelling>");
            yield* asyncio.sleep(1);
            reached = true;
          }),
        );
        assert.ok(error instanceof ExceptionGroup, "an ExceptionGroup");
        assert.equal(error.exceptions[0]?.message, "eager");
        assert.equal(reached, false, "the body was cancelled at its next await");
        assert.equal(loop.time(), 0);
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });

  it("turns into a TimeoutError under a timeout, with every child finished and no cancellation left", async () => {
    await run(
      (function* () {
        const finished: number[] = [];
        function* child(i: number) {
          try {
            yield* asyncio.sleep(10);
          } finally {
            finished.push(i);
          }
        }
        const error = yield* caught(
          asyncio.using(asyncio.timeout(1), function* () {
            yield* asyncio.using(new TaskGroup(), function* (tg) {
              for (let i = 0; i < 3; i++) tg.createTask(child(i));
            });
          }),
        );
        assert.ok(error instanceof TimeoutError, "a TimeoutError");
        assert.ok(error.cause instanceof CancelledError, "caused by the CancelledError");
        assert.deepEqual(finished, [0, 1, 2]);
        assert.equal(loop.time(), 1);
        assert.equal(current().cancelling(), 0);
      })(),
    );
  });

  it("lets the task go on after catching the group's error, with nothing left cancelled", async () => {
    await run(
      (function* () {
        yield* caught(
          asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(failAfter(0.1, "boom"));
            yield* asyncio.sleep(10);
          }),
        );
        assert.equal(current().cancelling(), 0);
        // The cancellation the group used on the body was withdrawn: this sleep completes.
        yield* asyncio.sleep(1);
        assert.equal(loop.time(), 1.1);
      })(),
    );
  });

  it("re-raises an outside cancellation that arrives while it waits for its children", async () => {
    await run(
      (function* () {
        let childCancelled = false;
        function* child() {
          try {
            yield* asyncio.sleep(10);
          } catch (e) {
            childCancelled = e instanceof CancelledError;
            throw e;
          }
        }
        function* runner() {
          yield* asyncio.using(new TaskGroup(), function* (tg) {
            tg.createTask(child());
          });
        }
        const task = asyncio.createTask(runner());
        yield* asyncio.sleep(1);
        task.cancel("from outside");
        const error = yield* caught(
          (function* () {
            yield* task;
          })(),
        );
        assert.ok(error instanceof CancelledError, "CancelledError");
        assert.equal((error as CancelledError).message, "from outside");
        assert.equal(task.cancelled(), true);
        assert.equal(childCancelled, true);
      })(),
    );
  });
});
