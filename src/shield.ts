// shield(): await something without letting the awaiting Task's cancellation reach it.

import { CANCELLED, FAILED, Future, PENDING } from "./futures.ts";
import { ensureFuture, type Awaitable } from "./tasks.ts";

/** The Future each pending shield follows, for call graphs (graph.ts). */
const shielded = new WeakMap<Future<unknown>, Future<unknown>>();

/** @internal The Future that the outer Future of `shield()` follows, or null when `outer` is no shield. */
export function _shieldedBy(outer: Future<unknown>): Future<unknown> | null {
  return shielded.get(outer) ?? null;
}

/**
 * Return a Future that follows `aw` but whose cancellation does not cancel `aw`.
 *
 * `yield* asyncio.shield(task)` behaves like `yield* task`, except that cancelling the Task that
 * awaits it cancels only the outer Future it returns: the awaiting Task gets its CancelledError,
 * while `task` runs on undisturbed. A coroutine is wrapped in a Task (keep a reference to it if
 * you need its outcome later); a promise is wrapped with `wrap()`. If `aw` itself is cancelled by
 * other means, the shield is cancelled too. When `aw` is already done it is returned as is.
 *
 * Compared with promises: a promise cannot be cancelled at all; shield restores that guarantee
 * for one awaitable inside a cancellable Task.
 *
 * @example
 * const save = asyncio.createTask(saveToDisk(doc));
 * try {
 *   yield* asyncio.shield(save);
 * } catch (e) {
 *   if (asyncio.isCancelledError(e)) console.log("still saving in the background");
 *   throw e;
 * }
 * @throws {TypeError} when `aw` is not a coroutine, Future or promise.
 * @see asyncio.shield
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = ensureFuture(aw);
  if (inner._state !== PENDING) return inner;
  const outer = new Future<T>(inner._loop);
  shielded.set(outer, inner);
  const onInnerDone = (): void => {
    if (outer._state !== PENDING) {
      // Nobody awaits the inner outcome through this shield any more; a failure was seen here.
      inner._markRetrieved();
      return;
    }
    const state = inner._state;
    if (state === CANCELLED) outer.cancel();
    else if (state === FAILED) {
      inner._markRetrieved();
      outer._reject(inner._value);
    } else outer._resolve(inner._value as T);
  };
  inner._addCallback(onInnerDone);
  outer._addCallback(() => {
    if (inner._state === PENDING) inner.removeDoneCallback(onInnerDone);
  });
  return outer;
}
