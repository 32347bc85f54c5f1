// TaskGroup: start tasks together, finish together; one failure cancels the rest.
// Python original: taskgroup.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

let start = 0;
const elapsed = () => (asyncio.getRunningLoop().time() - start).toFixed(1);

function* fetchUser(id: number) {
  try {
    yield* asyncio.sleep(id / 10);
  } catch (error) {
    if (asyncio.isCancelledError(error)) console.log(`fetch ${id} cancelled`);
    throw error;
  }
  if (id === 4) throw new asyncio.ValueError(`user ${id} not found`);
  return `user-${id}`;
}

export function* main() {
  start = asyncio.getRunningLoop().time();

  const tasks = yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
    return [1, 2, 3].map((id) => tg.createTask(fetchUser(id)));
  });
  // The block ended when the last task did, at t=0.3.
  console.log(`t=${elapsed()} all done:`, tasks.map((t) => t.result()).join(", "));

  try {
    yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
      for (const id of [1, 4, 9]) tg.createTask(fetchUser(id));
      yield* asyncio.sleep(10); // the body is cancelled too
    });
  } catch (error) {
    // Python's `except* ValueError as group:`
    if (!(error instanceof asyncio.ExceptionGroup)) throw error;
    const [notFound, rest] = error.split(asyncio.ValueError);
    for (const e of notFound?.exceptions ?? []) console.log(String(e));
    if (rest !== null) throw rest;
  }
}

if (isMain(import.meta.url)) await asyncio.run(main());
