// WorkerPoolExecutor: what ThreadPoolExecutor and ProcessPoolExecutor share on top of BaseExecutor.
//
// Design note. Both run jobs on a pool library (piscina, tinypool) that is imported on the first
// job, so that a program that never uses a pool never loads one, and destroyed on close. Both
// take the same sizing options. A subclass says only how to build its pool (`_createPool`) and how
// to hand it one call (`_runOn`).

import { availableParallelism } from "node:os";
import { ValueError } from "../exceptions.ts";
import { BaseExecutor, type ExecutorCall } from "./executor.ts";
import type { SendTarget } from "./sendable.ts";
import type { Reply } from "./worker.ts";

/** Idle workers live this many seconds by default: long enough to serve a burst, short enough to free memory. */
const DEFAULT_IDLE_TIMEOUT = 30;

/** The options every worker pool takes. */
export interface WorkerPoolOptions {
  /** How many workers run jobs at a time (default: the number of cores, `os.availableParallelism()`). */
  maxWorkers?: number;
  /** How many jobs may wait for a free worker; past it `submit` raises QueueFull (default Infinity). */
  maxQueue?: number;
  /** Seconds an idle worker lives before it exits (default 30). */
  idleTimeout?: number;
  /** Terminate the worker of a running job whose Future is cancelled (default false: it runs on). */
  terminateOnCancel?: boolean;
}

/** How large a pool to build: the option names piscina and tinypool both use. */
export interface WorkerPoolSize {
  /** How many workers the pool may start. */
  maxThreads: number;
  /** Milliseconds an idle worker lives. */
  idleTimeout: number;
}

/** What the executor needs of a pool library's pool. */
interface DestroyablePool {
  destroy(): Promise<unknown>;
}

/**
 * Run jobs on a pool of local workers that is created on the first job and destroyed on close.
 * `ThreadPoolExecutor` and `ProcessPoolExecutor` build on it.
 *
 * @see concurrent.futures.ThreadPoolExecutor
 * @see concurrent.futures.ProcessPoolExecutor
 */
export abstract class WorkerPoolExecutor<Pool extends DestroyablePool> extends BaseExecutor {
  #idleTimeout: number;
  #pool: Pool | null = null;
  #loading: Promise<Pool> | null = null;

  /**
   * Check the options shared by every worker pool.
   *
   * @throws {ValueError} when `maxWorkers` is not a finite positive integer, `maxQueue` is
   * negative, or `idleTimeout` is not a non-negative number.
   */
  protected constructor(name: string, target: SendTarget, options: WorkerPoolOptions) {
    const maxWorkers = options.maxWorkers ?? availableParallelism();
    super({ maxWorkers, maxQueue: options.maxQueue, target, terminateOnCancel: options.terminateOnCancel });
    if (!Number.isFinite(maxWorkers)) throw new ValueError(`a ${name} needs a finite maxWorkers`);
    const idle = options.idleTimeout;
    if (idle !== undefined && !(typeof idle === "number" && idle >= 0)) {
      throw new ValueError(`idleTimeout must be a non-negative number of seconds, got ${String(idle)}`);
    }
    this.#idleTimeout = idle ?? DEFAULT_IDLE_TIMEOUT;
  }

  /** Import the pool library and build the pool; called once, on the first job. */
  protected abstract _createPool(size: WorkerPoolSize): Promise<Pool>;

  /** Hand `call` to the pool; resolve with the worker's Reply. */
  protected abstract _runOn(pool: Pool, call: ExecutorCall): Promise<Reply>;

  protected _run(call: ExecutorCall): PromiseLike<Reply> {
    const pool = this.#pool;
    if (pool !== null) return this._runOn(pool, call);
    this.#loading ??= this._createPool({ maxThreads: this.maxWorkers, idleTimeout: this.#idleTimeout * 1000 }).then(
      (created) => {
        this.#pool = created;
        return created;
      },
    );
    return this.#loading.then((loaded) => this._runOn(loaded, call));
  }

  protected async _close(): Promise<void> {
    if (this.#loading !== null) await this.#loading;
    const pool = this.#pool;
    this.#pool = null;
    if (pool !== null) await pool.destroy();
  }
}
