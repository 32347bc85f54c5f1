// What a coroutine is here: a generator that yields Futures to the Task that drives it.

import type { Future } from "./futures.ts";

/**
 * What a coroutine may yield to the Task driving it: a Future it waits for (always through
 * `yield* future`, never a bare `yield future`), or nothing (a bare `yield`, which gives up one
 * loop iteration like Python's `@types.coroutine` `yield`).
 */
export type Suspension = Future<unknown> | undefined;

/**
 * A coroutine: what calling a `function*` returns. `async def f() -> T` becomes
 * `function* f(): Coroutine<T>`, and `await x` becomes `yield* x`.
 *
 * @example
 * function* fetchTwice(): asyncio.Coroutine<string> {
 *   yield* asyncio.sleep(1);
 *   return "done";
 * }
 */
export type Coroutine<T = unknown> = Generator<Suspension, T, unknown>;

/** A function that returns a coroutine, what Python calls a coroutine function. */
export type CoroutineFunction<A extends unknown[] = unknown[], T = unknown> = (...args: A) => Coroutine<T>;

/**
 * Tell whether `value` is a coroutine object: anything with generator-style `next` and `throw`.
 *
 * @see asyncio.iscoroutine
 */
export function isCoroutine(value: unknown): value is Coroutine<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { next?: unknown }).next === "function" &&
    typeof (value as { throw?: unknown }).throw === "function"
  );
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;

/**
 * Tell whether `value` is a generator function (`function*`), what Python calls a coroutine function.
 *
 * @see asyncio.iscoroutinefunction
 */
export function isCoroutineFunction(value: unknown): value is (...args: never[]) => Coroutine<unknown> {
  return value instanceof GeneratorFunction;
}
