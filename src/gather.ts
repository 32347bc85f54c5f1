// gather(): run awaitables concurrently and collect their results in argument order.

import { isCoroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop } from "./events.ts";
import { CancelledError } from "./exceptions.ts";
import { CANCELLED, FAILED, Future, PENDING, wrap } from "./futures.ts";
import { describe } from "./internal/format.ts";
import { Task, type Awaitable } from "./tasks.ts";

/** Options for `gather` and `gatherAll`. */
export interface GatherOptions {
  /**
   * Return exceptions (and the CancelledError of a cancelled child) in the results instead of
   * raising the first one. Default false.
   */
  returnExceptions?: boolean;
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

/**
 * Marks, on a coroutine object, the Task one gather call made for it, so that an argument passed
 * twice is wrapped once without a Map lookup per child (the common case has no duplicates).
 */
const GATHER_TASK = Symbol("asyncio-ts.gather.task");
/** Promises may be frozen, so the Futures wrapping them are remembered here instead. */
const wrappedBy = new WeakMap<object, Future<unknown>>();

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

/** The child this gather call (identified by `marker`) already made for `arg`, if any. */
function duplicateOf(arg: unknown, marker: object): Future<unknown> | undefined {
  if (arg instanceof Future) return arg._gatherMarker === marker ? arg : undefined;
  if (typeof arg !== "object" || arg === null) return undefined;
  const fut = isCoroutine(arg) ? (arg as { [GATHER_TASK]?: Future<unknown> })[GATHER_TASK] : wrappedBy.get(arg);
  return fut !== undefined && fut._gatherMarker === marker ? fut : undefined;
}

function remember(arg: unknown, fut: Future<unknown>, marker: object): void {
  fut._gatherMarker = marker;
  if (arg === fut) return;
  if (isCoroutine(arg)) (arg as { [GATHER_TASK]?: Future<unknown> })[GATHER_TASK] = fut;
  else wrappedBy.set(arg as object, fut);
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
  const marker = {};

  const onChildDone = (fut: Future<unknown>): void => {
    nfinished++;
    const out = outer as GatheringFuture<unknown[]>;
    if (out._state !== PENDING) {
      // Mark the child's exception as retrieved: the gather already reported its outcome.
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
        out._reject(fut._exception);
        return;
      }
    }
    if (nfinished === nfuts) {
      const results = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const child = children[i] as Future<unknown>;
        const state = child._state;
        if (state === CANCELLED) {
          results[i] = new CancelledError(child._cancelMessage);
        } else if (state === FAILED) {
          child._markRetrieved();
          results[i] = child._exception;
        } else {
          results[i] = child._result;
        }
      }
      if (out._cancelRequested) {
        // The gather was cancelled: propagate the cancellation whatever returnExceptions says.
        out._reject(fut._makeCancelledError());
      } else {
        out._resolve(results);
      }
    }
  };

  for (let i = 0; i < n; i++) {
    const arg = args[i];
    let fut = duplicateOf(arg, marker);
    if (fut === undefined) {
      fut = childOf(arg, i, loop);
      if (loop === null) loop = fut._loop;
      else if (fut._loop !== loop) {
        throw new TypeError(`gather() argument ${i + 1} is bound to another event loop than the earlier ones`);
      }
      remember(arg, fut, marker);
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
 * Compared with `Promise.all`: children are lazily started Tasks that can be cancelled, and
 * `returnExceptions` is `Promise.allSettled` without the wrapper objects.
 *
 * @example
 * const [a, b] = yield* asyncio.gather(coro1(), coro2()); // typed [string, number]
 * const settled = yield* asyncio.gather(coro1(), coro2(), { returnExceptions: true });
 * @throws {TypeError} when an argument is not awaitable (the message names its position).
 * @see asyncio.gather
 */
export function gather<const A extends readonly Awaitable<unknown>[]>(...aws: A): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions & { returnExceptions: true }]
): GatheringFuture<GatherSettled<A>>;
export function gather<const A extends readonly Awaitable<unknown>[]>(
  ...args: [...A, GatherOptions]
): GatheringFuture<GatherResults<A> | GatherSettled<A>>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) {
    args.pop();
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
export function gatherAll<T>(aws: Iterable<Awaitable<T>>, options?: GatherOptions): GatheringFuture<T[]>;
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
  return gatherArray(list, Boolean(options?.returnExceptions));
}
