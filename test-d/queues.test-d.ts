// Type-level tests for the queues and the synchronization primitives: compiled by tsc, never run.

import * as asyncio from "asyncio-ts";
import type { Coroutine } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

interface Job {
  deadline: number;
}

export function* queueTypes(): Coroutine<void> {
  // Queue<T> is what `asyncio.Queue[int]` spells in Python: get() yields a T, put() takes one.
  const q = new asyncio.Queue<number>(10);
  expectTypeOf(yield* q.get()).toEqualTypeOf<number>();
  expectTypeOf(q.getNowait()).toEqualTypeOf<number>();
  expectTypeOf(q.put).parameter(0).toEqualTypeOf<number>();
  // @ts-expect-error: a Queue<number> takes numbers only.
  q.putNowait("one");

  // The comparator is typed by the item type.
  const jobs = new asyncio.PriorityQueue<Job>({ comparator: (a, b) => a.deadline - b.deadline });
  expectTypeOf(yield* jobs.get()).toEqualTypeOf<Job>();
  // @ts-expect-error: the comparator compares Jobs.
  new asyncio.PriorityQueue<Job>({ comparator: (a: string, b: string) => a.length - b.length });
  expectTypeOf(new asyncio.LifoQueue<string>().getNowait()).toEqualTypeOf<string>();
}

export function* lockTypes(): Coroutine<void> {
  const lock = new asyncio.Lock();
  expectTypeOf(yield* lock.acquire()).toEqualTypeOf<true>();
  // using() gives the lock's body no value and returns what the body returns.
  const n = yield* asyncio.using(lock, function* (value) {
    expectTypeOf(value).toEqualTypeOf<undefined>();
    return 1;
  });
  expectTypeOf(n).toEqualTypeOf<number>();
  // A Barrier's body receives the party's index.
  yield* asyncio.using(new asyncio.Barrier(2), function* (index) {
    expectTypeOf(index).toEqualTypeOf<number>();
  });
  const cond = new asyncio.Condition(lock);
  expectTypeOf(yield* cond.waitFor(() => "ready" as const)).toEqualTypeOf<"ready">();
  // @ts-expect-error: a primitive is not awaitable itself, only its coroutines are.
  yield* lock;
}
