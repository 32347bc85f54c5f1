// asCompleted(): iterate over awaitables in the order they finish.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop, type TimerHandle } from "./events.ts";
import { TimeoutError, ValueError } from "./exceptions.ts";
import { Future, PENDING } from "./futures.ts";
import type { AwaitedOf } from "./gather.ts";
import { describe } from "./internal/format.ts";
import { ensureFuture, type Awaitable, type Task } from "./tasks.ts";

/**
 * The Future `asCompleted()` hands back for an awaitable: a Task or Future as it was passed, a Task
 * for a coroutine, a Future for a promise.
 */
export type CompletedOf<A> =
  A extends Future<unknown> ? A : A extends Generator<unknown, infer T, never> ? Task<T> : Future<AwaitedOf<A>>;

/** Options for `asCompleted()`. */
export interface AsCompletedOptions {
  /**
   * Seconds after which every awaitable not done yet makes its iteration raise `TimeoutError`;
   * no limit when omitted or null. The awaitables themselves are not cancelled.
   */
  timeout?: number | null;
}

function isThenable(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/**
 * What `asCompleted()` returns: iterate it with `for...of` to get coroutines that each yield the
 * next result to finish (`yield* next`), with `for await` in async code to get the finished
 * Futures themselves, or call `yield* it.anext()` in a coroutine for the same. All three share one
 * position, so an iteration left with `break` can be resumed.
 *
 * @typeParam T the result type of the awaitables.
 * @typeParam F the type of the Futures handed back: the Tasks and Futures as they were passed.
 * @see asyncio.as_completed
 */
export class AsCompletedIterator<T, F = Future<T>> implements Iterator<Coroutine<T>, undefined>, AsyncIterable<F> {
  readonly #loop: EventLoop;
  readonly #todo: Set<Future<T>>;
  #todoLeft: number;
  #timeoutHandle: TimerHandle | null = null;
  /** Futures in the order they finished; `null` stands for one that the timeout overtook. */
  #done: (Future<T> | null)[] = [];
  #doneHead = 0;
  /** Consumers waiting for the next entry of `#done`, as the getters of asyncio's Queue. */
  #getters: Future<void>[] = [];

  /** @internal Use `asCompleted()`. */
  constructor(todo: Set<Future<T>>, loop: EventLoop, timeout: number | null) {
    this.#loop = loop;
    this.#todo = todo;
    this.#todoLeft = todo.size;
    for (const f of todo) f.addDoneCallback(this.#onDone);
    if (todo.size > 0 && timeout !== null) this.#timeoutHandle = loop.callLater(timeout, this.#onTimeout);
  }

  /**
   * Return a coroutine that resolves to the result of the next awaitable to finish, or raises its
   * error (or `TimeoutError`). The coroutines are served in the order they are awaited, not the
   * order they were handed out.
   */
  next(): IteratorResult<Coroutine<T>, undefined> {
    if (this.#todoLeft === 0) return { done: true, value: undefined };
    this.#todoLeft--;
    return { done: false, value: this.#nextResult() };
  }

  /** Iterate with `for...of` in a coroutine; the iterator is the object itself, so it resumes. */
  [Symbol.iterator](): this {
    return this;
  }

  /**
   * Wait for the next awaitable to finish and return it as a Future (the very Task or Future that
   * was passed in; a Task made for a coroutine; a Future wrapping a promise), or `undefined` when
   * every one has been returned: Python's `async for` over `as_completed`, for coroutines.
   *
   * @throws {TimeoutError} when the timeout passed before the next one finished.
   */
  *anext(): Coroutine<F | undefined> {
    if (this.#todoLeft === 0) return undefined;
    this.#todoLeft--;
    return (yield* this.#nextFuture()) as F;
  }

  /**
   * Iterate with `for await` from async code, getting each Future once it is done.
   *
   * TypeScript types the loop variable as the Future's result type, because it assumes the values
   * of async iteration are never thenables; `await f` is right either way, and
   * `f as unknown as Future<T>` restores the type to compare it with your Tasks or call its methods.
   */
  [Symbol.asyncIterator](): AsyncIterator<F, undefined> {
    return {
      next: async (): Promise<IteratorResult<F, undefined>> => {
        if (this.#todoLeft === 0) return { done: true, value: undefined };
        this.#todoLeft--;
        let f: Future<T> | null | undefined;
        while ((f = this.#take()) === undefined) {
          const getter = new Future<void>(this.#loop);
          this.#getters.push(getter);
          await getter;
        }
        if (f === null) throw timedOut();
        return { done: false, value: f as F };
      },
    };
  }

  *#nextResult(): Coroutine<T> {
    const f = yield* this.#nextFuture();
    return f.result();
  }

  *#nextFuture(): Coroutine<Future<T>> {
    let f: Future<T> | null | undefined;
    while ((f = this.#take()) === undefined) {
      const getter = new Future<void>(this.#loop);
      this.#getters.push(getter);
      try {
        yield* getter;
      } catch (error) {
        // Cancelled while waiting: if this getter had already been woken, pass the wakeup on.
        getter.cancel();
        const i = this.#getters.indexOf(getter);
        if (i >= 0) this.#getters.splice(i, 1);
        if (this.#doneHead < this.#done.length && !getter.cancelled()) this.#wakeNext();
        throw error;
      }
    }
    if (f === null) throw timedOut();
    return f;
  }

  /** The next finished Future, `null` for a timed-out slot, or `undefined` when none is ready. */
  #take(): Future<T> | null | undefined {
    const done = this.#done;
    if (this.#doneHead === done.length) return undefined;
    const f = done[this.#doneHead] as Future<T> | null;
    done[this.#doneHead++] = null;
    if (this.#doneHead === done.length) {
      done.length = 0;
      this.#doneHead = 0;
    }
    return f;
  }

  #put(f: Future<T> | null): void {
    this.#done.push(f);
    this.#wakeNext();
  }

  #wakeNext(): void {
    const getters = this.#getters;
    while (getters.length > 0) {
      const getter = getters.shift() as Future<void>;
      if (getter._state === PENDING) {
        getter._resolve(undefined);
        return;
      }
    }
  }

  #onDone = (f: Future<T>): void => {
    // An empty todo set means the timeout got here first and already queued this slot.
    if (!this.#todo.delete(f)) return;
    this.#put(f);
    if (this.#todo.size === 0) this.#timeoutHandle?.cancel();
  };

  #onTimeout = (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#onDone);
      this.#put(null);
    }
    this.#todo.clear();
  };
}

function timedOut(): TimeoutError {
  return new TimeoutError("asCompleted() timed out before every awaitable was done");
}

/**
 * Run the awaitables concurrently and iterate over them in the order they finish.
 *
 * In a coroutine, iterate with `for...of`: each item is a coroutine to `yield*`, which gives the
 * result of the next awaitable to finish (or raises its error). In async code, `for await` gives
 * the finished Futures themselves — the Tasks and Futures passed in, a Task made for each
 * coroutine — so you can tell which one finished (Python 3.13); `yield* it.anext()` does the same
 * in a coroutine. Coroutines start as Tasks at once; duplicates count once. With `timeout`, every
 * iteration still pending when it passes raises `TimeoutError` (nothing is cancelled).
 *
 * Compared with promises: like repeatedly racing the promises not yet settled, without losing
 * any result.
 *
 * @example
 * for (const next of asyncio.asCompleted(urls.map((u) => fetchPage(u)), { timeout: 10 })) {
 *   const page = yield* next; // the earliest page first
 * }
 * @throws {TypeError} when `aws` is a single awaitable rather than an iterable of them, or a
 *   generator object (it may be a coroutine; pass an array), or holds something not awaitable.
 * @throws {ValueError} when a Future belongs to another loop than the others.
 * @see asyncio.as_completed
 */
export function asCompleted<A extends Awaitable<unknown>>(
  aws: Iterable<A>,
  options: AsCompletedOptions = {},
): AsCompletedIterator<AwaitedOf<A>, CompletedOf<A>> {
  if (aws instanceof Future || isThenable(aws)) {
    throw new TypeError(`asCompleted() expects an iterable of awaitables, not ${describe(aws)}: pass [aw]`);
  }
  if (isCoroutine(aws)) {
    // A generator object may be a coroutine: iterating it would run the coroutine's code.
    throw new TypeError(
      "asCompleted() got a generator object, which cannot be told apart from a coroutine: " +
        "pass an array of awaitables (Array.from(generator)) or an iterable object",
    );
  }
  if (aws === null || typeof (aws as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    throw new TypeError(`asCompleted() expects an array or iterable of awaitables, got ${describe(aws)}`);
  }
  const { timeout = null } = options;
  if (timeout !== null && typeof timeout !== "number") {
    throw new TypeError(`asCompleted() timeout must be a number of seconds or null, got ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout)) throw new ValueError("asCompleted() timeout must be a number of seconds, got NaN");
  const unique = new Set<unknown>(aws);
  // Prefer the loop of the Futures given, so that async code outside the loop can iterate Tasks.
  let loop: EventLoop | null = null;
  for (const aw of unique) {
    if (aw instanceof Future) {
      loop ??= aw._loop;
      if (aw._loop !== loop) throw new ValueError(`asCompleted() got Futures of different event loops: ${aw}`);
    } else if (!isCoroutine(aw) && !isThenable(aw)) {
      const hint = typeof aw === "function" ? `; call it: ${describe(aw)}() returns the coroutine` : "";
      throw new TypeError(`asCompleted() got something that is not awaitable: ${describe(aw)}${hint}`);
    }
  }
  loop ??= _getEventLoop();
  const todo = new Set<Future<AwaitedOf<A>>>();
  for (const aw of unique) todo.add(ensureFuture(aw as Awaitable<AwaitedOf<A>>, loop));
  return new AsCompletedIterator(todo, loop, timeout);
}
