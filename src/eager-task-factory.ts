// Eager tasks (Python 3.12): task factories whose Tasks run their first step inside createTask.

import type { Coroutine } from "./coroutines.ts";
import type { TaskFactory } from "./events.ts";
import { describe } from "./internal/format.ts";
import { Task, type TaskConstructorOptions } from "./tasks.ts";

/** A constructor with `Task`'s signature: `Task` itself or a subclass of it. */
export type TaskConstructor = new <T>(coro: Coroutine<T>, options: TaskConstructorOptions) => Task<T>;

/**
 * Make a task factory that builds every Task with `customTaskConstructor` and `eagerStart: true`,
 * for `loop.setTaskFactory`. Pass `Task` (or use `eagerTaskFactory`, which does) unless you need a
 * subclass of Task.
 *
 * An eager Task runs its coroutine's first step synchronously inside `createTask` when the loop is
 * running the calling code: a coroutine that returns or fails without suspending gives a Task that
 * is already done and was never scheduled, which saves a loop iteration per Task for work that is
 * often served from a cache. A coroutine that suspends goes on like any Task. Created from outside
 * the loop (before `run`, or from plain async code between two loop batches), a Task starts on the
 * next iteration as usual.
 *
 * @example
 * loop.setTaskFactory(asyncio.createEagerTaskFactory(TracingTask));
 * @throws {TypeError} when `customTaskConstructor` is not a constructor.
 * @see asyncio.create_eager_task_factory
 */
export function createEagerTaskFactory(customTaskConstructor: TaskConstructor): TaskFactory {
  if (typeof customTaskConstructor !== "function") {
    throw new TypeError(
      `createEagerTaskFactory() expects a Task class (Task or a subclass), got ${describe(customTaskConstructor)}`,
    );
  }
  // Every option createTask was given (name, signal, ...) goes on to the Task.
  return (loop, coro, options) => new customTaskConstructor(coro, { ...options, loop, eagerStart: true });
}

/**
 * A task factory whose Tasks start eagerly: `loop.setTaskFactory(asyncio.eagerTaskFactory)`.
 * `createTask`, `gather`, `ensureFuture` and everything else that makes Tasks on that loop then run
 * each new coroutine up to its first suspension before returning.
 *
 * @example
 * asyncio.getRunningLoop().setTaskFactory(asyncio.eagerTaskFactory);
 * const task = asyncio.createTask(cachedLookup(key)); // done already when the value was cached
 * @see asyncio.eager_task_factory
 */
export const eagerTaskFactory: TaskFactory = createEagerTaskFactory(Task);
