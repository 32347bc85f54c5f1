// The tutorial's three programs, on virtual time: their output, when they finish, and how they fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import * as gatherExample from "../examples/tutorial/1_gather.ts";
import * as returnExceptions from "../examples/tutorial/2_return_exceptions.ts";
import * as propagates from "../examples/tutorial/3_exception_propagates.ts";

/** Run `main` on a virtual-time loop, capturing console.log and recording every Task created. */
async function runCaptured(main: () => asyncio.Coroutine<unknown>) {
  const lines: string[] = [];
  const tasks: asyncio.Task<unknown>[] = [];
  const loop = new VirtualTimeLoop();
  loop.setTaskFactory((l, coro, options) => {
    const task = new asyncio.Task(coro, { loop: l, ...options });
    tasks.push(task as asyncio.Task<unknown>);
    return task;
  });
  let endTime = Number.NaN;
  let tasksAtEnd = 0;
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  let error: unknown;
  try {
    await asyncio.run(
      (function* () {
        try {
          return yield* main();
        } finally {
          endTime = loop.time();
          tasksAtEnd = tasks.length;
        }
      })(),
      { loopFactory: () => loop },
    );
  } catch (e) {
    error = e;
  } finally {
    console.log = original;
  }
  return { lines, endTime, error, tasks: tasks.slice(0, tasksAtEnd) };
}

describe("the tutorial's programs", () => {
  it("gathers two coroutines in argument order, finishing after the longer sleep (2 s, not 3)", async () => {
    const { lines, endTime, error } = await runCaptured(gatherExample.main);
    assert.equal(error, undefined);
    assert.deepEqual(lines, ["Results: ['Result of coro 1', 'Result of coro 2']"]);
    assert.equal(endTime, 2);
  });

  it("returns the ValueError in the results with returnExceptions, so the except branch never runs", async () => {
    const { lines, endTime, error } = await runCaptured(returnExceptions.main);
    assert.equal(error, undefined);
    assert.deepEqual(lines, ["Results: ['Result of coro 1', ValueError('An error occurred in coro 2')]"]);
    assert.equal(endTime, 2);
  });

  it("propagates the ValueError after 1 s while coro_1 still sleeps, and run() cancels coro_1", async () => {
    const { lines, endTime, error, tasks } = await runCaptured(propagates.main);
    assert.ok(error instanceof asyncio.ValueError);
    assert.equal((error as Error).message, "An error occurred in coro 2");
    assert.deepEqual(lines, []);
    assert.equal(endTime, 1);
    // main, coro_1, coro_2 (run()'s own shutdown tasks come later): coro_1 was still pending at the
    // failure and was cancelled by run().
    assert.equal(tasks.length, 3);
    assert.ok(tasks[1]?.cancelled(), "coro_1 was cancelled at shutdown");
  });

  it("exits the process non-zero with the stack trace when the third program runs on its own", () => {
    const r = spawnSync(
      process.execPath,
      ["--conditions=asyncio-ts-source", "--import", "tsx", "examples/tutorial/3_exception_propagates.ts"],
      { encoding: "utf8" },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ValueError: An error occurred in coro 2\n\s+at coro_2/);
  });
});
