// gather(): run awaitables concurrently and collect their results in argument order.

import { isCoroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop } from "./events.ts";
import { ValueError } from "./exceptions.ts";
import { _newCancelledError, CANCELLED, FAILED, Future, PENDING, wrap } from "./futures.ts";
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

/**
 * The Future `gather` returns. Cancelling it cancels every child that is not done yet.
 *
 * @see asyncio.tasks._GatheringFuture
 */
export class GatheringFuture<T> extends Future<T> {
  /** @internal */ _children: Future<unknown>[];
  /** @internal */ _cancelRequested = false;

  /** @internal */
  constructor(children: Future<unknown>[], loop: EventLoop) {
    super(loop);
    this._children = children;
  }

  /**
   * Cancel every child that is not done; return whether any was. The awaiting Task then gets a
   * CancelledError (which the gather Future holds as its exception, as in asyncio).
   */
  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    let any = false;
    const children = this._children;
    for (let i = 0; i < children.length; i++) {
      if ((children[i] as Future<unknown>).cancel(msg)) any = true;
    }
    // A child that was cancelled must cancel the gather whatever returnExceptions says (bpo-32684).
    if (any) this._cancelRequested = true;
    return any;
  }
}

function isOptions(value: unknown): value is GatherOptions {
  if (typeof value !== "object" || value === null || value instanceof Future || isCoroutine(value)) return false;
  if (typeof (value as { then?: unknown }).then === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function childOf(arg: unknown, index: number, loop: EventLoop | null): Future<unknown> {
  if (arg instanceof Future) return arg;
  if (isCoroutine(arg)) {
    const task = (loop ?? _getEventLoop()).createTask(arg);
    // The caller cannot reach this Task, so a pending one being collected is not its mistake.
    if (task instanceof Task) task._logDestroyPending = false;
    return task;
  }
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
 * @internal Read the outcomes of a gather's finished children, in argument order: each child's
 * result, its exception (marked retrieved), or a CancelledError carrying its cancel message.
 * Shared by gather's plain path and its `limit`/`signal` path (gather-extensions.ts); it runs once
 * per gather, when the last child is done.
 */
export function _collectResults(children: readonly Future<unknown>[], n: number): unknown[] {
  const results = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const child = children[i] as Future<unknown>;
    const state = child._state;
    if (state === CANCELLED) {
      results[i] = _newCancelledError(child._loop, child._cancelMessage);
    } else if (state === FAILED) {
      child._markRetrieved();
      results[i] = child._value;
    } else {
      results[i] = child._value;
    }
  }
  return results;
}

/** @internal The shared implementation of gather and gatherAll. */
function gatherArray(args: ArrayLike<unknown>, returnExceptions: boolean): GatheringFuture<unknown[]> {
  const n = args.length;
  if (n === 0) {
    const outer = new GatheringFuture<unknown[]>([], _getEventLoop());
    outer._resolve([]);
    return outer;
  }
  const children: Future<unknown>[] = new Array(n);
  const done: Future<unknown>[] = [];
  let loop: EventLoop | null = null;
  let nfuts = 0;
  let nfinished = 0;
  let outer: GatheringFuture<unknown[]> | null = null;

  const onChildDone = (fut: Future<unknown>): void => {
    nfinished++;
    const out = outer;
    // No outer: a later argument was refused and gather() threw, so nobody will see this child's
    // outcome (CPython bpo-46672). Either way, mark its exception as retrieved.
    if (out === null || out._state !== PENDING) {
      if (fut._state === FAILED) fut._markRetrieved();
      return;
    }
    if (!returnExceptions) {
      if (fut._state === CANCELLED) {
        out._reject(fut._makeCancelledError());
        return;
      }
      if (fut._state === FAILED) {
        fut._markRetrieved();
        out._reject(fut._value);
        return;
      }
    }
    if (nfinished === nfuts) {
      const results = _collectResults(children, n);
      if (out._cancelRequested) {
        // The gather was cancelled: propagate the cancellation whatever returnExceptions says.
        out._reject(fut._makeCancelledError());
      } else {
        out._resolve(results);
      }
    }
  };

  // The same awaitable passed twice is wrapped once, through a map that lives only as long as
  // this call. The last argument cannot repeat an earlier one without being found, so it is not
  // added.
  const seen = new Map<object, Future<unknown>>();
  for (let i = 0; i < n; i++) {
    const arg = args[i];
    let fut: Future<unknown> | undefined = typeof arg === "object" && arg !== null ? seen.get(arg) : undefined;
    if (fut === undefined) {
      fut = childOf(arg, i, loop);
      if (loop === null) loop = fut._loop;
      else if (fut._loop !== loop) {
        // asyncio raises ValueError here too (through ensure_future's loop check).
        throw new ValueError(
          `gather() argument ${i + 1} is bound to another event loop than the earlier ones: gather awaitables of one loop`,
        );
      }
      if (i + 1 < n) seen.set(arg as object, fut);
      nfuts++;
      if (fut._state !== PENDING) done.push(fut);
      else fut._addCallback(onChildDone);
    }
    children[i] = fut;
  }
  outer = new GatheringFuture<unknown[]>(children, loop as EventLoop);
  // Children that were already done complete the gather eagerly, as in asyncio.
  for (let i = 0; i < done.length; i++) onChildDone(done[i] as Future<unknown>);
  return outer;
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
