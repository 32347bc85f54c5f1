// Type-level tests for gather, gatherAll, sleep, createTask and `yield*`: compiled by tsc, never run.

import * as asyncio from "asyncio-ts";
import type { Coroutine, Future, GatheringFuture, Task } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

declare function num(): Coroutine<number>;
declare function str(): Coroutine<string>;
declare const flag: Future<boolean>;
declare const date: Promise<Date>;
declare const numbers: Coroutine<number>[];

export function* gatherTypes(): Coroutine<void> {
  // gather(a, b, ...) infers the tuple of the awaitables' result types, in order.
  expectTypeOf(asyncio.gather(num(), str())).toEqualTypeOf<GatheringFuture<[number, string]>>();
  const results = yield* asyncio.gather(num(), str(), flag, date);
  expectTypeOf(results).toEqualTypeOf<[number, string, boolean, Date]>();

  // An empty gather is the empty tuple.
  expectTypeOf(yield* asyncio.gather()).toEqualTypeOf<[]>();

  // returnExceptions: true makes every slot a result or an Error.
  const settled = yield* asyncio.gather(num(), str(), { returnExceptions: true });
  expectTypeOf(settled).toEqualTypeOf<[number | Error, string | Error]>();

  // returnExceptions false keeps the plain results.
  const plain = yield* asyncio.gather(num(), str(), { returnExceptions: false });
  expectTypeOf(plain).toEqualTypeOf<[number, string]>();

  // gatherAll gives an array of the element type.
  expectTypeOf(yield* asyncio.gatherAll(numbers)).toEqualTypeOf<number[]>();
  expectTypeOf(yield* asyncio.gatherAll(new Set(numbers))).toEqualTypeOf<number[]>();
  expectTypeOf(yield* asyncio.gatherAll(numbers, { returnExceptions: true })).toEqualTypeOf<(number | Error)[]>();

  // @ts-expect-error a number is not awaitable
  asyncio.gather(num(), 42);
  // @ts-expect-error a number is not awaitable, alone either
  asyncio.gather(42);
  // @ts-expect-error a generator function must be called to give its coroutine
  asyncio.gather(num);
  // @ts-expect-error gatherAll takes an iterable, not a single coroutine's result
  asyncio.gatherAll(42);
}

export function* sleepAndTaskTypes(): Coroutine<void> {
  // sleep(delay, result) is a coroutine of the result's type; sleep(delay) of void.
  expectTypeOf(asyncio.sleep(1, "x")).toEqualTypeOf<Coroutine<string>>();
  expectTypeOf(asyncio.sleep(1)).toEqualTypeOf<Coroutine<void>>();
  expectTypeOf(yield* asyncio.sleep(1, 42)).toEqualTypeOf<number>();
  // @ts-expect-error the delay is a number of seconds
  asyncio.sleep("1");

  // createTask keeps the coroutine's result type.
  const task = asyncio.createTask(num());
  expectTypeOf(task).toEqualTypeOf<Task<number>>();
  expectTypeOf(yield* task).toEqualTypeOf<number>();
  // @ts-expect-error createTask takes a coroutine object, not the function
  asyncio.createTask(num);

  // `yield* future` evaluates to the Future's result type.
  const value = yield* flag;
  expectTypeOf(value).toEqualTypeOf<boolean>();
  expectTypeOf(asyncio.ensureFuture(date)).toEqualTypeOf<Future<Date>>();
}

declare const maybe: boolean;

export function* optionTypes(): Coroutine<void> {
  // Options without returnExceptions, or with it false, keep the plain results.
  expectTypeOf(yield* asyncio.gather(num(), { limit: 2 })).toEqualTypeOf<[number]>();
  expectTypeOf(yield* asyncio.gatherAll(numbers, { returnExceptions: false })).toEqualTypeOf<number[]>();
  // A returnExceptions known only at run time may put Errors in the results.
  expectTypeOf(yield* asyncio.gatherAll(numbers, { returnExceptions: maybe })).toEqualTypeOf<(number | Error)[]>();
  expectTypeOf(yield* asyncio.gather(num(), { returnExceptions: maybe })).toEqualTypeOf<[number] | [number | Error]>();
}
