// Eager tasks: a lookup served from a cache finishes inside createTask, without a loop iteration.
// Python original: eager_tasks.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

const cache = new Map<string, number>([["alice", 31]]);

function* lookupAge(user: string) {
  const cached = cache.get(user);
  if (cached !== undefined) return cached; // no suspension: an eager Task completes right here
  yield* asyncio.sleep(0.1); // the database
  cache.set(user, 42);
  return 42;
}

export function* main() {
  asyncio.getRunningLoop().setTaskFactory(asyncio.eagerTaskFactory);
  const hit = asyncio.createTask(lookupAge("alice"));
  console.log(`cached lookup done before the loop ran again: ${hit.done()}`);
  const miss = asyncio.createTask(lookupAge("bob"));
  console.log(`database lookup done at once: ${miss.done()}`);
  console.log(`ages: ${yield* hit}, ${yield* miss}`);
}

if (isMain(import.meta.url)) await asyncio.run(main());
