// ThreadPoolExecutor: run functions on Node worker threads, through a piscina pool.

import type { ResourceLimits, TransferListItem } from "node:worker_threads";
import type { Piscina } from "piscina";
import { describeError } from "../internal/format.ts";
import type { ExecutorCall } from "./executor.ts";
import { BrokenWorkerError, SerializationError } from "./errors.ts";
import { describeRef } from "./task-ref.ts";
import { WORKER_ENTRY, WORKER_EXPORT } from "./worker-entry.ts";
import type { Reply } from "./worker.ts";
import { WorkerPoolExecutor, type WorkerPoolSize } from "./worker-pool.ts";

/** Options of `new ThreadPoolExecutor()`. */
export interface ThreadPoolOptions {
  /** How many threads run jobs at a time (default: the number of cores, `os.availableParallelism()`). */
  maxWorkers?: number;
  /**
   * How many jobs may wait for a free thread; past it `submit` raises QueueFull (default
   * Infinity). Use `map(..., { limit })` for back-pressure without errors.
   */
  maxQueue?: number;
  /** Seconds an idle thread lives before it exits (default 30). Idle threads never keep the process alive. */
  idleTimeout?: number;
  /** Memory and stack limits of each thread; a job that exceeds them fails with BrokenWorkerError. */
  resourceLimits?: ResourceLimits;
  /** Terminate the thread of a running job whose Future is cancelled (default false: it runs on). */
  terminateOnCancel?: boolean;
  /** Node options of the threads (default: the process's own, so a TypeScript loader carries over). */
  execArgv?: string[];
}

/**
 * Run functions on a pool of Node worker threads (piscina), the executor behind `toThread` and
 * `loop.runInExecutor(null, ...)`. Functions are named by reference (`asyncio.task(url, name)`),
 * arguments and results are copied with the structured clone algorithm (or moved, with
 * `transfer()`), and errors come back as their own class. Threads start when jobs need them and
 * exit after `idleTimeout`; piscina is loaded on the first job.
 *
 * @example
 * const fib = asyncio.task<typeof import("./work.js")["fib"]>(new URL("./work.js", import.meta.url), "fib");
 * yield* asyncio.using(new asyncio.ThreadPoolExecutor({ maxWorkers: 4 }), function* (pool) {
 *   const results = yield* pool.map(fib, [30, 31, 32]);
 * });
 * @throws {ValueError} when `maxWorkers` is not a positive integer or `maxQueue` is negative.
 * @see concurrent.futures.ThreadPoolExecutor
 */
export class ThreadPoolExecutor extends WorkerPoolExecutor<Piscina> {
  #options: ThreadPoolOptions;

  constructor(options: ThreadPoolOptions = {}) {
    super("ThreadPoolExecutor", "thread", options);
    this.#options = { ...options };
  }

  protected override _failure(error: unknown, call: ExecutorCall): unknown {
    const job = describeRef(call.ref);
    const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
    if (code === "ERR_WORKER_OUT_OF_MEMORY") {
      const limits = this.#options.resourceLimits;
      const limit = limits?.maxOldGenerationSizeMb === undefined ? "" : ` of ${limits.maxOldGenerationSizeMb} MB`;
      return new BrokenWorkerError(
        `the worker thread running ${job} ran out of memory (its limit${limit}, resourceLimits) and was stopped; the pool goes on with a new thread`,
        { outOfMemory: true, cause: error },
      );
    }
    const exit = typeof message === "string" ? /worker exited with code: (-?\d+)/.exec(message) : null;
    if (exit !== null) {
      return new BrokenWorkerError(
        `the worker thread running ${job} exited with code ${exit[1]} before it replied (did the job call process.exit()?); the pool goes on with a new thread`,
        { exitCode: Number(exit[1]), cause: error },
      );
    }
    if (name === "DataCloneError") {
      return new SerializationError(`the arguments of ${job} could not be copied to a thread: ${String(message)}`, {
        cause: error,
      });
    }
    return new BrokenWorkerError(
      `the worker thread running ${job} crashed before it replied: ${describeError(error)}; the pool goes on with a new thread`,
      { cause: error },
    );
  }

  protected _runOn(pool: Piscina, call: ExecutorCall): Promise<Reply> {
    return pool.run(call.message, {
      name: WORKER_EXPORT,
      transferList: call.transferList as TransferListItem[],
      signal: call.signal ?? null,
    }) as Promise<Reply>;
  }

  protected async _createPool(size: WorkerPoolSize): Promise<Piscina> {
    const { Piscina } = await import("piscina");
    const options = this.#options;
    const pool = new Piscina({
      filename: WORKER_ENTRY.href,
      name: WORKER_EXPORT,
      minThreads: 0,
      ...size,
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    });
    // A thread that fails while it runs no job (a stray timer throwing) has no Future to fail;
    // piscina reports it as an 'error' event, which must not crash the process.
    pool.on("error", (error: unknown) => {
      process.emitWarning(`a worker thread of a ThreadPoolExecutor failed outside any job: ${describeError(error)}`);
    });
    return pool;
  }
}
