// wait(): wait for some or all of a set of Futures, with an optional timeout, without raising.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { getRunningLoop, type TimerHandle } from "./events.ts";
import { ValueError } from "./exceptions.ts";
import { FAILED, Future, PENDING } from "./futures.ts";
import { describe } from "./internal/format.ts";

/** `wait()` returns when any Future finishes or is cancelled. @see asyncio.FIRST_COMPLETED */
export const FIRST_COMPLETED = "FIRST_COMPLETED" as const;
/**
 * `wait()` returns when any Future finishes by raising, or when all are done.
 * @see asyncio.FIRST_EXCEPTION
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION" as const;
/** `wait()` returns when all Futures are done (the default). @see asyncio.ALL_COMPLETED */
export const ALL_COMPLETED = "ALL_COMPLETED" as const;

/** When `wait()` returns: one of `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options for `wait()`. */
export interface WaitOptions {
  /** Give up after this many seconds and return what is done so far; wait as long as it takes when omitted or null. */
  timeout?: number | null;
  /** When to return; `ALL_COMPLETED` by default. */
  returnWhen?: ReturnWhen;
}

/**
 * Wait until the Futures and Tasks in `fs` are done, or some of them (see `returnWhen`), or the
 * timeout passes; return `[done, pending]`, two Sets of the Futures given.
 *
 * `wait` never raises the Futures' errors and never cancels them: on timeout, the Futures not done
 * are simply in `pending`. Duplicates count once. Coroutines are refused, as in Python 3.11+:
 * wrap each in a Task with `createTask` first, so that you hold the Tasks that `done` and
 * `pending` will contain. Cancelling the Task that waits stops the waiting only.
 *
 * Compared with promises: `Promise.race` and `Promise.allSettled` in one, keeping the original
 * objects so you can tell which finished.
 *
 * @example
 * const tasks = urls.map((u) => asyncio.createTask(fetchPage(u)));
 * const [done, pending] = yield* asyncio.wait(tasks, { timeout: 5, returnWhen: asyncio.FIRST_COMPLETED });
 * @throws {TypeError} when `fs` is a single Future rather than an iterable of them, or a
 *   generator object (it may be a coroutine; pass an array), or holds a coroutine, a promise or
 *   anything else that is not a Future.
 * @throws {ValueError} when `fs` is empty or `returnWhen` is not one of the three constants.
 * @see asyncio.wait
 */
export function wait<F extends Future<unknown>>(
  fs: Iterable<F>,
  options: WaitOptions = {},
): Coroutine<[done: Set<F>, pending: Set<F>]> {
  if (fs instanceof Future) {
    throw new TypeError(`wait() expects an iterable of Futures, not ${describe(fs)}: pass [future]`);
  }
  if (isCoroutine(fs)) {
    // A generator object may be a coroutine: iterating it would run the coroutine's code.
    throw new TypeError(
      "wait() got a generator object, which cannot be told apart from a coroutine: " +
        "pass an array of Tasks (Array.from(generator)) or an iterable object",
    );
  }
  if (fs === null || typeof (fs as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    throw new TypeError(`wait() expects an array or iterable of Futures and Tasks, got ${describe(fs)}`);
  }
  const { timeout = null, returnWhen = ALL_COMPLETED } = options;
  if (timeout !== null && typeof timeout !== "number") {
    throw new TypeError(`wait() timeout must be a number of seconds or null, got ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout)) throw new ValueError("wait() timeout must be a number of seconds, got NaN");
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new ValueError(
      `Invalid returnWhen value: ${describe(returnWhen)}; use asyncio.FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED`,
    );
  }
  const set = new Set(fs);
  if (set.size === 0) throw new ValueError("Set of Tasks/Futures is empty: wait() needs at least one Future");
  for (const f of set) {
    if (isCoroutine(f)) {
      throw new TypeError("Passing coroutines to wait() is forbidden: wrap each in a Task with asyncio.createTask()");
    }
    if (!(f instanceof Future)) {
      const hint =
        typeof (f as { then?: unknown } | null)?.then === "function" ? "; wrap a promise with asyncio.wrap()" : "";
      throw new TypeError(`wait() accepts Futures and Tasks only, got ${describe(f)}${hint}`);
    }
  }
  return waitFor(set, timeout, returnWhen);
}

function releaseWaiter(waiter: Future<void>): void {
  if (waiter._state === PENDING) waiter._resolve(undefined);
}

function* waitFor<F extends Future<unknown>>(
  fs: Set<F>,
  timeout: number | null,
  returnWhen: ReturnWhen,
): Coroutine<[Set<F>, Set<F>]> {
  const loop = getRunningLoop();
  const waiter = loop.createFuture<void>();
  const timeoutHandle: TimerHandle | null = timeout === null ? null : loop.callLater(timeout, releaseWaiter, waiter);
  let counter = fs.size;
  const onCompletion = (f: Future<unknown>): void => {
    counter--;
    const failed = returnWhen === FIRST_EXCEPTION && f._state === FAILED;
    // Looking at the exception retrieves it, as asyncio's `f.exception()` does here.
    if (failed) f._markRetrieved();
    if (counter <= 0 || returnWhen === FIRST_COMPLETED || failed) {
      timeoutHandle?.cancel();
      releaseWaiter(waiter);
    }
  };
  for (const f of fs) f.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of fs) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<F>();
  const pending = new Set<F>();
  for (const f of fs) (f._state === PENDING ? pending : done).add(f);
  return [done, pending];
}
