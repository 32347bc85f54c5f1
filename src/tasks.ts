// Task: drives a coroutine step by step on the loop, the way asyncio's `Task.__step` does.
//
// Design note. A step resumes the generator with `next()` (or `throw(exc)` to deliver an
// exception or a cancellation) and looks at what it yields: a Future it must wait for (yielded by
// the Future's iterator, which sets its FLAG_BLOCKING bit), `undefined` for a bare `yield` that
// gives up one iteration, or anything else, which is a bug in the coroutine reported back into it
// as a TypeError. A parked Task is registered on its Future as a waiter object, not a closure; the
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
import {
  CANCEL_REQUEST,
  CANCELLED,
  FAILED,
  FINISHED,
  FLAG_BLOCKING,
  FLAG_LOG_DESTROY_PENDING,
  FLAG_MUST_CANCEL,
  Future,
  PENDING,
  wrap,
  type Waiter,
} from "./futures.ts";
import { describe } from "./internal/format.ts";
import { taskStepCallbacks } from "./internal/instrument.ts";
import { createdAt } from "./internal/source-traceback.ts";
import { _abortTaskSignal, _cancelOnAbort, _renewTaskSignal, _taskSignal } from "./signals.ts";

let taskCounter = 0;

/** The name number of the Task `_adoptTask` is making (0: none), which also means "do not schedule it". */
let adoptedName = 0;

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
  /** @internal */ _futWaiter: Future<unknown> | null = null;
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
      const hint = typeof coro === "function" ? `; call it: ${describe(coro)}() returns the coroutine` : "";
      throw new TypeError(`a coroutine was expected, got ${describe(coro)}${hint}`);
    }
    this._coro = coro;
    const loop = this._loop;
    const adopted = adoptedName;
    const eager = adopted === 0 && options.eagerStart === true && _getRunningLoop() === loop;
    if (adopted !== 0) {
      // A gather's child (gather-children.ts): its first step is in the ready queue already.
      adoptedName = 0;
      this._name = adopted;
    } else {
      this._flags = FLAG_LOG_DESTROY_PENDING;
      this._name = options.name === undefined ? ++taskCounter : String(options.name);
      // Schedule before registering, as asyncio does: a Task whose step could not be scheduled must
      // not stay in allTasks() forever.
      if (!eager) loop._callSoon(stepTask, this as Task<unknown>);
    }
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
    if (eager) eagerStart(this as Task<unknown>, loop);
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
    this._flags += CANCEL_REQUEST;
    const instrument = this._loop._instrument;
    if (instrument !== null) instrument.cancelRequested(this as Task<unknown>, msg);
    _abortTaskSignal(this as Task<unknown>, msg);
    const waiter = this._futWaiter;
    // Leave _futWaiter set: it may be a Task that suppresses the cancellation and is cancelled again.
    if (waiter !== null && waiter.cancel(msg)) return true;
    // The Task's next step is already scheduled; it will throw the CancelledError in.
    this._flags |= FLAG_MUST_CANCEL;
    this._value = msg;
    return true;
  }

  /** How many cancellation requests are outstanding (made and not yet `uncancel()`ed). */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /** @internal The count `cancelling()` returns, kept in the upper bits of `_flags`. */
  get _numCancelsRequested(): number {
    return Math.floor(this._flags / CANCEL_REQUEST);
  }

  /** @internal Whether the next step throws a CancelledError in (asyncio's `_must_cancel`). */
  get _mustCancel(): boolean {
    return (this._flags & FLAG_MUST_CANCEL) !== 0;
  }

  set _mustCancel(value: boolean) {
    if (value) this._flags |= FLAG_MUST_CANCEL;
    else this._flags &= ~FLAG_MUST_CANCEL;
  }

  /** @internal Report the Task if it is garbage-collected while pending (debug mode). */
  get _logDestroyPending(): boolean {
    return (this._flags & FLAG_LOG_DESTROY_PENDING) !== 0;
  }

  set _logDestroyPending(value: boolean) {
    if (value) this._flags |= FLAG_LOG_DESTROY_PENDING;
    else this._flags &= ~FLAG_LOG_DESTROY_PENDING;
  }

  /**
   * Withdraw one cancellation request; return how many remain. Structured-concurrency code (a
   * TaskGroup, a timeout) calls this when it turns its own cancellation into something else.
   */
  uncancel(): number {
    if (this._flags >= CANCEL_REQUEST) {
      this._flags -= CANCEL_REQUEST;
      if (this._flags < CANCEL_REQUEST) {
        this._flags &= ~FLAG_MUST_CANCEL;
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
    if (pending && this._flags >= CANCEL_REQUEST) state = "cancelling";
    const waiting = this._futWaiter !== null && pending ? ` wait_for=${this._futWaiter}` : "";
    return `<Task ${state} name='${this.getName()}'${waiting}${outcome}${this._callbacksInfo()}${createdAt(this)}>`;
  }

  // ---- the step ---------------------------------------------------------------------------------

  /** @internal Run the coroutine to its next suspension point. */
  _step(exc: unknown, hasExc: boolean): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`_step(): already done: ${this}`);
    }
    if ((this._flags & FLAG_MUST_CANCEL) !== 0) {
      if (!(exc instanceof CancelledError)) {
        exc = this._makeCancelledError();
        hasExc = true;
      }
      this._flags &= ~FLAG_MUST_CANCEL;
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
      runStep(this as Task<unknown>, loop, exc, hasExc);
    } finally {
      loop._currentTask = null;
      if (instrument !== null) instrument.stepEnded(this as Task<unknown>);
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
      this._step(future._value, true);
    } else {
      this._step(future._makeCancelledError(), true);
    }
  }
}

// The step's helpers are functions, not private methods: a class with private methods gives every
// instance a hidden brand field, and a Task's size is paid by each of a million pending Tasks.

/**
 * Run the first step now, as asyncio's `Task.__eager_start`: the new Task stands in as the current
 * Task (the creating Task, if any, is put back afterwards), and a coroutine that completes here
 * leaves the Task done and unlinked without ever being scheduled.
 */
function eagerStart(task: Task<unknown>, loop: LoopInternals): void {
  const previous = loop._currentTask;
  loop._currentTask = task;
  const instrument = loop._instrument;
  if (instrument !== null) instrument.stepStarted(task);
  try {
    runStep(task, loop, undefined, false);
  } finally {
    loop._currentTask = previous;
    if (instrument !== null) instrument.stepEnded(task);
  }
}

function runStep(task: Task<unknown>, loop: LoopInternals, exc: unknown, hasExc: boolean): void {
  let step: IteratorResult<unknown, unknown>;
  try {
    step = hasExc ? task._coro.throw(exc) : task._coro.next(undefined);
  } catch (error) {
    _stepRaised(task, error);
    return;
  }
  _stepReturned(task, loop, step);
}

/** @internal Finish a step whose coroutine raised `error`. */
export function _stepRaised(task: Task<unknown>, error: unknown): void {
  unlink(task);
  if (error instanceof CancelledError) {
    // Keep the coroutine's own error so that awaiting the Task re-raises it, message included.
    task._cancelNow();
    task._saveCancelledError(error, false);
  } else {
    task._reject(error);
  }
}

/** @internal Finish a step whose coroutine returned or yielded: settle the Task or park it. */
export function _stepReturned(task: Task<unknown>, loop: LoopInternals, step: IteratorResult<unknown, unknown>): void {
  if (step.done) {
    unlink(task);
    if ((task._flags & FLAG_MUST_CANCEL) !== 0) {
      // Cancelled right before the coroutine returned.
      task._flags &= ~FLAG_MUST_CANCEL;
      task._cancelNow(task._value as string | undefined);
    } else {
      task._resolve(step.value);
    }
    return;
  }
  const yielded = step.value;
  if (yielded === undefined) {
    // A bare `yield` gives up one loop iteration.
    loop._callSoon(stepTask, task);
  } else if (yielded instanceof Future) {
    if (yielded._loop !== loop) {
      throwLater(task, new RuntimeError(`Task ${task} got Future ${yielded} attached to a different loop`));
    } else if ((yielded._flags & FLAG_BLOCKING) === 0) {
      throwLater(
        task,
        new TypeError(
          `a coroutine yielded the Future ${yielded} with a bare 'yield': write 'yield* future' to await it`,
        ),
      );
    } else if (yielded === task) {
      throwLater(task, new RuntimeError(`Task cannot await on itself: ${task}`));
    } else {
      yielded._flags &= ~FLAG_BLOCKING;
      // A Future subclass that overrides addDoneCallback is registered with through it, as asyncio
      // does; the built-in Futures take the Task itself as their waiter, with no closure.
      if (yielded.addDoneCallback === futureAddDoneCallback) yielded._addCallback(task);
      else yielded.addDoneCallback(() => task._wakeup());
      task._futWaiter = yielded;
      if ((task._flags & FLAG_MUST_CANCEL) !== 0 && yielded.cancel(task._value as string | undefined)) {
        task._flags &= ~FLAG_MUST_CANCEL;
      }
    }
  } else {
    const hint =
      typeof (yielded as { next?: unknown }).next === "function"
        ? "it yielded a coroutine: write 'yield* coro()' to await a coroutine"
        : typeof (yielded as { then?: unknown }).then === "function"
          ? "it yielded a promise: write 'yield* asyncio.wrap(promise)' to await a promise"
          : "a coroutine may only yield Futures, through 'yield* future'";
    throwLater(task, new TypeError(`Task got bad yield: ${describe(yielded)}; ${hint}`));
  }
}

function throwLater(task: Task<unknown>, error: unknown): void {
  task._loop._callSoon(stepTaskThrowing, [task, error]);
}

function unlink(task: Task<unknown>): void {
  const loop = task._loop;
  const prev = task._prevTask;
  const next = task._nextTask;
  if (prev !== null) prev._nextTask = next;
  else if (loop._tasks === task) loop._tasks = next;
  if (next !== null) next._prevTask = prev;
  task._prevTask = null;
  task._nextTask = null;
  const instrument = loop._instrument;
  if (instrument !== null) instrument.taskDone(task);
}

/**
 * @internal Make the Task of a gather's child that ran without one so far (gather-children.ts): named
 * `Task-<name>` from the numbers the gather reserved, registered as pending, not scheduled (its
 * first step is in the ready queue already), and not reported if collected while pending.
 */
export function _adoptTask(coro: Coroutine<unknown>, loop: LoopInternals, name: number): Task<unknown> {
  adoptedName = name;
  try {
    return new Task(coro, { loop });
  } finally {
    adoptedName = 0;
  }
}

/**
 * @internal A done Task for a gather's child that finished without one (gather-children.ts), made
 * when a call graph asks for the gather's children: `state` and `value` are its outcome.
 */
export function _settledTask(
  coro: Coroutine<unknown>,
  loop: LoopInternals,
  name: number,
  state: number,
  value: unknown,
): Task<unknown> {
  const task = _adoptTask(coro, loop, name);
  unlink(task);
  task._state = state;
  if (state === CANCELLED) task._saveCancelledError(value as CancelledError, false);
  else task._value = value;
  return task;
}

/** @internal Take `count` consecutive Task numbers for Tasks made later; return the first. */
export function _reserveTaskNames(count: number): number {
  const first = taskCounter + 1;
  taskCounter += count;
  return first;
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
  const internals = (loop ?? getRunningLoop()) as LoopInternals;
  const current = internals._currentTask;
  // A gather's child running without a Task of its own gets one now that it is asked for.
  if (current === null && internals._lazyRunning !== null) return internals._lazyRunning._adoptRunning();
  return current;
}

/**
 * Return the Tasks of `loop` (the running loop by default) that are not done yet.
 *
 * @see asyncio.all_tasks
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  const tasks = new Set<Task<unknown>>();
  const internals = (loop ?? getRunningLoop()) as LoopInternals;
  // Gathers' children that have not finished their first step are pending Tasks too: make them.
  if (internals._lazyGathers !== null) for (const gathered of internals._lazyGathers) gathered._adoptPending();
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
