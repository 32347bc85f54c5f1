// Worker processes coming and going: shutdown on SIGTERM, a worker killed mid-job, a producer
// that misses the queue's events.
//
// The tests of this file share three workers and run in order, each one leaving fewer workers:
// the first SIGTERMs one (its job is handed back to another), the second kills one (its job runs
// again on the last), the last two use the survivor. Workers hold a job's lock for 3 s and look for
// stalled jobs every second, so that a dead worker's job moves on in seconds rather than BullMQ's 30.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { DistributedExecutor } from "asyncio-ts/distributed";
import { Redis } from "ioredis";
import { fixture, killWorkers, startWorker, waitUntil, type WorkerProcess } from "../helpers/distributed.ts";
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

function alive(worker: WorkerProcess): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
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
    workers = await Promise.all([1, 2, 3].map(() => startWorker(url, [...args, ...timing])));
  });

  after(async () => {
    await killWorkers(workers);
    await client?.quit();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  /** Submit `holdOnce(marker)` and wait on the loop until a worker runs it; return its Task and that worker. */
  function* holdOnWorker(
    remote: DistributedExecutor,
    marker: string,
  ): asyncio.Coroutine<[asyncio.Task<{ pid: number; attempt: number }>, WorkerProcess]> {
    const job = asyncio.createTask(
      (function* () {
        return yield* remote.submit(tasks.holdOnce, marker, 60_000);
      })(),
    );
    while (readMarker(marker) === "") yield* asyncio.sleep(0.02);
    const holder = workers.find((worker) => worker.pid === Number(readMarker(marker)));
    if (holder === undefined) throw new Error(`no worker has pid ${readMarker(marker)}`);
    return [job, holder];
  }

  it("hands its running jobs back on SIGTERM when they outlast the grace period, and exits 0", async () => {
    const marker = join(scratch, "hand-back");
    const [result, holder] = await asyncio.run(
      asyncio.using(new DistributedExecutor({ queue: "life", redis: redis().url }), function* (remote) {
        const [job, holder] = yield* holdOnWorker(remote, marker);
        process.kill(holder.pid, "SIGTERM");
        return [yield* job, holder] as const;
      }),
    );
    assert.equal((await holder.exited).code, 0);
    assert.notEqual(result.pid, holder.pid);
    assert.equal(result.attempt, 2);
    assert.match(holder.output(), /shutting down: waiting up to 2 s for 1 running job/);
    assert.match(holder.output(), /holdOnce \(tasks\.js\) from "life": handed back after [\d.]+ s \(shutting down\)/);
    assert.match(holder.output(), /stopped/);
    workers = workers.filter((worker) => worker !== holder);
  });

  it("runs a job again on another worker when its worker is killed mid-job", async () => {
    const marker = join(scratch, "killed");
    const [result, holder] = await asyncio.run(
      asyncio.using(new DistributedExecutor({ queue: "life", redis: redis().url }), function* (remote) {
        const [job, holder] = yield* holdOnWorker(remote, marker);
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

  it("delivers every result through polling when a stopped producer missed the events", async () => {
    const count = 100;
    const producer = spawn(
      process.execPath,
      [
        "--conditions=asyncio-ts-source",
        "--import",
        "tsx",
        fixture("producer.ts"),
        redis().url,
        "lost",
        String(count),
        "500",
        "0.2",
      ],
      { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    producer.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => producer.once("exit", resolve));
    try {
      await waitUntil(() => output.includes("running"), 60, "the producer's first running job");
      // Frozen, it reads no events while its jobs finish; then the events are gone for good.
      process.kill(producer.pid as number, "SIGSTOP");
      await waitUntil(async () => (await client.zcard("bull:lost:completed")) === count, 60, "every job to finish");
      await client.xtrim("bull:lost:events", "MAXLEN", 0);
      process.kill(producer.pid as number, "SIGCONT");
      assert.equal(await exited, 0);
    } finally {
      if (producer.exitCode === null) process.kill(producer.pid as number, "SIGKILL");
    }
    const outcome = JSON.parse(output.slice(output.indexOf("{"))) as { results: number[]; progress: unknown };
    assert.deepEqual(
      outcome.results,
      Array.from({ length: count }, (_, i) => i),
    );
    assert.deepEqual(outcome.progress, { queued: 0, running: 0, done: count, failed: 0, cancelled: 0, total: count });
  });

  it("finishes its running jobs on SIGTERM within the grace period, takes no new ones, and exits 0", async () => {
    const [last] = workers as [WorkerProcess];
    const [finished, late, progress] = await asyncio.run(
      asyncio.using(new DistributedExecutor({ queue: "life", redis: redis().url }), function* (remote) {
        const running = remote.submit(tasks.sleepThen, 500, "finished");
        while (remote.progress().running === 0) yield* asyncio.sleep(0.01);
        process.kill(last.pid, "SIGTERM");
        yield* asyncio.wrap(last.waitFor(/shutting down/));
        const late = remote.submit(tasks.add, 1, 1);
        const finished = yield* running;
        yield* asyncio.wrap(last.exited);
        // Nobody took the late job: cancel it, which removes it from the queue.
        const progress = remote.progress();
        late.cancel();
        return [finished, late, progress] as const;
      }),
    );
    assert.deepEqual(finished, { value: "finished", pid: last.pid });
    assert.equal(late.cancelled(), true);
    assert.deepEqual(progress, { queued: 1, running: 0, done: 1, failed: 0, cancelled: 0, total: 2 });
    assert.equal((await last.exited).code, 0);
    assert.match(last.output(), /shutting down: waiting up to 2 s for 1 running job/);
    assert.match(last.output(), /sleepThen \(tasks\.js\) from "life": done in/);
    assert.ok(!alive(last));
  });
});
