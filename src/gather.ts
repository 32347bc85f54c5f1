// gather(): run awaitables concurrently and collect their results in argument order.

import { isCoroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop, type LoopInternals } from "./events.ts";
import { ValueError } from "./exceptions.ts";
import { _newCancelledError, CANCELLED, FAILED, FLAG_GATHERED, Future, PENDING, wrap } from "./futures.ts";
import { _outcomeOf, GatherChildren } from "./gather-children.ts";
import { _gatherExtended } from "./gather-extensions.ts";
import { describe } from "./internal/format.ts";
import { Task, type Awaitable } from "./tasks.ts";

/** Options for `gather` and `gatherAll`. */
export interface GatherOptions {
  /**
   * Return exceptions (and the CancelledError of a cancelled child) in the results instead of
   * raising the first one. Default false.
   */
  returnExceptions?: boolean;
  /**
   * Extension beyond asyncio: run at most this many of the coroutines at a time (a positive
   * integer, or Infinity for no limit). The others start in argument order as running ones
   * finish; results stay in argument order. Futures and promises are running already and take no
   * slot. Cancelling the gather closes the coroutines that never started.
   */
  limit?: number;
  /**
   * Extension beyond asyncio: aborting this signal cancels the gather, with the signal's reason
   * as the cancel message. A signal aborted already cancels it at once, before anything starts.
   */
  signal?: AbortSignal;
}

/** The result type of awaiting `A`: what a coroutine returns, what a Future or promise holds. */
export type AwaitedOf<A> =
  A extends Future<infer T>
    ? T
    : A extends Generator<unknown, infer T, never>
      ? T
      : A extends PromiseLike<infer T>
        ? Awaited<T>
        : never;

/** The tuple `gather(...aws)` resolves to. */
export type GatherResults<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> };

/** The tuple `gather(...aws, { returnExceptions: true })` resolves to: each slot a result or an error. */
export type GatherSettled<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedOf<A[K]> | Error };

/** A gather's child: its Future, or its index among the coroutine children that have no Task. */
type Child = Future<unknown> | number;

/**
 * The Future `gather` returns. Cancelling it cancels every child that is not done yet.
 *
 * @see asyncio.tasks._GatheringFuture
 */
export class GatheringFuture<T> extends Future<T> {
  /** @internal Each argument's child: its Future, or its index among `_lazy`'s coroutine children. */
  _futs: Child[];
  /** @internal The coroutine children that have no Task (gather-children.ts), or null. */
  _lazy: GatherChildren | null = null;
  /** @internal */ _cancelRequested = false;
  /** @internal Return exceptions in the results instead of failing (set by gather). */
  _returnExceptions = false;
  /** @internal How many distinct children there are, and how many have finished. */
  _nfuts = 0;
  /** @internal */ _nfinished = 0;

  /** @internal */
  constructor(children: Child[], loop: EventLoop) {
    super(loop);
    this._futs = children;
  }

  /**
   * @internal Every child as a Future, in argument order, for call graphs and tracing: the
   * coroutine children that have no Task get one here.
   */
  get _children(): Future<unknown>[] {
    const lazy = this._lazy;
    if (lazy === null) return this._futs as Future<unknown>[];
    return this._futs.map((child) => (typeof child === "number" ? lazy._adopt(child) : child));
  }

  /**
   * Cancel every child that is not done; return whether any was. The awaiting Task then gets a
   * CancelledError (which the gather Future holds as its exception, as in asyncio).
   */
  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    let any = false;
    const children = this._futs;
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as Child;
      const cancelled =
        typeof child === "number" ? (this._lazy as GatherChildren)._cancel(child, msg) : child.cancel(msg);
      if (cancelled) any = true;
    }
    // A child that was cancelled must cancel the gather whatever returnExceptions says (bpo-32684).
    if (any) this._cancelRequested = true;
    return any;
  }

  /**
   * @internal One child finished with `state` (`value` being its result or exception); `fut` is
   * the child, or null for a child that ran without a Task (`value` is then the CancelledError
   * of one that cancelled itself).
   */
  _childDone(state: number, value: unknown, fut: Future<unknown> | null): void {
    this._nfinished++;
    if (this._state !== PENDING) {
      // Nobody will see this outcome; mark the exception retrieved (asyncio does the same).
      if (fut !== null && state === FAILED) fut._markRetrieved();
      return;
    }
    if (!this._returnExceptions) {
      if (state === CANCELLED) {
        this._reject(fut !== null ? fut._makeCancelledError() : value);
        return;
      }
      if (state === FAILED) {
        if (fut !== null) fut._markRetrieved();
        this._reject(value);
        return;
      }
    }
    if (this._nfinished === this._nfuts) {
      const results = this._results();
      if (this._cancelRequested) {
        // The gather was cancelled: propagate the cancellation whatever returnExceptions says.
        this._reject(
          fut !== null
            ? fut._makeCancelledError()
            : state === CANCELLED
              ? value
              : _newCancelledError(this._loop, undefined),
        );
      } else {
        this._resolve(results as T);
      }
    }
  }

  /** @internal The children's outcomes in argument order, once all are done. */
  _results(): unknown[] {
    const children = this._futs;
    const n = children.length;
    const results = new Array<unknown>(n);
    const lazy = this._lazy;
    for (let i = 0; i < n; i++) {
      const child = children[i] as Child;
      results[i] = typeof child === "number" ? (lazy as GatherChildren)._outcome(child) : _outcomeOf(child);
    }
    return results;
  }
}

function isOptions(value: unknown): value is GatherOptions {
  if (typeof value !== "object" || value === null || value instanceof Future || isCoroutine(value)) return false;
  if (typeof (value as { then?: unknown }).then === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The Future for an argument that is neither a coroutine nor a Future: a promise wrapped. */
function futureOf(arg: unknown, index: number, loop: EventLoop | null): Future<unknown> {
  if (arg !== null && typeof (arg as { then?: unknown }).then === "function") {
    return wrap(arg as PromiseLike<unknown>, loop ?? undefined);
  }
  const hint = typeof arg === "function" ? `; call it: ${describe(arg)}() returns the coroutine` : "";
  throw new TypeError(
    `gather() argument ${index + 1} is not awaitable: got ${describe(arg)}${hint}. ` +
      "Pass coroutines, Futures/Tasks or promises, and options only as the last argument.",
  );
}

/**
 * @internal Read the outcomes of a gather's finished children, in argument order (for gather's
 * `limit`/`signal` path, gather-extensions.ts).
 */
export function _collectResults(children: readonly Future<unknown>[], n: number): unknown[] {
  const results = new Array<unknown>(n);
  for (let i = 0; i < n; i++) results[i] = _outcomeOf(children[i] as Future<unknown>);
  return results;
}

/**
 * The coroutines among `args[0..end)`, each with its child, for looking them up by identity from
 * now on (gather met a coroutine that was marked already).
 */
function coroutinesSoFar(
  args: ArrayLike<unknown>,
  children: Child[],
  end: number,
  seen: Map<unknown, Child>,
): Map<unknown, Child> {
  for (let j = 0; j < end; j++) {
    const arg = args[j];
    if (isCoroutine(arg) && !seen.has(arg)) seen.set(arg, children[j] as Child);
  }
  return seen;
}

/** asyncio raises ValueError here too (through ensure_future's loop check). */
function otherLoop(index: number): ValueError {
  return new ValueError(
    `gather() argument ${index + 1} is bound to another event loop than the earlier ones: gather awaitables of one loop`,
  );
}

/** Clear the FLAG_GATHERED bit gather set on the Futures among `args[0..n)`. */
function unmark(args: ArrayLike<unknown>, n: number): void {
  for (let i = 0; i < n; i++) {
    const arg = args[i];
    if (arg instanceof Future) arg._flags &= ~FLAG_GATHERED;
  }
}

/** @internal The shared implementation of gather and gatherAll. */
function gatherArray(args: ArrayLike<unknown>, returnExceptions: boolean): GatheringFuture<unknown[]> {
  const n = args.length;
  if (n === 0) {
    const outer = new GatheringFuture<unknown[]>([], _getEventLoop());
    outer._resolve([]);
    return outer;
  }
  const children: Child[] = new Array(n);
  const done: Future<unknown>[] = [];
  let loop: LoopInternals | null = null;
  let lazy: GatherChildren | null = null;
  let nfuts = 0;
  let outer: GatheringFuture<unknown[]> | null = null;
  const onChildDone = (fut: Future<unknown>): void => {
    if (outer !== null) outer._childDone(fut._state, fut._value, fut);
    // No outer: a later argument was refused and gather() threw, so nobody will see this child's
    // outcome (CPython bpo-46672). Mark its exception as retrieved.
    else if (fut._state === FAILED) fut._markRetrieved();
  };
  // The same awaitable passed twice is one child, found without a hash table of every argument in
  // the common cases of a million coroutines or Tasks: a Future carries a bit while gather runs,
  // and a coroutine is marked non-extensible. Promises are looked up in `seen`, and so are
  // coroutines once gather meets one marked already (passed twice, or to an earlier gather, or
  // frozen by its owner).
  let seen: Map<unknown, Child> | null = null;
  let exact = false;
  try {
    for (let i = 0; i < n; i++) {
      const arg = args[i];
      let child: Child | undefined;
      if (isCoroutine(arg)) {
        if (!exact && Object.isExtensible(arg)) Object.preventExtensions(arg);
        else {
          if (!exact) {
            exact = true;
            seen = coroutinesSoFar(args, children, i, seen ?? new Map());
          }
          child = (seen as Map<unknown, Child>).get(arg);
        }
        if (child === undefined) {
          const target: LoopInternals = loop ?? (_getEventLoop() as LoopInternals);
          loop = target;
          if (lazy !== null || target._plainTasks()) {
            if (lazy === null) lazy = new GatherChildren(target, n, onChildDone);
            child = lazy._add(arg);
          } else {
            const task = target.createTask(arg);
            // The caller cannot reach this Task, so a pending one being collected is not its mistake.
            if (task instanceof Task) task._logDestroyPending = false;
            if (task._state !== PENDING) done.push(task);
            else task._addCallback(onChildDone);
            child = task;
          }
          if (exact) (seen as Map<unknown, Child>).set(arg, child);
          nfuts++;
        }
      } else if (arg instanceof Future) {
        // A Future is its own child; a bit on it, cleared below, tells one passed twice.
        child = arg;
        if ((arg._flags & FLAG_GATHERED) === 0) {
          if (loop === null) loop = arg._loop;
          else if (arg._loop !== loop) throw otherLoop(i);
          arg._flags |= FLAG_GATHERED;
          if (arg._state !== PENDING) done.push(arg);
          else arg._addCallback(onChildDone);
          nfuts++;
        }
      } else {
        child = seen === null ? undefined : seen.get(arg);
        if (child === undefined) {
          const fut = futureOf(arg, i, loop);
          if (loop === null) loop = fut._loop;
          else if (fut._loop !== loop) throw otherLoop(i);
          if (seen === null) seen = new Map();
          seen.set(arg, fut);
          if (fut._state !== PENDING) done.push(fut);
          else fut._addCallback(onChildDone);
          child = fut;
          nfuts++;
        }
      }
      children[i] = child as Child;
    }
  } catch (error) {
    unmark(args, n);
    if (lazy !== null) lazy._startAsTasks();
    throw error;
  }
  unmark(args, n);
  const gathering = new GatheringFuture<unknown[]>(children, loop as EventLoop);
  gathering._returnExceptions = returnExceptions;
  gathering._nfuts = nfuts;
  gathering._lazy = lazy;
  outer = gathering;
  if (lazy !== null) lazy._start(gathering);
  // Children that were already done complete the gather eagerly, as in asyncio.
  for (let i = 0; i < done.length; i++) onChildDone(done[i] as Future<unknown>);
  return gathering;
}

/**
 * Run the awaitables concurrently and resolve with their results, in argument order.
 *
 * Coroutines are wrapped in Tasks that start on the next loop iteration, in argument order; the
 * same awaitable passed twice is wrapped once. If a child fails, the gather fails at once with
 * that error while the other children keep running (they are not cancelled). With
 * `{ returnExceptions: true }` as the last argument, errors take their child's place in the
 * results instead. Cancelling the gather cancels every child not yet done.
 *
 * Two options go beyond asyncio: `limit` runs at most that many of the coroutines at a time, and
 * `signal` (an AbortSignal) cancels the gather when aborted.
 *
 * Compared with `Promise.all`: children are lazily started Tasks that can be cancelled, and
 * `returnExceptions` is `Promise.allSettled` without the wrapper objects.
 *
 * @example
 * const [a, b] = yield* asyncio.gather(coro1(), coro2()); // typed [string, number]
 * const settled = yield* asyncio.gather(coro1(), coro2(), { returnExceptions: true });
 * const pages = yield* asyncio.gather(...urls.map(fetchPage), { limit: 10, signal });
 * @throws {TypeError} when an argument is not awaitable (the message names its position), or
 *   `limit` is not a number or `signal` not an AbortSignal.
 * @throws {ValueError} when `limit` is not a positive integer, or the Futures belong to different loops.
 * @see asyncio.gather
 */
export function gather<const A extends readonly Awaitable<unknown>[]>(...aws: A): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions & { returnExceptions: true }]
): GatheringFuture<GatherSettled<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions & { returnExceptions?: false }]
): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions]
): GatheringFuture<GatherResults<A> | GatherSettled<A>>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) {
    args.pop();
    if (last.limit !== undefined || last.signal !== undefined) return _gatherExtended(args, last, "gather");
    return gatherArray(args, Boolean(last.returnExceptions));
  }
  return gatherArray(args, false);
}

/**
 * `gather` for a large or dynamic number of awaitables, taken from an array or any iterable.
 * Use it instead of spreading: `gather(...array)` overflows the stack near 100,000 arguments.
 *
 * @example
 * const pages = yield* asyncio.gatherAll(urls.map((u) => fetchPage(u)));
 * @see asyncio.gather
 */
export function gatherAll<T>(
  aws: Iterable<Awaitable<T>>,
  options: GatherOptions & { returnExceptions: true },
): GatheringFuture<(T | Error)[]>;
export function gatherAll<T>(
  aws: Iterable<Awaitable<T>>,
  options?: GatherOptions & { returnExceptions?: false },
): GatheringFuture<T[]>;
export function gatherAll<T>(aws: Iterable<Awaitable<T>>, options: GatherOptions): GatheringFuture<(T | Error)[]>;
export function gatherAll<T>(aws: Iterable<Awaitable<T>>, options?: GatherOptions): GatheringFuture<unknown[]> {
  if (aws === null || typeof (aws as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new TypeError(`gatherAll() expects an array or iterable of awaitables, got ${describe(aws)}`);
  }
  if (options !== undefined && !isOptions(options)) {
    throw new TypeError(
      `gatherAll() options must be a plain object like { returnExceptions: true }, got ${describe(options)}`,
    );
  }
  const list = Array.isArray(aws) ? aws : Array.from(aws);
  if (options !== undefined && (options.limit !== undefined || options.signal !== undefined)) {
    return _gatherExtended(list, options, "gatherAll");
  }
  return gatherArray(list, Boolean(options?.returnExceptions));
}
