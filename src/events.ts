// The event loop's interface, callback handles, and which loop is running now.

import type { Future } from "./futures.ts";
import type { Task } from "./tasks.ts";
import type { Coroutine } from "./coroutines.ts";
import type { Executor } from "./executors/executor.ts";
import type { SendArgs, TaskRef, WorkerArgs, WorkerFunction, WorkerResult } from "./executors/task-ref.ts";
import { describe } from "./internal/format.ts";
import type { Instrument } from "./internal/instrument.ts";
import { createdAt, type SourceFrame, sourceTracebackOf } from "./internal/source-traceback.ts";
import { RuntimeError } from "./exceptions.ts";

/**
 * What the loop's exception handler receives, as in asyncio's `call_exception_handler(context)`.
 * `message` is always present; the other keys appear when they apply.
 */
export interface ExceptionContext {
  message: string;
  exception?: unknown;
  future?: Future<unknown>;
  task?: Task<unknown>;
  handle?: Handle;
  /** A short description of an object that no longer exists (a garbage-collected Future). */
  futureRepr?: string;
  /** A short description of a garbage-collected Task ("Task was destroyed but it is pending!"). */
  taskRepr?: string;
  /** Where the object the report is about was created, oldest frame first (debug mode only). */
  sourceTraceback?: readonly SourceFrame[];
  [key: string]: unknown;
}

/** A function the loop calls with itself and the context whenever something goes unhandled. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/** Options for `createTask`. */
export interface TaskOptions {
  /** The task's name, shown in reprs and error reports; `Task-N` when omitted. */
  name?: string;
  /**
   * Cancel the task when this signal is aborted (at once if it already is), with the abort reason's
   * message as the cancel message. A Task factory set with `setTaskFactory` must pass it on to `Task`.
   */
  signal?: AbortSignal;
}

/** A function that builds the Task for `loop.createTask`, as set by `loop.setTaskFactory`. */
export type TaskFactory = <T>(loop: EventLoop, coro: Coroutine<T>, options: TaskOptions) => Task<T>;

/**
 * The event loop's public surface: scheduling callbacks and timers, running, stopping, and the
 * exception handler. `newEventLoop()` makes one; coroutines reach theirs with `getRunningLoop()`.
 *
 * Running differs from Python in one way JavaScript forces: `runUntilComplete` and `runForever`
 * return promises, because the loop rides on Node's own loop and cannot block the thread.
 *
 * @see asyncio.AbstractEventLoop
 */
export interface EventLoop {
  /** Schedule `callback(...args)` for the next loop iteration, after everything already scheduled. */
  callSoon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle;
  /** Schedule `callback(...args)` from outside the loop (a Node callback, a listener), waking it if idle. */
  callSoonThreadsafe<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle;
  /** Schedule `callback(...args)` for `delay` seconds from now. */
  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => void, ...args: A): TimerHandle;
  /** Schedule `callback(...args)` for the loop time `when` (seconds, as returned by `time()`). */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => void, ...args: A): TimerHandle;
  /** The loop's clock: monotonic seconds as a float. */
  time(): number;
  /** Make a Future bound to this loop. */
  createFuture<T = unknown>(): Future<T>;
  /** Wrap `coro` in a Task that starts on the next iteration. */
  createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T>;
  /** Set the function `createTask` uses to build Tasks; `null` restores the default. */
  setTaskFactory(factory: TaskFactory | null): void;
  /** The function `createTask` uses to build Tasks, or `null` for the default. */
  getTaskFactory(): TaskFactory | null;
  /** Run until `future` (or the Task wrapping a coroutine) is done; resolve with its result. */
  runUntilComplete<T>(future: Future<T> | Coroutine<T>): Promise<T>;
  /** Run until `stop()` is called. */
  runForever(): Promise<void>;
  /** Stop after the current iteration. */
  stop(): void;
  /** Close the loop, dropping every pending callback; a running loop cannot be closed. */
  close(): void;
  isRunning(): boolean;
  isClosed(): boolean;
  getDebug(): boolean;
  setDebug(enabled: boolean): void;
  /** Callbacks slower than this many seconds are reported in debug mode. */
  slowCallbackDuration: number;
  setExceptionHandler(handler: ExceptionHandler | null): void;
  getExceptionHandler(): ExceptionHandler | null;
  /** Report `context` to the exception handler (or the default one when none is set). */
  callExceptionHandler(context: ExceptionContext): void;
  /** Report `context` on standard error; what runs when no handler is set. */
  defaultExceptionHandler(context: ExceptionContext): void;
  /**
   * Run `fn(...args)` on `executor` and return a Future of its result bound to this loop; with
   * `null`, on the loop's default executor (a ThreadPoolExecutor made on first use).
   */
  runInExecutor<F extends WorkerFunction>(
    executor: Executor | null,
    fn: TaskRef<F>,
    ...args: SendArgs<WorkerArgs<F>>
  ): Future<WorkerResult<F>>;
  /** Make `executor` the one `runInExecutor(null, ...)` and `toThread` use. */
  setDefaultExecutor(executor: Executor): void;
  /**
   * Shut the default executor down and wait for its jobs, at most `timeout` seconds (then warn and
   * stop waiting); `run()` calls it at the end. Afterwards `runInExecutor(null, ...)` fails.
   */
  shutdownDefaultExecutor(timeout?: number | null): Coroutine<void>;
}

/**
 * What the loop's timer heap holds: a TimerHandle, or an object that is its own timer (the Future
 * behind `sleep`, which so needs no handle of its own).
 * @internal
 */
export interface Timer {
  _when: number;
  _seq: number;
  /** Whether the timer is still in the heap. */
  _scheduled: boolean;
  _cancelled: boolean;
  /** Called by the loop when the timer is due and not cancelled. */
  _run(): void;
}

/** The loop internals a Handle needs; implemented by BaseEventLoop. */
export interface HandleOwner extends EventLoop {
  /** @internal A scheduled timer was cancelled: count it for the heap's lazy clean-up. */
  _timerHandleCancelled(timer: Timer): void;
  /** @internal Put `timer` in the heap (assigning its FIFO sequence number). */
  _addTimer(timer: Timer): void;
}

/**
 * A callback scheduled with `callSoon`; `cancel()` keeps it from running.
 *
 * @see asyncio.Handle
 */
export class Handle {
  /** @internal */ _callback: ((...args: never[]) => void) | null;
  /** @internal */ _args: unknown[];
  /** @internal */ _cancelled = false;
  /** @internal */ readonly _loop: HandleOwner;

  /** @internal */
  constructor(callback: (...args: never[]) => void, args: unknown[], loop: HandleOwner) {
    this._callback = callback;
    this._args = args;
    this._loop = loop;
  }

  /** Keep the callback from running; does nothing when it already ran or was cancelled. */
  cancel(): void {
    if (this._cancelled) return;
    this._cancelled = true;
    // Drop references so a cancelled handle sitting in a queue keeps nothing alive.
    this._callback = null;
    this._args = [];
  }

  cancelled(): boolean {
    return this._cancelled;
  }

  /**
   * Where the callback was scheduled, oldest frame first, when the loop was in debug mode; null
   * otherwise.
   *
   * @see asyncio.Handle._source_traceback
   */
  get _sourceTraceback(): readonly SourceFrame[] | null {
    return sourceTracebackOf(this);
  }

  /** @internal Run the callback, reporting (not propagating) what it throws. */
  _run(): void {
    const cb = this._callback as ((...args: unknown[]) => void) | null;
    if (cb === null) return;
    try {
      cb(...this._args);
    } catch (exception) {
      const site = sourceTracebackOf(this);
      this._loop.callExceptionHandler({
        message: `Exception in callback ${describe(cb)}`,
        exception,
        handle: this,
        ...(site !== null ? { sourceTraceback: site } : {}),
      });
    }
  }

  toString(): string {
    const state = this._cancelled ? " cancelled" : "";
    return `<${this.constructor.name}${state} ${this._callback ? describe(this._callback) : ""}${createdAt(this)}>`;
  }
}

/**
 * A callback scheduled with `callLater`/`callAt`; `when()` is its loop time.
 *
 * @see asyncio.TimerHandle
 */
export class TimerHandle extends Handle {
  /** @internal */ _when: number;
  /** @internal */ _seq: number;
  /** @internal Whether the handle is still in the loop's timer heap. */
  _scheduled = false;

  /** @internal */
  constructor(when: number, seq: number, callback: (...args: never[]) => void, args: unknown[], loop: HandleOwner) {
    super(callback, args, loop);
    this._when = when;
    this._seq = seq;
  }

  /** The loop time (seconds) at which the callback is due. */
  when(): number {
    return this._when;
  }

  override cancel(): void {
    if (!this._cancelled) this._loop._timerHandleCancelled(this);
    super.cancel();
  }
}

let runningLoop: EventLoop | null = null;

/**
 * Return the loop that is running the current callback or coroutine.
 *
 * @throws {RuntimeError} when called outside a running loop (for instance from plain async code).
 * @see asyncio.get_running_loop
 */
export function getRunningLoop(): EventLoop {
  if (runningLoop === null) {
    throw new RuntimeError(
      "no running event loop: call this from a coroutine or callback run by asyncio.run() or a loop",
    );
  }
  return runningLoop;
}

/** Return the running loop or `null`; never throws. */
export function _getRunningLoop(): EventLoop | null {
  return runningLoop;
}

/** @internal Set the running loop while a loop runs a batch of callbacks; returns the previous one. */
export function _setRunningLoop(loop: EventLoop | null): EventLoop | null {
  const previous = runningLoop;
  runningLoop = loop;
  return previous;
}

let defaultTaskFactory: TaskFactory | null = null;

/** @internal tasks.ts registers how a loop builds Tasks, so that the loop need not import tasks. */
export function _setDefaultTaskFactory(factory: TaskFactory): void {
  defaultTaskFactory = factory;
}

/** @internal */
export function _getDefaultTaskFactory(): TaskFactory {
  if (defaultTaskFactory === null) throw new RuntimeError("asyncio-ts tasks module is not loaded");
  return defaultTaskFactory;
}

let defaultExecutorFactory: (() => Executor) | null = null;

/** @internal The executors register how a loop makes its default executor, so that the loop need not import them. */
export function _setDefaultExecutorFactory(factory: () => Executor): void {
  defaultExecutorFactory = factory;
}

/** @internal */
export function _getDefaultExecutorFactory(): () => Executor {
  if (defaultExecutorFactory === null) throw new RuntimeError("asyncio-ts executors module is not loaded");
  return defaultExecutorFactory;
}

let ambientLoopProvider: (() => EventLoop) | null = null;

/** @internal Let the ambient-loop module supply a loop for work started outside any running loop. */
export function _setAmbientLoopProvider(provider: (() => EventLoop) | null): void {
  ambientLoopProvider = provider;
}

/**
 * @internal The loop that new Futures and Tasks bind to: the running loop, else the ambient loop
 * when one is installed, else an error naming the fix.
 */
export function _getEventLoop(): EventLoop {
  if (runningLoop !== null) return runningLoop;
  if (ambientLoopProvider !== null) return ambientLoopProvider();
  return getRunningLoop();
}

/**
 * The loop internals that Futures and Tasks use; implemented by BaseEventLoop.
 * @internal
 */
export interface LoopInternals extends HandleOwner {
  /** Append `fn(arg)` to the ready queue without allocating a Handle. */
  _callSoon<A>(fn: (arg: A) => void, arg: A): void;
  /** The Task whose step is running now, or null. */
  _currentTask: Task<unknown> | null;
  /** Head of the intrusive list of pending Tasks, for allTasks(). */
  _tasks: Task<unknown> | null;
  /** Count of host promises someone waits on; the virtual-time loop does not jump while it is > 0. */
  _externalPending: number;
  /** Wake a loop that is waiting for host events. */
  _wake(): void;
  /** Debug mode: remember a Future whose exception nobody has retrieved yet, or forget it. */
  _unretrieved: Set<Future<unknown>> | null;
  /** Debug mode and tracing: what Futures and Tasks report to; null (the usual case) when both are off. */
  _instrument: Instrument | null;
  /** Whether `createTask(coro)` makes a plain Task: no task factory, no debug mode or tracing, not closed. */
  _plainTasks(): boolean;
  /** The gathers whose children are not all past their first step (gather-children.ts), or null. */
  _lazyGathers: Set<LazyGather> | null;
  /** The gather whose child is running its first step without a Task, or null. */
  _lazyRunning: LazyGather | null;
}

/**
 * A gather's coroutine children that run without a Task each until something could see one.
 * @internal
 */
export interface LazyGather {
  /** Make the Task of the child running now and return it. */
  _adoptRunning(): Task<unknown>;
  /** Make Tasks for every child still pending (not started, or running). */
  _adoptPending(): void;
}
