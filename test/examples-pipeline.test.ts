// examples/pipeline.ts on virtual time: its output is what CPython 3.13 prints for the same
// program (a bounded asyncio.Queue, a Semaphore(2), four workers) on a virtual clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { main } from "../examples/pipeline.ts";

describe("the pipeline example", () => {
  it("fetches every page through the bounded queue, two at a time, in CPython's order", async () => {
    const lines: string[] = [];
    const loop = new VirtualTimeLoop();
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      await asyncio.run(main(), { loopFactory: () => loop });
    } finally {
      console.log = original;
    }
    assert.deepEqual(lines, [
      "[0.1 s] worker 2 fetched about (10 kB)",
      "[0.3 s] worker 1 fetched home (30 kB)",
      "[0.5 s] worker 3 fetched blog (40 kB)",
      "[0.5 s] worker 4 fetched shop (20 kB)",
      "[0.6 s] worker 2 fetched faq (10 kB)",
      "[0.7 s] worker 1 fetched contact (20 kB)",
      "6 pages in 0.7 s by 4 workers, at most 2 fetching at once; the producer waited 2 times for room in the queue",
    ]);
    assert.ok(Math.abs(loop.time() - 0.7) < 1e-9, `finished at ${loop.time()}`);
  });
});
