// CPython's test_utils.await_without_task, shared by the taskgroup and timeout ports.
import * as asyncio from "asyncio-ts";
import type { Coroutine } from "asyncio-ts";

/** Drive `coro` to its end from a plain loop callback, outside any Task; rethrow what it raised. */
export function* awaitWithoutTask(coro: Coroutine<unknown>): Coroutine<void> {
  let error: unknown;
  asyncio.getRunningLoop().callSoon(() => {
    try {
      while (!coro.next().done);
    } catch (e) {
      error = e;
    }
  });
  yield* asyncio.sleep(0);
  if (error !== undefined) throw error;
}
