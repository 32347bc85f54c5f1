// run() and Runner: the entry point that owns a loop from creation to close.

import { _enterRunner, _leaveRunner } from "./ambient.ts";
import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { _getRunningLoop, type EventLoop } from "./events.ts";
import { CancelledError, KeyboardInterrupt, RuntimeError, ValueError } from "./exceptions.ts";
import { describe } from "./internal/format.ts";
import { newEventLoop } from "./loop.ts";
import { allTasks, type Task } from "./tasks.ts";
import { gatherAll } from "./gather.ts";
import { writeTraceHtml } from "./tracing/html.ts";
import { isTracing, startTracing, stopTracing } from "./tracing/recorder.ts";
import { writeTraceJson } from "./tracing/trace.ts";

/** Seconds `close()` waits for the default executor's jobs, as asyncio's `constants.THREAD_JOIN_TIMEOUT`. */
const THREAD_JOIN_TIMEOUT = 300;

/** Options for `run()` and `new Runner()`. */
export interface RunOptions {
  /** Turn on the loop's debug mode (also on when `ASYNCIO_TS_DEBUG=1`). */
  debug?: boolean;
  /** Make the loop to run on; `newEventLoop` by default. The testing `VirtualTimeLoop` fits here. */
  loopFactory?: () => EventLoop;
  /**
   * Trace the run's Tasks (see `startTracing`) and save the timeline to this file when the
   * Runner closes: a Trace Event JSON file for Perfetto or chrome://tracing, or a self-contained
   * HTML page when the path ends in `.html`. Give `{ path, bufferSize }` to size the ring buffer.
   */
  trace?: string | RunTraceOptions;
}

/** The `trace` option of `run()` and `new Runner()` in its long form. */
export interface RunTraceOptions {
  /** The file to write: `.html` for the HTML timeline, anything else for Trace Event JSON. */
  path: string;
  /** The most events kept (see `startTracing`). */
  bufferSize?: number;
}

function traceOptions(trace: RunOptions["trace"]): RunTraceOptions | null {
  if (trace === undefined) return null;
  if (typeof trace === "string") return { path: trace };
  if (typeof trace === "object" && trace !== null && typeof trace.path === "string") return trace;
  throw new TypeError(`the trace option must be a file path or { path, bufferSize }, got ${describe(trace)}`);
}

/**
 * Runs coroutines on one loop that it creates lazily and closes in `close()`, cancelling whatever
 * is still pending first. `run()` is a Runner used once.
 *
 * While `run()` runs, Ctrl-C is handled as asyncio does: when the program has no SIGINT listener
 * of its own, the first SIGINT cancels the main Task (its `finally` blocks run) and `run()` then
 * rejects with `KeyboardInterrupt`; a second SIGINT stops the loop at once with it.
 *
 * @example
 * const runner = new asyncio.Runner();
 * try {
 *   await runner.run(first());
 *   await runner.run(second()); // same loop
 * } finally {
 *   await runner.close();
 * }
 * @see asyncio.Runner
 */
export class Runner {
  #options: RunOptions;
  #loop: EventLoop | null = null;
  #state: "initialized" | "closed" = "initialized";
  #interruptCount = 0;
  #trace: RunTraceOptions | null;

  /** @throws {TypeError} when the `trace` option is neither a path nor `{ path, bufferSize }`. */
  constructor(options: RunOptions = {}) {
    this.#options = options;
    this.#trace = traceOptions(options.trace);
  }

  /** The Runner's loop, created on first use. */
  getLoop(): EventLoop {
    if (this.#state === "closed") throw new RuntimeError("Runner is closed");
    if (this.#loop === null) {
      const factory = this.#options.loopFactory ?? newEventLoop;
      this.#loop = factory();
      if (this.#options.debug !== undefined) this.#loop.setDebug(this.#options.debug);
      if (this.#trace !== null) startTracing(this.#loop, { bufferSize: this.#trace.bufferSize });
      // Like Python's Runner setting the thread's event loop: while this loop runs, plain async code
      // (Node callbacks, promise reactions) that makes Futures and Tasks binds them to it.
      _enterRunner(this.#loop);
    }
    return this.#loop;
  }

  /**
   * Run `coro` to completion on the Runner's loop and resolve with its result. Misuse throws at
   * once, as in Python, rather than returning a rejected promise.
   *
   * @throws {ValueError} when `coro` is not a coroutine (asyncio raises ValueError here too).
   * @throws {RuntimeError} when called from code a loop is running (await the coroutine there),
   *   or when the Runner is closed.
   * @throws {KeyboardInterrupt} (as the rejection) when SIGINT interrupted the main Task.
   */
  run<T>(coro: Coroutine<T>): Promise<T> {
    if (!isCoroutine(coro)) {
      const hint = typeof coro === "function" ? `; call it: ${describe(coro)}() returns the coroutine` : "";
      throw new ValueError(`a coroutine was expected, got ${describe(coro)}${hint}`);
    }
    if (_getRunningLoop() !== null) {
      coro.return(undefined as T);
      throw new RuntimeError(
        "Runner.run() cannot be called from a running event loop: use 'yield*' to await the coroutine",
      );
    }
    let loop: EventLoop;
    try {
      loop = this.getLoop();
    } catch (error) {
      coro.return(undefined as T);
      throw error;
    }
    return this.#runMain(loop, loop.createTask(coro));
  }

  async #runMain<T>(loop: EventLoop, task: Task<T>): Promise<T> {
    // Like asyncio, take over SIGINT only from the default behaviour, never from the program's own listener.
    const onSigint =
      typeof process === "object" && process.listenerCount("SIGINT") === 0 ? () => this.#onSigint(loop, task) : null;
    if (onSigint !== null) process.on("SIGINT", onSigint);
    this.#interruptCount = 0;
    try {
      return await loop.runUntilComplete(task);
    } catch (error) {
      if (this.#interruptCount > 1) throw new KeyboardInterrupt();
      // The interrupt's cancellation, not one the program requested itself, ended the main Task.
      if (error instanceof CancelledError && this.#interruptCount > 0 && task.uncancel() === 0) {
        throw new KeyboardInterrupt();
      }
      throw error;
    } finally {
      if (onSigint !== null) process.off("SIGINT", onSigint);
    }
  }

  #onSigint(loop: EventLoop, task: Task<unknown>): void {
    this.#interruptCount++;
    if (this.#interruptCount === 1 && !task.done()) {
      // Cancelling schedules the Task's wake-up, which wakes a loop waiting on its host timer.
      task.cancel();
      return;
    }
    // A second Ctrl-C: the program did not stop in time, so stop the loop; run() rejects at once.
    loop.stop();
  }

  /**
   * Cancel the tasks still pending and let them finish, shut the default executor down (waiting
   * up to 300 s for its jobs), and close the loop.
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const loop = this.#loop;
    this.#state = "closed";
    if (loop === null) return;
    try {
      await cancelAllTasks(loop);
      // As asyncio's Runner.close(), but without a Task for it when no default executor was made.
      if ((loop as { _hasDefaultExecutor?: () => boolean })._hasDefaultExecutor?.() !== false) {
        await loop.runUntilComplete(loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT));
      }
    } finally {
      try {
        this.#saveTrace(loop);
      } finally {
        loop.close();
        _leaveRunner(loop);
        this.#loop = null;
      }
    }
  }

  #saveTrace(loop: EventLoop): void {
    const options = this.#trace;
    if (options === null || !isTracing(loop)) return;
    const trace = stopTracing(loop);
    if (options.path.endsWith(".html")) writeTraceHtml(trace, options.path);
    else writeTraceJson(trace, options.path);
  }
}

/** Cancel every pending Task of `loop`, run the loop until they finish, and report their errors. */
async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const toCancel = allTasks(loop);
  if (toCancel.size === 0) return;
  for (const task of toCancel) task.cancel();
  const tasks: Task<unknown>[] = [...toCancel];
  await loop.runUntilComplete(gatherAll(tasks, { returnExceptions: true }));
  for (const task of tasks) {
    if (task.cancelled()) continue;
    const exception = task.exception();
    if (exception !== null) {
      loop.callExceptionHandler({ message: "unhandled exception during asyncio.run() shutdown", exception, task });
    }
  }
}

/**
 * Run `main` on a new event loop and resolve with what it returns (or reject with what it
 * throws). When `main` is done, every Task still pending is cancelled and awaited, then the loop is
 * closed. This is a program's entry point, as `asyncio.run(main())` is in Python. Ctrl-C cancels
 * `main` and rejects with `KeyboardInterrupt`, as described on `Runner`.
 *
 * @example
 * function* main() {
 *   const results = yield* asyncio.gather(coro1(), coro2());
 *   console.log("Results:", results);
 * }
 * await asyncio.run(main());
 * @throws {RuntimeError} when called from code a loop is running (thrown at once, not as a rejection).
 * @throws {ValueError} when `main` is not a coroutine (thrown at once).
 * @throws {KeyboardInterrupt} (as the rejection) when SIGINT interrupted `main`.
 * @see asyncio.run
 */
export function run<T>(main: Coroutine<T>, options: RunOptions = {}): Promise<T> {
  // Misuse throws here, at the call site, so that a coroutine calling run() by mistake fails at once.
  if (_getRunningLoop() !== null) {
    if (isCoroutine(main)) main.return(undefined as T);
    throw new RuntimeError(
      "asyncio.run() cannot be called from a running event loop: use 'yield*' to await the coroutine",
    );
  }
  const runner = new Runner(options);
  return closeAfter(runner, runner.run(main));
}

async function closeAfter<T>(runner: Runner, outcome: Promise<T>): Promise<T> {
  try {
    return await outcome;
  } finally {
    await runner.close();
  }
}
