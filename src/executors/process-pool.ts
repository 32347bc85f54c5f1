// ProcessPoolExecutor: run functions in Node child processes, through a tinypool pool.

import type { ChildProcess } from "node:child_process";
import type { Tinypool } from "tinypool";
import { describeError } from "../internal/format.ts";
import type { ExecutorCall } from "./executor.ts";
import { BrokenWorkerError } from "./errors.ts";
import { describeRef } from "./task-ref.ts";
import { WORKER_ENTRY, WORKER_EXPORT } from "./worker-entry.ts";
import type { Reply } from "./worker.ts";
import { WorkerPoolExecutor, type WorkerPoolSize } from "./worker-pool.ts";

/** Options of `new ProcessPoolExecutor()`. */
export interface ProcessPoolOptions {
  /** How many processes run jobs at a time (default: the number of cores). */
  maxWorkers?: number;
  /** How many jobs may wait for a free process; past it `submit` raises QueueFull (default Infinity). */
  maxQueue?: number;
  /** Seconds an idle process lives before it exits (default 30). Idle processes never keep the parent alive. */
  idleTimeout?: number;
  /**
   * Memory limits of each process. `maxOldGenerationSizeMb` becomes `--max-old-space-size`; a
   * job that exceeds it kills its process (V8 aborts it) and fails with BrokenWorkerError.
   */
  resourceLimits?: { maxOldGenerationSizeMb?: number };
  /** Terminate the process of a running job whose Future is cancelled (default false: it runs on). */
  terminateOnCancel?: boolean;
  /** Node options of the processes (default: the parent's own, so a TypeScript loader carries over). */
  execArgv?: string[];
  /** Environment of the processes (default: the parent's `process.env` at the time each one starts). */
  env?: NodeJS.ProcessEnv;
}

interface Exit {
  pid: number | undefined;
  code: number | null;
  signal: string | null;
}

/**
 * Run functions in a pool of Node child processes (tinypool's `child_process` runtime), for work
 * that must not share a heap with the caller or that may crash. Values cross with V8's
 * serializer (`serialization: "advanced"`: Maps, Dates, typed arrays and errors arrive intact,
 * where the JSON default would turn a Buffer into `{}`); nothing is moved, everything is copied.
 * A process that dies fails only the job it ran.
 *
 * @example
 * const work = asyncio.taskModule<typeof import("./work.js")>(new URL("./work.js", import.meta.url));
 * const pool = new asyncio.ProcessPoolExecutor({ maxWorkers: 2 });
 * const digest = yield* pool.submit(work.sha256, data);
 * yield* pool.shutdown();
 * @throws {ValueError} when `maxWorkers` is not a positive integer or `maxQueue` is negative.
 * @see concurrent.futures.ProcessPoolExecutor
 */
export class ProcessPoolExecutor extends WorkerPoolExecutor<Tinypool> {
  #options: ProcessPoolOptions;
  #watched = new WeakSet<object>();
  #lastExit: Exit | null = null;

  constructor(options: ProcessPoolOptions = {}) {
    super("ProcessPoolExecutor", "process", options);
    this.#options = { ...options };
  }

  protected override _failure(error: unknown, call: ExecutorCall): unknown {
    const job = describeRef(call.ref);
    const exit = this.#lastExit;
    this.#lastExit = null;
    if (error instanceof Error && error.message === "Worker exited unexpectedly") {
      const pid = exit?.pid === undefined ? "" : ` ${exit.pid}`;
      const how =
        exit === null
          ? "exited"
          : exit.signal !== null
            ? `was killed by ${exit.signal}${exit.signal === "SIGABRT" ? " (V8 aborts a process that runs out of memory; see resourceLimits)" : ""}`
            : `exited with code ${exit.code}`;
      return new BrokenWorkerError(
        `the worker process${pid} running ${job} ${how} before it replied (a process.exit(), a crash or running out of memory); the pool goes on with a new process`,
        { exitCode: exit?.code ?? null, signal: exit?.signal ?? null, cause: error },
      );
    }
    return new BrokenWorkerError(
      `the worker process running ${job} failed before it replied: ${describeError(error)}; the pool goes on`,
      { cause: error },
    );
  }

  protected _runOn(pool: Tinypool, call: ExecutorCall): Promise<Reply> {
    const outcome = pool.run(call.message, { name: WORKER_EXPORT, signal: call.signal ?? null }) as Promise<Reply>;
    this.#watchExits(pool);
    return outcome;
  }

  /**
   * Remember how each worker process ends. Tinypool reports a dead worker as "Worker exited
   * unexpectedly" without its exit code; its 'exit' listener fails the job synchronously, ours
   * (registered later) records the code before the rejection reaches `_failure` in a microtask.
   */
  #watchExits(pool: Tinypool): void {
    for (const worker of pool.threads) {
      const child = (worker as { process?: ChildProcess }).process;
      if (child === undefined || this.#watched.has(child)) continue;
      this.#watched.add(child);
      child.once("exit", (code, signal) => {
        this.#lastExit = { pid: child.pid, code, signal };
      });
    }
  }

  protected async _createPool(size: WorkerPoolSize): Promise<Tinypool> {
    const { Tinypool } = await import("tinypool");
    const options = this.#options;
    const execArgv = [...(options.execArgv ?? process.execArgv)];
    const memory = options.resourceLimits?.maxOldGenerationSizeMb;
    if (memory !== undefined) execArgv.push(`--max-old-space-size=${memory}`);
    const pool = new Tinypool({
      filename: WORKER_ENTRY.href,
      name: WORKER_EXPORT,
      runtime: "child_process",
      // The default JSON serialization silently turns Buffers, Maps and errors into {}.
      serialization: "advanced",
      minThreads: 0,
      ...size,
      execArgv,
      // Tinypool passes only what it is given: without this, workers would start with an empty env.
      env: (options.env ?? process.env) as Record<string, string>,
    });
    pool.on("error", (error: unknown) => {
      process.emitWarning(`a worker process of a ProcessPoolExecutor failed outside any job: ${describeError(error)}`);
    });
    return pool;
  }
}
