// The examples of docs/promises.md, run and checked line by line so that the page cannot rot.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import * as ambient from "../examples/promises/ambient.ts";
import * as asyncIterables from "../examples/promises/async-iterables.ts";
import * as nodeEvents from "../examples/promises/node-events.ts";
import * as signals from "../examples/promises/signals.ts";
import * as wrap from "../examples/promises/wrap.ts";

/** Run an example's main (a coroutine function, or an async function) and return what it printed. */
async function printed(main: () => asyncio.Coroutine<unknown> | Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  try {
    const started = main();
    await (asyncio.isCoroutine(started) ? asyncio.run(started) : started);
  } finally {
    console.log = original;
  }
  return lines;
}

describe("examples/promises", () => {
  after(() => asyncio.closeAmbientLoop());

  it("wrap.ts: awaits promises, aborts an operation's signal on timeout, and lets a plain promise run on", async () => {
    assert.deepEqual(await printed(wrap.main), [
      "hello from a promise",
      "caught the same error object: true",
      "waitFor raised TimeoutError",
      "the signal was aborted with a CancelledError: true",
      "the wrapper was cancelled: true - the promise ran on anyway: true",
    ]);
  });

  it("ambient.ts: awaits gather, Tasks and library code from plain async code", async () => {
    assert.deepEqual(await printed(ambient.main), [
      "gather from async code: [4,9]",
      "a Task from async code: 16",
      "a library function: 14",
      "Promise.race winner: 1",
      "awaiting the cancelled Task raised CancelledError",
    ]);
  });

  it("signals.ts: a Task's signal stops a Node timer; signals cancel Tasks; fromSignal waits for an abort", async () => {
    assert.deepEqual(await printed(signals.main), [
      "download: signal aborted = true",
      "download ended with CancelledError: user pressed stop",
      "AbortSignal.timeout cancelled the task: true - The operation was aborted due to timeout",
      "fromSignal resolved with the reason: stop now",
    ]);
  });

  it("async-iterables.ts: closes async generators on break and cancellation, and reads a Queue with for await", async () => {
    assert.deepEqual(await printed(asyncIterables.main), [
      "tick 1",
      "tick 2",
      "tick 3",
      "ticks: finally ran",
      "ticks: finally ran",
      "waitFor raised TimeoutError",
      "job: wash",
      "job: dry",
      "job: fold",
      "the queue was shut down: the for await loop ended",
    ]);
  });

  it("node-events.ts: waits for events, fails on 'error', cleans up on cancel, and takes callbacks from Node", async () => {
    assert.deepEqual(await printed(nodeEvents.main), [
      "ready: port 8080",
      "once raised: disk on fire",
      "listeners left after cancel: 0",
      "delivered on the loop",
    ]);
  });
});
