// The coroutine children of one gather, run without a Task each until something could see one.
//
// Design note. asyncio wraps every coroutine passed to gather() in a Task, and a Task is most of
// what a child costs: a million trivial children kept a million Tasks alive until their first step.
// Here, on a loop that would make plain Tasks (no task factory, no debug mode or tracing), gather
// keeps its coroutines in arrays and puts one entry per child in the ready queue, exactly where the
// Task's first step would have gone (the entry is one of two functions made per gather, with the
// child's index as argument: nothing is allocated per child). A child that returns or raises, or
// gives up an iteration with a bare `yield` (`sleep(0)`), needs no Task for it: its outcome is
// stored and its done notification queued as the Task's done callback would have been, or its next
// step queued as the Task would have queued it. Everything that could tell the difference makes the
// Task on the spot ("adopts" the child), from then on an ordinary Task: the child yields a Future
// (it must park on it), `currentTask()` is called during its step, `allTasks()` lists pending
// Tasks, the gather is cancelled, or a call graph asks for the gather's children. Adopted Tasks
// carry the names (`Task-N`) reserved for them when gather() ran, so numbering is asyncio's.

import type { Coroutine } from "./coroutines.ts";
import type { LazyGather, LoopInternals } from "./events.ts";
import { CancelledError } from "./exceptions.ts";
import { _newCancelledError, CANCELLED, FAILED, FINISHED, type Future } from "./futures.ts";
import type { GatheringFuture } from "./gather.ts";
import { _adoptTask, _reserveTaskNames, _settledTask, _stepRaised, _stepReturned, Task } from "./tasks.ts";

// A child's state: pending without a Task (0, not started, and the next two), with one, or one of
// the outcomes reached without a Task (the last three).
const RUNNING = 1;
const YIELDED = 2;
const ADOPTED = 3;
const RETURNED = 4;
const RAISED = 5;
const CANCELLED_ITSELF = 6;

/** @internal The coroutine children of one gather (see the design note above). */
export class GatherChildren implements LazyGather {
  /** @internal */ _loop: LoopInternals;
  /** @internal The k-th child's coroutine. */
  _coros: Coroutine<unknown>[];
  /** @internal The k-th child's return value or exception, once it finished without a Task. */
  _values: unknown[];
  /** @internal */ _count = 0;
  /** @internal Each child's state, 0 (not started) at first; made by `_start`, when the count is known. */
  _states: Uint8Array = new Uint8Array(0);
  /** @internal The Tasks made for children so far, by child index. */
  _tasks: (Task<unknown> | undefined)[] | null = null;
  /** @internal */ _outer: GatheringFuture<unknown[]> | null = null;
  /** @internal The gather's done callback, given to the Tasks made for children. */
  _onChildDone: (fut: Future<unknown>) => void;
  /** @internal How many children are pending without a Task. */
  _pending = 0;
  /** @internal The child running a step now, while `_loop._lazyRunning` is this. */
  _running = 0;
  /** @internal The ready-queue entry of child k's next step, and of its done notification. */
  _step: (k: number) => void;
  /** @internal */ _deliver: (k: number) => void;
  /** @internal The name number of child 0's Task; child k's is this plus k. */
  _nameBase = 0;

  constructor(loop: LoopInternals, capacity: number, onChildDone: (fut: Future<unknown>) => void) {
    this._loop = loop;
    this._coros = new Array(capacity);
    this._values = new Array(capacity);
    this._onChildDone = onChildDone;
    this._step = (k) => stepChild(this, k);
    this._deliver = (k) => deliver(this, k);
  }

  /** Take `coro` as the next child; return its index. */
  _add(coro: Coroutine<unknown>): number {
    this._coros[this._count] = coro;
    return this._count++;
  }

  /** Queue every child's first step, in order, and reserve their Task names. */
  _start(outer: GatheringFuture<unknown[]>): void {
    const count = this._count;
    const loop = this._loop;
    this._outer = outer;
    this._states = new Uint8Array(count);
    this._pending = count;
    this._nameBase = _reserveTaskNames(count);
    for (let k = 0; k < count; k++) loop._callSoon(this._step, k);
    if (loop._lazyGathers === null) loop._lazyGathers = new Set();
    loop._lazyGathers.add(this);
  }

  /**
   * gather() threw after taking some coroutines: they run as ordinary Tasks, as in asyncio, where
   * their Tasks existed already (their outcomes are marked retrieved: bpo-46672).
   */
  _startAsTasks(): void {
    for (let k = 0; k < this._count; k++) {
      const task = new Task(this._coros[k] as Coroutine<unknown>, { loop: this._loop });
      task._logDestroyPending = false;
      task._addCallback(this._onChildDone);
    }
  }

  /** Child k's Task, made now if it has none: pending, or a done view of a finished child. */
  _adopt(k: number): Task<unknown> {
    if (this._tasks === null) this._tasks = new Array(this._count);
    const made = this._tasks[k];
    if (made !== undefined) return made;
    const state = this._states[k] as number;
    const coro = this._coros[k] as Coroutine<unknown>;
    const name = this._nameBase + k;
    let task: Task<unknown>;
    if (state < ADOPTED) {
      task = _adoptTask(coro, this._loop, name);
      this._states[k] = ADOPTED;
      this._pending--;
      task._addCallback(this._onChildDone);
      // Asked for during one of its own steps: it is the current Task from now on.
      if (state === RUNNING) this._loop._currentTask = task;
    } else {
      const outcome = state === RETURNED ? FINISHED : state === RAISED ? FAILED : CANCELLED;
      task = _settledTask(coro, this._loop, name, outcome, this._values[k]);
    }
    this._tasks[k] = task;
    return task;
  }

  _adoptRunning(): Task<unknown> {
    return this._adopt(this._running);
  }

  _adoptPending(): void {
    const states = this._states;
    for (let k = 0; k < this._count; k++) if ((states[k] as number) < ADOPTED) this._adopt(k);
  }

  /** Cancel child k (through its Task, made for the purpose); false when it is done already. */
  _cancel(k: number, msg: string | undefined): boolean {
    if ((this._states[k] as number) >= RETURNED) return false;
    return this._adopt(k).cancel(msg);
  }

  /** Child k's outcome as gather returns it: its result, its exception, or a CancelledError. */
  _outcome(k: number): unknown {
    const state = this._states[k];
    if (state === ADOPTED) return _outcomeOf(this._adopt(k));
    // Cancelled by raising CancelledError itself: asyncio gives a fresh one without a message.
    if (state === CANCELLED_ITSELF) return _newCancelledError(this._loop, undefined);
    return this._values[k];
  }
}

/**
 * @internal A finished child's outcome as gather returns it: the result, the exception (marked
 * retrieved), or a new CancelledError carrying the cancel message.
 */
export function _outcomeOf(child: Future<unknown>): unknown {
  const state = child._state;
  if (state === CANCELLED) return _newCancelledError(child._loop, child._cancelMessage);
  if (state === FAILED) child._markRetrieved();
  return child._value;
}

/** Child k's next step, from the ready queue. */
function stepChild(children: GatherChildren, k: number): void {
  const loop = children._loop;
  const made = children._tasks === null ? undefined : children._tasks[k];
  // A Task made earlier takes its own step; so does every child once debug mode or tracing is on,
  // and the re-entrancy error of a step started inside another is the Task's to raise.
  if (made !== undefined || loop._instrument !== null || loop._currentTask !== null) {
    (made ?? children._adopt(k))._step(undefined, false);
  } else {
    stepWithoutTask(children, k, loop);
  }
  if (children._pending === 0) loop._lazyGathers?.delete(children);
}

function stepWithoutTask(children: GatherChildren, k: number, loop: LoopInternals): void {
  const states = children._states;
  states[k] = RUNNING;
  children._running = k;
  loop._lazyRunning = children;
  let step: IteratorResult<unknown, unknown> | undefined;
  let error: unknown;
  let raised = false;
  try {
    step = (children._coros[k] as Coroutine<unknown>).next(undefined);
  } catch (caught) {
    error = caught;
    raised = true;
  }
  loop._lazyRunning = null;
  if (states[k] === ADOPTED) {
    // Its Task was made during the step: the Task finishes the step.
    const task = (children._tasks as Task<unknown>[])[k] as Task<unknown>;
    loop._currentTask = null;
    if (raised) _stepRaised(task, error);
    else _stepReturned(task, loop, step as IteratorResult<unknown, unknown>);
    return;
  }
  if (raised) {
    states[k] = error instanceof CancelledError ? CANCELLED_ITSELF : RAISED;
    children._values[k] = error;
  } else if ((step as IteratorResult<unknown, unknown>).done) {
    states[k] = RETURNED;
    children._values[k] = (step as IteratorResult<unknown, unknown>).value;
  } else if ((step as IteratorResult<unknown, unknown>).value === undefined) {
    // A bare `yield` gives up one loop iteration, as a Task's would.
    states[k] = YIELDED;
    loop._callSoon(children._step, k);
    return;
  } else {
    // It waits on something: from here on it is an ordinary Task, parked on what it yielded.
    states[k] = YIELDED;
    _stepReturned(children._adopt(k), loop, step as IteratorResult<unknown, unknown>);
    return;
  }
  children._pending--;
  loop._callSoon(children._deliver, k);
}

/** The done notification of child k, which finished without a Task. */
function deliver(children: GatherChildren, k: number): void {
  const state = children._states[k];
  const outcome = state === RETURNED ? FINISHED : state === RAISED ? FAILED : CANCELLED;
  (children._outer as GatheringFuture<unknown[]>)._childDone(outcome, children._values[k], null);
}
