// toThread(), loop.runInExecutor() and the loop's default executor, which run() shuts down.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import * as asyncio from "asyncio-ts";
import { run, work } from "./helpers.ts";

describe("toThread", () => {
  // One Runner for this group, so that its loop's default executor serves every test.
  let runner: asyncio.Runner;
  before(() => {
    runner = new asyncio.Runner();
  });
  after(() => runner.close());
  const run = <T>(main: () => asyncio.Coroutine<T>): Promise<T> => runner.run(main());

  it("runs the function in a worker thread of the default executor and returns its result", async () => {
    const [sum, where] = await run(function* () {
      return yield* asyncio.gather(asyncio.toThread(work.add, 40, 2), asyncio.toThread(work.whereAmI));
    });
    assert.equal(sum, 42);
    assert.equal(where.pid, process.pid);
    assert.notEqual(where.threadId, threadId);
  });

  it("refuses a plain function at once, with a TypeError that names the fix", () => {
    assert.throws(
      () => asyncio.toThread((() => 1) as never),
      (error: unknown) =>
        error instanceof TypeError && /a function cannot cross to a worker thread.*asyncio\.task\(/.test(error.message),
    );
  });

  it("uses the executor given to setDefaultExecutor(), even a process pool", async () => {
    // A loop of its own: run() shuts this process pool down with the loop.
    const where = await asyncio.run(
      (function* () {
        asyncio.getRunningLoop().setDefaultExecutor(new asyncio.ProcessPoolExecutor({ maxWorkers: 1 }));
        return yield* asyncio.toThread(work.whereAmI);
      })(),
    );
    assert.notEqual(where.pid, process.pid);
  });
});

describe("the default executor", () => {
  it("is made on first use and serves the loop's later jobs from the same thread", async () => {
    const [first, second] = await run(function* () {
      const first = yield* asyncio.getRunningLoop().runInExecutor(null, work.threadIdOf);
      const second = yield* asyncio.toThread(work.threadIdOf);
      return [first, second];
    });
    assert.notEqual(first, threadId);
    assert.equal(second, first, "a second pool would have started a thread with a new id");
  });

  it("is shut down by run() at the end, so it refuses jobs afterwards", async () => {
    const executor = new asyncio.ThreadPoolExecutor({ maxWorkers: 1 });
    await run(function* () {
      asyncio.getRunningLoop().setDefaultExecutor(executor);
      yield* asyncio.toThread(work.add, 1, 1);
    });
    await run(function* () {
      assert.throws(() => executor.submit(work.add, 1, 1), /was shut down/);
    });
  });

  it("refuses runInExecutor(null, ...) after shutdownDefaultExecutor()", async () => {
    await run(function* () {
      const loop = asyncio.getRunningLoop();
      yield* loop.runInExecutor(null, work.add, 1, 1);
      yield* loop.shutdownDefaultExecutor();
      assert.throws(
        () => loop.runInExecutor(null, work.add, 1, 1),
        (error: unknown) =>
          error instanceof asyncio.RuntimeError && /Executor shutdown has been called/.test(error.message),
      );
    });
  });

  it("binds runInExecutor's Future to the loop it was called on, even before that loop runs", async () => {
    const loop = asyncio.newEventLoop();
    try {
      const future = loop.runInExecutor(null, work.add, 2, 2);
      assert.equal(future.getLoop(), loop);
      assert.equal(await loop.runUntilComplete(future), 4);
      await loop.runUntilComplete(loop.shutdownDefaultExecutor());
    } finally {
      loop.close();
    }
  });

  it("lets the process exit by itself after run(), idle executors included", async () => {
    const fixture = fileURLToPath(new URL("../fixtures/exits-after-run.ts", import.meta.url));
    const { code, stdout, stderr } = await new Promise<{ code: unknown; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--conditions=asyncio-ts-source", "--import", "tsx", fixture],
        { encoding: "utf8", timeout: 30_000 },
        (error, out, err) => resolve({ code: error ? (error.code ?? error.signal) : 0, stdout: out, stderr: err }),
      );
    });
    assert.equal(code, 0, `the child did not exit cleanly by itself (a timeout kills it): ${stderr}`);
    assert.equal(stdout.trim(), "result 44");
  });
});
