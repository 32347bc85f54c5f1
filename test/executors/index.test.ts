// The surface of "asyncio-ts/executors", pinned: what executor implementations build on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import * as executors from "asyncio-ts/executors";

describe("asyncio-ts/executors", () => {
  it("exports exactly the pinned names", () => {
    assert.deepEqual(Object.keys(executors).sort(), [
      "BaseExecutor",
      "BrokenWorkerError",
      "ProcessPoolExecutor",
      "SerializationError",
      "ThreadPoolExecutor",
      "WORKER_ENTRY",
      "WORKER_EXPORT",
      "callForReply",
      "decodeError",
      "encodeError",
      "findUnsendable",
      "isErrorEnvelope",
      "isTaskRef",
      "isTransfer",
      "registerErrorClass",
      "runJob",
      "task",
      "taskModule",
      "toThread",
      "transfer",
    ]);
  });

  it("shares its classes and functions with the main entry point", () => {
    assert.equal(executors.ThreadPoolExecutor, asyncio.ThreadPoolExecutor);
    assert.equal(executors.toThread, asyncio.toThread);
    assert.equal(executors.SerializationError, asyncio.SerializationError);
  });

  it("points the pools at the worker entry beside the executors' sources", () => {
    assert.match(executors.WORKER_ENTRY.href, /\/executors\/worker\.(ts|js)$/);
    assert.equal(executors.WORKER_EXPORT, "runJob");
  });
});
