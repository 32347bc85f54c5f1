// The executors example: a CPU-bound gather on the loop, then on a thread pool, with equal results.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { main } from "../examples/executors.ts";

describe("the executors example", () => {
  it("runs the same hash chains on the loop and on the thread pool and reports both timings", async () => {
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    let outcome: { loopSeconds: number; threadSeconds: number; same: boolean };
    try {
      // Small jobs: this checks that the example works, not how fast the machine is.
      outcome = await asyncio.run(main(4, 2000));
    } finally {
      console.log = original;
    }
    assert.equal(outcome.same, true);
    assert.ok(outcome.loopSeconds > 0 && outcome.threadSeconds > 0);
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^on the loop: +4 jobs in \d+\.\d\d s$/);
    assert.match(lines[1], /^on \d+ threads: 4 jobs in \d+\.\d\d s \(\d+\.\dx the loop\)$/);
    assert.equal(lines[2], "same results: true");
  });
});
