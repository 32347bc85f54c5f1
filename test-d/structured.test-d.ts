// Type-level tests for using(), TaskGroup, timeouts, waitFor and exception groups: compiled by
// tsc, never run.

import * as asyncio from "asyncio-ts";
import type { BaseExceptionGroup, Coroutine, ExceptionGroup, Task, Timeout } from "asyncio-ts";
import { expectTypeOf } from "expect-type";

declare function num(): Coroutine<number>;
declare const group: ExceptionGroup;
declare const baseGroup: BaseExceptionGroup;

export function* structuredTypes(): Coroutine<void> {
  // using() gives the body the value aenter returns and evaluates to the body's result.
  const tasks = yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
    expectTypeOf(tg).toEqualTypeOf<asyncio.TaskGroup>();
    const t = tg.createTask(num(), { name: "n" });
    expectTypeOf(t).toEqualTypeOf<Task<number>>();
    return [t];
  });
  expectTypeOf(tasks).toEqualTypeOf<Task<number>[]>();

  // A manager that never suppresses keeps the result type; one that may suppress adds undefined.
  const timed = yield* asyncio.using(asyncio.timeout(1), function* (cm) {
    expectTypeOf(cm).toEqualTypeOf<Timeout>();
    return yield* num();
  });
  expectTypeOf(timed).toEqualTypeOf<number>();
  const maySuppress: asyncio.AsyncContextManager<void, boolean> = {
    *aenter() {},
    *aexit() {
      return true;
    },
  };
  const suppressed = yield* asyncio.using(maySuppress, function* () {
    return "x";
  });
  expectTypeOf(suppressed).toEqualTypeOf<string | undefined>();

  // waitFor() gives the awaitable's result type.
  expectTypeOf(yield* asyncio.waitFor(num(), 1)).toEqualTypeOf<number>();
  expectTypeOf(yield* asyncio.waitFor(Promise.resolve("s"), null)).toEqualTypeOf<string>();
  // @ts-expect-error: the timeout is seconds or null.
  asyncio.waitFor(num(), "1");
  // @ts-expect-error: the timeout is required, as in Python.
  asyncio.waitFor(num());

  expectTypeOf(asyncio.timeout(null).when()).toEqualTypeOf<number | null>();
}

export function groupTypes(): void {
  // split() by class narrows the matching part to that class; the rest keeps the group's type.
  const [match, rest] = group.split(asyncio.ValueError);
  expectTypeOf(match).toEqualTypeOf<ExceptionGroup<asyncio.ValueError> | null>();
  expectTypeOf(rest).toEqualTypeOf<ExceptionGroup<Error> | null>();
  // A type-guard predicate narrows too; a plain predicate keeps the member type.
  expectTypeOf(
    group.subgroup((e): e is TypeError => e instanceof TypeError),
  ).toEqualTypeOf<ExceptionGroup<TypeError> | null>();
  expectTypeOf(group.subgroup(() => true)).toEqualTypeOf<ExceptionGroup<Error> | null>();
  // A BaseExceptionGroup's members are unknown: anything can be thrown.
  expectTypeOf(baseGroup.exceptions).toEqualTypeOf<readonly unknown[]>();
  expectTypeOf(group).toMatchTypeOf<AggregateError>();
  // @ts-expect-error: a string is not a condition.
  group.split("ValueError");
}
