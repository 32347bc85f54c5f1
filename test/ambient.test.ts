// The ambient loop: plain async code awaits gather(), Tasks and Futures with no loop running, and
// the process lives exactly as long as some loop has work (child processes under test/fixtures/).
//
// CPython has no ambient loop; the nearest tests are ported:
// - test_runners.RunTests.test_asyncio_run_set_event_loop: run() makes its loop the current one.
// Not ported, and why:
// - test_runners.RunnerTests.test_set_event_loop_called_once: there is no event loop policy to
//   count calls on; a Runner's loop is current from its creation to close(), which the
//   "after run() returns" test below pins.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, RuntimeError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function* sleepy<T>(seconds: number, value: T): asyncio.Coroutine<T> {
  yield* asyncio.sleep(seconds);
  return value;
}

describe("the ambient loop, on virtual time", () => {
  beforeEach(() => asyncio.setAmbientLoopFactory(() => new VirtualTimeLoop()));
  afterEach(async () => {
    await asyncio.closeAmbientLoop();
    asyncio.setAmbientLoopFactory(null);
  });

  it("runs gather() awaited from plain async code, results in argument order after the longer sleep", async () => {
    const results = await asyncio.gather(sleepy(2, "slow"), sleepy(1, "fast"), Promise.resolve("promise"));
    assert.deepEqual(results, ["slow", "fast", "promise"]);
    assert.equal(asyncio.getEventLoop().time(), 2);
  });

  it("runs a Task created from plain async code, and sleep() inside it uses the ambient loop's clock", async () => {
    const task = asyncio.createTask(
      (function* () {
        yield* asyncio.sleep(5);
        return asyncio.getRunningLoop();
      })(),
    );
    const loop = await task;
    assert.equal(loop, asyncio.getEventLoop());
    assert.equal(loop.time(), 5);
  });

  it("starts on first use, stays running, and is the loop every later use gets", async () => {
    const loop = asyncio.getEventLoop();
    assert.ok(loop instanceof VirtualTimeLoop);
    assert.equal(loop.isRunning(), true);
    assert.equal(new asyncio.Future().getLoop(), loop);
    assert.equal(asyncio.wrap(Promise.resolve()).getLoop(), loop);
    assert.equal(asyncio.getEventLoop(), loop);
  });

  it("gives coroutines their running loop, not the ambient one, from getEventLoop()", async () => {
    const runLoop = new VirtualTimeLoop();
    const seen = await runLoop.runUntilComplete(
      (function* () {
        return asyncio.getEventLoop();
      })(),
    );
    assert.equal(seen, runLoop);
    runLoop.close();
  });

  it("closeAmbientLoop() cancels pending Tasks, runs their finally blocks, closes the loop, and a fresh one follows", async () => {
    const loop = asyncio.getEventLoop();
    const cleaned: string[] = [];
    // It waits for a Future, not a timer: a virtual clock would jump to any deadline at once.
    const task = asyncio.createTask(
      (function* () {
        try {
          yield* loop.createFuture();
        } finally {
          cleaned.push("finally ran");
        }
      })(),
    );
    await asyncio.toPromise(sleepy(1, null));
    await asyncio.closeAmbientLoop();
    assert.deepEqual(cleaned, ["finally ran"]);
    assert.equal(task.cancelled(), true);
    assert.equal(loop.isClosed(), true);
    const next = asyncio.getEventLoop();
    assert.notEqual(next, loop);
    assert.equal(await asyncio.createTask(sleepy(1, "fresh")), "fresh");
  });

  it("closeAmbientLoop() reports a Task that fails instead of ending cancelled", async () => {
    const reports: asyncio.ExceptionContext[] = [];
    const loop = asyncio.getEventLoop();
    loop.setExceptionHandler((_loop, context) => reports.push(context));
    const failure = new Error("failed while shutting down");
    asyncio.createTask(
      (function* () {
        try {
          yield* loop.createFuture();
        } catch {
          throw failure;
        }
      })(),
    );
    await asyncio.toPromise(sleepy(1, null));
    await asyncio.closeAmbientLoop();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.exception, failure);
    assert.match(reports[0]?.message ?? "", /closeAmbientLoop/);
  });

  it("refuses a new factory while an ambient loop exists, naming closeAmbientLoop()", () => {
    asyncio.getEventLoop();
    assert.throws(() => asyncio.setAmbientLoopFactory(null), {
      name: "RuntimeError",
      message: /await closeAmbientLoop\(\) before changing its factory/,
    });
  });

  it("refuses closeAmbientLoop() from a coroutine", async () => {
    const loop = new VirtualTimeLoop();
    const error = await loop.runUntilComplete(
      (function* () {
        try {
          void asyncio.closeAmbientLoop().catch(() => assert.fail("closeAmbientLoop() should throw at once"));
        } catch (e) {
          return e;
        }
      })(),
    );
    assert.ok(error instanceof RuntimeError);
    loop.close();
  });

  it("wakes when a Node callback hands it work with callSoonThreadsafe()", async () => {
    const loop = asyncio.getEventLoop();
    const fut = loop.createFuture<string>();
    setImmediate(() => loop.callSoonThreadsafe((value: string) => fut.setResult(value), "from a Node callback"));
    assert.equal(await fut, "from a Node callback");
  });
});

describe("run() beside the ambient loop", () => {
  // cpython: test_runners.RunTests.test_asyncio_run_set_event_loop
  it("makes run()'s loop the current one for plain async code while it runs", async () => {
    let runLoop: asyncio.EventLoop | undefined;
    let fromCallback: asyncio.EventLoop | undefined;
    let taskLoop: asyncio.EventLoop | undefined;
    await asyncio.run(
      (function* () {
        runLoop = asyncio.getRunningLoop();
        // A Node callback, outside any loop iteration, creates a Task: it lands on run()'s loop.
        // The Task travels in an array: a promise resolved with a thenable would adopt its result.
        const [created] = yield* asyncio.wrap(
          new Promise<[asyncio.Task<void>]>((resolve) =>
            setImmediate(() => {
              fromCallback = asyncio.getEventLoop();
              resolve([
                asyncio.createTask(
                  (function* () {
                    taskLoop = asyncio.getRunningLoop();
                  })(),
                ),
              ]);
            }),
          ),
        );
        yield* created;
      })(),
    );
    assert.ok(runLoop !== undefined);
    assert.equal(fromCallback, runLoop);
    assert.equal(taskLoop, runLoop);
  });

  it("hands plain async code back to the ambient loop once run() has returned", async () => {
    let runLoop: asyncio.EventLoop | undefined;
    await asyncio.run(
      (function* () {
        runLoop = asyncio.getRunningLoop();
      })(),
    );
    const after = asyncio.getEventLoop();
    assert.notEqual(after, runLoop);
    assert.equal(runLoop?.isClosed(), true);
    assert.equal(after.isRunning(), true);
    await asyncio.closeAmbientLoop();
  });

  it("runs on a loop of its own, and refuses a Future of the ambient loop naming the other loop", async () => {
    const ambientFuture = asyncio.getEventLoop().createFuture<number>();
    await assert.rejects(
      asyncio.run(
        (function* () {
          return yield* ambientFuture;
        })(),
      ),
      (error) => error instanceof RuntimeError && /attached to a different loop/.test(error.message),
    );
    ambientFuture.cancel();
    await asyncio.closeAmbientLoop();
  });

  it("cancels at shutdown the Tasks plain async code created on its loop while it ran", async () => {
    let stray: asyncio.Task<unknown> | undefined;
    await asyncio.run(
      (function* () {
        yield* asyncio.wrap(
          new Promise<void>((resolve) =>
            setImmediate(() => {
              stray = asyncio.createTask(asyncio.sleep(3600));
              resolve();
            }),
          ),
        );
      })(),
    );
    assert.equal(stray?.cancelled(), true);
    await assert.rejects(asyncio.toPromise(stray as asyncio.Task<unknown>), CancelledError);
  });
});

describe("process lifetime (child processes)", () => {
  const fixture = fileURLToPath(new URL("./fixtures/process-lifetime.ts", import.meta.url));

  /** Run a scenario; a process still alive after 60 s is killed and reported as such. */
  function runScenario(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--conditions=asyncio-ts-source", "--import", "tsx", fixture, name],
        { timeout: 60_000, killSignal: "SIGKILL" },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it("exits by itself after ambient-loop use, with long timers cancelled and a Task stuck on a Future", async () => {
    const r = await runScenario("ambient");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "[ 'a', 'b' ]\ntask\nin time\ndone\n");
  });

  it("stays alive for a Task that sleeps on the ambient loop, then exits", async () => {
    const r = await runScenario("ambient-sleeping-task");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "main done\nwoke after 0.2 s\n");
  });

  it("wakes the idle ambient loop from a Node timer with callSoonThreadsafe(), then exits", async () => {
    const r = await runScenario("ambient-threadsafe");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "woken\n");
  });

  it("leaves no host timer or immediate behind after run() returns, and exits", async () => {
    const r = await runScenario("run");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok {"before":[],"after":[]}\n');
  });

  it("keeps the process alive while a pending run() has work", async () => {
    const r = await runScenario("run-sleeping");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "run() returned after 0.2 s\n");
  });

  it("lets the process exit when a pending run() has no work left (Node reports the unsettled await)", async () => {
    const r = await runScenario("run-deadlock");
    assert.equal(r.code, 13, r.stderr);
    assert.equal(r.stdout, "");
  });
});
