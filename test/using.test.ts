// using(): the async-with protocol — order of calls, what aexit sees, suppression, cancellation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function run<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

/** A context manager that records what happens to it and exits as `exitWith` says. */
function recorder(log: unknown[], exitWith: boolean | "throw" = false): asyncio.AsyncContextManager<string> {
  return {
    *aenter() {
      yield* asyncio.sleep(0.1);
      log.push("enter");
      return "value";
    },
    *aexit(error?: unknown) {
      yield* asyncio.sleep(0.1); // cleanup may await, even during a cancellation
      log.push(["exit", error]);
      if (exitWith === "throw") throw new asyncio.RuntimeError("from aexit");
      return exitWith;
    },
  };
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

describe("using()", () => {
  it("runs aenter, the body with its value, then aexit with undefined, and returns the body's result", async () => {
    const log: unknown[] = [];
    const result = await run(
      asyncio.using(recorder(log), function* (value) {
        log.push(["body", value]);
        yield* asyncio.sleep(0.1);
        return 42;
      }),
    );
    assert.equal(result, 42);
    assert.deepEqual(log, ["enter", ["body", "value"], ["exit", undefined]]);
  });

  it("passes the body's error to aexit and lets it propagate when aexit returns false", async () => {
    const log: unknown[] = [];
    const boom = new asyncio.ValueError("boom");
    const error = await run(
      caught(
        asyncio.using(recorder(log), function* () {
          throw boom;
        }),
      ),
    );
    assert.equal(error, boom);
    assert.deepEqual(log, ["enter", ["exit", boom]]);
  });

  it("suppresses the error and returns undefined when aexit returns true", async () => {
    const log: unknown[] = [];
    const boom = new asyncio.ValueError("boom");
    const result = await run(
      asyncio.using(recorder(log, true), function* (): Coroutine<number> {
        throw boom;
      }),
    );
    assert.equal(result, undefined);
    assert.deepEqual(log, ["enter", ["exit", boom]]);
  });

  it("raises the error aexit throws in place of the body's", async () => {
    const log: unknown[] = [];
    const error = await run(
      caught(
        asyncio.using(recorder(log, "throw"), function* () {
          throw new asyncio.ValueError("body");
        }),
      ),
    );
    assert.ok(error instanceof asyncio.RuntimeError && error.message === "from aexit", String(error));
  });

  it("runs aexit with the CancelledError when the body is cancelled, and the task ends cancelled", async () => {
    const log: unknown[] = [];
    await run(
      (function* () {
        const task = asyncio.createTask(
          asyncio.using(recorder(log), function* () {
            yield* asyncio.sleep(10);
          }),
        );
        yield* asyncio.sleep(1);
        task.cancel("stop");
        const error = yield* caught(
          (function* () {
            yield* task;
          })(),
        );
        assert.ok(error instanceof CancelledError, String(error));
        assert.equal(task.cancelled(), true);
        assert.equal(log.length, 2);
        const [what, seen] = log[1] as [string, unknown];
        assert.equal(what, "exit");
        assert.ok(seen instanceof CancelledError && seen.message === "stop", String(seen));
      })(),
    );
  });

  it("hands aexit a TypeError when the body throws undefined, since undefined means success", async () => {
    const log: unknown[] = [];
    const error = await run(
      caught(
        asyncio.using(recorder(log), function* () {
          throw undefined;
        }),
      ),
    );
    assert.ok(error instanceof TypeError && /threw undefined/.test(error.message), String(error));
    assert.deepEqual(log, ["enter", ["exit", error]]);
  });

  it("runs neither the body nor aexit when aenter fails", async () => {
    let ran = false;
    const cm: asyncio.AsyncContextManager<void> = {
      *aenter(): Coroutine<void> {
        throw new asyncio.RuntimeError("cannot enter");
      },
      *aexit() {
        ran = true;
        return false;
      },
    };
    const error = await run(
      caught(
        asyncio.using(cm, function* () {
          ran = true;
        }),
      ),
    );
    assert.ok(error instanceof asyncio.RuntimeError, String(error));
    assert.equal(ran, false);
  });

  it("refuses what is not an async context manager, and a body that is not a function", () => {
    assert.throws(() => asyncio.using({} as never, function* () {}), {
      name: "TypeError",
      message: /aenter\(\) and aexit\(\)/,
    });
    assert.throws(() => asyncio.using(null as never, function* () {}), TypeError);
    assert.throws(() => asyncio.using(recorder([]), "body" as never), {
      name: "TypeError",
      message: /generator function/,
    });
  });
});
