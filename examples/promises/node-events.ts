// Callbacks and events: wait for an EventEmitter with once(), and hand a callback from another
// event source to the loop with callSoonThreadsafe().
import { EventEmitter } from "node:events";
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

export function* main(): asyncio.Coroutine<void> {
  const emitter = new EventEmitter();
  setTimeout(() => emitter.emit("ready", "port", 8080), 5);
  const [what, port] = yield* asyncio.once<[string, number]>(emitter, "ready");
  console.log("ready:", what, port);

  // An 'error' event fails the wait, as events.once does.
  setTimeout(() => emitter.emit("error", new Error("disk on fire")), 5);
  try {
    yield* asyncio.once(emitter, "ready");
  } catch (error) {
    console.log("once raised:", (error as Error).message);
  }

  // Cancelling the wait removes the listeners.
  const waiting = asyncio.once(emitter, "never");
  waiting.cancel();
  yield* asyncio.sleep(0);
  console.log("listeners left after cancel:", emitter.listenerCount("never"));

  // A callback from a Node timer, delivered to the loop in order with everything else.
  const loop = asyncio.getRunningLoop();
  const done = loop.createFuture<string>();
  setTimeout(() => loop.callSoonThreadsafe(() => done.setResult("delivered on the loop")), 5);
  console.log(yield* done);
}

if (isMain(import.meta.url)) await asyncio.run(main());
