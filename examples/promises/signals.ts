// AbortSignal both ways: a Task's signal for fetch and Node's APIs, and signals that cancel Tasks.
import { setTimeout as delay } from "node:timers/promises";
import * as asyncio from "asyncio-ts";
import { isMain } from "../is-main.ts";

function* download(): asyncio.Coroutine<string> {
  // The Task's own signal is aborted when the Task is cancelled: Node's timer stops at once.
  const signal = asyncio.currentTask()!.signal;
  try {
    return yield* asyncio.wrap(delay(10_000, "downloaded", { signal }));
  } finally {
    console.log("download: signal aborted =", signal.aborted);
  }
}

export function* main(): asyncio.Coroutine<void> {
  const task = asyncio.createTask(download());
  yield* asyncio.sleep(0.01);
  task.cancel("user pressed stop");
  try {
    yield* task;
  } catch (error) {
    console.log("download ended with", String(error));
  }

  // A signal that cancels a Task: here one that aborts after 20 ms.
  const timed = asyncio.createTask(asyncio.sleep(10, "never"), { signal: AbortSignal.timeout(20) });
  try {
    yield* timed;
  } catch (error) {
    console.log("AbortSignal.timeout cancelled the task:", timed.cancelled(), "-", (error as Error).message);
  }

  // fromSignal(): a Future done when a signal aborts.
  const controller = new AbortController();
  asyncio.getRunningLoop().callLater(0.01, () => controller.abort("stop now"));
  console.log("fromSignal resolved with the reason:", yield* asyncio.fromSignal(controller.signal));
}

if (isMain(import.meta.url)) await asyncio.run(main());
