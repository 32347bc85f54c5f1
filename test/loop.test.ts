// The event loop's own promises beyond CPython's tests: one host timer, turns given to Node,
// virtual time that jumps exactly, and no host timer left behind.
//
// Host resources are counted with process.getActiveResourcesInfo(), which lists every active
// Timeout and Immediate of the process; each test compares with a baseline taken first.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function countHost(kind: "Timeout" | "Immediate"): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
}

/** Resolve on the next host turn, after the loop has gone idle. */
function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("event loop on Node", () => {
  it("arms one host timer for a thousand sleeping tasks", async () => {
    const baseline = countHost("Timeout");
    let during = -1;
    function* sleeper(i: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(0.05 + i * 1e-5);
      return i;
    }
    function* main(): asyncio.Coroutine<number[]> {
      const all = asyncio.gatherAll(Array.from({ length: 1000 }, (_, i) => sleeper(i)));
      // Every sleeper has taken its first step (and is parked) by the time main runs again.
      yield* asyncio.sleep(0);
      // Look from the host once the loop, with nothing ready, waits on its timer.
      yield* asyncio.wrap(
        hostTurn().then(() => {
          during = countHost("Timeout");
        }),
      );
      return yield* all;
    }
    const results = await asyncio.run(main());
    assert.equal(results.length, 1000);
    assert.equal(results[999], 999);
    assert.equal(during - baseline, 1);
  });

  it("gives Node a turn between batches, so a native promise settles while sleep(0) chains run", async () => {
    let settledAfter = -1;
    function* spinner(): asyncio.Coroutine<number> {
      let i = 0;
      void hostTurn().then(() => {
        settledAfter = i;
      });
      // Bounded so that a loop that never yields fails instead of hanging.
      for (; i < 5_000_000 && settledAfter < 0; i++) yield* asyncio.sleep(0);
      return i;
    }
    const iterations = await asyncio.run(spinner());
    assert.ok(settledAfter > 0, "the promise settled while the chain ran");
    assert.ok(iterations < 5_000_000, `the chain stopped early (${iterations} iterations)`);
  });

  it("never runs a timer before its deadline on the real clock", async () => {
    const loop = asyncio.newEventLoop();
    const start = loop.time();
    let ranAt = Number.NaN;
    loop.callLater(0.015, () => {
      ranAt = loop.time();
      loop.stop();
    });
    await loop.runForever();
    loop.close();
    assert.ok(ranAt - start >= 0.015, `ran after ${ranAt - start} s`);
  });

  it("leaves no host timer or immediate behind once run() returns, even with tasks cancelled at shutdown", async () => {
    const timeouts = countHost("Timeout");
    const immediates = countHost("Immediate");
    function* forever(): asyncio.Coroutine<void> {
      yield* asyncio.sleep(1000);
    }
    function* main(): asyncio.Coroutine<void> {
      for (let i = 0; i < 10; i++) asyncio.createTask(forever());
      yield* asyncio.sleep(0.005);
      asyncio.getRunningLoop().callLater(500, () => {});
    }
    await asyncio.run(main());
    assert.equal(countHost("Timeout"), timeouts);
    assert.equal(countHost("Immediate"), immediates);
  });

  it("clears its host timer when runUntilComplete() returns with timers still scheduled", async () => {
    const timeouts = countHost("Timeout");
    const loop = asyncio.newEventLoop();
    const pending = loop.callLater(1000, () => {});
    function* short(): asyncio.Coroutine<string> {
      yield* asyncio.sleep(0.002);
      return "done";
    }
    assert.equal(await loop.runUntilComplete(short()), "done");
    assert.equal(countHost("Timeout"), timeouts);
    pending.cancel();
    loop.close();
  });
});

describe("VirtualTimeLoop", () => {
  it("jumps its clock exactly: sleeps of 2 s and 1 s in a gather end at 2, each at its own time", async () => {
    const loop = new VirtualTimeLoop();
    const woke: number[] = [];
    function* sleeper(delay: number): asyncio.Coroutine<number> {
      yield* asyncio.sleep(delay);
      woke.push(loop.time());
      return delay;
    }
    const wallStart = performance.now();
    const results = await asyncio.run(
      (function* () {
        return yield* asyncio.gather(sleeper(2), sleeper(1));
      })(),
      { loopFactory: () => loop },
    );
    assert.deepEqual(results, [2, 1]);
    assert.deepEqual(woke, [1, 2]);
    assert.equal(loop.time(), 2);
    assert.ok(performance.now() - wallStart < 1000, "virtual seconds take no real seconds");
  });

  it("runs callLater() and callAt() callbacks at exactly their loop time", async () => {
    const loop = new VirtualTimeLoop(100);
    const seen: [string, number][] = [];
    loop.callLater(0.25, () => seen.push(["later", loop.time()]));
    loop.callAt(100.5, () => {
      seen.push(["at", loop.time()]);
      loop.stop();
    });
    await loop.runForever();
    assert.deepEqual(seen, [
      ["later", 100.25],
      ["at", 100.5],
    ]);
    loop.close();
  });

  it("holds its clock still while a wrapped host promise is pending", async () => {
    const loop = new VirtualTimeLoop();
    function* main(): asyncio.Coroutine<[number, number]> {
      const sleeper = asyncio.createTask(asyncio.sleep(100));
      yield* asyncio.wrap(new Promise<void>((resolve) => setTimeout(resolve, 5)));
      const afterPromise = loop.time();
      yield* sleeper;
      return [afterPromise, loop.time()];
    }
    assert.deepEqual(await loop.runUntilComplete(main()), [0, 100]);
    loop.close();
  });

  it("moves its clock by advance() without running anything until the next iteration", async () => {
    const loop = new VirtualTimeLoop();
    const ran: number[] = [];
    loop.callLater(3, () => ran.push(loop.time()));
    loop.advance(5);
    assert.equal(loop.time(), 5);
    assert.deepEqual(ran, []);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assert.deepEqual(ran, [5]);
    assert.throws(() => loop.advance(-1), RangeError);
    loop.close();
  });

  it("waits, rather than jumping, when only a host promise can make progress", async () => {
    const loop = new VirtualTimeLoop();
    const order: string[] = [];
    function* main(): asyncio.Coroutine<void> {
      const slow = new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => {
        order.push(`promise at ${loop.time()}`);
      });
      asyncio.getRunningLoop().callLater(1, () => order.push(`timer at ${loop.time()}`));
      yield* asyncio.wrap(slow);
      yield* asyncio.sleep(2);
    }
    await loop.runUntilComplete(main());
    assert.deepEqual(order, ["promise at 0", "timer at 1"]);
    loop.close();
  });
});
