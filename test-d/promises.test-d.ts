// Type-level tests for the promise seams: wrap, toPromise, forEach/iterate, toAsyncIterable, once,
// fromSignal and task.signal carry their types across. Compiled by tsc, never run.

import type { EventEmitter } from "node:events";
import * as asyncio from "asyncio-ts";
import type { Coroutine, Future } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

declare const emitter: EventEmitter;
declare const lines: AsyncIterable<string>;
declare const queue: asyncio.Queue<number>;

export function* promiseTypes(): Coroutine<void> {
  // wrap: a promise, or a function of an AbortSignal returning one.
  expectTypeOf(asyncio.wrap(Promise.resolve(1))).toEqualTypeOf<Future<number>>();
  expectTypeOf(asyncio.wrap((signal) => fetch("http://127.0.0.1/", { signal }))).toEqualTypeOf<Future<Response>>();
  asyncio.wrap((signal) => {
    expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
    return Promise.resolve("x");
  });
  // @ts-expect-error: a plain value is not awaitable.
  asyncio.wrap(42);

  // toPromise: a real Promise of the awaitable's result.
  expectTypeOf(asyncio.toPromise(asyncio.sleep(1, "late"))).toEqualTypeOf<Promise<string>>();
  expectTypeOf(asyncio.toPromise(asyncio.createTask(asyncio.sleep(1, 2)))).toEqualTypeOf<Promise<number>>();

  // forEach and iterate: items keep their type.
  yield* asyncio.forEach(lines, function* (line) {
    expectTypeOf(line).toEqualTypeOf<string>();
  });
  const it = asyncio.iterate(lines);
  const r = yield* it.next();
  if (!r.done) expectTypeOf(r.value).toEqualTypeOf<string>();
  expectTypeOf(asyncio.toAsyncIterable(queue)).toEqualTypeOf<AsyncIterable<number>>();

  // once: the argument tuple is the caller's to name; unknown[] by default.
  expectTypeOf(asyncio.once(emitter, "data")).toEqualTypeOf<Future<unknown[]>>();
  expectTypeOf(asyncio.once<[Buffer]>(emitter, "data")).toEqualTypeOf<Future<[Buffer]>>();

  // Signals.
  expectTypeOf(asyncio.fromSignal(AbortSignal.timeout(1))).toEqualTypeOf<Future<unknown>>();
  expectTypeOf(asyncio.currentTask()!.signal).toEqualTypeOf<AbortSignal>();
  asyncio.createTask(asyncio.sleep(1), { signal: AbortSignal.timeout(1) });
}
