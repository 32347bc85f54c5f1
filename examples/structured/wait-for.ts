// waitFor(): await one thing for at most so many seconds; shield() keeps it running past that.
// Python original: wait_for.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* fetchPage(seconds: number) {
  try {
    yield* asyncio.sleep(seconds);
    return `page after ${seconds} s`;
  } catch (error) {
    if (asyncio.isCancelledError(error)) console.log(`fetch of ${seconds} s cancelled`);
    throw error;
  }
}

export function* main() {
  console.log(yield* asyncio.waitFor(fetchPage(0.5), 1));

  try {
    yield* asyncio.waitFor(fetchPage(3), 1);
  } catch (error) {
    if (!(error instanceof asyncio.TimeoutError)) throw error;
    console.log("gave up after 1 s");
  }

  // shield(): the wait times out, the fetch goes on, and its result is still there to await.
  const task = asyncio.createTask(fetchPage(2));
  try {
    yield* asyncio.waitFor(asyncio.shield(task), 1);
  } catch (error) {
    if (!(error instanceof asyncio.TimeoutError)) throw error;
    console.log(`gave up waiting; still fetching: ${!task.done()}`);
  }
  console.log(yield* task);
}

if (isMain(import.meta.url)) await asyncio.run(main());
