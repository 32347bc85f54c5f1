// Type-level tests for the executors: task references carry their function's signature into
// submit, map, toThread and runInExecutor. Compiled by tsc, never run.

import * as asyncio from "asyncio-ts";
import type { Coroutine, Future, TaskRef } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

type Work = {
  fib(n: number): number;
  greet(name: string, excited: boolean): Promise<string>;
  bytes(size: number): asyncio.Transfer<Uint8Array>;
  version: string;
};

declare const url: URL;
declare const pool: asyncio.ThreadPoolExecutor;
declare const processes: asyncio.ProcessPoolExecutor;

export function* executorTypes(): Coroutine<void> {
  // A reference typed with the function's type; untyped references accept anything, give unknown.
  const fib = asyncio.task<Work["fib"]>(url, "fib");
  expectTypeOf(fib).toEqualTypeOf<TaskRef<(n: number) => number>>();
  expectTypeOf(pool.submit(fib, 30)).toEqualTypeOf<Future<number>>();
  // @ts-expect-error: fib takes a number.
  pool.submit(fib, "30");
  // @ts-expect-error: fib takes one argument.
  pool.submit(fib, 1, 2);
  const loose = asyncio.task(url, "anything");
  expectTypeOf(pool.submit(loose, 1, "two", { three: 3 })).toEqualTypeOf<Future<unknown>>();

  // taskModule gives a reference per exported function, typed from the module; not for values.
  const work = asyncio.taskModule<Work>(url);
  expectTypeOf(work.greet).toEqualTypeOf<TaskRef<(name: string, excited: boolean) => Promise<string>>>();
  // @ts-expect-error: version is not a function, so there is no reference for it.
  work.version;

  // Promises are unwrapped, and so is a transfer() mark on a result.
  expectTypeOf(yield* pool.submit(work.greet, "Ada", true)).toEqualTypeOf<string>();
  expectTypeOf(yield* processes.submit(work.bytes, 16)).toEqualTypeOf<Uint8Array>();

  // An argument may be marked with transfer() in place of its value.
  const buffer = new Uint8Array(8);
  pool.submit(asyncio.task<(data: Uint8Array) => number>(url, "sum"), asyncio.transfer(buffer));

  // map takes the items of a one-argument function and gives the array of its results.
  expectTypeOf(yield* pool.map(work.fib, [1, 2, 3], { limit: 2 })).toEqualTypeOf<number[]>();
  // @ts-expect-error: greet needs two arguments, so map cannot call it with one item.
  pool.map(work.greet, ["Ada"]);
  // @ts-expect-error: the items must be what fib takes.
  pool.map(work.fib, ["1"]);

  // toThread and runInExecutor type their results the same way.
  expectTypeOf(asyncio.toThread(work.fib, 1)).toEqualTypeOf<Coroutine<number>>();
  const loop = asyncio.getRunningLoop();
  expectTypeOf(loop.runInExecutor(null, work.greet, "Ada", false)).toEqualTypeOf<Future<string>>();
  expectTypeOf(loop.runInExecutor(processes, work.fib, 2)).toEqualTypeOf<Future<number>>();
  // @ts-expect-error: toThread checks arguments too.
  asyncio.toThread(work.fib);

  // Both pools are Executors and async context managers for using().
  expectTypeOf(pool).toMatchTypeOf<asyncio.Executor>();
  const inside = yield* asyncio.using(processes, function* (executor) {
    expectTypeOf(executor).toEqualTypeOf<asyncio.ProcessPoolExecutor>();
    return yield* executor.submit(work.fib, 3);
  });
  expectTypeOf(inside).toEqualTypeOf<number>();
}
