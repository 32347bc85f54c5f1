// Promise → coroutine: await a promise with `yield* asyncio.wrap(p)`, and give an operation an
// AbortSignal with `wrap((signal) => ...)` so that cancelling the waiting Task stops it.
import { setTimeout as delay } from "node:timers/promises";
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

export function* main(): asyncio.Coroutine<void> {
  // A promise is awaited like a Future; its error arrives as the very same object.
  const text = yield* asyncio.wrap(Promise.resolve("hello from a promise"));
  console.log(text);
  const failure = new Error("the promise failed");
  try {
    yield* asyncio.wrap(Promise.reject(failure));
  } catch (error) {
    console.log("caught the same error object:", error === failure);
  }

  // An operation that takes a signal: waitFor() cancels the wait after 50 ms, which aborts the
  // signal, so the 10 s timer is cleared instead of running on.
  let aborted: unknown;
  try {
    yield* asyncio.waitFor(
      asyncio.wrap((signal) => {
        signal.addEventListener("abort", () => (aborted = signal.reason));
        return delay(10_000, "too late", { signal });
      }),
      0.05,
    );
  } catch (error) {
    console.log("waitFor raised", (error as Error).name);
  }
  console.log("the signal was aborted with a CancelledError:", aborted instanceof asyncio.CancelledError);

  // A plain promise cannot be cancelled: cancelling its wrapper stops the waiting only.
  let finished = false;
  const plain = delay(20).then(() => (finished = true));
  const waiting = asyncio.wrap(plain);
  waiting.cancel();
  yield* asyncio.wrap(plain);
  console.log("the wrapper was cancelled:", waiting.cancelled(), "- the promise ran on anyway:", finished);
}

if (isMain(import.meta.url)) await asyncio.run(main());
