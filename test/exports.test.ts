// The public surface, pinned: a name is added to or removed from "asyncio-ts" only on purpose.
// When this test fails after a deliberate change to src/index.ts, update the list here too.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import * as distributed from "asyncio-ts/distributed";
import * as testing from "asyncio-ts/testing";

/** Every runtime export of "asyncio-ts", sorted (type-only exports leave no trace at run time). */
const EXPORTS = [
  "ALL_COMPLETED",
  "AsCompletedIterator",
  "AsyncIteration",
  "Barrier",
  "BaseEventLoop",
  "BaseExceptionGroup",
  "BoundedSemaphore",
  "BrokenBarrierError",
  "BrokenWorkerError",
  "CancelledError",
  "Condition",
  "Event",
  "ExceptionGroup",
  "FIRST_COMPLETED",
  "FIRST_EXCEPTION",
  "Future",
  "GatheringFuture",
  "Handle",
  "InvalidStateError",
  "KeyboardInterrupt",
  "LifoQueue",
  "Lock",
  "Logger",
  "PriorityQueue",
  "ProcessPoolExecutor",
  "Queue",
  "QueueEmpty",
  "QueueFull",
  "QueueShutDown",
  "Runner",
  "RuntimeError",
  "Semaphore",
  "SerializationError",
  "Task",
  "TaskGroup",
  "ThreadPoolExecutor",
  "Timeout",
  "TimeoutError",
  "TimerHandle",
  "Trace",
  "ValueError",
  "allTasks",
  "asCompleted",
  "captureCallGraph",
  "captureTaskTree",
  "closeAmbientLoop",
  "createEagerTaskFactory",
  "createTask",
  "currentTask",
  "eagerTaskFactory",
  "ensureFuture",
  "forEach",
  "formatCallGraph",
  "formatTaskTree",
  "formatTimeline",
  "fromSignal",
  "gather",
  "gatherAll",
  "getEventLoop",
  "getRunningLoop",
  "isCancelledError",
  "isCoroutine",
  "isCoroutineFunction",
  "isFuture",
  "isTracing",
  "iterate",
  "logger",
  "newEventLoop",
  "once",
  "printCallGraph",
  "registerErrorClass",
  "renderTraceHtml",
  "run",
  "setAmbientLoopFactory",
  "shield",
  "sleep",
  "startTracing",
  "stopTracing",
  "task",
  "taskModule",
  "timeout",
  "timeoutAt",
  "toAsyncIterable",
  "toPromise",
  "toThread",
  "trackAwaited",
  "transfer",
  "using",
  "wait",
  "waitFor",
  "wrap",
  "writeTraceHtml",
  "writeTraceJson",
];

describe("the public surface", () => {
  it("exports exactly the pinned names from asyncio-ts", () => {
    assert.deepEqual(Object.keys(asyncio).sort(), EXPORTS);
  });

  it("exports exactly the pinned names from asyncio-ts/testing", () => {
    assert.deepEqual(Object.keys(testing).sort(), ["VirtualTimeLoop"]);
  });

  it("exports exactly the pinned names from asyncio-ts/distributed", () => {
    assert.deepEqual(Object.keys(distributed).sort(), [
      "DistributedExecutor",
      "DistributedWorker",
      "JobLostError",
      "ModuleNotAllowedError",
      "currentJob",
    ]);
  });

  it("exports no default and no undefined binding", () => {
    assert.equal("default" in asyncio, false);
    for (const [name, value] of Object.entries(asyncio)) assert.notEqual(value, undefined, name);
  });
});
