// TaskGroup: tasks that live and die together inside one `using` block (asyncio.TaskGroup).
//
// Design note. The group cancels its *parent* task (the one running the `using` block) when a
// child fails, so that whatever the body awaits is interrupted; `aexit` then waits for every
// child and withdraws that cancellation with `uncancel()`. The count of cancellation requests is
// what tells "the group cancelled its parent" from "someone outside cancelled it": only when no
// request is left after ours is withdrawn is the CancelledError swallowed in favour of the
// ExceptionGroup. That bookkeeping is what lets a `timeout()` around a TaskGroup (or a TaskGroup
// inside a cancelled task) see the cancellation it asked for.

import type { Coroutine } from "./coroutines.ts";
import { getRunningLoop, type EventLoop, type TaskOptions } from "./events.ts";
import { BaseExceptionGroup, CancelledError, RuntimeError } from "./exceptions.ts";
import { FAILED, type Future } from "./futures.ts";
import { currentTask, type Task } from "./tasks.ts";
import type { AsyncContextManager } from "./using.ts";

/** Each entered group by its done callback, so a call graph can find a task's group (graph.ts). */
const groupOfCallback = new WeakMap<object, TaskGroup>();
let parentTaskOf: (group: TaskGroup) => Task<unknown> | null;
let tasksOf: (group: TaskGroup) => Task<unknown>[];

/**
 * A group of tasks that finish together: enter it with `using`, start tasks with
 * `tg.createTask()`, and the block ends only when every task has ended. The first task that fails
 * cancels the others and the body; every error is then raised together as an `ExceptionGroup`
 * (cancellations are not errors and are left out). If the task running the block is cancelled
 * from outside, the children are cancelled too and the CancelledError propagates once they have
 * all finished.
 *
 * @example
 * yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
 *   const a = tg.createTask(fetchUser(1));
 *   const b = tg.createTask(fetchUser(2), { name: "user-2" });
 * });
 * // both tasks are done here; if one failed, an ExceptionGroup was thrown instead
 * @see asyncio.TaskGroup
 */
export class TaskGroup implements AsyncContextManager<TaskGroup, false> {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: EventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #tasks = new Set<Task<unknown>>();
  #errors: unknown[] = [];
  #onCompletedFut: Future<boolean> | null = null;

  static {
    parentTaskOf = (group) => group.#parentTask;
    tasksOf = (group) => [...group.#tasks];
  }

  /**
   * Enter the group from the task that will own it.
   *
   * @throws {RuntimeError} when the group was entered before, or when no task is running.
   */
  *aenter(): Coroutine<this> {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this} has already been entered: make a new TaskGroup`);
    if (this.#loop === null) this.#loop = getRunningLoop();
    this.#parentTask = currentTask(this.#loop);
    if (this.#parentTask === null) {
      throw new RuntimeError(
        `TaskGroup ${this} cannot determine the parent task: use it inside a coroutine run by a Task`,
      );
    }
    this.#entered = true;
    groupOfCallback.set(this.#onTaskDone, this);
    return this;
  }

  /**
   * Wait for every task of the group, then raise what went wrong: the ExceptionGroup of the
   * errors, or the CancelledError of an outside cancellation. Never suppresses the body's error.
   *
   * @throws {ExceptionGroup} (or a BaseExceptionGroup) holding the errors of the tasks and of the body.
   * @throws {CancelledError} when the task running the block was cancelled from outside.
   */
  *aexit(error?: unknown): Coroutine<false> {
    this.#exiting = true;
    const loop = this.#loop as EventLoop;
    const parent = this.#parentTask as Task<unknown>;
    let propagateCancellation: CancelledError | null = error instanceof CancelledError ? error : null;
    // The body failed, or the parent task is being cancelled while the body awaits something.
    if (error !== undefined && !this.#aborting) this.#abort();

    // A loop, because the parent may be cancelled again while it waits here (and each time its
    // wait on #onCompletedFut is cancelled with it).
    while (this.#tasks.size > 0) {
      if (this.#onCompletedFut === null) this.#onCompletedFut = loop.createFuture<boolean>();
      try {
        yield* this.#onCompletedFut;
      } catch (thrown) {
        if (!(thrown instanceof CancelledError)) throw thrown;
        if (!this.#aborting) {
          // The parent was cancelled from outside while the body had ended: cancel the children.
          propagateCancellation = thrown;
          this.#abort();
        }
      }
      this.#onCompletedFut = null;
    }

    if (this.#parentCancelRequested && parent.uncancel() === 0) {
      // Our own cancellation of the parent is withdrawn and nobody else asked for one.
      propagateCancellation = null;
    }
    // Errors take priority over a cancellation.
    if (propagateCancellation !== null && this.#errors.length === 0) throw propagateCancellation;
    if (error !== undefined && !(error instanceof CancelledError)) this.#errors.push(error);
    if (this.#errors.length > 0) {
      // A cancellation from outside must survive the group: re-request it so its count stays put
      // and the parent is interrupted at its next await.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      const errors = this.#errors;
      this.#errors = [];
      throw new BaseExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
    return false;
  }

  /**
   * Start `coro` as a task of the group; it runs until it ends or the group cancels it.
   *
   * @example
   * const task = tg.createTask(download(url), { name: url });
   * @throws {RuntimeError} when the group has not been entered, has finished, or is shutting
   * down after a failure (the coroutine is closed without running).
   * @see asyncio.TaskGroup.create_task
   */
  createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T> {
    if (!this.#entered) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} has not been entered: start tasks inside using(taskGroup, ...)`);
    }
    if (this.#exiting && this.#tasks.size === 0) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} is finished: start tasks inside its using() block`);
    }
    if (this.#aborting) {
      closeCoroutine(coro);
      throw new RuntimeError(`TaskGroup ${this} is shutting down after an error or a cancellation`);
    }
    const task = (this.#loop as EventLoop).createTask(coro, options);
    // An eager task may already be done; then no callback is needed.
    if (task.done()) {
      this.#onTaskDone(task);
    } else {
      this.#tasks.add(task as Task<unknown>);
      task.addDoneCallback(this.#onTaskDone);
    }
    return task;
  }

  /** Describe the group as asyncio's repr does: `<TaskGroup tasks=2 errors=1 cancelling>`. */
  toString(): string {
    let info = "";
    if (this.#tasks.size > 0) info += ` tasks=${this.#tasks.size}`;
    if (this.#errors.length > 0) info += ` errors=${this.#errors.length}`;
    if (this.#aborting) info += " cancelling";
    else if (this.#entered) info += " entered";
    return `<TaskGroup${info}>`;
  }

  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) if (!task.done()) task.cancel();
  }

  #onTaskDone = (task: Future<unknown>): void => {
    this.#tasks.delete(task as Task<unknown>);
    const waiter = this.#onCompletedFut;
    if (waiter !== null && this.#tasks.size === 0 && !waiter.done()) waiter.setResult(true);
    // Read the state rather than test exception() for null: JavaScript may throw null.
    if (task._state !== FAILED) return;
    const exception = task.exception();
    this.#errors.push(exception);
    const parent = this.#parentTask as Task<unknown>;
    if (parent.done()) {
      (this.#loop as EventLoop).callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception,
        task: task as Task<unknown>,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Interrupt whatever the body awaits now; aexit withdraws this cancellation with uncancel().
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };
}

/**
 * @internal The TaskGroup `task` belongs to and the task that runs the group's block, found among
 * the task's done callbacks; null for a task outside any group (or whose group is done with it).
 */
export function _taskGroupOf(task: Future<unknown>): { group: TaskGroup; parent: Task<unknown> | null } | null {
  const callbacks = task._callbacks();
  for (const callback of callbacks) {
    const group = callback === null || callback === undefined ? undefined : groupOfCallback.get(callback as object);
    if (group !== undefined) return { group, parent: parentTaskOf(group) };
  }
  return null;
}

/** @internal The group's tasks that are not done, in the order they were created. */
export function _taskGroupTasks(group: TaskGroup): Task<unknown>[] {
  return tasksOf(group);
}

function closeCoroutine(coro: Coroutine<unknown>): void {
  if (coro !== null && typeof coro === "object" && typeof coro.return === "function") coro.return(undefined);
}
