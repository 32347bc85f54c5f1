// ProcessPoolExecutor on real child processes (tinypool, serialization "advanced").
//
// One pool of two processes serves most tests, because each process start loads Node and the
// TypeScript loader; every test leaves it idle.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import * as asyncio from "asyncio-ts";
import { ValidationError } from "../fixtures/work.js";
import { lines, run, tempDir, until, work, WORK_URL } from "./helpers.ts";

let pool: asyncio.ProcessPoolExecutor;

before(() => {
  pool = new asyncio.ProcessPoolExecutor({ maxWorkers: 2 });
});

after(() => asyncio.run(pool.shutdown()));

describe("ProcessPoolExecutor results", () => {
  it("runs a submitted function in another process", async () => {
    const where = await run(function* () {
      return yield* pool.submit(work.whereAmI);
    });
    assert.notEqual(where.pid, process.pid);
  });

  it("gives the results of gather(...submits) and of map() in argument order", async () => {
    const [gathered, mapped] = await run(function* () {
      const gathered = yield* asyncio.gather(
        pool.submit(work.later, "slow", 150),
        pool.submit(work.add, 40, 2),
        pool.submit(work.later, "fast", 1),
      );
      const mapped = yield* pool.map(work.fib, [15, 3, 10, 0], { limit: 2 });
      return [gathered, mapped] as const;
    });
    assert.deepEqual(gathered, ["slow", 42, "fast"]);
    assert.deepEqual(mapped, [610, 2, 55, 0]);
  });

  it("copies Buffers, Maps, Dates and bigints intact, where JSON serialization would give {}", async () => {
    const [rich, echoed] = await run(function* () {
      return yield* asyncio.gather(pool.submit(work.returnRich), pool.submit(work.echo, Buffer.from("bytes")));
    });
    assert.deepEqual(rich.map, new Map([["a", 1]]));
    assert.equal(rich.date.getTime(), 86_400_000);
    assert.equal(rich.big, 10n);
    assert.equal(Buffer.from(echoed as Uint8Array).toString(), "bytes");
  });

  it("copies a value marked with transfer(): memory cannot move between processes", async () => {
    const bytes = new Uint8Array(256);
    const length = await run(function* () {
      return yield* pool.submit(work.byteLength, asyncio.transfer(bytes));
    });
    assert.equal(length, 256);
    assert.equal(bytes.byteLength, 256, "the caller's buffer is untouched");
  });
});

describe("ProcessPoolExecutor errors", () => {
  it("rebuilds a registered error class with its fields and cause chain", async () => {
    asyncio.registerErrorClass(ValidationError);
    const error = await run(function* () {
      try {
        yield* pool.submit(work.failValidation, "email");
        return null;
      } catch (e) {
        return e as ValidationError & { cause: Error & { cause: Error & { code: string } } };
      }
    });
    assert.ok(error instanceof ValidationError);
    assert.equal(error.field, "email");
    assert.equal(error.code, "E_VALIDATION");
    assert.match(error.stack ?? "", /failValidation/);
    assert.ok(error.cause instanceof TypeError);
    assert.equal(error.cause.cause.code, "E_ROOT");
  });

  it("passes a thrown non-Error value through, and refuses what cannot be copied", async () => {
    const outcomes = await run(function* () {
      return yield* asyncio.gather(
        pool.submit(work.throwValue, { code: 7 }),
        pool.submit(work.returnFunction),
        pool.submit(work.echo, new SharedArrayBuffer(8)),
        pool.submit(work.echo, new MessageChannel().port1),
        { returnExceptions: true },
      );
    });
    assert.deepEqual(outcomes[0], { code: 7 });
    assert.ok(outcomes[1] instanceof asyncio.SerializationError);
    assert.equal(outcomes[1].path, ".nested[1].fn");
    assert.ok(outcomes[2] instanceof asyncio.SerializationError);
    assert.match(outcomes[2].message, /SharedArrayBuffer, which another process cannot share/);
    assert.ok(outcomes[3] instanceof asyncio.SerializationError);
    assert.match(outcomes[3].message, /MessagePort, which cannot cross to another process/);
  });

  // cpython: test_concurrent_futures.test_process_pool.ProcessPoolExecutorTest.test_killed_child
  it("fails only the job whose process called process.exit(), with its exit code, and goes on", async () => {
    const [exited, fine] = await run(function* () {
      return yield* asyncio.gather(pool.submit(work.exitWith, 7), pool.submit(work.add, 1, 2), {
        returnExceptions: true,
      });
    });
    assert.ok(exited instanceof asyncio.BrokenWorkerError);
    assert.equal(exited.exitCode, 7);
    assert.match(exited.message, /the worker process \d+ running exitWith from work\.js exited with code 7/);
    assert.equal(fine, 3);
    const next = await run(function* () {
      return yield* pool.submit(work.add, 2, 2);
    });
    assert.equal(next, 4);
  });

  it("fails the job whose process runs out of memory under resourceLimits, and goes on", async () => {
    const small = new asyncio.ProcessPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 24 } });
    const [error, next] = await run(function* () {
      try {
        const [outcome] = yield* asyncio.gather(small.submit(work.exhaustMemory), { returnExceptions: true });
        return [outcome, yield* small.submit(work.add, 2, 3)] as const;
      } finally {
        yield* small.shutdown();
      }
    });
    assert.ok(error instanceof asyncio.BrokenWorkerError);
    assert.equal(error.signal, "SIGABRT");
    assert.match(error.message, /was killed by SIGABRT \(V8 aborts a process that runs out of memory/);
    assert.equal(next, 5);
  });
});

describe("ProcessPoolExecutor cancellation", () => {
  it("drops a queued job whose Future is cancelled: it never runs", async () => {
    const trace = join(tempDir(), "trace");
    await run(function* () {
      const busy = [pool.submit(work.spin, 200), pool.submit(work.spin, 200)];
      const queued = pool.submit(work.mark, trace, "queued job ran");
      assert.equal(pool.waiting, 1);
      assert.equal(queued.cancel(), true);
      assert.equal(pool.waiting, 0);
      yield* asyncio.gather(...busy);
      yield* until(() => pool.running === 0);
    });
    assert.deepEqual(lines(trace), []);
  });

  it("lets a running job run on to its end by default when its Future is cancelled", async () => {
    const trace = join(tempDir(), "trace");
    await run(function* () {
      const job = asyncio.createTask(
        (function* () {
          return yield* pool.submit(work.spinAndMark, trace, 200);
        })(),
      );
      yield* until(() => lines(trace).includes("started"));
      job.cancel();
      yield* asyncio.sleep(0);
      assert.ok(job.cancelled());
      yield* until(() => pool.running === 0);
    });
    assert.deepEqual(lines(trace), ["started", "finished", "finally"]);
  });

  it("terminates the process of a running job with terminateOnCancel: its finally does not run", async () => {
    const trace = join(tempDir(), "trace");
    const stoppable = asyncio.task<typeof import("../fixtures/work.js")["spinAndMark"]>(WORK_URL, "spinAndMark", {
      terminateOnCancel: true,
    });
    const next = await run(function* () {
      const job = pool.submit(stoppable, trace, 5000);
      yield* until(() => lines(trace).includes("started"));
      job.cancel();
      yield* until(() => pool.running === 0);
      return yield* pool.submit(work.add, 20, 22);
    });
    assert.equal(next, 42);
    assert.deepEqual(lines(trace), ["started"]);
  });
});

describe("ProcessPoolExecutor shutdown", () => {
  it("cancels queued jobs with cancelFutures, waits for the running ones, then refuses new jobs", async () => {
    const own = new asyncio.ProcessPoolExecutor({ maxWorkers: 1 });
    const futures = await run(function* () {
      const submitted = [30, 30, 30].map((ms) => own.submit(work.spin, ms));
      yield* own.shutdown({ cancelFutures: true });
      assert.throws(() => own.submit(work.spin, 1), asyncio.RuntimeError);
      return submitted;
    });
    assert.deepEqual(
      futures.map((future) => (future.cancelled() ? "cancelled" : future.result())),
      [30, "cancelled", "cancelled"],
    );
  });
});
