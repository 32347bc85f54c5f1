// Worker processes coming and going, and a producer that misses the queue's events.
//
// The tests of this file share two worker processes and run in order: the first kills one of them
// (its job runs again on the other), the next two use the survivor, and the last one shuts it
// down with SIGTERM. Workers hold a job's lock for 3 s and look for stalled jobs every second, so
// that a dead worker's job moves on in seconds rather than BullMQ's 30.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { Worker } from "node:worker_threads";
import * as asyncio from "asyncio-ts";
import { DistributedExecutor } from "asyncio-ts/distributed";
import { Redis } from "ioredis";
import { fixture, killWorkers, startWorker, type WorkerProcess } from "../helpers/distributed.ts";
import { describeWithRedis } from "../helpers/redis.ts";

const tasks = asyncio.taskModule<typeof import("../fixtures/distributed/tasks.ts")>(
  new URL("../fixtures/distributed/tasks.js", import.meta.url),
);

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

/**
 * Block this thread (its event loop, and with it the executor's event listener) until, on another
 * thread, `queue` has `count` completed jobs and its event stream was emptied.
 */
function freezeWhileEventsAreLost(url: string, queue: string, count: number): void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Worker(
    `const { Redis } = require("ioredis");
    const { workerData: { url, queue, count, flag } } = require("node:worker_threads");
    (async () => {
      const client = new Redis(url);
      while ((await client.zcard(\`bull:\${queue}:completed\`)) < count) await new Promise((r) => setTimeout(r, 20));
      await client.xtrim(\`bull:\${queue}:events\`, "MAXLEN", 0);
      await client.quit();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    })();`,
    { eval: true, workerData: { url, queue, count, flag } },
  );
  try {
    if (Atomics.wait(flag, 0, 0, 60_000) === "timed-out") throw new Error("the jobs did not finish within 60 s");
  } finally {
    void thread.terminate();
  }
}

describeWithRedis("asyncio-ts worker processes", (redis) => {
  let workers: WorkerProcess[] = [];
  let client: Redis;
  let scratch: string;

  before(async () => {
    const url = redis().url;
    scratch = mkdtempSync(join(tmpdir(), "asyncio-ts-workers-"));
    client = new Redis(url);
    const args = ["--queue", "life", "--queue", "lost", "--module", fixture("tasks.ts"), "--concurrency", "50"];
    const timing = ["--grace", "2", "--lock-duration", "3", "--stalled-interval", "1", "--verbose"];
    workers = await Promise.all([1, 2].map(() => startWorker(url, [...args, ...timing])));
  });

  after(async () => {
    await killWorkers(workers);
    await client?.quit();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  function executor(queue: string, pollInterval?: number): DistributedExecutor {
    return new DistributedExecutor({
      queue,
      redis: redis().url,
      ...(pollInterval === undefined ? {} : { pollInterval }),
    });
  }

  it("runs a job again on another worker when its worker is killed mid-job", async () => {
    const marker = join(scratch, "killed");
    const [result, holder] = await asyncio.run(
      asyncio.using(executor("life"), function* (remote) {
        const job = remote.submit(tasks.holdOnce, marker, 60_000);
        yield* until(() => readMarker(marker) !== "", "a worker to take the job");
        const holder = workers.find((worker) => worker.pid === Number(readMarker(marker))) as WorkerProcess;
        process.kill(holder.pid, "SIGKILL");
        return [yield* job, holder] as const;
      }),
    );
    assert.equal((await holder.exited).signal, "SIGKILL");
    const survivor = workers.find((worker) => worker !== holder) as WorkerProcess;
    assert.deepEqual(result, { pid: survivor.pid, attempt: 2 });
    assert.match(survivor.output(), /holdOnce \(tasks\.js\) from "life": done in/);
    workers = [survivor];
  });

  it("delivers every result through polling when the producer missed the queue's events", async () => {
    const count = 100;
    const outcome = await asyncio.run(
      asyncio.using(executor("lost", 0.2), function* (remote) {
        const jobs = Array.from({ length: count }, (_, i) => remote.submit(tasks.sleepThen, 500, i));
        yield* until(() => remote.progress().running > 0, "the first job to run");
        // Frozen, the producer reads no event while its jobs finish; then the events are gone.
        freezeWhileEventsAreLost(redis().url, "lost", count);
        const results = yield* asyncio.waitFor(asyncio.gather(...jobs), 30);
        return { results: results.map((result) => result.value), progress: remote.progress() };
      }),
    );
    assert.deepEqual(
      outcome.results,
      Array.from({ length: count }, (_, i) => i),
    );
    assert.deepEqual(outcome.progress, { queued: 0, running: 0, done: count, failed: 0, cancelled: 0, total: count });
  });

  it("on SIGTERM finishes the jobs that end within the grace period, hands the others back, starts no new one, and exits 0", async () => {
    const [last] = workers as [WorkerProcess];
    const marker = join(scratch, "handed-back");
    const [finished, progress, cancelled] = await asyncio.run(
      asyncio.using(executor("life"), function* (remote) {
        const short = remote.submit(tasks.sleepThen, 800, "finished");
        const long = remote.submit(tasks.holdOnce, marker, 60_000);
        yield* until(() => remote.progress().running === 2 && readMarker(marker) !== "", "both jobs to run");
        process.kill(last.pid, "SIGTERM");
        yield* asyncio.wrap(last.waitFor(/shutting down/));
        const late = remote.submit(tasks.add, 1, 1);
        const finished = yield* short;
        yield* asyncio.wrap(last.exited);
        yield* until(() => remote.progress().queued === 2, "the long job to be back in the queue");
        const progress = remote.progress();
        // Both wait in the queue, unlocked: cancelling them removes them.
        long.cancel();
        late.cancel();
        return [finished, progress, [long.cancelled(), late.cancelled()]] as const;
      }),
    );
    assert.equal((await last.exited).code, 0);
    assert.deepEqual(finished, { value: "finished", pid: last.pid });
    assert.deepEqual(progress, { queued: 2, running: 0, done: 1, failed: 0, cancelled: 0, total: 3 });
    assert.deepEqual(cancelled, [true, true]);
    assert.equal(await client.llen("bull:life:wait"), 0);
    const output = last.output();
    assert.match(output, /shutting down: waiting up to 2 s for 2 running jobs/);
    assert.match(output, /sleepThen \(tasks\.js\) from "life": done in/);
    assert.match(output, /holdOnce \(tasks\.js\) from "life": handed back after [\d.]+ s \(shutting down\)/);
    assert.doesNotMatch(output, /add \(tasks\.js\) from "life": done/);
    assert.match(output, /stopped/);
  });
});
