// A gather across processes: a private Redis, two `asyncio-ts worker` processes, and a few hundred
// jobs submitted through a DistributedExecutor, with a progress bar while they run.
//
// On several machines, only the addresses change: every machine runs
//   npx asyncio-ts worker --redis redis://HOST:6379 --queue checksums --module ./dist/distributed-tasks.js
// and the producer connects to the same Redis (see docs/distributed.md).
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as asyncio from "asyncio-ts";
import { DistributedExecutor, type DistributedProgress } from "asyncio-ts/distributed";
import { findRedisServer, REDIS_INSTALL_HINT, startRedisServer } from "../scripts/redis-server.mjs";
import { isMain } from "./is-main.ts";

const tasks = asyncio.taskModule<typeof import("./distributed-tasks.ts")>(
  new URL("./distributed-tasks.js", import.meta.url),
);

/** Start one worker process from the sources and resolve with it once it says it is ready. */
async function startWorker(redisUrl: string): Promise<ChildProcess> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      "--conditions=asyncio-ts-source",
      "--import",
      "tsx",
      "src/distributed/cli.ts",
      "worker",
      "--redis",
      redisUrl,
      "--queue",
      "checksums",
      "--module",
      "examples/distributed-tasks.ts",
      "--concurrency",
      "8",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`a worker exited with code ${code} before it was ready`)));
  });
  return child;
}

/** Draw the counts as a bar on stderr: redrawn in place on a terminal, a line per quarter elsewhere. */
function progressBar(total: number): (progress: DistributedProgress) => void {
  let lastQuarter = -1;
  let lastDraw = 0;
  return (progress) => {
    const finished = progress.done + progress.failed + progress.cancelled;
    const line =
      `[${"#".repeat(Math.round((finished / total) * 30)).padEnd(30, ".")}] ${finished}/${total} ` +
      `(queued ${progress.queued}, running ${progress.running}, done ${progress.done}, failed ${progress.failed})`;
    if (process.stderr.isTTY) {
      const now = performance.now();
      if (finished < total && now - lastDraw < 50) return;
      lastDraw = now;
      process.stderr.write(`\r${line}${finished === total ? "\n" : ""}`);
    } else {
      const quarter = Math.floor((finished / total) * 4);
      if (quarter === lastQuarter) return;
      lastQuarter = quarter;
      process.stderr.write(`${line}\n`);
    }
  };
}

/** What the example found: results in order, which worker ran how many, and the time it took. */
export interface Summary {
  jobs: number;
  inOrder: boolean;
  perWorker: Record<number, number>;
  seconds: number;
}

function* gatherRemotely(redisUrl: string, jobs: number): asyncio.Coroutine<Summary> {
  const names = Array.from({ length: jobs }, (_, i) => `file-${String(i).padStart(4, "0")}.dat`);
  const executor = new DistributedExecutor({ queue: "checksums", redis: redisUrl, onProgress: progressBar(jobs) });
  return yield* asyncio.using(executor, function* (remote) {
    const began = performance.now();
    // One job per file, on whichever worker is free; the results come back in argument order.
    const results = yield* asyncio.gather(...names.map((name) => remote.submit(tasks.checksum, name, 64)));
    const seconds = (performance.now() - began) / 1000;
    const perWorker: Record<number, number> = {};
    for (const { worker } of results) perWorker[worker] = (perWorker[worker] ?? 0) + 1;
    return { jobs, inOrder: results.every((result, i) => result.name === names[i]), perWorker, seconds };
  });
}

/**
 * Start Redis and two workers, run `jobs` jobs across them, stop everything. Returns null, after
 * saying how to install it, when there is no redis-server.
 */
export async function main(jobs = 300): Promise<Summary | null> {
  const binary = findRedisServer();
  if (binary === null) {
    console.log(`This example needs a redis-server, and none was found: ${REDIS_INSTALL_HINT}.`);
    return null;
  }
  const redis = await startRedisServer({ binary });
  const workers: ChildProcess[] = [];
  try {
    workers.push(...(await Promise.all([startWorker(redis.url), startWorker(redis.url)])));
    console.log(`Redis on ${redis.url}, worker processes ${workers.map((worker) => worker.pid).join(" and ")}`);
    const summary = await asyncio.run(gatherRemotely(redis.url, jobs));
    const split = Object.entries(summary.perWorker)
      .map(([pid, count]) => `${count} on worker ${pid}`)
      .join(", ");
    console.log(
      `${summary.jobs} jobs in ${summary.seconds.toFixed(2)} s (${split}); results in order: ${summary.inOrder}`,
    );
    return summary;
  } finally {
    // SIGTERM is the graceful stop: each worker finishes its jobs and exits.
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.exitCode !== null) return resolve();
            worker.once("exit", () => resolve());
            process.kill(worker.pid as number, "SIGTERM");
          }),
      ),
    );
    await redis.stop();
  }
}

if (isMain(import.meta.url)) await main();
