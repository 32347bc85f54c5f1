// The tutorial's third program: without returnExceptions the ValueError propagates out of gather
// after ~1 s, while coro_1 is still sleeping; asyncio.run() then cancels coro_1 on its way out and
// rejects, so the process exits non-zero with the stack trace, as the Python program does.
// Python original: 3_exception_propagates.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";
import { repr } from "./repr.ts";

export function* coro_1() {
  yield* asyncio.sleep(2);
  return "Result of coro 1";
}

export function* coro_2(): asyncio.Coroutine<string> {
  yield* asyncio.sleep(1);
  throw new asyncio.ValueError("An error occurred in coro 2");
}

export function* main() {
  const results = yield* asyncio.gather(coro_1(), coro_2(), { returnExceptions: false });
  console.log("Results:", repr(results));
}

if (isMain(import.meta.url)) await asyncio.run(main());
