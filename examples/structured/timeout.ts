// timeout(): give a block of code a deadline; move the deadline while it makes progress.
// Python original: timeout.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* slowQuery() {
  try {
    yield* asyncio.sleep(5);
    return "rows";
  } finally {
    console.log("query cleaned up"); // runs when the timeout cancels it
  }
}

export function* main() {
  const loop = asyncio.getRunningLoop();
  const start = loop.time();

  try {
    yield* asyncio.using(asyncio.timeout(1), function* () {
      yield* slowQuery();
    });
  } catch (error) {
    if (!(error instanceof asyncio.TimeoutError)) throw error;
    console.log(`timed out after ${(loop.time() - start).toFixed(1)} s`);
  }

  // A watchdog: each step must finish within a second of the previous one.
  const cm = yield* asyncio.using(asyncio.timeout(1), function* (cm) {
    for (let step = 1; step <= 3; step++) {
      yield* asyncio.sleep(0.8);
      cm.reschedule(loop.time() + 1);
      console.log(`step ${step} done; deadline moved to +1 s`);
    }
    return cm;
  });
  console.log(`finished in time; expired: ${cm.expired()}`);
}

if (isMain(import.meta.url)) await asyncio.run(main());
