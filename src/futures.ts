// Future: a result that will exist later, awaited with `yield*` in coroutines or `await` in async code.
//
// Design note. A Future is iterable the way Python's `Future.__await__` is a generator: iterating
// it yields the Future itself once (if it is not done yet) and then returns its result. The Task
// driving the coroutine receives the yielded Future, parks on it, and resumes the coroutine when it
// is done, at which point the iterator returns `result()` (or throws). Done callbacks always run
// through the loop's ready queue, never synchronously, exactly as in asyncio.

import { _getEventLoop, type EventLoop, type LoopInternals } from "./events.ts";
import { CancelledError, InvalidStateError, RuntimeError } from "./exceptions.ts";
import { describe, describeError } from "./internal/format.ts";
import { taskStepCallbacks } from "./internal/instrument.ts";
import { createdAt, type SourceFrame, sourceTracebackOf } from "./internal/source-traceback.ts";

/** @internal Future states; FINISHED holds a result, FAILED an exception. */
export const PENDING = 0;
/** @internal */ export const CANCELLED = 1;
/** @internal */ export const FINISHED = 2;
/** @internal */ export const FAILED = 3;

/** @internal Bits of `Future._flags`. An exception was set and nobody has retrieved it yet. */
export const FLAG_LOG_TRACEBACK = 1;
/** @internal The Future is being yielded to a Task through its iterator (`_asyncio_future_blocking`). */
export const FLAG_BLOCKING = 2;
/** @internal A Task must throw a CancelledError into its coroutine at its next step. */
export const FLAG_MUST_CANCEL = 4;
/** @internal A Task collected while pending is reported (debug mode). */
export const FLAG_LOG_DESTROY_PENDING = 8;
/** @internal The saved CancelledError's message stays the Future's cancel message once handed out. */
export const FLAG_KEEP_CANCEL_MESSAGE = 16;
/** @internal gather() is taking this Future as a child right now (how it finds one passed twice). */
export const FLAG_GATHERED = 32;
/** @internal A Task counts its outstanding cancellation requests in multiples of this. */
export const CANCEL_REQUEST = 256;

/** Something other than a plain callback that a Future can wake: a Task parked on it. */
export interface Waiter {
  /** @internal */
  _wakeup(): void;
}

/** A done callback: called on the loop with the Future once it is done. */
export type DoneCallback<T> = (future: Future<T>) => void;

function wake(waiter: Waiter): void {
  waiter._wakeup();
}
taskStepCallbacks.add(wake);

/** What the unretrieved-exception report needs, held apart from the Future so it can be collected. */
interface Unretrieved {
  loop: EventLoop;
  exception: unknown;
  repr: string;
  sourceTraceback: readonly SourceFrame[] | null;
}

const unretrievedRegistry = new FinalizationRegistry<Unretrieved>((held) => {
  held.loop.callExceptionHandler({
    message: `${held.repr.startsWith("<Task") ? "Task" : "Future"} exception was never retrieved`,
    exception: held.exception,
    futureRepr: held.repr,
    ...(held.sourceTraceback !== null ? { sourceTraceback: held.sourceTraceback } : {}),
  });
});

/**
 * A placeholder for a result that is not there yet: pending, then finished with a result or an
 * exception, or cancelled. Await it with `yield* future` in a coroutine or `await future` in async
 * code.
 *
 * @example
 * const fut = loop.createFuture<number>();
 * loop.callLater(1, () => fut.setResult(42));
 * const value = yield* fut; // 42, one second later
 * @see asyncio.Future
 */
export class Future<T = unknown> implements PromiseLike<T>, Iterable<Future<T>> {
  /** @internal */ _state: number = PENDING;
  /**
   * @internal One slot for what the state needs (a million pending Tasks is a million of these, so
   * every field counts): the result when FINISHED, the exception when FAILED; when CANCELLED, the
   * cancel message or a saved CancelledError to hand out once; while PENDING, a Task's pending
   * cancel message (a sleep's timer keeps the value it will finish with).
   */
  _value: unknown = undefined;
  /** @internal */ _loop: LoopInternals;
  /** @internal No done callback (null), one callback or parked Waiter, or an array of several. */
  _cb: unknown = null;
  /** @internal The FLAG_* bits (a Task also counts its cancellation requests above them). */
  _flags = 0;

  /**
   * Make a pending Future bound to `loop`, or to the running loop when omitted. Prefer
   * `loop.createFuture()`.
   *
   * @throws {RuntimeError} when no loop is given and none is running.
   */
  constructor(loop?: EventLoop) {
    const owner = (loop ?? _getEventLoop()) as LoopInternals;
    this._loop = owner;
    const instrument = owner._instrument;
    if (instrument !== null) instrument.futureCreated(this);
  }

  /** The loop this Future is bound to. */
  getLoop(): EventLoop {
    return this._loop;
  }

  /**
   * Where the Future was created, oldest frame first and the creating call last, when it was
   * created in debug mode; null otherwise. Reports about the Future carry it as `sourceTraceback`.
   *
   * @see asyncio.Future._source_traceback
   */
  get _sourceTraceback(): readonly SourceFrame[] | null {
    return sourceTracebackOf(this);
  }

  /** Whether the Future has a result, an exception, or was cancelled. */
  done(): boolean {
    return this._state !== PENDING;
  }

  /** Whether the Future was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /**
   * Return the result, or throw the exception the Future holds.
   *
   * @throws {CancelledError} when the Future was cancelled.
   * @throws {InvalidStateError} when it is not done yet.
   */
  result(): T {
    const state = this._state;
    if (state === FINISHED) return this._value as T;
    if (state === FAILED) {
      this._markRetrieved();
      throw this._value;
    }
    if (state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Result is not ready: the Future is still pending; await it first");
  }

  /**
   * Return the exception the Future holds, or `null` when it finished with a result.
   *
   * @throws {CancelledError} when the Future was cancelled.
   * @throws {InvalidStateError} when it is not done yet.
   */
  exception(): unknown {
    const state = this._state;
    if (state === FINISHED) return null;
    if (state === FAILED) {
      this._markRetrieved();
      return this._value;
    }
    if (state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Exception is not set: the Future is still pending; await it first");
  }

  /**
   * Mark the Future done with `value` and schedule its done callbacks.
   *
   * @throws {InvalidStateError} when it is already done.
   */
  setResult(value: T): void {
    if (this._state !== PENDING) throw new InvalidStateError(`setResult() on a Future that is already done: ${this}`);
    this._resolve(value);
  }

  /**
   * Mark the Future done with `exception` and schedule its done callbacks.
   *
   * @throws {InvalidStateError} when it is already done.
   * @throws {TypeError} when `exception` is a CancelledError: cancel the Future instead.
   */
  setException(exception: unknown): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`setException() on a Future that is already done: ${this}`);
    }
    if (exception instanceof CancelledError) {
      throw new TypeError("setException() got a CancelledError: call cancel() to cancel a Future");
    }
    this._reject(exception);
  }

  /**
   * Cancel the Future and schedule its done callbacks. Return false when it is already done.
   *
   * @param msg carried by the CancelledError that awaiting the Future raises.
   */
  cancel(msg?: string): boolean {
    this._markRetrieved();
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._value = msg;
    this._scheduleCallbacks();
    return true;
  }

  /**
   * @internal The message a cancelled Future's CancelledError carries (asyncio's `_cancel_message`);
   * a pending Task's, once `cancel(msg)` could not reach what it waits on.
   */
  get _cancelMessage(): string | undefined {
    const state = this._state;
    if (state === FINISHED || state === FAILED) return undefined;
    const value = this._value;
    if (value instanceof CancelledError) {
      return (this._flags & FLAG_KEEP_CANCEL_MESSAGE) !== 0 ? messageOf(value) : undefined;
    }
    return value as string | undefined;
  }

  set _cancelMessage(msg: string | undefined) {
    const state = this._state;
    if (state === PENDING || state === CANCELLED) {
      this._value = msg;
      this._flags &= ~FLAG_KEEP_CANCEL_MESSAGE;
    }
  }

  /**
   * @internal Make awaiting this cancelled Future raise `error` itself, once (asyncio's
   * `_cancelled_exc`); later CancelledErrors carry its message when `keepMessage` is set, no
   * message otherwise.
   */
  _saveCancelledError(error: CancelledError, keepMessage: boolean): void {
    this._value = error;
    if (keepMessage) this._flags |= FLAG_KEEP_CANCEL_MESSAGE;
    else this._flags &= ~FLAG_KEEP_CANCEL_MESSAGE;
  }

  /**
   * Call `callback(future)` on the loop once the Future is done; at once (next iteration) when it
   * already is.
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    if (typeof callback !== "function") {
      throw new TypeError(`addDoneCallback() expects a function, got ${describe(callback)}`);
    }
    this._addCallback(callback);
  }

  /** Remove every registration of `callback`; return how many were removed. */
  removeDoneCallback(callback: DoneCallback<T>): number {
    const cb = this._cb;
    if (cb === callback) {
      this._cb = null;
      return 1;
    }
    if (!Array.isArray(cb)) return 0;
    const kept = cb.filter((each) => each !== callback);
    this._cb = kept.length === 0 ? null : kept.length === 1 ? kept[0] : kept;
    return cb.length - kept.length;
  }

  /** Await the Future in a coroutine: `const value = yield* future`. */
  [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return new FutureIterator(this);
  }

  /** Await the Future from plain async code: `const value = await future`. */
  // biome-ignore lint/suspicious/noThenProperty: a Future is deliberately thenable (DESIGN.md).
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this._toPromise().then(onfulfilled, onrejected);
  }

  /** Describe the Future the way asyncio's repr does: `<Future finished result=42>`. */
  toString(): string {
    return `<${this.constructor.name} ${this._stateInfo()}${this._callbacksInfo()}${createdAt(this)}>`;
  }

  // ---- internals shared with Task and the combinators -------------------------------------------

  /** @internal The state words of the repr. */
  _stateInfo(): string {
    switch (this._state) {
      case PENDING:
        return "pending";
      case CANCELLED:
        return "cancelled";
      case FINISHED:
        return `finished result=${describeOnce(this, this._value)}`;
      default:
        return `finished exception=${describeError(this._value)}`;
    }
  }

  /** @internal The ` cb=[...]` part of the repr: the first and last done callbacks, as asyncio shows them. */
  _callbacksInfo(): string {
    const all = this._callbacks();
    if (all.length === 0) return "";
    const shown =
      all.length <= 2
        ? all.map(describeCallback)
        : [describeCallback(all[0]), `<${all.length - 2} more>`, describeCallback(all[all.length - 1])];
    return ` cb=[${shown.join(", ")}]`;
  }

  /** @internal Settle with a value (the caller checked the state). */
  _resolve(value: T): void {
    this._value = value;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  /** @internal Settle with an exception (the caller checked the state). */
  _reject(exception: unknown): void {
    this._value = exception;
    this._state = FAILED;
    this._flags |= FLAG_LOG_TRACEBACK;
    // V8 keeps the receivers of the frames an error was thrown through alive until its stack is
    // formatted; format it now so the registry's held value cannot keep this Future reachable.
    if (exception instanceof Error) void exception.stack;
    // Callbacks first: they leave the Future then, so the report's repr does not list them.
    this._scheduleCallbacks();
    unretrievedRegistry.register(
      this,
      { loop: this._loop, exception, repr: String(this), sourceTraceback: sourceTracebackOf(this) },
      this,
    );
    if (this._loop._unretrieved !== null) this._loop._unretrieved.add(this as Future<unknown>);
  }

  /** @internal The exception has been seen: no "never retrieved" report for this Future. */
  _markRetrieved(): void {
    if ((this._flags & FLAG_LOG_TRACEBACK) !== 0) {
      this._flags &= ~FLAG_LOG_TRACEBACK;
      unretrievedRegistry.unregister(this);
      if (this._loop._unretrieved !== null) this._loop._unretrieved.delete(this as Future<unknown>);
    }
  }

  /** @internal The CancelledError to raise for a cancelled Future (asyncio's `_make_cancelled_error`). */
  _makeCancelledError(): CancelledError {
    const state = this._state;
    // A finished or failed Future has no cancel message: `_value` is its result or exception.
    if (state === FINISHED || state === FAILED) return _newCancelledError(this._loop, undefined);
    const saved = this._value;
    if (saved instanceof CancelledError) {
      this._value = (this._flags & FLAG_KEEP_CANCEL_MESSAGE) !== 0 ? messageOf(saved) : undefined;
      this._flags &= ~FLAG_KEEP_CANCEL_MESSAGE;
      return saved;
    }
    return _newCancelledError(this._loop, saved as string | undefined);
  }

  /** @internal Cancel without the public method's bookkeeping (used by Task for its own state). */
  _cancelNow(msg?: string): void {
    this._state = CANCELLED;
    this._value = msg;
    this._scheduleCallbacks();
  }

  /** @internal The done callbacks and parked Waiters, in registration order. */
  _callbacks(): unknown[] {
    const cb = this._cb;
    return cb === null ? [] : Array.isArray(cb) ? cb.slice() : [cb];
  }

  /** @internal Register a done callback or a parked Task. */
  _addCallback(callback: DoneCallback<T> | Waiter): void {
    if (this._state !== PENDING) {
      this._dispatch(callback);
    } else {
      const cb = this._cb;
      if (cb === null) this._cb = callback;
      else if (Array.isArray(cb)) cb.push(callback);
      else this._cb = [cb, callback];
    }
  }

  /** @internal A promise for the outcome; marks the exception retrieved, as awaiting does. */
  _toPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        if (this._state === FINISHED) resolve(this._value as T);
        else if (this._state === FAILED) {
          this._markRetrieved();
          reject(this._value);
        } else reject(this._makeCancelledError());
      };
      // Settle at once when done, so awaiting a finished Future works after its loop has stopped.
      if (this._state !== PENDING) settle();
      else this._addCallback(settle);
    });
  }

  /** @internal */
  _dispatch(callback: unknown): void {
    if (typeof callback === "function") this._loop._callSoon(callback as DoneCallback<T>, this);
    else this._loop._callSoon(wake, callback as Waiter);
  }

  /** @internal */
  _scheduleCallbacks(): void {
    const cb = this._cb;
    if (cb === null) return;
    this._cb = null;
    if (!Array.isArray(cb)) this._dispatch(cb);
    else for (let i = 0; i < cb.length; i++) this._dispatch(cb[i]);
  }
}

/** A CancelledError's message as a cancel message: none when it is empty. */
function messageOf(error: CancelledError): string | undefined {
  return error.message === "" ? undefined : error.message;
}

/** Futures whose repr is being built: one met again inside its own result prints as "...". */
const reprInProgress = new Set<Future<unknown>>();

/** Describe `value` as part of `owner`'s repr without recursing forever (reprlib.recursive_repr). */
function describeOnce(owner: Future<unknown>, value: unknown): string {
  if (value === owner || reprInProgress.has(value as Future<unknown>)) return "...";
  reprInProgress.add(owner);
  try {
    return describe(value);
  } finally {
    reprInProgress.delete(owner);
  }
}

/** A done callback as the repr shows it: `name()`, or the waking method of a parked Task. */
function describeCallback(callback: unknown): string {
  if (typeof callback === "function") return `${callback.name || "(anonymous)"}()`;
  return `${(callback as object).constructor.name}._wakeup()`;
}

/**
 * @internal A CancelledError made by the library for a cancelled Future. The stack V8 would capture
 * here is the loop's own frames (a cancellation is delivered from a loop callback, not from the
 * coroutine it lands in), and capturing it is most of what cancelling costs, so it is skipped
 * unless debug mode or tracing watches the loop.
 */
export function _newCancelledError(loop: LoopInternals, message: string | undefined): CancelledError {
  if (loop._instrument !== null) return new CancelledError(message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The iterator behind `yield* future`: yields the Future once while pending, then returns its result. */
class FutureIterator<T> implements Iterator<Future<T>, T, unknown> {
  #future: Future<T>;
  #yielded = false;

  constructor(future: Future<T>) {
    this.#future = future;
  }

  next(): IteratorResult<Future<T>, T> {
    const f = this.#future;
    if (f._state === PENDING) {
      if (this.#yielded) {
        throw new RuntimeError("the Future was resumed before it was done: await it with yield*, inside a Task");
      }
      this.#yielded = true;
      f._flags |= FLAG_BLOCKING;
      return { done: false, value: f };
    }
    return { done: true, value: f.result() };
  }

  throw(error: unknown): IteratorResult<Future<T>, T> {
    throw error;
  }

  return(value?: T): IteratorResult<Future<T>, T> {
    return { done: true, value: value as T };
  }
}

/** Tell whether `value` is an asyncio-ts Future (a Task included). */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}

/**
 * Return a Future that settles like `promise`, so a coroutine can await it with `yield*`.
 *
 * Pass a function instead of a promise to make the operation cancellable: `wrap` calls it at once
 * with an `AbortSignal` and settles like the promise it returns; when the Future is cancelled (the
 * awaiting Task was cancelled, a timeout expired), the signal is aborted with the `CancelledError`
 * the awaiting Task receives, so `fetch` and Node's APIs stop their work. A plain promise cannot be
 * cancelled: cancelling its Future stops the waiting only, and the promise runs on.
 *
 * A promise that rejects after its Future was cancelled is reported to the loop's exception handler
 * (nobody awaits it any more), unless the error is the abort itself: a `CancelledError`, an error
 * named `AbortError`, or one whose `cause` is a `CancelledError`.
 *
 * @example
 * const text = yield* asyncio.wrap(fs.promises.readFile(path, "utf8"));
 * const response = yield* asyncio.wrap((signal) => fetch(url, { signal }));
 * @throws {TypeError} when `source` is neither a promise (thenable) nor a function, or the function
 *   returns something that is not a promise.
 * @see asyncio.wrap_future, which wraps a concurrent.futures.Future the same way
 */
export function wrap<T>(promise: PromiseLike<T>, loop?: EventLoop): Future<T>;
export function wrap<T>(operation: (signal: AbortSignal) => PromiseLike<T>, loop?: EventLoop): Future<T>;
export function wrap<T>(
  source: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  loop?: EventLoop,
): Future<T> {
  if (source instanceof Future) return source as Future<T>;
  if (typeof source === "function") return wrapOperation(source, loop);
  if (source === null || typeof (source as { then?: unknown })?.then !== "function") {
    throw new TypeError(
      `wrap() expects a promise, a thenable or a function taking an AbortSignal, got ${describe(source)}`,
    );
  }
  return settleLike(new Future<T>(loop), source);
}

function wrapOperation<T>(operation: (signal: AbortSignal) => PromiseLike<T>, loop?: EventLoop): Future<T> {
  const fut = new Future<T>(loop);
  const controller = new AbortController();
  // Registered before anyone can park on the Future, so it runs before the awaiting Task wakes: the
  // error saved here is the very one `_makeCancelledError()` then hands to that Task.
  fut._addCallback((done: Future<T>) => {
    if (done._state !== CANCELLED) return;
    const error = done._makeCancelledError();
    done._saveCancelledError(error, true);
    controller.abort(error);
  });
  let promise: PromiseLike<T>;
  try {
    promise = operation(controller.signal);
  } catch (error) {
    // A function that throws before returning its promise fails the Future, as an async function would.
    fut._reject(error);
    return fut;
  }
  if (promise === null || typeof (promise as { then?: unknown })?.then !== "function") {
    throw new TypeError(
      `the function given to wrap() must return a promise, got ${describe(promise)}: make it async or return the promise`,
    );
  }
  return settleLike(fut, promise);
}

/** Whether `error` is what an aborted operation rejects with, rather than a failure worth reporting. */
function isAbortError(error: unknown): boolean {
  if (error instanceof CancelledError) return true;
  if (typeof error !== "object" || error === null) return false;
  return (
    (error as { name?: unknown }).name === "AbortError" ||
    (error as { cause?: unknown }).cause instanceof CancelledError
  );
}

function settleLike<T>(fut: Future<T>, promise: PromiseLike<T>): Future<T> {
  const internals = fut._loop;
  internals._externalPending++;
  let counted = true;
  const release = (): void => {
    if (counted) {
      counted = false;
      internals._externalPending--;
      internals._wake();
    }
  };
  // A cancelled wrapper no longer waits on the promise, so it must not hold virtual time still.
  fut._addCallback(release);
  promise.then(
    (value) => {
      release();
      if (fut._state === PENDING) fut._resolve(value);
    },
    (error: unknown) => {
      release();
      if (fut._state === PENDING) fut._reject(error);
      else if (!isAbortError(error)) {
        internals.callExceptionHandler({
          message: "a promise rejected after the Future wrapping it was cancelled, so nothing awaited it",
          exception: error,
          future: fut as Future<unknown>,
        });
      }
    },
  );
  return fut;
}
