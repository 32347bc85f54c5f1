// toPromise(): from a Future, Task or coroutine to a real Promise, for plain async code.

import { isCoroutine } from "./coroutines.ts";
import { _getEventLoop } from "./events.ts";
import { Future } from "./futures.ts";
import { describe } from "./internal/format.ts";
import type { Awaitable } from "./tasks.ts";

/**
 * Return a real `Promise` that settles like `aw`: a Future or Task as it is, a coroutine once the
 * Task this call wraps it in is done, a promise as itself. The promise rejects with the very error
 * object the Future holds (a `CancelledError` when it was cancelled).
 *
 * Futures and Tasks are thenables already, so `await task` works in async code; use `toPromise`
 * where a real Promise is required (`Promise.race`, `instanceof Promise`, APIs that call `.catch`).
 * A coroutine is run on the current loop (the running one, an active `run()`'s, or the ambient
 * loop), so `await asyncio.toPromise(main())` works from any async code.
 *
 * @example
 * const winner = await Promise.race([asyncio.toPromise(task), timeoutPromise]);
 * @throws {TypeError} when `aw` is not a Future, a coroutine or a promise.
 * @see asyncio.wrap for the other direction
 */
export function toPromise<T>(aw: Awaitable<T>): Promise<T> {
  if (aw instanceof Future) return aw._toPromise();
  if (isCoroutine(aw)) return (_getEventLoop().createTask(aw) as Future<T>)._toPromise();
  if (aw !== null && typeof (aw as { then?: unknown })?.then === "function") return Promise.resolve(aw);
  const hint = typeof aw === "function" ? `; call it: ${describe(aw)}() returns the coroutine` : "";
  throw new TypeError(`toPromise() expects a Future, a coroutine or a promise, got ${describe(aw)}${hint}`);
}
