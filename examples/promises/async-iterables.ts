// Async iterables both ways: read an async generator from a coroutine (closing it on cancellation),
// and read a Queue with `for await` from plain async code.
import { setTimeout as delay } from "node:timers/promises";
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

async function* ticks(signal: AbortSignal): AsyncGenerator<number> {
  try {
    for (let i = 1; ; i++) {
      await delay(5, undefined, { signal });
      yield i;
    }
  } finally {
    console.log("ticks: finally ran");
  }
}

function* consumer(): asyncio.Coroutine<void> {
  yield* asyncio.forEach(ticks, function* (n) {
    console.log("tick", n);
    if (n === 3) return false; // break
  });
  // Cancellation closes the generator too: the timeout cancels the forEach mid-wait.
  try {
    yield* asyncio.waitFor(
      asyncio.forEach(ticks, function* () {}),
      0.05,
    );
  } catch (error) {
    console.log("waitFor raised", (error as Error).name);
  }
}

function* producer(queue: asyncio.Queue<string>): asyncio.Coroutine<void> {
  for (const job of ["wash", "dry", "fold"]) {
    yield* queue.put(job);
    yield* asyncio.sleep(0.005);
  }
  queue.shutdown();
}

export async function main(): Promise<void> {
  await asyncio.toPromise(consumer());

  const queue = new asyncio.Queue<string>();
  asyncio.createTask(producer(queue));
  for await (const job of asyncio.toAsyncIterable(queue)) console.log("job:", job);
  console.log("the queue was shut down: the for await loop ended");
}

if (isMain(import.meta.url)) await main();
