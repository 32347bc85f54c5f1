// Task: drives a coroutine step by step on the loop, the way asyncio's `Task.__step` does.
//
// Design note. A step resumes the generator with `next()` (or `throw(exc)` to deliver an
// exception or a cancellation) and looks at what it yields: a Future it must wait for (yielded by
// the Future's iterator, which marks it `_blocking`), `undefined` for a bare `yield` that gives up
// one iteration, or anything else, which is a bug in the coroutine reported back into it as a
// TypeError. A parked Task is registered on its Future as a waiter object, not a closure; the
// Future's wake-up calls `_wakeup()`, which reads the outcome of `_futWaiter` and steps again.
// Cancellation is a request: `cancel()` cancels the Future the Task waits on (which wakes it with
// a CancelledError) or, if it is not waiting, sets `_mustCancel` so the next step throws one in.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import {
  _getEventLoop,
  _getRunningLoop,
  _setDefaultTaskFactory,
  getRunningLoop,
  type EventLoop,
  type LoopInternals,
  type TaskOptions,
} from "./events.ts";
import { CancelledError, InvalidStateError, RuntimeError, ValueError } from "./exceptions.ts";
import { FAILED, FINISHED, Future, PENDING, wrap, type Waiter } from "./futures.ts";
import { describe } from "./internal/format.ts";
import { taskStepCallbacks } from "./internal/instrument.ts";
import { createdAt } from "./internal/source-traceback.ts";
import { _abortTaskSignal, _cancelOnAbort, _renewTaskSignal, _taskSignal } from "./signals.ts";

let taskCounter = 0;

/** The built-in addDoneCallback, to tell when a Future subclass overrides it. */
const futureAddDoneCallback = Future.prototype.addDoneCallback;

function stepTask(task: Task<unknown>): void {
  task._step(undefined, false);
}

function stepTaskThrowing(pair: [Task<unknown>, unknown]): void {
  pair[0]._step(pair[1], true);
}
taskStepCallbacks.add(stepTask);
taskStepCallbacks.add(stepTaskThrowing);

/** Options for `new Task(...)`. */
export interface TaskConstructorOptions extends TaskOptions {
  /** The loop to run on; the running loop when omitted. */
  loop?: EventLoop;
  /**
   * Run the coroutine's first step at once, inside the constructor, when `loop` is the loop running
   * this code; otherwise the Task starts on the next iteration as usual. A coroutine that finishes
   * in that first step gives a Task that is already done and was never scheduled (Python 3.12's
   * `eager_start`). `eagerTaskFactory` sets it for every Task of a loop.
   */
  eagerStart?: boolean;
}

/**
 * A coroutine scheduled to run on the loop, and the Future of its result. Make one with
 * `createTask(coro())`; it starts on the next loop iteration.
 *
 * @example
 * const task = asyncio.createTask(work(), { name: "worker" });
 * yield* asyncio.sleep(1);
 * task.cancel();
 * @see asyncio.Task
 */
export class Task<T = unknown> extends Future<T> implements Waiter {
  /** @internal */ _coro: Coroutine<T>;
  /** @internal The name, or the number of an automatic `Task-N` name, formatted only when asked for. */
  _name: string | number;
  /** @internal */ _mustCancel = false;
  /** @internal */ _futWaiter: Future<unknown> | null = null;
  /** @internal */ _numCancelsRequested = 0;
  /** @internal Report the Task if it is garbage-collected while pending (debug mode). */
  _logDestroyPending = true;
  /** @internal Links of the loop's list of pending Tasks. */
  _prevTask: Task<unknown> | null = null;
  /** @internal */ _nextTask: Task<unknown> | null = null;

  /**
   * Wrap `coro` in a Task and schedule its first step. Prefer `createTask(coro)`.
   *
   * @throws {TypeError} when `coro` is not a coroutine (did you pass the function instead of calling it?).
   */
  constructor(coro: Coroutine<T>, options: TaskConstructorOptions = {}) {
    super(options.loop);
    if (!isCoroutine(coro)) {
      this._logDestroyPending = false;
      const hint = typeof coro === "function" ? `; call it: ${describe(coro)}() returns the coroutine` : "";
      throw new TypeError(`a coroutine was expected, got ${describe(coro)}${hint}`);
    }
    this._coro = coro;
    this._name = options.name === undefined ? ++taskCounter : String(options.name);
    const loop = this._loop;
    const eager = options.eagerStart === true && _getRunningLoop() === loop;
    // Schedule before registering, as asyncio does: a Task whose step could not be scheduled must
    // not stay in allTasks() forever.
    if (!eager) loop._callSoon(stepTask, this as Task<unknown>);
    // Debug mode keeps the Task weakly instead (debug.ts), so that a pending Task nobody
    // references can be collected and reported.
    const instrument = loop._instrument;
    if (instrument === null || !instrument.taskCreated(this as Task<unknown>)) {
      const head = loop._tasks;
      if (head !== null) {
        this._nextTask = head;
        head._prevTask = this;
      }
      loop._tasks = this as Task<unknown>;
    }
    if (eager) this.#eagerStart(loop);
    if (options.signal !== undefined) _cancelOnAbort(this as Task<unknown>, options.signal);
  }

  /**
   * An AbortSignal that is aborted, with a CancelledError as its reason, as soon as cancellation of
   * this Task is requested: hand it to `fetch` and Node's APIs so that they stop when the Task is
   * cancelled. It is made on first read (a Task whose signal nobody reads pays nothing), and is
   * already aborted when read during a cancellation. It is not aborted when the Task just ends.
   * When every cancellation request is withdrawn with `uncancel()` (a `timeout()` that expired, a
   * TaskGroup that handled a failure), the next read returns a fresh signal.
   *
   * @example
   * const response = yield* asyncio.wrap(fetch(url, { signal: asyncio.currentTask()!.signal }));
   */
  get signal(): AbortSignal {
    return _taskSignal(this as Task<unknown>);
  }

  /** The coroutine the Task runs. */
  getCoro(): Coroutine<T> {
    return this._coro;
  }

  getName(): string {
    return typeof this._name === "number" ? `Task-${this._name}` : this._name;
  }

  setName(name: unknown): void {
    this._name = String(name);
  }

  /**
   * Request cancellation: a CancelledError is thrown into the coroutine where it is suspended
   * (its `finally` blocks run, and it may catch the error). Return false when the Task is done.
   *
   * @see asyncio.Task.cancel
   */
  override cancel(msg?: string): boolean {
    this._markRetrieved();
    if (this._state !== PENDING) return false;
    this._numCancelsRequested++;
    const instrument = this._loop._instrument;
    if (instrument !== null) instrument.cancelRequested(this as Task<unknown>, msg);
    _abortTaskSignal(this as Task<unknown>, msg);
    const waiter = this._futWaiter;
    // Leave _futWaiter set: it may be a Task that suppresses the cancellation and is cancelled again.
    if (waiter !== null && waiter.cancel(msg)) return true;
    // The Task's next step is already scheduled; it will throw the CancelledError in.
    this._mustCancel = true;
    this._cancelMessage = msg;
    return true;
  }

  /** How many cancellation requests are outstanding (made and not yet `uncancel()`ed). */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /**
   * Withdraw one cancellation request; return how many remain. Structured-concurrency code (a
   * TaskGroup, a timeout) calls this when it turns its own cancellation into something else.
   */
  uncancel(): number {
    if (this._numCancelsRequested > 0) {
      this._numCancelsRequested--;
      if (this._numCancelsRequested === 0) {
        this._mustCancel = false;
        _renewTaskSignal(this as Task<unknown>);
      }
    }
    return this._numCancelsRequested;
  }

  /** @throws {RuntimeError} always: a Task's result comes from its coroutine. */
  override setResult(_value: T): never {
    throw new RuntimeError("Task does not support setResult(): return from the coroutine instead");
  }

  /** @throws {RuntimeError} always: a Task's exception comes from its coroutine. */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support setException(): throw from the coroutine instead");
  }

  /** Describe the Task as asyncio does: `<Task pending name='Task-1' wait_for=<Future pending>>`. */
  override toString(): string {
    // The state word, then the name, then the result or exception (asyncio's _task_repr_info).
    const info = this._stateInfo();
    const space = info.indexOf(" ");
    let state = space < 0 ? info : info.slice(0, space);
    const outcome = space < 0 ? "" : info.slice(space);
    const pending = this._state === PENDING;
    // A pending Task with outstanding cancellation requests shows as "cancelling".
    if (pending && this._numCancelsRequested > 0) state = "cancelling";
    const waiting = this._futWaiter !== null && pending ? ` wait_for=${this._futWaiter}` : "";
    return `<Task ${state} name='${this.getName()}'${waiting}${outcome}${this._callbacksInfo()}${createdAt(this)}>`;
  }

  // ---- the step ---------------------------------------------------------------------------------

  /** @internal Run the coroutine to its next suspension point. */
  _step(exc: unknown, hasExc: boolean): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`_step(): already done: ${this}`);
    }
    if (this._mustCancel) {
      if (!(exc instanceof CancelledError)) {
        exc = this._makeCancelledError();
        hasExc = true;
      }
      this._mustCancel = false;
    }
    this._futWaiter = null;
    const loop = this._loop;
    const current = loop._currentTask;
    if (current !== null) {
      throw new RuntimeError(`Cannot enter into task ${this} while another task ${current} is being executed.`);
    }
    loop._currentTask = this as Task<unknown>;
    // Debug mode and tracing watch steps; the field is null otherwise.
    const instrument = loop._instrument;
    if (instrument !== null) instrument.stepStarted(this as Task<unknown>);
    try {
      this.#runStep(loop, exc, hasExc);
    } finally {
      loop._currentTask = null;
      if (instrument !== null) instrument.stepEnded(this as Task<unknown>);
    }
  }

  /**
   * Run the first step now, as asyncio's `Task.__eager_start`: the new Task stands in as the current
   * Task (the creating Task, if any, is put back afterwards), and a coroutine that completes here
   * leaves the Task done and unlinked without ever being scheduled.
   */
  #eagerStart(loop: LoopInternals): void {
    const previous = loop._currentTask;
    loop._currentTask = this as Task<unknown>;
    const instrument = loop._instrument;
    if (instrument !== null) instrument.stepStarted(this as Task<unknown>);
    try {
      this.#runStep(loop, undefined, false);
    } finally {
      loop._currentTask = previous;
      if (instrument !== null) instrument.stepEnded(this as Task<unknown>);
    }
  }

  #runStep(loop: LoopInternals, exc: unknown, hasExc: boolean): void {
    let step: IteratorResult<unknown, T>;
    try {
      step = hasExc ? this._coro.throw(exc) : this._coro.next(undefined);
    } catch (error) {
      this.#unlink();
      if (error instanceof CancelledError) {
        // Keep the coroutine's own error so that awaiting the Task re-raises it, message included.
        this._cancelledExc = error;
        this._cancelNow();
      } else {
        this._reject(error);
      }
      return;
    }
    if (step.done) {
      this.#unlink();
      if (this._mustCancel) {
        // Cancelled right before the coroutine returned.
        this._mustCancel = false;
        this._cancelNow(this._cancelMessage);
      } else {
        this._resolve(step.value);
      }
      return;
    }
    const yielded = step.value;
    if (yielded === undefined) {
      // A bare `yield` gives up one loop iteration.
      loop._callSoon(stepTask, this as Task<unknown>);
    } else if (yielded instanceof Future) {
      if (yielded._loop !== loop) {
        this.#throwLater(new RuntimeError(`Task ${this} got Future ${yielded} attached to a different loop`));
      } else if (!yielded._blocking) {
        this.#throwLater(
          new TypeError(
            `a coroutine yielded the Future ${yielded} with a bare 'yield': write 'yield* future' to await it`,
          ),
        );
      } else if (yielded === this) {
        this.#throwLater(new RuntimeError(`Task cannot await on itself: ${this}`));
      } else {
        yielded._blocking = false;
        // A Future subclass that overrides addDoneCallback is registered with through it, as asyncio
        // does; the built-in Futures take the Task itself as their waiter, with no closure.
        if (yielded.addDoneCallback === futureAddDoneCallback) yielded._addCallback(this);
        else yielded.addDoneCallback(() => this._wakeup());
        this._futWaiter = yielded;
        if (this._mustCancel && yielded.cancel(this._cancelMessage)) this._mustCancel = false;
      }
    } else {
      const hint =
        typeof (yielded as { next?: unknown }).next === "function"
          ? "it yielded a coroutine: write 'yield* coro()' to await a coroutine"
          : typeof (yielded as { then?: unknown }).then === "function"
            ? "it yielded a promise: write 'yield* asyncio.wrap(promise)' to await a promise"
            : "a coroutine may only yield Futures, through 'yield* future'";
      this.#throwLater(new TypeError(`Task got bad yield: ${describe(yielded)}; ${hint}`));
    }
  }

  /** @internal Called (through the loop) when the Future this Task waits on is done. */
  _wakeup(): void {
    const future = this._futWaiter as Future<unknown>;
    const state = future._state;
    if (state === FINISHED) {
      this._step(undefined, false);
    } else if (state === FAILED) {
      future._markRetrieved();
      this._step(future._exception, true);
    } else {
      this._step(future._makeCancelledError(), true);
    }
  }

  #throwLater(error: unknown): void {
    this._loop._callSoon(stepTaskThrowing, [this as Task<unknown>, error]);
  }

  #unlink(): void {
    const loop = this._loop;
    const prev = this._prevTask;
    const next = this._nextTask;
    if (prev !== null) prev._nextTask = next;
    else if (loop._tasks === (this as Task<unknown>)) loop._tasks = next;
    if (next !== null) next._prevTask = prev;
    this._prevTask = null;
    this._nextTask = null;
    const instrument = loop._instrument;
    if (instrument !== null) instrument.taskDone(this as Task<unknown>);
  }
}

_setDefaultTaskFactory((loop, coro, options) => new Task(coro, { loop, name: options.name, signal: options.signal }));

/**
 * Wrap `coro` in a Task on the running loop; it starts on the next loop iteration.
 *
 * @example
 * const task = asyncio.createTask(fetchUser(1), { name: "user-1" });
 * const user = yield* task;
 * @throws {TypeError} when `coro` is not a coroutine.
 * @see asyncio.create_task
 */
export function createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T> {
  return _getEventLoop().createTask(coro, options);
}

/**
 * Return the Task running now on `loop` (the running loop by default), or null outside any Task.
 *
 * @see asyncio.current_task
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  return ((loop ?? getRunningLoop()) as LoopInternals)._currentTask;
}

/**
 * Return the Tasks of `loop` (the running loop by default) that are not done yet.
 *
 * @see asyncio.all_tasks
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  const tasks = new Set<Task<unknown>>();
  const internals = (loop ?? getRunningLoop()) as LoopInternals;
  for (let t = internals._tasks; t !== null; t = t._nextTask) {
    if (!t.done()) tasks.add(t);
  }
  // Tasks made in debug mode are kept by the debug instrument instead.
  if (internals._instrument !== null) for (const t of internals._instrument.ownTasks()) tasks.add(t);
  return tasks;
}

/** Anything `ensureFuture`, `gather` and friends accept: a coroutine, a Future or Task, or a promise. */
export type Awaitable<T = unknown> = Coroutine<T> | Future<T> | PromiseLike<T>;

/**
 * Return `value` as a Future: a Future as is, a coroutine wrapped in a Task, a promise wrapped
 * with `wrap()`.
 *
 * @throws {TypeError} when `value` is none of those.
 * @throws {ValueError} when a Future from another loop is passed with `loop`.
 * @see asyncio.ensure_future
 */
export function ensureFuture<T>(value: Awaitable<T>, loop?: EventLoop): Future<T> {
  if (value instanceof Future) {
    if (loop !== undefined && value._loop !== loop) {
      throw new ValueError("The future belongs to a different loop than the one specified as the loop argument");
    }
    return value;
  }
  if (isCoroutine(value)) return (loop ?? _getEventLoop()).createTask(value);
  if (value !== null && typeof (value as { then?: unknown }).then === "function") {
    return wrap(value as PromiseLike<T>, loop);
  }
  throw new TypeError(
    `An asyncio Future, a coroutine or a promise is required, got ${describe(value)}${
      typeof value === "function" ? "; call the function to get its coroutine" : ""
    }`,
  );
}
