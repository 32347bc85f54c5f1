// run() and Runner: the entry point that owns a loop from creation to close.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { _getRunningLoop, type EventLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { describe } from "./internal/format.ts";
import { newEventLoop } from "./loop.ts";
import { allTasks, type Task } from "./tasks.ts";
import { gatherAll } from "./gather.ts";

/** Options for `run()` and `new Runner()`. */
export interface RunOptions {
  /** Turn on the loop's debug mode (also on when `ASYNCIO_TS_DEBUG=1`). */
  debug?: boolean;
  /** Make the loop to run on; `newEventLoop` by default. The testing `VirtualTimeLoop` fits here. */
  loopFactory?: () => EventLoop;
}

/**
 * Runs coroutines on one loop that it creates lazily and closes in `close()`, cancelling whatever
 * is still pending first. `run()` is a Runner used once.
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

  constructor(options: RunOptions = {}) {
    this.#options = options;
  }

  /** The Runner's loop, created on first use. */
  getLoop(): EventLoop {
    if (this.#state === "closed") throw new RuntimeError("Runner is closed");
    if (this.#loop === null) {
      const factory = this.#options.loopFactory ?? newEventLoop;
      this.#loop = factory();
      if (this.#options.debug !== undefined) this.#loop.setDebug(this.#options.debug);
    }
    return this.#loop;
  }

  /**
   * Run `coro` to completion on the Runner's loop and resolve with its result.
   *
   * @throws {TypeError} when `coro` is not a coroutine.
   * @throws {RuntimeError} when called from code a loop is running (await the coroutine there).
   */
  async run<T>(coro: Coroutine<T>): Promise<T> {
    if (!isCoroutine(coro)) {
      const hint = typeof coro === "function" ? `; call it: ${describe(coro)}() returns the coroutine` : "";
      throw new TypeError(`a coroutine was expected, got ${describe(coro)}${hint}`);
    }
    if (_getRunningLoop() !== null) {
      coro.return(undefined as T);
      throw new RuntimeError(
        "Runner.run() cannot be called from a running event loop: use 'yield*' to await the coroutine",
      );
    }
    const loop = this.getLoop();
    const task = loop.createTask(coro);
    return loop.runUntilComplete(task);
  }

  /** Cancel the tasks still pending, let them finish, and close the loop. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const loop = this.#loop;
    this.#state = "closed";
    if (loop === null) return;
    try {
      await cancelAllTasks(loop);
    } finally {
      loop.close();
      this.#loop = null;
    }
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
 * closed. This is a program's entry point, as `asyncio.run(main())` is in Python.
 *
 * @example
 * function* main() {
 *   const results = yield* asyncio.gather(coro1(), coro2());
 *   console.log("Results:", results);
 * }
 * await asyncio.run(main());
 * @throws {RuntimeError} when called from code a loop is running.
 * @see asyncio.run
 */
export async function run<T>(main: Coroutine<T>, options: RunOptions = {}): Promise<T> {
  if (_getRunningLoop() !== null) {
    if (isCoroutine(main)) main.return(undefined as T);
    throw new RuntimeError(
      "asyncio.run() cannot be called from a running event loop: use 'yield*' to await the coroutine",
    );
  }
  const runner = new Runner(options);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
