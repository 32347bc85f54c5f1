// sleep(): the hand-written coroutine behaves like `async def sleep` wherever a coroutine goes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

const virtual = () => ({ loopFactory: () => new VirtualTimeLoop() });

describe("sleep()", () => {
  it("runs as the main coroutine of run() and returns its result at the right time", async () => {
    let loop: VirtualTimeLoop | null = null;
    const result = await asyncio.run(asyncio.sleep(1.5, "late"), {
      loopFactory: () => {
        loop = new VirtualTimeLoop();
        return loop;
      },
    });
    assert.equal(result, "late");
    assert.equal((loop as VirtualTimeLoop | null)?.time(), 1.5);
  });

  it("is wrapped in a Task by createTask and gather, its timer starting only when the Task runs", async () => {
    function* main(): asyncio.Coroutine<[string, number, string]> {
      const loop = asyncio.getRunningLoop();
      const lazy = asyncio.sleep(5, "never started");
      yield* asyncio.sleep(1);
      const t = asyncio.createTask(asyncio.sleep(2, "task"));
      const both = yield* asyncio.gather(asyncio.sleep(1, 7), t);
      assert.equal(loop.time(), 3, "the Task's two seconds started at t = 1");
      lazy.return("closed unstarted");
      return [both[1], both[0], String(t.done())];
    }
    assert.deepEqual(await asyncio.run(main(), virtual()), ["task", 7, "true"]);
  });

  it("gives up exactly one loop iteration for sleep(0) and for a negative delay", async () => {
    const order: string[] = [];
    function* a(): asyncio.Coroutine<void> {
      order.push("a1");
      yield* asyncio.sleep(0);
      order.push("a2");
    }
    function* b(): asyncio.Coroutine<void> {
      order.push("b1");
      yield* asyncio.sleep(-1);
      order.push("b2");
    }
    await asyncio.run(
      (function* () {
        yield* asyncio.gather(a(), b());
      })(),
      virtual(),
    );
    assert.deepEqual(order, ["a1", "b1", "a2", "b2"]);
  });

  it("removes its timer when closed before its time, so nothing fires later", async () => {
    let fired = false;
    function* main(): asyncio.Coroutine<void> {
      const t = asyncio.createTask(
        (function* () {
          yield* asyncio.sleep(10);
          fired = true;
        })(),
      );
      yield* asyncio.sleep(1);
      t.cancel();
      yield* asyncio.sleep(20);
      assert.ok(t.cancelled(), "the sleeping task ended cancelled");
    }
    await asyncio.run(main(), virtual());
    assert.equal(fired, false);
  });

  it("refuses a non-number with TypeError and NaN with ValueError, at the call", () => {
    assert.throws(() => asyncio.sleep("1" as unknown as number), TypeError);
    assert.throws(() => asyncio.sleep(Number.NaN), asyncio.ValueError);
  });
});
