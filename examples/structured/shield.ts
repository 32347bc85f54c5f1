// shield(): a request handler is cancelled, but the save it started runs to the end.
// Python original: shield.py beside this file.
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* saveToDisk(doc: string) {
  yield* asyncio.sleep(0.3);
  console.log(`saved ${doc}`);
}

function* handleRequest(doc: string) {
  const save = asyncio.createTask(saveToDisk(doc));
  try {
    yield* asyncio.shield(save); // like `yield* save`, but cancelling us does not cancel it
    console.log("request done");
  } catch (error) {
    if (asyncio.isCancelledError(error)) console.log("request cancelled; the save goes on");
    throw error;
  }
}

export function* main() {
  const request = asyncio.createTask(handleRequest("report.txt"));
  yield* asyncio.sleep(0.1);
  request.cancel(); // the client went away
  yield* asyncio.sleep(0.5);
  console.log(`request cancelled: ${request.cancelled()}`);
}

if (isMain(import.meta.url)) await asyncio.run(main());
