// currentJob(): what a handler running in a distributed worker knows about its job, cancellation included.
//
// The context lives in an AsyncLocalStorage found under a registered symbol, so a handler module
// that imports its own copy of asyncio-ts (another path, another version) sees the worker's context.

import { AsyncLocalStorage } from "node:async_hooks";

/** What a handler can learn about the job it runs; see `currentJob()`. */
export interface JobContext {
  /** The BullMQ id of the job. */
  readonly id: string;
  /** The queue the job came from. */
  readonly queue: string;
  /** Which attempt this is: 1 for the first run, 2 for the first retry or re-run after a worker died. */
  readonly attempt: number;
  /**
   * Aborted when the job must stop: its producer cancelled it, or the worker is shutting down
   * and hands the job back to the queue. Pass it on to `fetch`, streams and timers. (On a
   * worker's thread pool it never aborts: the thread is terminated instead.)
   */
  readonly signal: AbortSignal;
}

const KEY = Symbol.for("asyncio-ts.distributed.currentJob");
const slot = globalThis as { [KEY]?: AsyncLocalStorage<JobContext> };
const storage: AsyncLocalStorage<JobContext> = (slot[KEY] ??= new AsyncLocalStorage<JobContext>());

/**
 * Return the job the calling handler runs for, with its AbortSignal; `undefined` outside a job.
 * On a worker's thread pool (`--threads`) the signal never aborts: a cancelled job's thread is
 * terminated instead.
 *
 * @example
 * export async function download(url: string): Promise<number> {
 *   const response = await fetch(url, { signal: currentJob()?.signal });
 *   return (await response.arrayBuffer()).byteLength;
 * }
 * @see Celery's `self.request` in a bound task
 */
export function currentJob(): JobContext | undefined {
  return storage.getStore();
}

/** @internal Run `fn` with `context` as the current job. */
export function _runInJob<T>(context: JobContext, fn: () => T): T {
  return storage.run(context, fn);
}
