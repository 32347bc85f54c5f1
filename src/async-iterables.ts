// Async iterables both ways: consume one inside a coroutine, and read a Queue with `for await`.
//
// Design note. `for await` cannot appear in a generator coroutine, and `for (x of yield* ...)` would
// need the whole sequence up front, so a coroutine reads an async iterator one `next()` at a time,
// each awaited through `wrap()`. Python's `async for` closes an async generator by throwing into
// it; a JavaScript async generator that is busy inside `next()` cannot be interrupted and queues a
// `return()` until that step ends. So on cancellation of a pending `next()` we abort the signal the
// source was given (if it was made by a function taking one) and then await `return()`, which runs
// the generator's `finally` as soon as the generator lets it.

import type { Coroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop } from "./events.ts";
import { CancelledError, QueueShutDown } from "./exceptions.ts";
import { type Future, wrap } from "./futures.ts";
import { describe } from "./internal/format.ts";
import type { Task } from "./tasks.ts";

/** What `iterate` and `forEach` read: an async iterable, or a function making one from an AbortSignal. */
export type AsyncSource<T> = AsyncIterable<T> | ((signal: AbortSignal) => AsyncIterable<T>);

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}

function checkSource(source: unknown, caller: string): void {
  if (typeof source !== "function" && !isAsyncIterable(source)) {
    throw new TypeError(
      `${caller} expects an async iterable or a function taking an AbortSignal and returning one, got ${describe(source)}`,
    );
  }
}

/**
 * A coroutine's reader of an async iterable, made by `iterate()`: await `next()` with `yield*`, and
 * close it with `return()` — or let `asyncio.using()` close it, since it is an async context manager.
 *
 * @see Python's `async for`, which this spells out step by step
 */
export class AsyncIteration<T> {
  #source: AsyncSource<T>;
  #iterator: AsyncIterator<T, unknown> | null = null;
  #controller: AbortController | null = null;
  #finished = false;

  /** @internal Use `iterate()`. */
  constructor(source: AsyncSource<T>) {
    this.#source = source;
  }

  /**
   * Await the next item: `{ done: false, value }`, or `{ done: true }` once the source is
   * exhausted. When the wait is cancelled, the source's signal (if it was made by a function) is
   * aborted with the `CancelledError`; close the iteration afterwards with `return()`.
   *
   * @example
   * for (let r = yield* it.next(); !r.done; r = yield* it.next()) console.log(r.value);
   */
  *next(): Coroutine<IteratorResult<T, unknown>> {
    if (this.#finished) return { done: true, value: undefined };
    const iterator = this.#open();
    const pending = wrap(iterator.next());
    try {
      const result = yield* pending;
      if (result.done === true) this.#finished = true;
      return result;
    } catch (error) {
      if (pending.cancelled()) this.#controller?.abort(error);
      // An iterator whose next() failed is finished: the protocol forbids closing it again.
      else this.#finished = true;
      throw error;
    }
  }

  /**
   * Close the iteration: call the iterator's `return()` and await it, which runs an async
   * generator's `finally` blocks. Does nothing when the source is exhausted or already closed.
   * A generator busy in a `next()` whose wait was cancelled finishes that step first (unless it
   * honours the abort signal), then closes.
   */
  *return(): Coroutine<void> {
    if (this.#finished) return;
    this.#finished = true;
    const iterator = this.#iterator;
    if (iterator === null || typeof iterator.return !== "function") return;
    yield* wrap(iterator.return());
  }

  /** Enter `asyncio.using(iterate(source), function* (it) { ... })`: the iteration itself. */
  *aenter(): Coroutine<AsyncIteration<T>> {
    return this;
  }

  /**
   * Leave the `using` block: close the iteration. When the block failed or was cancelled, an error
   * from closing is reported to the loop's exception handler and the block's error propagates.
   */
  *aexit(error?: unknown): Coroutine<false> {
    if (error === undefined) {
      yield* this.return();
      return false;
    }
    try {
      yield* this.return();
    } catch (closeError) {
      if (closeError instanceof CancelledError) throw closeError;
      _getEventLoop().callExceptionHandler({
        message: "error while closing an async iterator after its consumer failed",
        exception: closeError,
      });
    }
    return false;
  }

  #open(): AsyncIterator<T, unknown> {
    if (this.#iterator !== null) return this.#iterator;
    let iterable: AsyncIterable<T>;
    const source = this.#source;
    if (typeof source === "function") {
      this.#controller = new AbortController();
      iterable = source(this.#controller.signal);
      if (!isAsyncIterable(iterable)) {
        throw new TypeError(`the function given to iterate() must return an async iterable, got ${describe(iterable)}`);
      }
    } else {
      iterable = source;
    }
    this.#iterator = iterable[Symbol.asyncIterator]();
    return this.#iterator;
  }
}

/**
 * Read an async iterable (an async generator, a Node stream, `events.on(...)`) from a coroutine,
 * one `yield* it.next()` at a time. Use `asyncio.using` so that the iterator is closed however the
 * block ends — by `break`, an error, or cancellation. For most loops `forEach` is shorter.
 *
 * Pass a function `(signal) => iterable` instead of the iterable to let the source stop early: the
 * signal is aborted when a wait for the next item is cancelled.
 *
 * @example
 * yield* asyncio.using(asyncio.iterate(readLines(file)), function* (lines) {
 *   for (let r = yield* lines.next(); !r.done; r = yield* lines.next()) {
 *     if (r.value === "") break;
 *     yield* handle(r.value);
 *   }
 * });
 * @throws {TypeError} when `source` is neither an async iterable nor a function.
 * @see Python's `async for`
 */
export function iterate<T>(source: AsyncSource<T>): AsyncIteration<T> {
  checkSource(source, "iterate()");
  return new AsyncIteration(source);
}

/**
 * Run the coroutine `body` for each item of an async iterable, one after the other, as Python's
 * `async for item in source: body` does. Return `false` from the body to stop early (`break`).
 * However the loop ends — exhausted, stopped, failed or cancelled — the iterator is closed, so an
 * async generator's `finally` blocks run before `forEach` returns or raises.
 *
 * @example
 * yield* asyncio.forEach(stream, function* (chunk) {
 *   yield* asyncio.wrap(sink.write(chunk));
 * });
 * yield* asyncio.forEach((signal) => events.on(emitter, "data", { signal }), function* ([data]) {
 *   if (data === "end") return false;
 * });
 * @throws {TypeError} when `source` is not an async iterable or function, or `body` is not a function.
 * @see Python's `async for`
 */
export function forEach<T>(source: AsyncSource<T>, body: (item: T) => Coroutine<unknown>): Coroutine<void> {
  checkSource(source, "forEach()");
  if (typeof body !== "function") {
    throw new TypeError(`forEach() expects a generator function as its body, got ${describe(body)}`);
  }
  return runForEach(new AsyncIteration(source), body);
}

function* runForEach<T>(iteration: AsyncIteration<T>, body: (item: T) => Coroutine<unknown>): Coroutine<void> {
  try {
    for (let r = yield* iteration.next(); r.done !== true; r = yield* iteration.next()) {
      if ((yield* body(r.value as T)) === false) break;
    }
  } catch (error) {
    yield* iteration.aexit(error);
    throw error;
  }
  yield* iteration.return();
}

/** Anything with a `get()` coroutine, as asyncio's Queue has. */
export interface Gettable<T> {
  get(): Coroutine<T>;
}

/** Options for `toAsyncIterable`. */
export interface ToAsyncIterableOptions {
  /** The loop to run each `get()` on: by default the current one (an active `run()`'s, or the ambient loop). */
  loop?: EventLoop;
  /** Stop waiting when this signal aborts: the pending `get()` is cancelled and `for await` throws the reason. */
  signal?: AbortSignal;
}

/**
 * Return an async iterable over the items `source.get()` produces — a `Queue`, or anything with a
 * `get()` coroutine — for `for await` in plain async code. Each item is fetched by running `get()`
 * in a Task on the loop. The iteration ends when `get()` raises `QueueShutDown` (the queue was shut
 * down and is empty); any other error is thrown out of the `for await`.
 *
 * @example
 * for await (const job of asyncio.toAsyncIterable(queue)) {
 *   console.log("got", job);
 *   queue.taskDone();
 * }
 * @throws {TypeError} when `source` has no `get()` method.
 * @see Python's `async for`, over a queue drained with `get()`
 */
export function toAsyncIterable<T>(source: Gettable<T>, options: ToAsyncIterableOptions = {}): AsyncIterable<T> {
  if (typeof (source as { get?: unknown })?.get !== "function") {
    throw new TypeError(
      `toAsyncIterable() expects a Queue or an object with a get() coroutine, got ${describe(source)}`,
    );
  }
  return drain(source, options);
}

async function* drain<T>(source: Gettable<T>, options: ToAsyncIterableOptions): AsyncGenerator<T, void, undefined> {
  const { signal } = options;
  for (;;) {
    signal?.throwIfAborted();
    const task: Task<T> = (options.loop ?? _getEventLoop()).createTask(source.get());
    const onAbort = (): void => {
      task.cancel();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let item: T;
    try {
      item = await (task as Future<T>)._toPromise();
    } catch (error) {
      if (error instanceof QueueShutDown) return;
      if (signal?.aborted === true && task.cancelled()) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    yield item;
  }
}
