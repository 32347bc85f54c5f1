// using(): Python's `async with` for coroutines, over the aenter/aexit protocol.

import type { Coroutine } from "./coroutines.ts";
import { describe } from "./internal/format.ts";

/**
 * The async context manager protocol, Python's `__aenter__`/`__aexit__`: TaskGroup, timeouts,
 * locks, semaphores and executors implement it, and so can your own classes.
 *
 * @example
 * class Connection implements asyncio.AsyncContextManager<Connection> {
 *   *aenter() { yield* this.open(); return this; }
 *   *aexit(error?: unknown) { yield* this.close(); return false; }
 * }
 */
export interface AsyncContextManager<T = unknown, S extends boolean | undefined | void = boolean | undefined | void> {
  /** Enter the context; the value it returns is what the body receives (Python's `as` target). */
  aenter(): Coroutine<T>;
  /**
   * Leave the context. `error` is what the body threw, or `undefined` when it completed. Return
   * `true` to suppress the error; anything else lets it propagate.
   */
  aexit(error?: unknown): Coroutine<S>;
}

/** What `using(cm, body)` evaluates to: the body's result, or `undefined` if `cm` may suppress errors. */
export type UsingResult<C, R> = C extends { aexit(error?: unknown): Coroutine<infer S> }
  ? true extends S
    ? R | undefined
    : R
  : R;

/**
 * Run `body` inside the async context manager `cm`, as `async with cm as value: body` does in
 * Python: `cm.aenter()` first, then the body with its value, then `cm.aexit(error)` with whatever
 * the body threw (or `undefined`), even when the body was cancelled. When `aexit` returns `true`
 * the error is suppressed and `using` returns `undefined`; otherwise the error propagates.
 *
 * @example
 * yield* asyncio.using(asyncio.timeout(2), function* () {
 *   yield* slowOperation();
 * });
 * @throws {TypeError} when `cm` lacks `aenter`/`aexit` or `body` is not a generator function.
 */
export function using<C extends AsyncContextManager<V, S>, V, S extends boolean | undefined | void, R>(
  cm: C & AsyncContextManager<V, S>,
  body: (value: V) => Coroutine<R>,
): Coroutine<UsingResult<C, R>> {
  if (
    cm === null ||
    typeof cm !== "object" ||
    typeof (cm as { aenter?: unknown }).aenter !== "function" ||
    typeof (cm as { aexit?: unknown }).aexit !== "function"
  ) {
    throw new TypeError(`using() expects an async context manager with aenter() and aexit(), got ${describe(cm)}`);
  }
  if (typeof body !== "function") {
    throw new TypeError(`using() expects a generator function as its body, got ${describe(body)}`);
  }
  return runUsing(cm, body) as Coroutine<UsingResult<C, R>>;
}

function* runUsing<V, S, R>(
  cm: { aenter(): Coroutine<V>; aexit(error?: unknown): Coroutine<S> },
  body: (value: V) => Coroutine<R>,
): Coroutine<R | undefined> {
  const value = yield* cm.aenter();
  let result: R;
  try {
    result = yield* body(value);
  } catch (thrown) {
    // `undefined` means "no error" to aexit, so a thrown undefined gets a name of its own.
    const error = thrown === undefined ? new TypeError("the body of using() threw undefined") : thrown;
    if ((yield* cm.aexit(error)) === true) return undefined;
    throw error;
  }
  yield* cm.aexit(undefined);
  return result;
}
