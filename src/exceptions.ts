// The errors asyncio-ts raises, named as in asyncio/exceptions.py.

import { describe } from "./internal/format.ts";

/**
 * Raise into a coroutine when its Task is cancelled.
 *
 * Python's `CancelledError` derives from `BaseException` so that `except Exception` does not swallow
 * it. JavaScript has no such split: a bare `catch` catches it too, so rethrow it (or test with
 * `isCancelledError`) unless you mean to suppress the cancellation.
 *
 * @see asyncio.CancelledError
 */
export class CancelledError extends Error {
  override name = "CancelledError";
  constructor(message?: string) {
    super(message ?? "");
  }
}

/**
 * Raise when an operation is not allowed in the Future's current state, such as `setResult` on a
 * Future that is already done, or `result()` on one that is still pending.
 *
 * @see asyncio.InvalidStateError
 */
export class InvalidStateError extends Error {
  override name = "InvalidStateError";
}

/**
 * Raise when a `timeout()` block or `waitFor()` runs out of time.
 *
 * @see asyncio.TimeoutError (an alias of the built-in TimeoutError since Python 3.11)
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * Raise for misuse of the event loop or of a Task that Python reports as `RuntimeError`: running a
 * loop inside a running loop, using a closed loop, awaiting a Future from another loop.
 */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}

/** Tell whether `error` is a `CancelledError`, the check to make before swallowing an error. */
export function isCancelledError(error: unknown): error is CancelledError {
  return error instanceof CancelledError;
}

/**
 * Raise for an argument of the right type but a wrong value (a NaN delay, a negative size).
 * It extends `RangeError`, so both Python-style `instanceof ValueError` and the JavaScript idiom
 * `instanceof RangeError` catch it.
 *
 * @see Python's built-in ValueError
 */
export class ValueError extends RangeError {
  override name = "ValueError";
}

/**
 * Raise from `run()` and `Runner.run()` when Ctrl-C (SIGINT) interrupted the program: the first
 * SIGINT cancels the main Task, and once it has ended cancelled this error replaces the
 * CancelledError; a second SIGINT stops the loop at once with it.
 *
 * Python's KeyboardInterrupt is a BaseException raised wherever the program is; in JavaScript a
 * signal can only arrive between callbacks, so only the runner raises it.
 *
 * @see Python's built-in KeyboardInterrupt, and asyncio.Runner's SIGINT handling
 */
export class KeyboardInterrupt extends Error {
  override name = "KeyboardInterrupt";
  constructor(message = "interrupted by SIGINT") {
    super(message);
  }
}

/**
 * Raise from `Barrier.wait()` when the barrier is aborted, or reset while the task waits at it.
 *
 * @see asyncio.BrokenBarrierError
 */
export class BrokenBarrierError extends RuntimeError {
  override name = "BrokenBarrierError";
}

/**
 * Raise from `Queue.getNowait()` when the queue is empty; `yield* queue.get()` waits for an item instead.
 *
 * @see asyncio.QueueEmpty
 */
export class QueueEmpty extends Error {
  override name = "QueueEmpty";
}

/**
 * Raise from `Queue.putNowait()` when the queue holds `maxsize` items; `yield* queue.put(item)`
 * waits for a free slot instead.
 *
 * @see asyncio.QueueFull
 */
export class QueueFull extends Error {
  override name = "QueueFull";
}

/**
 * Raise when putting into a queue that was shut down, or getting from one that was shut down and
 * is empty (or was shut down with `immediate`).
 *
 * @see asyncio.QueueShutDown
 */
export class QueueShutDown extends Error {
  override name = "QueueShutDown";
}

// ---- exception groups ----------------------------------------------------------------------------
// Python's built-in BaseExceptionGroup/ExceptionGroup, which TaskGroup raises. Python splits
// BaseException (cancellation, interrupts) from Exception; here a CancelledError, a value thrown
// that is not an Error, and a BaseExceptionGroup that is not an ExceptionGroup play the part of a
// BaseException, and every other Error is an "exception".

/** A class an exception group can be split by: `TypeError`, `MyError`, `ExceptionGroup`... */
export type ErrorClass<E = unknown> = abstract new (...args: never[]) => E;

/** What `split()` and `subgroup()` accept: a class, an array of classes, or a predicate. */
export type SplitCondition<E = unknown> = ErrorClass<E> | readonly ErrorClass<E>[] | ((error: unknown) => boolean);

/**
 * The members a condition matches: instances of the class (or classes), the narrowed type of a
 * type-guard predicate, or the group's own member type for a plain predicate.
 */
export type Matched<C, E> =
  C extends ErrorClass<infer M>
    ? M
    : C extends readonly ErrorClass<infer M>[]
      ? M
      : C extends (error: unknown) => error is infer M
        ? M
        : E;

/** `M` when it is an Error type already, else `M & Error`: the members of an ExceptionGroup part. */
export type ErrorOf<M> = M extends Error ? M : M & Error;

/** Whether `value` counts as Python's `Exception` (not a bare `BaseException`) when grouped. */
function isException(value: unknown): boolean {
  return (
    value instanceof Error &&
    !(value instanceof CancelledError) &&
    !(value instanceof BaseExceptionGroup && !(value instanceof ExceptionGroup))
  );
}

/** Whether `fn` is a class to match with `instanceof` rather than a predicate to call. */
function isClass(fn: unknown): fn is ErrorClass {
  if (typeof fn !== "function") return false;
  if (fn === Error || fn.prototype instanceof Error) return true;
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function toMatcher(condition: unknown): (error: unknown) => boolean {
  if (isClass(condition)) return (error) => error instanceof condition;
  if (Array.isArray(condition) && condition.every(isClass)) {
    const classes = condition as ErrorClass[];
    return (error) => classes.some((cls) => error instanceof cls);
  }
  if (typeof condition === "function") return condition as (error: unknown) => boolean;
  throw new TypeError(
    `expected an error class, an array of error classes, or a predicate function, got ${describe(condition)}`,
  );
}

function pluralExceptions(n: number): string {
  return n === 1 ? "1 sub-exception" : `${n} sub-exceptions`;
}

/**
 * Several errors raised together, as a TaskGroup raises the failures of its tasks. It is an
 * `AggregateError`, so Node and other JavaScript tooling print every member; `exceptions` holds
 * them (`errors` too, as in any AggregateError), `message` the group's own message.
 *
 * `new BaseExceptionGroup(message, errors)` returns an `ExceptionGroup` when every member is an
 * ordinary error; it stays a BaseExceptionGroup when one is a `CancelledError`, a thrown value
 * that is not an `Error`, or a BaseExceptionGroup itself, the JavaScript stand-ins for Python's
 * `BaseException`. Catch ExceptionGroup, not BaseExceptionGroup, to leave cancellations alone.
 *
 * @example
 * try {
 *   yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) { ... });
 * } catch (error) {
 *   if (!(error instanceof asyncio.ExceptionGroup)) throw error;
 *   const [timeouts, others] = error.split(asyncio.TimeoutError);
 * }
 * @throws {TypeError} when `message` is not a string or `exceptions` is not an iterable.
 * @throws {ValueError} when `exceptions` is empty.
 * @see Python's built-in BaseExceptionGroup
 */
export class BaseExceptionGroup<E = unknown> extends AggregateError {
  /** The member errors, in order; nested groups stay nested. */
  declare readonly exceptions: readonly (E | BaseExceptionGroup<E>)[];

  // biome-ignore lint/correctness/noUnreachableSuper: the ExceptionGroup path returns another object, touching no `this`.
  constructor(message: string, exceptions: Iterable<E | BaseExceptionGroup<E>>) {
    if (typeof message !== "string") {
      throw new TypeError(`an exception group's message must be a string, got ${describe(message)}`);
    }
    if (
      exceptions === null ||
      typeof exceptions !== "object" ||
      typeof (exceptions as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function"
    ) {
      throw new TypeError(`an exception group's exceptions must be an array, got ${describe(exceptions)}`);
    }
    const list = Array.from(exceptions);
    if (list.length === 0) throw new ValueError("an exception group needs at least one exception, got none");
    const allExceptions = list.every(isException);
    if (new.target === BaseExceptionGroup && allExceptions) {
      // As Python's BaseExceptionGroup.__new__ does: a group of ordinary errors is an ExceptionGroup.
      // biome-ignore lint/correctness/noConstructorReturn: this is that substitution.
      return new ExceptionGroup(message, list as Error[]) as unknown as BaseExceptionGroup<E>;
    }
    if (!allExceptions && (new.target === ExceptionGroup || new.target.prototype instanceof ExceptionGroup)) {
      const where = new.target === ExceptionGroup ? "an ExceptionGroup" : `'${new.target.name}'`;
      throw new TypeError(
        `Cannot nest a CancelledError, a non-Error value or a BaseExceptionGroup in ${where}: use BaseExceptionGroup`,
      );
    }
    super(list, message);
    Object.defineProperty(this, "name", { value: new.target.name, writable: true, configurable: true });
    Object.defineProperty(this, "exceptions", { value: Object.freeze(list), enumerable: false });
  }

  /**
   * Split the group in two: the members that match `condition` and those that do not, each as a
   * group with this one's message, `cause` and stack (made by `derive`), or `null` when empty.
   * Nested groups are split recursively and keep their shape. `condition` is an error class,
   * an array of classes, or a predicate; it is tried on the group itself and on nested groups
   * too, and a group that matches as a whole is taken as a whole.
   *
   * @example
   * const [valueErrors, rest] = group.split(asyncio.ValueError);
   * @throws {TypeError} when `condition` is none of those, or `derive` returns no exception group.
   * @see BaseExceptionGroup.split
   */
  split<C extends SplitCondition>(
    condition: C,
  ): [BaseExceptionGroup<Matched<C, E>> | null, BaseExceptionGroup<E> | null] {
    const matcher = toMatcher(condition);
    const match: unknown[] = [];
    const rest: unknown[] = [];
    splitInto(this, matcher, match, rest);
    return [(match[0] as BaseExceptionGroup<Matched<C, E>>) ?? null, (rest[0] as BaseExceptionGroup<E>) ?? null];
  }

  /**
   * Return the part of the group that matches `condition` (what `split` returns first), or `null`.
   * The group itself is returned when it matches as a whole.
   *
   * @throws {TypeError} when `condition` is not an error class, an array of them, or a predicate.
   * @see BaseExceptionGroup.subgroup
   */
  subgroup<C extends SplitCondition>(condition: C): BaseExceptionGroup<Matched<C, E>> | null {
    const match: unknown[] = [];
    splitInto(this, toMatcher(condition), match, null);
    return (match[0] as BaseExceptionGroup<Matched<C, E>>) ?? null;
  }

  /**
   * Make a group like this one holding `exceptions`; `split` and `subgroup` build their parts
   * with it. Override it in a subclass so that the parts keep the subclass and its fields.
   *
   * @see BaseExceptionGroup.derive
   */
  derive(exceptions: Iterable<unknown>): BaseExceptionGroup {
    return new BaseExceptionGroup(this.message, exceptions);
  }

  /** Describe the group as Python's `str()` does: its message and how many errors it holds. */
  override toString(): string {
    return `${this.name}: ${this.message} (${pluralExceptions(this.exceptions.length)})`;
  }
}

/**
 * An exception group whose members are all ordinary errors: no `CancelledError`, no thrown
 * non-Error values. This is what a TaskGroup raises when its tasks fail.
 *
 * @throws {TypeError} when a member is a CancelledError, a non-Error value or a BaseExceptionGroup.
 * @see Python's built-in ExceptionGroup
 */
export class ExceptionGroup<E extends Error = Error> extends BaseExceptionGroup<E> {
  override split<C extends SplitCondition>(
    condition: C,
  ): [ExceptionGroup<ErrorOf<Matched<C, E>>> | null, ExceptionGroup<E> | null] {
    return super.split(condition) as [ExceptionGroup<ErrorOf<Matched<C, E>>> | null, ExceptionGroup<E> | null];
  }

  override subgroup<C extends SplitCondition>(condition: C): ExceptionGroup<ErrorOf<Matched<C, E>>> | null {
    return super.subgroup(condition) as ExceptionGroup<ErrorOf<Matched<C, E>>> | null;
  }
}

/**
 * Sort `error` into `match` and `rest` (skipped when `null`), splitting groups recursively.
 * A group's parts are built with its `derive` and carry its `cause` and stack, as CPython's
 * `exceptiongroup_subset` copies the cause, context and traceback.
 */
function splitInto(
  error: unknown,
  matcher: (error: unknown) => boolean,
  match: unknown[],
  rest: unknown[] | null,
): void {
  if (matcher(error)) {
    match.push(error);
    return;
  }
  if (!(error instanceof BaseExceptionGroup)) {
    rest?.push(error);
    return;
  }
  const matched: unknown[] = [];
  const unmatched: unknown[] | null = rest === null ? null : [];
  for (const member of error.exceptions) splitInto(member, matcher, matched, unmatched);
  if (matched.length > 0) match.push(subset(error, matched));
  if (unmatched !== null && unmatched.length > 0) rest?.push(subset(error, unmatched));
}

function subset(original: BaseExceptionGroup, members: unknown[]): BaseExceptionGroup {
  const group: unknown = original.derive(members);
  if (!(group instanceof BaseExceptionGroup)) {
    throw new TypeError(`derive() must return an exception group, got ${describe(group)}`);
  }
  if (Object.hasOwn(original, "cause")) {
    Object.defineProperty(group, "cause", { value: original.cause, writable: true, configurable: true });
  }
  group.stack = original.stack;
  return group;
}
