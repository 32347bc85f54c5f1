// wait() beyond CPython's tests: what it refuses, and which errors it retrieves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { type Coroutine, type Future, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>, loop = new VirtualTimeLoop()): Promise<T> {
  return asyncio.run(main, { loopFactory: () => loop });
}

describe("wait", () => {
  it("refuses promises, generator objects and bad timeouts with errors that name the fix", async () => {
    function* tasks(): Generator<Future<unknown>> {}
    function* main(): Coroutine<void> {
      assert.throws(
        () => asyncio.wait([Promise.resolve(1) as unknown as Future<number>]),
        (e) => e instanceof TypeError && /Futures and Tasks only.*asyncio\.wrap\(\)/.test(e.message),
      );
      assert.throws(
        () => asyncio.wait(tasks()),
        (e) => e instanceof TypeError && /generator object.*Array\.from\(generator\)/.test(e.message),
      );
      const fut = asyncio.getRunningLoop().createFuture();
      assert.throws(
        () => asyncio.wait([fut], { timeout: "1" as unknown as number }),
        (e) => e instanceof TypeError && /timeout must be a number of seconds or null/.test(e.message),
      );
      assert.throws(() => asyncio.wait([fut], { timeout: Number.NaN }), ValueError);
      fut.cancel();
    }
    await runVirtual(main());
  });

  it("returns with FIRST_COMPLETED when a Future is cancelled, like any completion", async () => {
    const loop = new VirtualTimeLoop();
    const [done, pending] = await runVirtual(
      (function* () {
        const a = asyncio.createTask(asyncio.sleep(5));
        const b = asyncio.createTask(asyncio.sleep(5));
        loop.callLater(1, () => b.cancel());
        const r = yield* asyncio.wait([a, b], { returnWhen: asyncio.FIRST_COMPLETED });
        return [[...r[0]].map((t) => t === b), [...r[1]].map((t) => t === a)];
      })(),
      loop,
    );
    assert.deepEqual(done, [true]);
    assert.deepEqual(pending, [true]);
    assert.equal(loop.time(), 1);
  });

  it("retrieves the error it returns on with FIRST_EXCEPTION, so it is never reported as lost", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const reports: string[] = [];
    loop.setExceptionHandler((_l, context) => reports.push(context.message));
    function* fails(): Coroutine<void> {
      throw new RangeError("boom");
    }
    await runVirtual(
      (function* () {
        const [done] = yield* asyncio.wait([asyncio.createTask(fails()), asyncio.createTask(asyncio.sleep(1))], {
          returnWhen: asyncio.FIRST_EXCEPTION,
        });
        assert.equal(done.size, 1);
      })(),
      loop,
    );
    // Debug mode reports unretrieved errors when the loop closes.
    assert.deepEqual(reports, []);
  });
});
