// asCompleted(): handle pages in the order they arrive, then find which Tasks beat a timeout.
// Python original: as_completed.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* fetchPage(name: string, seconds: number) {
  yield* asyncio.sleep(seconds);
  return `${name} (${seconds} s)`;
}

export function* main() {
  // for...of: each item is a coroutine that gives the next result to arrive.
  const pages = [fetchPage("home", 0.3), fetchPage("about", 0.1), fetchPage("blog", 0.2)];
  for (const next of asyncio.asCompleted(pages)) {
    console.log(`got ${yield* next}`);
  }

  // anext(): the Tasks themselves, in the order they finish (Python 3.13's `async for`).
  const tasks = [
    asyncio.createTask(fetchPage("shop", 0.4), { name: "shop" }),
    asyncio.createTask(fetchPage("faq", 0.1), { name: "faq" }),
  ];
  const arrivals = asyncio.asCompleted(tasks, { timeout: 0.25 });
  try {
    for (let task = yield* arrivals.anext(); task !== undefined; task = yield* arrivals.anext()) {
      console.log(`${task.getName()} finished first`);
    }
  } catch (error) {
    if (!(error instanceof asyncio.TimeoutError)) throw error;
    const late = tasks.filter((t) => !t.done()).map((t) => t.getName());
    console.log(`timed out; still running: ${late.join(", ")}`);
  }
  for (const task of tasks) task.cancel();
}

if (isMain(import.meta.url)) await asyncio.run(main());
