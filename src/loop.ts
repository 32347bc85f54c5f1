// The event loop on Node: a FIFO ready queue, a timer heap, and one host timer.
//
// Design note. Node already has an event loop; ours rides on it and owns the *order*. A batch
// runs inside one host macrotask: it repeats asyncio's `_run_once` (move due timers to the ready
// queue, then run exactly the callbacks that were ready when the iteration began) until nothing is
// ready, the loop is stopped, or the batch has run long enough that Node deserves a turn
// (`setImmediate`). When nothing is ready the loop arms a single host `setTimeout` for the earliest
// deadline, so a million sleeping tasks cost one host timer. Cancelled timers stay in the heap
// (lazy deletion) and are dropped when they reach the top, or in bulk when they are the majority.
//
// The ready queue is an array of (function, argument) pairs consumed from a moving head index:
// internal callbacks (task steps, done callbacks) allocate no Handle and no closure.

import { isCoroutine, isCoroutineFunction, type Coroutine } from "./coroutines.ts";
import {
  _getDefaultExecutorFactory,
  _getDefaultTaskFactory,
  _getRunningLoop,
  _setRunningLoop,
  Handle,
  TimerHandle,
  type EventLoop,
  type ExceptionContext,
  type ExceptionHandler,
  type LoopInternals,
  type LazyGather,
  type TaskFactory,
  type TaskOptions,
  type Timer,
} from "./events.ts";
import { DebugInstrument, reportSlowCallback } from "./debug.ts";
import { CancelledError, RuntimeError, ValueError } from "./exceptions.ts";
import type { Executor } from "./executors/executor.ts";
import type { SendArgs, TaskRef, WorkerArgs, WorkerFunction, WorkerResult } from "./executors/task-ref.ts";
import { Future, isFuture } from "./futures.ts";
import { describe } from "./internal/format.ts";
import { TimerHeap } from "./internal/heap.ts";
import { combineInstruments, type Instrument } from "./internal/instrument.ts";
import { captureSourceTraceback, formatSourceTraceback, type SourceFrame } from "./internal/source-traceback.ts";
import { ReadyQueue } from "./internal/ready-queue.ts";
import type { Task } from "./tasks.ts";

/** A batch gives Node a turn after this many milliseconds, so I/O and promises are not starved. */
const BATCH_MS = 10;
/** Timers due within this many seconds of now are run (asyncio's `_clock_resolution`). */
const CLOCK_RESOLUTION = 1e-9;
/** Rebuild the timer heap when more than this many timers are scheduled and half are cancelled. */
const MIN_SCHEDULED_TIMER_HANDLES = 100;
/** setTimeout overflows past 2^31-1 ms; long waits are re-armed after a day, as asyncio caps select(). */
const MAX_HOST_WAIT_MS = 24 * 3600 * 1000;

function runHandle(handle: Handle | Timer): void {
  if (!handle._cancelled) handle._run();
}

function envDebug(): boolean {
  const value = typeof process !== "undefined" ? process.env.ASYNCIO_TS_DEBUG : undefined;
  return value !== undefined && value !== "" && value !== "0";
}

function checkCallback(callback: unknown, method: string): void {
  if (isCoroutine(callback) || isCoroutineFunction(callback)) {
    throw new TypeError(`coroutines cannot be used with ${method}(): wrap them with createTask() instead`);
  }
  if (typeof callback !== "function") {
    throw new TypeError(`a function was expected by ${method}(), got ${describe(callback)}`);
  }
}

function checkTime(value: unknown, what: string): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number of seconds, got ${describe(value)}`);
  if (Number.isNaN(value)) throw new ValueError(`${what} must be a number of seconds, got NaN`);
  return value;
}

/**
 * The event loop. Most programs never touch it: `asyncio.run(main())` makes one, runs `main` on it
 * and closes it. Use it directly for `callSoon`/`callLater`, or to run a loop by hand.
 *
 * @see asyncio.BaseEventLoop
 */
export class BaseEventLoop implements LoopInternals {
  /** @internal */ _currentTask: Task<unknown> | null = null;
  /** @internal */ _tasks: Task<unknown> | null = null;
  /** @internal */ _externalPending = 0;
  /** @internal */ _unretrieved: Set<Future<unknown>> | null = null;
  /** @internal */ _instrument: Instrument | null = null;
  /** @internal */ _lazyGathers: Set<LazyGather> | null = null;
  /** @internal */ _lazyRunning: LazyGather | null = null;
  /**
   * In debug mode, a callback or Task step that runs longer than this many seconds of loop time is
   * reported through `logger` ("Executing <Task ...> took 0.123 seconds").
   */
  slowCallbackDuration = 0.1;

  #ready = new ReadyQueue();
  #timers = new TimerHeap<Timer>();
  #timerCancelledCount = 0;
  #timerSeq = 0;
  #running = false;
  #stopping = false;
  #closed = false;
  #debug = false;
  #inBatch = false;
  #immediate: ReturnType<typeof setImmediate> | null = null;
  #hostTimer: ReturnType<typeof setTimeout> | null = null;
  #hostTimerAt = Number.POSITIVE_INFINITY;
  #stopped: (() => void) | null = null;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  #defaultExecutor: Executor | null = null;
  #executorShutdownCalled = false;
  #instruments: Instrument[] = [];
  #debugInstrument: DebugInstrument | null = null;

  constructor() {
    this.setDebug(envDebug());
  }

  // ---- scheduling ------------------------------------------------------------------------------

  callSoon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    this.#checkClosed();
    checkCallback(callback, "callSoon");
    const handle = new Handle(callback as unknown as (...args: never[]) => void, args, this);
    if (this.#debug) captureSourceTraceback(handle);
    this._callSoon(runHandle, handle);
    return handle;
  }

  /**
   * Schedule `callback(...args)` from code the loop is not running: a Node callback, an event
   * listener, a promise reaction. It wakes the loop if it is idle, waiting for timers or host events.
   *
   * A Node process runs the loop on one thread, so this is `callSoon`, which already wakes an idle
   * loop when called from outside it; the separate name keeps ported code and its intent readable.
   *
   * @throws {RuntimeError} when the loop is closed.
   * @throws {TypeError} when `callback` is not a function, or is a coroutine.
   * @see asyncio.loop.call_soon_threadsafe
   */
  callSoonThreadsafe<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    return this.callSoon(callback, ...args);
  }

  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    checkTime(delay, "callLater() delay");
    return this.callAt(this.time() + delay, callback, ...args);
  }

  callAt<A extends unknown[]>(when: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    checkTime(when, "callAt() when");
    this.#checkClosed();
    checkCallback(callback, "callAt");
    const handle = new TimerHandle(when, 0, callback as unknown as (...args: never[]) => void, args, this);
    if (this.#debug) captureSourceTraceback(handle);
    this._addTimer(handle);
    return handle;
  }

  /** @internal */
  _addTimer(timer: Timer): void {
    timer._seq = this.#timerSeq++;
    this.#timers.push(timer);
    timer._scheduled = true;
    // A loop waiting on its host timer must re-arm it if this deadline is earlier.
    if (!this.#inBatch && timer._when < this.#hostTimerAt) this._wake();
  }

  time(): number {
    return performance.now() / 1000;
  }

  createFuture<T = unknown>(): Future<T> {
    return new Future<T>(this);
  }

  createTask<T>(coro: Coroutine<T>, options?: TaskOptions): Task<T> {
    if (this.#closed && isCoroutine(coro)) coro.return(undefined as T);
    this.#checkClosed();
    const custom = this.#taskFactory;
    if (custom === null) return _getDefaultTaskFactory()(this, coro, options ?? {});
    const task = custom(this, coro, options ?? {});
    // A factory may ignore the options; the name still applies, as in asyncio's create_task().
    if (options?.name !== undefined) task.setName(options.name);
    return task;
  }

  /** @internal */
  _plainTasks(): boolean {
    return !this.#closed && this.#taskFactory === null && this._instrument === null;
  }

  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError(`setTaskFactory() expects a function or null, got ${describe(factory)}`);
    }
    this.#taskFactory = factory;
  }

  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  // ---- running ---------------------------------------------------------------------------------

  runForever(): Promise<void> {
    this.#checkClosed();
    this.#checkNotRunning();
    return new Promise<void>((resolve) => {
      this.#stopped = resolve;
      this.#running = true;
      this.#drive();
    });
  }

  runUntilComplete<T>(future: Future<T> | Coroutine<T>): Promise<T> {
    // Misuse throws here, at the call site, as in Python: a coroutine that calls this by mistake
    // fails at once instead of dropping a rejected promise.
    this.#checkClosed();
    this.#checkNotRunning();
    let fut: Future<T>;
    if (isFuture(future)) {
      fut = future as Future<T>;
      if (fut._loop !== this)
        throw new ValueError("The future belongs to a different loop than the one runUntilComplete() was called on");
    } else if (isCoroutine(future)) {
      fut = this.createTask(future);
      (fut as Task<T>)._logDestroyPending = false;
    } else {
      throw new TypeError(`runUntilComplete() expects a Future or a coroutine, got ${describe(future)}`);
    }
    return this.#runUntilDone(fut);
  }

  async #runUntilDone<T>(fut: Future<T>): Promise<T> {
    const stop = (): void => this.stop();
    fut.addDoneCallback(stop);
    try {
      await this.runForever();
    } finally {
      fut.removeDoneCallback(stop);
    }
    if (!fut.done()) throw new RuntimeError("Event loop stopped before Future completed.");
    return fut.result();
  }

  stop(): void {
    this.#stopping = true;
    if (this.#running && !this.#inBatch) this._wake();
  }

  close(): void {
    if (this.#running)
      throw new RuntimeError("Cannot close a running event loop: stop it and wait for run*() to return");
    if (this.#closed) return;
    this.#closed = true;
    if (this._unretrieved !== null) {
      // Debug mode reports unretrieved exceptions now, not whenever the GC gets to them.
      for (const fut of this._unretrieved) {
        const site = fut._sourceTraceback;
        this.callExceptionHandler({
          message: `${fut.constructor.name === "Task" ? "Task" : "Future"} exception was never retrieved`,
          exception: fut._value,
          future: fut,
          ...(site !== null ? { sourceTraceback: site } : {}),
        });
        fut._markRetrieved();
      }
      this._unretrieved.clear();
    }
    this.#ready.release();
    for (const handle of this.#timers.clear()) handle._scheduled = false;
    this.#timerCancelledCount = 0;
    // As asyncio's close(): let the default executor go without waiting for it.
    this.#executorShutdownCalled = true;
    const executor = this.#defaultExecutor;
    this.#defaultExecutor = null;
    executor?.shutdown({ wait: false });
  }

  isRunning(): boolean {
    return this.#running;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  getDebug(): boolean {
    return this.#debug;
  }

  /**
   * Turn debug mode on or off. In debug mode the loop records where every Future, Task and Handle
   * was created (shown in reprs and reports), warns through `logger` about callbacks slower than
   * `slowCallbackDuration`, reports a Task garbage-collected while pending and, at `close()`, the
   * exceptions nobody retrieved. Off by default; `ASYNCIO_TS_DEBUG=1` turns it on for new loops.
   *
   * @see asyncio.loop.set_debug
   */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
    if (this.#debug && this._unretrieved === null) this._unretrieved = new Set();
    else if (!this.#debug) this._unretrieved = null;
    if (this.#debug && this.#debugInstrument === null) {
      this.#debugInstrument = new DebugInstrument(this);
      this._attachInstrument(this.#debugInstrument);
    } else if (!this.#debug && this.#debugInstrument !== null) {
      this._detachInstrument(this.#debugInstrument);
      this.#debugInstrument = null;
    }
  }

  // ---- executors -------------------------------------------------------------------------------

  runInExecutor<F extends WorkerFunction>(
    executor: Executor | null,
    fn: TaskRef<F>,
    ...args: SendArgs<WorkerArgs<F>>
  ): Future<WorkerResult<F>> {
    this.#checkClosed();
    if (executor === null || executor === undefined) {
      if (this.#executorShutdownCalled) {
        throw new RuntimeError("Executor shutdown has been called: pass an executor of your own to runInExecutor()");
      }
      executor = this.#defaultExecutor ??= _getDefaultExecutorFactory()();
    }
    // BaseExecutor can bind the Future to this loop even when it is not running yet.
    const submitOn = (executor as { _submit?: unknown })._submit;
    if (typeof submitOn === "function") return submitOn.call(executor, this, fn, args);
    return executor.submit(fn, ...args);
  }

  setDefaultExecutor(executor: Executor): void {
    const candidate = executor as Partial<Executor> | null;
    if (typeof candidate?.submit !== "function" || typeof candidate.shutdown !== "function") {
      throw new TypeError(
        `executor must be an Executor (a ThreadPoolExecutor, a ProcessPoolExecutor...), got ${describe(executor)}`,
      );
    }
    this.#defaultExecutor = executor;
  }

  /** @internal Whether a default executor exists, so that Runner.close() can skip shutting down none. */
  _hasDefaultExecutor(): boolean {
    return this.#defaultExecutor !== null;
  }

  *shutdownDefaultExecutor(timeout?: number | null): Coroutine<void> {
    this.#executorShutdownCalled = true;
    const executor = this.#defaultExecutor;
    if (executor === null) return;
    const waiting = this.createTask(executor.shutdown({ wait: true }));
    if (timeout === undefined || timeout === null) return yield* waiting;
    let expired = false;
    const timer = this.callLater(timeout, () => {
      expired = true;
      waiting.cancel();
    });
    try {
      yield* waiting;
    } catch (error) {
      if (!expired || !(error instanceof CancelledError)) throw error;
      // The workers finish their jobs on their own; only the waiting stops, as in asyncio.
      process.emitWarning(
        `The executor did not finish joining its workers within ${timeout} seconds.`,
        "RuntimeWarning",
      );
    } finally {
      timer.cancel();
    }
  }

  // ---- errors ----------------------------------------------------------------------------------

  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`setExceptionHandler() expects a function or null, got ${describe(handler)}`);
    }
    this.#exceptionHandler = handler;
  }

  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (error) {
        // The last resort must not throw into the loop.
        console.error("Exception in default exception handler", error);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (exception) {
      try {
        this.defaultExceptionHandler({ message: "Unhandled error in exception handler", exception, context });
      } catch (error) {
        console.error("Exception in default exception handler while handling an error in a custom one", error);
      }
    }
  }

  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const key of Object.keys(context).sort()) {
      if (key === "message" || key === "exception") continue;
      if (key === "sourceTraceback" && Array.isArray(context[key])) {
        const site = context[key] as readonly SourceFrame[];
        lines.push(`Object created at (most recent call last):\n${formatSourceTraceback(site)}`);
        continue;
      }
      lines.push(`${key}: ${String(context[key])}`);
    }
    const exception = context.exception;
    if (exception !== undefined) {
      lines.push(exception instanceof Error && exception.stack ? exception.stack : `exception: ${describe(exception)}`);
    }
    console.error(lines.join("\n"));
  }

  toString(): string {
    return `<${this.constructor.name} running=${this.#running} closed=${this.#closed} debug=${this.#debug}>`;
  }

  // ---- internals -------------------------------------------------------------------------------

  /** @internal Add an instrument (debug mode, tracing); the kernel's hooks call it from now on. */
  _attachInstrument(instrument: Instrument): void {
    this.#instruments = [...this.#instruments, instrument];
    this._instrument = combineInstruments(this.#instruments);
  }

  /** @internal Remove an instrument added with `_attachInstrument`. */
  _detachInstrument(instrument: Instrument): void {
    if (!this.#instruments.includes(instrument)) return;
    this.#instruments = this.#instruments.filter((one) => one !== instrument);
    this._instrument = combineInstruments(this.#instruments);
    instrument.detached();
  }

  /** @internal */
  _callSoon<A>(fn: (arg: A) => void, arg: A): void {
    this.#ready.push(fn, arg);
    if (!this.#inBatch && this.#immediate === null && this.#running) this.#scheduleBatch();
  }

  /** @internal */
  _wake(): void {
    if (!this.#inBatch && this.#immediate === null && this.#running) this.#scheduleBatch();
  }

  /** @internal */
  _timerHandleCancelled(handle: Timer): void {
    if (handle._scheduled) {
      this.#timerCancelledCount++;
      // Cancelled from outside a batch (plain async code): let the loop look at its timers again, so
      // a host timer armed for this handle alone does not keep the process alive.
      if (!this.#inBatch && this.#hostTimer !== null) this._wake();
    }
  }

  /**
   * Wait for the earliest timer at loop time `next` (Infinity when there is none): return true
   * when the loop may go on at once, false when it has arranged to be woken by the host.
   * The virtual-time loop overrides this to jump its clock instead.
   * @internal
   */
  protected _waitUntil(next: number): boolean {
    if (next === Number.POSITIVE_INFINITY) {
      // Idle: drop a host timer armed for a timer since cancelled. An idle loop holds no host handle,
      // so it never keeps the process alive (the ambient loop relies on this).
      if (this.#hostTimer !== null) {
        clearTimeout(this.#hostTimer);
        this.#hostTimer = null;
        this.#hostTimerAt = Number.POSITIVE_INFINITY;
      }
      return false;
    }
    const ms = (next - this.time()) * 1000;
    if (ms <= 0) return true;
    const wait = Math.min(Math.ceil(ms), MAX_HOST_WAIT_MS);
    const at = this.time() + wait / 1000;
    if (this.#hostTimer !== null) {
      if (this.#hostTimerAt <= at) return false;
      clearTimeout(this.#hostTimer);
    }
    this.#hostTimerAt = at;
    this.#hostTimer = setTimeout(this.#onHostTimer, wait);
    return false;
  }

  #onHostTimer = (): void => {
    this.#hostTimer = null;
    this.#hostTimerAt = Number.POSITIVE_INFINITY;
    this.#drive();
  };

  #onImmediate = (): void => {
    this.#immediate = null;
    this.#drive();
  };

  #scheduleBatch(): void {
    this.#immediate = setImmediate(this.#onImmediate);
  }

  #drive(): void {
    if (!this.#running || this.#inBatch) return;
    const previous = _setRunningLoop(this);
    this.#inBatch = true;
    const start = performance.now();
    let iterations = 0;
    try {
      for (;;) {
        if (this.#ready.length === 0 && !this.#stopping) {
          this.#dropCancelledTimers();
          const first = this.#timers.peek();
          if (!this._waitUntil(first === undefined ? Number.POSITIVE_INFINITY : first._when)) break;
        }
        this.#runOnce();
        if (this.#stopping) {
          this.#finishRun();
          break;
        }
        if ((++iterations & 15) === 0 && performance.now() - start > BATCH_MS) {
          this.#scheduleBatch();
          break;
        }
      }
    } finally {
      this.#inBatch = false;
      _setRunningLoop(previous);
    }
  }

  /** One iteration, as asyncio's `_run_once`: due timers join the queue, then what was ready runs. */
  #runOnce(): void {
    this.#dropCancelledTimers();
    const timers = this.#timers;
    const ready = this.#ready;
    let first = timers.peek();
    const end = first === undefined ? 0 : this.time() + CLOCK_RESOLUTION;
    for (; first !== undefined && first._when <= end; first = timers.peek()) {
      timers.pop();
      first._scheduled = false;
      ready.push(runHandle, first);
    }
    if (this.#debug) {
      this.#runReadyTimed(ready.length);
      return;
    }
    for (let n = ready.length; n > 0; n--) {
      try {
        ready.runOne();
      } catch (exception) {
        this.callExceptionHandler({ message: `Exception in callback ${describe(ready.current)}`, exception });
      }
    }
  }

  /** Debug mode's version of the loop above: time each callback on the loop's clock, as asyncio does. */
  #runReadyTimed(count: number): void {
    const ready = this.#ready;
    for (let n = count; n > 0; n--) {
      const fn = ready.peekCallback();
      const arg = ready.peekArgument();
      const start = this.time();
      try {
        ready.runOne();
      } catch (exception) {
        this.callExceptionHandler({ message: `Exception in callback ${describe(ready.current)}`, exception });
      }
      const duration = this.time() - start;
      if (duration >= this.slowCallbackDuration) reportSlowCallback(fn, arg, duration);
    }
  }

  #dropCancelledTimers(): void {
    const timers = this.#timers;
    if (this.#timerCancelledCount === 0) return;
    if (timers.size > MIN_SCHEDULED_TIMER_HANDLES && this.#timerCancelledCount * 2 > timers.size) {
      timers.filter((handle) => {
        if (handle._cancelled) handle._scheduled = false;
        return !handle._cancelled;
      });
      this.#timerCancelledCount = 0;
      return;
    }
    for (let first = timers.peek(); first !== undefined && first._cancelled; first = timers.peek()) {
      timers.pop();
      first._scheduled = false;
      this.#timerCancelledCount--;
    }
  }

  #finishRun(): void {
    this.#stopping = false;
    this.#running = false;
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    if (this.#hostTimer !== null) clearTimeout(this.#hostTimer);
    this.#immediate = null;
    this.#hostTimer = null;
    this.#hostTimerAt = Number.POSITIVE_INFINITY;
    const stopped = this.#stopped;
    this.#stopped = null;
    stopped?.();
  }

  #checkClosed(): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed: make a new one with newEventLoop()");
  }

  #checkNotRunning(): void {
    if (this.#running) throw new RuntimeError("This event loop is already running");
    if (_getRunningLoop() !== null) {
      throw new RuntimeError(
        "Cannot run the event loop while another loop is running: await the work with yield* instead",
      );
    }
  }
}

/**
 * Make a new event loop. Run it with `runUntilComplete`/`runForever`, close it when done; or let
 * `asyncio.run()` do all of that.
 *
 * @see asyncio.new_event_loop
 */
export function newEventLoop(): EventLoop {
  return new BaseEventLoop();
}
