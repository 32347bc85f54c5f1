// gather's `limit` (an extension beyond asyncio): fetch eight pages, at most three at a time.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

let running = 0;
let mostAtOnce = 0;

function* fetchPage(page: number, start: number) {
  const loop = asyncio.getRunningLoop();
  console.log(`[${(loop.time() - start).toFixed(1)} s] start page ${page}`);
  running++;
  mostAtOnce = Math.max(mostAtOnce, running);
  try {
    yield* asyncio.sleep(0.1 * (1 + (page % 3))); // 0.1, 0.2 or 0.3 s
    return `page ${page}`;
  } finally {
    running--;
  }
}

export function* main() {
  const loop = asyncio.getRunningLoop();
  const start = loop.time();
  const pages = Array.from({ length: 8 }, (_, i) => fetchPage(i + 1, start));
  const results = yield* asyncio.gatherAll(pages, { limit: 3 });
  console.log(results.join(", ")); // in argument order, whatever order they finished in
  console.log(`at most ${mostAtOnce} at once; ${(loop.time() - start).toFixed(1)} s in all`);
}

if (isMain(import.meta.url)) await asyncio.run(main());
