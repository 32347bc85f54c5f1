// toThread(): run a function on the loop's default thread pool, as asyncio.to_thread does.

import type { Coroutine } from "../coroutines.ts";
import { _setDefaultExecutorFactory, getRunningLoop } from "../events.ts";
import { describe } from "../internal/format.ts";
import {
  isTaskRef,
  type SendArgs,
  type TaskRef,
  type WorkerArgs,
  type WorkerFunction,
  type WorkerResult,
} from "./task-ref.ts";
import { ThreadPoolExecutor } from "./thread-pool.ts";

// A loop makes its default executor on first use; loop.ts does not import the executors itself.
_setDefaultExecutorFactory(() => new ThreadPoolExecutor());

function* runOnDefaultExecutor<F extends WorkerFunction>(
  fn: TaskRef<F>,
  args: SendArgs<WorkerArgs<F>>,
): Coroutine<WorkerResult<F>> {
  return yield* getRunningLoop().runInExecutor(null, fn, ...args);
}

/**
 * Run `fn(...args)` in a worker thread of the running loop's default executor (a
 * ThreadPoolExecutor made on first use and shut down by `run()` at the end), so that CPU-bound or
 * blocking work does not stall the loop. `fn` is a reference to an exported function, made with
 * `asyncio.task()`: a closure cannot cross to another thread. Like every coroutine, nothing
 * happens until it is awaited.
 *
 * @example
 * const fib = asyncio.task<typeof import("./work.js")["fib"]>(new URL("./work.js", import.meta.url), "fib");
 * const [a, b] = yield* asyncio.gather(asyncio.toThread(fib, 30), asyncio.toThread(fib, 31));
 * @throws {TypeError} when `fn` is not a task reference.
 * @see asyncio.to_thread; contextvars are not carried over (they are not implemented)
 */
export function toThread<F extends WorkerFunction>(
  fn: TaskRef<F>,
  ...args: SendArgs<WorkerArgs<F>>
): Coroutine<WorkerResult<F>> {
  if (!isTaskRef(fn)) {
    const hint =
      typeof fn === "function"
        ? `: a function cannot cross to a worker thread, refer to an exported one with asyncio.task(new URL("./module.js", import.meta.url), ${JSON.stringify((fn as { name?: string }).name || "name")})`
        : "";
    throw new TypeError(`toThread() expects a task reference, got ${describe(fn)}${hint}`);
  }
  return runOnDefaultExecutor(fn, args);
}
