// waitFor(): await one awaitable with a deadline, cancelling it on expiry (asyncio.wait_for).

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { getRunningLoop } from "./events.ts";
import { CancelledError, TimeoutError, ValueError } from "./exceptions.ts";
import { Future, wrap } from "./futures.ts";
import { describe } from "./internal/format.ts";
import { ensureFuture, type Awaitable } from "./tasks.ts";
import { timeout as makeTimeout } from "./timeouts.ts";
import { using } from "./using.ts";

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/**
 * Cancel `fut` and wait until it is done, in a way that stays cancellable itself: the wait is on
 * a separate Future, so cancelling the caller never re-cancels `fut`.
 */
function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const waiter = getRunningLoop().createFuture<void>();
  const release = (): void => releaseWaiter(waiter);
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(release);
  }
}

function* awaitOne<T>(aw: Awaitable<T>): Coroutine<T> {
  // A coroutine runs inside the caller's task, as `await coro` does; only a promise needs a Future.
  if (isCoroutine(aw) || aw instanceof Future) return yield* aw;
  return yield* wrap(aw);
}

function* waitForImpl<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  if (timeout !== null && timeout <= 0) {
    // A zero or negative timeout must not even start a coroutine (bpo-32751 / gh-96764).
    const fut = ensureFuture(aw);
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (error) {
      if (error instanceof CancelledError) throw new TimeoutError("", { cause: error });
      throw error;
    }
  }
  return yield* using(makeTimeout(timeout), () => awaitOne(aw));
}

/**
 * Await `aw` (a coroutine, a Future or Task, or a promise) for at most `timeout` seconds and
 * return its result; `null` waits without limit. On expiry `aw` is cancelled, waited for until it
 * has really finished, and `TimeoutError` is raised; if it suppressed the cancellation and returned
 * a value, that value is returned instead. Cancelling the caller cancels `aw` too. To keep `aw`
 * running past the deadline, pass `shield(aw)`.
 *
 * A coroutine is run inside the calling task, as `await` would run it; with a timeout of 0 or
 * less it is wrapped in a Task that is cancelled before it starts.
 *
 * @example
 * try {
 *   const page = yield* asyncio.waitFor(fetchPage(url), 5);
 * } catch (error) {
 *   if (!(error instanceof asyncio.TimeoutError)) throw error;
 * }
 * @throws {TimeoutError} when the timeout expires; its `cause` is the CancelledError it used.
 * @throws {TypeError} when `aw` is not awaitable or `timeout` is neither a number nor null.
 * @throws {ValueError} when `timeout` is NaN.
 * @see asyncio.wait_for (the Python 3.12+ semantics, built on asyncio.timeout)
 */
export function waitFor<T>(aw: Awaitable<T>, timeout: number | null): Coroutine<T> {
  if (timeout !== null && typeof timeout !== "number") {
    throw new TypeError(`waitFor() timeout must be a number of seconds or null (no limit), got ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout)) throw new ValueError("waitFor() timeout must be a number of seconds or null, got NaN");
  if (!(aw instanceof Future) && !isCoroutine(aw) && typeof (aw as { then?: unknown } | null)?.then !== "function") {
    const hint = typeof aw === "function" ? `; call it: ${describe(aw)}() returns the coroutine` : "";
    throw new TypeError(`waitFor() expects a coroutine, a Future or a promise, got ${describe(aw)}${hint}`);
  }
  return waitForImpl(aw, timeout);
}
