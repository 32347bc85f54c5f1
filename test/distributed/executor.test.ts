// DistributedExecutor against a real Redis and real worker processes (`asyncio-ts worker`).
//
// One private redis-server and two workers serve every test of this file: worker A runs eight jobs
// at a time on its own thread (queues "main" and "io"), worker B takes eight and runs them on a pool
// of two threads (queues "main" and "cpu"). Queue "idle" has no worker, so its jobs wait for ever. The producer is this process.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import * as asyncio from "asyncio-ts";
import {
  DistributedExecutor,
  type DistributedExecutorOptions,
  type DistributedProgress,
  ModuleNotAllowedError,
} from "asyncio-ts/distributed";
import { SerializationError } from "asyncio-ts/executors";
import { Redis } from "ioredis";
import { QuotaError } from "../fixtures/distributed/tasks.ts";
import { fixture, killWorkers, startWorker, type WorkerProcess } from "../helpers/distributed.ts";
import { describeWithRedis } from "../helpers/redis.ts";

const tasks = asyncio.taskModule<typeof import("../fixtures/distributed/tasks.ts")>(
  new URL("../fixtures/distributed/tasks.js", import.meta.url),
);
const cpu = asyncio.taskModule<typeof import("../fixtures/distributed/cpu-tasks.ts")>(
  new URL("../fixtures/distributed/cpu-tasks.js", import.meta.url),
);

/** Read a marker file a handler writes; "" while it does not exist. */
function readMarker(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Sleep on the loop until `predicate()` holds; fail after `seconds`. */
function* until(predicate: () => boolean, what: string, seconds = 30): asyncio.Coroutine<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    yield* asyncio.sleep(0.02);
  }
}

describeWithRedis("DistributedExecutor", (redis) => {
  let workerA: WorkerProcess;
  let workerB: WorkerProcess;
  let client: Redis;
  let scratch: string;

  before(async () => {
    const url = redis().url;
    scratch = mkdtempSync(join(tmpdir(), "asyncio-ts-distributed-"));
    client = new Redis(url);
    [workerA, workerB] = await Promise.all([
      startWorker(url, [
        "--queue",
        "main",
        "--queue",
        "io",
        "--module",
        fixture("tasks.ts"),
        "--concurrency",
        "8",
        "--verbose",
      ]),
      startWorker(url, [
        "--queue",
        "main",
        "--queue",
        "cpu",
        "--module",
        fixture("tasks.ts"),
        "--module",
        fixture("cpu-tasks.ts"),
        "--threads",
        "2",
        "--concurrency",
        "8",
        "--verbose",
      ]),
    ]);
  });

  after(async () => {
    await killWorkers([workerA, workerB].filter((worker) => worker !== undefined));
    await client?.quit();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  /** Run `body` with a DistributedExecutor on `queue`, shut down when the body ends. */
  function withExecutor<T>(
    options: Partial<DistributedExecutorOptions>,
    body: (executor: DistributedExecutor) => asyncio.Coroutine<T>,
  ): Promise<T> {
    const executor = new DistributedExecutor({ queue: "main", redis: redis().url, ...options });
    return asyncio.run(asyncio.using(executor, body));
  }

  it("returns the results of 1,000 jobs in argument order, run by two worker processes", async () => {
    let last: DistributedProgress | null = null;
    const [results, progress] = await withExecutor({ onProgress: (p) => (last = p) }, function* (remote) {
      const results = yield* asyncio.gather(...Array.from({ length: 1000 }, (_, i) => remote.submit(tasks.whoAmI, i)));
      return [results, remote.progress()] as const;
    });
    assert.deepEqual(
      results.map((r) => r.tag),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(new Set(results.map((r) => r.pid)), new Set([workerA.pid, workerB.pid]));
    assert.deepEqual(progress, { queued: 0, running: 0, done: 1000, failed: 0, cancelled: 0, total: 1000 });
    assert.deepEqual(last, progress);
  });

  it("carries arguments and results with V8's serializer: Map, Date, bigint, typed arrays", async () => {
    const value = {
      map: new Map([["a", 1]]),
      when: new Date(86_400_000),
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
    };
    const [echoed, mapped] = await withExecutor({}, function* (remote) {
      return [yield* remote.submit(tasks.echo, value), yield* remote.map(tasks.echo, [1, "two", [3]])] as const;
    });
    assert.deepEqual(echoed, value);
    assert.deepEqual(mapped, [1, "two", [3]]);
  });

  it("rebuilds a handler's error as its class, with its name, code, fields and stack", async () => {
    asyncio.registerErrorClass(QuotaError);
    const error = await withExecutor({}, function* (remote) {
      try {
        yield* remote.submit(tasks.failQuota, 7);
      } catch (caught) {
        return caught;
      }
      throw new Error("the job did not fail");
    });
    assert.ok(error instanceof QuotaError);
    assert.equal(error.name, "QuotaError");
    assert.equal(error.message, "over the quota of 7");
    assert.equal(error.code, "E_QUOTA");
    assert.equal(error.limit, 7);
    // The stack is the worker's: it names the handler and its file.
    assert.match(error.stack ?? "", /^QuotaError: over the quota of 7\n\s+at failQuota \(.*tasks\.ts:\d+:\d+\)/);
  });

  it("refuses, without retrying, a job whose module is not on the worker's allowlist", async () => {
    const stranger = asyncio.task<(n: number) => number>(new URL("../fixtures/work.js", import.meta.url), "fib");
    const error = await withExecutor({ attempts: 3, backoff: 0.01 }, function* (remote) {
      try {
        yield* remote.submit(stranger, 10);
      } catch (caught) {
        return caught;
      }
      throw new Error("the job ran");
    });
    assert.ok(error instanceof ModuleNotAllowedError);
    assert.match(error.message, /refuses to import file:\/\/.*\/fixtures\/work\.js: it is not on its allowlist/);
    assert.match(error.module, /fixtures\/work\.js$/);
    assert.ok(error.allowed.some((module) => module.endsWith("/tasks.ts")));
    // One attempt only, although three were allowed: a refusal does not change on retry.
    assert.equal((workerA.output() + workerB.output()).match(/fib \(work\.js\) from "main": refused/g)?.length, 1);
  });

  it("retries a failing job with backoff, and settles a final failure once", async () => {
    const [attempt, failure, progress] = await withExecutor(
      { attempts: 3, backoff: { type: "exponential", delay: 0.02 } },
      function* (remote) {
        const attempt = yield* remote.submit(tasks.failUntilAttempt, 3);
        let failure: unknown = null;
        try {
          yield* remote.submit(tasks.failUntilAttempt, 5);
        } catch (caught) {
          failure = caught;
        }
        return [attempt, failure, remote.progress()] as const;
      },
    );
    assert.equal(attempt, 3);
    assert.ok(failure instanceof Error);
    assert.equal(failure.message, "attempt 3 fails on purpose");
    assert.deepEqual(progress, { queued: 0, running: 0, done: 1, failed: 1, cancelled: 0, total: 2 });
  });

  it("fails a job with SerializationError when an argument or its result cannot cross", async () => {
    const [beforeSending, result] = await withExecutor({}, function* (remote) {
      const outcomes = yield* asyncio.gather(
        remote.submit(tasks.echo, () => 1),
        remote.submit(tasks.unsendable),
        {
          returnExceptions: true,
        },
      );
      return outcomes;
    });
    assert.ok(beforeSending instanceof SerializationError);
    assert.match(beforeSending.message, /argument 0 of echo from tasks\.js is a function/);
    assert.ok(result instanceof SerializationError);
    assert.match(result.message, /the result is a function/);
  });

  it("cancels a waiting job's Future at once and removes the job from Redis", async () => {
    const [cancelledAtOnce, progress] = await withExecutor({ queue: "idle" }, function* (remote) {
      const waiting = asyncio.createTask(
        (function* () {
          return yield* remote.submit(tasks.add, 1, 2);
        })(),
      );
      yield* until(() => remote.progress().total === 1, "the submit");
      // Let the job reach Redis before cancelling it.
      yield* asyncio.wrap(
        (async () => {
          while ((await client.llen("bull:idle:wait")) === 0) await new Promise((r) => setTimeout(r, 10));
        })(),
      );
      waiting.cancel();
      yield* asyncio.sleep(0);
      const cancelledAtOnce = waiting.cancelled();
      return [cancelledAtOnce, remote.progress()] as const;
    });
    // using() returned: shutdown waited for the job's removal.
    assert.equal(cancelledAtOnce, true);
    assert.deepEqual(progress, { queued: 0, running: 0, done: 0, failed: 0, cancelled: 1, total: 1 });
    assert.equal(await client.llen("bull:idle:wait"), 0);
    // Job ids are "<executor>-<n>": no key of a job is left.
    assert.deepEqual(await client.keys("bull:idle:*-*"), []);
  });

  it("aborts a running job's signal on its worker when its Future is cancelled", async () => {
    const marker = join(scratch, "wait-for-cancel");
    const [cancelledAtOnce, progress] = await withExecutor({ queue: "io" }, function* (remote) {
      const running = asyncio.createTask(
        (function* () {
          return yield* remote.submit(tasks.waitForCancel, marker);
        })(),
      );
      yield* until(() => readMarker(marker).startsWith("started"), "the job to start");
      running.cancel();
      yield* asyncio.sleep(0);
      return [running.cancelled(), remote.progress()] as const;
    });
    assert.equal(cancelledAtOnce, true);
    assert.equal(progress.cancelled, 1);
    assert.equal(readMarker(marker), `started ${workerA.pid}\naborted: cancelled by its producer\n`);
    assert.match(workerA.output(), /waitForCancel \(tasks\.js\) from "io": cancelled after/);
  });

  it("terminates the thread of a running CPU-bound job when its Future is cancelled", async () => {
    const markers = [join(scratch, "spin-1"), join(scratch, "spin-2")];
    const pid = await withExecutor({ queue: "cpu" }, function* (remote) {
      // Both threads of worker B spin for ever...
      const spinning = markers.map((marker) =>
        asyncio.createTask(
          (function* () {
            return yield* remote.submit(cpu.spinForever, marker);
          })(),
        ),
      );
      yield* until(() => markers.every((marker) => readMarker(marker) !== ""), "both jobs to start");
      for (const task of spinning) task.cancel();
      // ...so this job can run only once their threads are terminated.
      return yield* remote.submit(cpu.burn, 1);
    });
    assert.equal(pid, workerB.pid);
    assert.equal(workerB.output().match(/spinForever \(cpu-tasks\.js\) from "cpu": cancelled after/g)?.length, 2);
  });

  it("shuts down after the running jobs finish, cancelling the waiting ones with cancelFutures", async () => {
    const outcomes = await withExecutor({ queue: "io" }, function* (remote) {
      // Worker A takes eight jobs of queue "io" at a time; two of these ten wait.
      const futures = Array.from({ length: 10 }, (_, i) => remote.submit(tasks.sleepThen, 1000, i));
      yield* until(() => remote.progress().running === 8, "eight jobs to run");
      yield* remote.shutdown({ cancelFutures: true });
      return futures.map((future) => (future.cancelled() ? "cancelled" : future.result().value));
    });
    // BullMQ hands jobs out in the order they were added: the first eight ran.
    assert.deepEqual(outcomes, [0, 1, 2, 3, 4, 5, 6, 7, "cancelled", "cancelled"]);
  });

  it("delivers each result once when the events and the polling race", async () => {
    const seen: DistributedProgress[] = [];
    const results = await withExecutor({ pollInterval: 0.01, onProgress: (p) => seen.push(p) }, function* (remote) {
      return yield* asyncio.gather(...Array.from({ length: 200 }, (_, i) => remote.submit(tasks.sleepThen, 10, i)));
    });
    assert.deepEqual(
      results.map((r) => r.value),
      Array.from({ length: 200 }, (_, i) => i),
    );
    // Every change of the counts is one job changing state: "done" only ever grows by one.
    const doneSteps = seen.map((p) => p.done).filter((done, i, all) => i === 0 || done !== all[i - 1]);
    assert.deepEqual(
      doneSteps,
      Array.from({ length: 201 }, (_, i) => i),
    );
    assert.deepEqual(seen.at(-1), { queued: 0, running: 0, done: 200, failed: 0, cancelled: 0, total: 200 });
  });
});
