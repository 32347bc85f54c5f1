// The tutorial's second program: with returnExceptions the ValueError is *returned* in the results.
// Python original: 2_return_exceptions.py beside this file.
//
// The tutorial says its `except ValueError` branch runs and prints "Caught an exception". It does
// not, in CPython or here: `return_exceptions=True` puts the exception in the results list, so the
// `else` branch prints `Results: ['Result of coro 1', ValueError('An error occurred in coro 2')]`.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";
import { repr } from "./repr.ts";

export function* coro_1(): asyncio.Coroutine<string> {
  yield* asyncio.sleep(2);
  return "Result of coro 1";
}

export function* coro_2(): asyncio.Coroutine<string> {
  yield* asyncio.sleep(1);
  throw new asyncio.ValueError("An error occurred in coro 2");
}

export function* main() {
  let results: (string | Error)[];
  try {
    results = yield* asyncio.gather(coro_1(), coro_2(), { returnExceptions: true });
  } catch (exc) {
    if (!(exc instanceof asyncio.ValueError)) throw exc;
    console.log("Caught an exception:", exc.message);
    return;
  }
  console.log("Results:", repr(results));
}

if (isMain(import.meta.url)) await asyncio.run(main());
