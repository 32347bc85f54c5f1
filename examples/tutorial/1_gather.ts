// The tutorial's first program: gather two coroutines; the results arrive in argument order after
// ~2 s (the longer sleep), not 3 s. Python original: 1_gather.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";
import { repr } from "./repr.ts";

export function* coro_1() {
  yield* asyncio.sleep(2);
  return "Result of coro 1";
}

export function* coro_2() {
  yield* asyncio.sleep(1);
  return "Result of coro 2";
}

export function* main() {
  const results = yield* asyncio.gather(coro_1(), coro_2()); // typed [string, string]
  console.log("Results:", repr(results));
}

if (isMain(import.meta.url)) await asyncio.run(main());
