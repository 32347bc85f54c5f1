// Type-level tests for wait, asCompleted, shield, eager tasks and gather's limit/signal options:
// compiled by tsc, never run.

import * as asyncio from "asyncio-ts";
import type { Coroutine, Future, GatheringFuture, Task } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

declare function num(): Coroutine<number>;
declare function str(): Coroutine<string>;
declare const numTask: Task<number>;
declare const strTask: Task<string>;
declare const flag: Future<boolean>;
declare const signal: AbortSignal;

export function* waitTypes(): Coroutine<void> {
  // wait keeps the type of the Futures it was given in both sets.
  const [done, pending] = yield* asyncio.wait([numTask, strTask], { timeout: 1, returnWhen: asyncio.FIRST_COMPLETED });
  expectTypeOf(done).toEqualTypeOf<Set<Task<number> | Task<string>>>();
  expectTypeOf(pending).toEqualTypeOf<Set<Task<number> | Task<string>>>();
  expectTypeOf(asyncio.ALL_COMPLETED).toEqualTypeOf<"ALL_COMPLETED">();

  // @ts-expect-error wait refuses coroutines: wrap them in Tasks
  asyncio.wait([num()]);
  // @ts-expect-error returnWhen is one of the three constants
  asyncio.wait([numTask], { returnWhen: "SOMETIMES" });
}

export function* asCompletedTypes(): Coroutine<void> {
  // for...of hands out coroutines of the results; anext() the Futures themselves.
  for (const next of asyncio.asCompleted([num(), numTask])) expectTypeOf(yield* next).toEqualTypeOf<number>();
  const it = asyncio.asCompleted([num(), str()]);
  expectTypeOf(it).toEqualTypeOf<asyncio.AsCompletedIterator<number | string, Task<number> | Task<string>>>();
  // anext() and for await give back the Tasks and Futures themselves, typed as they were passed.
  expectTypeOf(yield* it.anext()).toEqualTypeOf<Task<number> | Task<string> | undefined>();
  expectTypeOf(yield* asyncio.asCompleted([numTask, flag]).anext()).toEqualTypeOf<
    Task<number> | Future<boolean> | undefined
  >();
  expectTypeOf(yield* asyncio.asCompleted([Promise.resolve(1)]).anext()).toEqualTypeOf<Future<number> | undefined>();
  expectTypeOf(it[Symbol.asyncIterator]().next()).toEqualTypeOf<
    Promise<IteratorResult<Task<number> | Task<string>, undefined>>
  >();
}

export function* shieldTypes(): Coroutine<void> {
  expectTypeOf(asyncio.shield(num())).toEqualTypeOf<Future<number>>();
  expectTypeOf(yield* asyncio.shield(flag)).toEqualTypeOf<boolean>();
  expectTypeOf(asyncio.shield(Promise.resolve("x"))).toEqualTypeOf<Future<string>>();
}

export function* gatherOptionTypes(): Coroutine<void> {
  // limit and signal keep the tuple of results, with or without returnExceptions.
  expectTypeOf(asyncio.gather(num(), str(), { limit: 1, signal })).toEqualTypeOf<GatheringFuture<[number, string]>>();
  expectTypeOf(yield* asyncio.gather(num(), str(), { limit: 2, returnExceptions: true })).toEqualTypeOf<
    [number | Error, string | Error]
  >();
  expectTypeOf(yield* asyncio.gatherAll([num(), num()], { limit: 1 })).toEqualTypeOf<number[]>();

  // @ts-expect-error limit is a number
  asyncio.gatherAll([num()], { limit: "2" });
  // @ts-expect-error signal is an AbortSignal
  asyncio.gatherAll([num()], { signal: new AbortController() });
}

export function eagerTypes(loop: asyncio.EventLoop): void {
  loop.setTaskFactory(asyncio.eagerTaskFactory);
  class Traced<T> extends asyncio.Task<T> {}
  loop.setTaskFactory(asyncio.createEagerTaskFactory(Traced));
  // @ts-expect-error the factory needs a Task class
  asyncio.createEagerTaskFactory(() => null);
}
