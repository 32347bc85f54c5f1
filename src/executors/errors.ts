// The errors executors raise: a value that cannot cross to a worker, and a worker that died.

import { RuntimeError } from "../exceptions.ts";

/** Options of `new SerializationError(...)`. */
export interface SerializationErrorOptions {
  /** Where in the value the problem is, like `.items[3]`; `""` for the value itself. */
  path?: string;
  cause?: unknown;
}

/**
 * Raise when an argument, a result or a thrown value cannot cross between the caller and a
 * worker intact: a function, a symbol, a Promise, or an instance of a class, which the structured
 * clone algorithm would turn into a plain object without its class (often `{}`). The Future of the
 * job fails with it; the message names the value and where in it the problem is.
 *
 * @see Python's pickle.PicklingError, what ProcessPoolExecutor raises for the same mistake
 */
export class SerializationError extends TypeError {
  override name = "SerializationError";
  /** Where in the value the problem is, like `.items[3]`; `""` for the value itself. */
  path: string;

  constructor(message: string, options: SerializationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.path = options.path ?? "";
  }
}

/** Options of `new BrokenWorkerError(...)`. */
export interface BrokenWorkerErrorOptions {
  /** The worker's exit code, when it exited. */
  exitCode?: number | null;
  /** The signal that killed a worker process, like `"SIGABRT"`. */
  signal?: string | null;
  /** Whether the worker hit its memory limit (`resourceLimits`). */
  outOfMemory?: boolean;
  /** What the pool reported. */
  cause?: unknown;
}

/**
 * Raise when the worker running a job died before it replied: the job called `process.exit()`,
 * ran out of memory under `resourceLimits`, was killed, or the worker crashed on an error thrown
 * outside the job. Only that job's Future fails; the pool replaces the worker and goes on.
 *
 * @see concurrent.futures.BrokenExecutor (BrokenThreadPool, BrokenProcessPool); Python breaks the
 *   whole pool and fails every pending future, asyncio-ts fails the one job only
 */
export class BrokenWorkerError extends RuntimeError {
  override name = "BrokenWorkerError";
  /** The worker's exit code, or `null` when unknown or killed by a signal. */
  exitCode: number | null;
  /** The signal that killed a worker process, or `null`. */
  signal: string | null;
  /** Whether the worker hit its memory limit. */
  outOfMemory: boolean;

  constructor(message: string, options: BrokenWorkerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? null;
    this.signal = options.signal ?? null;
    this.outOfMemory = options.outOfMemory ?? false;
  }
}
