// Instruments: what debug mode and tracing hook into, behind one field of the loop.
//
// Design note. The loop's `_instrument` field is `null` unless debug mode or tracing is on, and
// each hook site in the kernel (Future and Task construction, a Task step, a Task's end, a
// cancellation request) is one null check of it. Instruments never change what the program does;
// they only watch, except that debug mode keeps the Tasks it is told about weakly, so that a
// pending Task nobody references can be collected and reported (`taskCreated` returns true).

import type { Future } from "../futures.ts";
import type { Task } from "../tasks.ts";

/** What the kernel tells an instrument. Every method runs on the loop, synchronously. */
export interface Instrument {
  /** A Future (a Task included) was constructed on the loop. */
  futureCreated(future: Future<unknown>): void;
  /**
   * A Task was constructed (after `futureCreated`, before its first step). Return true when the
   * instrument keeps the Task in its own list of pending Tasks instead of the loop's.
   */
  taskCreated(task: Task<unknown>): boolean;
  /** A step of `task` is about to resume its coroutine. */
  stepStarted(task: Task<unknown>): void;
  /** A step of `task` has ended: the Task is suspended (see `_futWaiter`) or done. */
  stepEnded(task: Task<unknown>): void;
  /** `task` is done; runs inside its last step, before `stepEnded`. */
  taskDone(task: Task<unknown>): void;
  /** Someone requested the cancellation of the pending `task`. */
  cancelRequested(task: Task<unknown>, msg: string | undefined): void;
  /** The pending Tasks this instrument keeps instead of the loop's list. */
  ownTasks(): Iterable<Task<unknown>>;
  /** The instrument is removed from its loop. */
  detached(): void;
}

/** Several instruments on one loop (debug mode and tracing), called in the order they were added. */
export class Instruments implements Instrument {
  readonly #all: readonly Instrument[];

  constructor(all: readonly Instrument[]) {
    this.#all = all;
  }

  futureCreated(future: Future<unknown>): void {
    for (const one of this.#all) one.futureCreated(future);
  }

  taskCreated(task: Task<unknown>): boolean {
    let kept = false;
    for (const one of this.#all) if (one.taskCreated(task)) kept = true;
    return kept;
  }

  stepStarted(task: Task<unknown>): void {
    for (const one of this.#all) one.stepStarted(task);
  }

  stepEnded(task: Task<unknown>): void {
    for (const one of this.#all) one.stepEnded(task);
  }

  taskDone(task: Task<unknown>): void {
    for (const one of this.#all) one.taskDone(task);
  }

  cancelRequested(task: Task<unknown>, msg: string | undefined): void {
    for (const one of this.#all) one.cancelRequested(task, msg);
  }

  *ownTasks(): Iterable<Task<unknown>> {
    for (const one of this.#all) yield* one.ownTasks();
  }

  detached(): void {
    for (const one of this.#all) one.detached();
  }
}

/** The instrument to install for `list`: null for none, the one itself, or a combination. */
export function combineInstruments(list: readonly Instrument[]): Instrument | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0] as Instrument;
  return new Instruments(list);
}

/**
 * The ready-queue callbacks that run a Task's step (tasks.ts and futures.ts register theirs), so
 * that a slow-callback report names the Task rather than an anonymous internal function.
 */
export const taskStepCallbacks = new WeakSet<object>();
