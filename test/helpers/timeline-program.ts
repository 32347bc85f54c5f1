// A small crawler on virtual time, traced: the timeline drawn in docs/debugging.md and checked in
// a real browser by test/trace-html.test.ts. Gather, a TaskGroup, a failure, a cancellation and a
// periodic task, with names on every Task.

import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function* fetchPage(path: string, seconds: number): asyncio.Coroutine<string> {
  yield* asyncio.sleep(seconds);
  if (path === "/missing") throw new asyncio.ValueError(`404 for ${path}`);
  return `<html>${path}</html>`;
}

function* parse(page: string, seconds: number): asyncio.Coroutine<number> {
  yield* asyncio.sleep(seconds);
  return page.length;
}

function* heartbeat(): asyncio.Coroutine<never> {
  for (;;) yield* asyncio.sleep(0.5);
}

export function* crawler(): asyncio.Coroutine<number> {
  const beat = asyncio.createTask(heartbeat(), { name: "heartbeat" });
  const [index, , blog] = yield* asyncio.gather(
    asyncio.createTask(fetchPage("/", 1.2), { name: "fetch /" }),
    asyncio.createTask(fetchPage("/about", 0.6), { name: "fetch /about" }),
    asyncio.createTask(fetchPage("/blog", 1.8), { name: "fetch /blog" }),
  );
  let total = 0;
  yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
    const a = tg.createTask(parse(index, 0.4), { name: "parse /" });
    const b = tg.createTask(parse(blog, 0.7), { name: "parse /blog" });
    yield* asyncio.sleep(0);
    total = (yield* a) + (yield* b);
  });
  try {
    yield* asyncio.createTask(fetchPage("/missing", 0.3), { name: "fetch /missing" });
  } catch {
    // A broken link is part of the picture.
  }
  beat.cancel();
  try {
    yield* beat;
  } catch (error) {
    if (!asyncio.isCancelledError(error)) throw error;
  }
  return total;
}

/** Run the crawler as Task 'crawler' on a virtual-time loop, traced. */
export async function traceCrawler(): Promise<asyncio.Trace> {
  const loop = new VirtualTimeLoop();
  asyncio.startTracing(loop);
  try {
    await loop.runUntilComplete(loop.createTask(crawler(), { name: "crawler" }));
  } finally {
    loop.close();
  }
  return asyncio.stopTracing(loop);
}
