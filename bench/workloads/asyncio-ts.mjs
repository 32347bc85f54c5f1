// asyncio-ts: the workloads as a user writes them, against the built package (dist/) by default.
import { pathToFileURL } from "node:url";
import { Concurrency, heapAfterGc, mark, since } from "./common.mjs";

// The bench measures dist/, the code users get; the smoke test points this at src/ through tsx.
const entry = process.env.BENCH_ASYNCIO_TS_ENTRY
  ? pathToFileURL(process.env.BENCH_ASYNCIO_TS_ENTRY).href
  : new URL("../../dist/index.js", import.meta.url).href;
const asyncio = await import(entry);

export const label = "asyncio-ts";

export const forms = {
  W1: "gatherAll(coros), each coroutine `return i`",
  W2: "gatherAll(coros), each `yield* sleep(0)`",
  W3: "gatherAll(coros), each `yield* sleep(0.01)`",
  W4: "gatherAll(coros) of `try { yield* sleep(10) } finally {}`, then `gather.cancel()`",
  W5: "gatherAll(coros), each `yield* sleep(10)`",
  W6: "gatherAll(coros, { limit: 100 }), each `yield* sleep(0.001)`",
};

/**
 * Whether gather's `limit` option exists in this build: with `limit: 1`, two coroutines that each
 * yield once must never run at the same time. Older builds ignore the option (or reject it).
 */
async function supportsLimit() {
  let active = 0;
  let max = 0;
  function* child() {
    if (++active > max) max = active;
    yield* asyncio.sleep(0);
    active--;
  }
  try {
    await asyncio.run(
      (function* main() {
        yield* asyncio.gatherAll([child(), child()], { limit: 1 });
      })(),
    );
  } catch {
    return false;
  }
  return max === 1;
}

export const unavailable = (await supportsLimit()) ? {} : { W6: "limit option missing" };

function* trivial(i) {
  return i;
}

function* yieldOnce(i) {
  yield* asyncio.sleep(0);
  return i;
}

function* sleeper(i, seconds) {
  yield* asyncio.sleep(seconds);
  return i;
}

/** Time `gatherAll` of `n` coroutines made by `make(i)`, from making them to holding the results. */
function timedGather(n, make, options) {
  return asyncio.run(
    (function* main() {
      const t0 = mark();
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = make(i);
      const results = yield* asyncio.gatherAll(coros, options);
      return { ...since(t0), results };
    })(),
  );
}

export function W1(n) {
  return timedGather(n, trivial);
}

export function W2(n) {
  return timedGather(n, yieldOnce);
}

export function W3(n, ctx) {
  return timedGather(n, (i) => sleeper(i, ctx.w3SleepMs / 1000));
}

export function W4(n) {
  return asyncio.run(
    (function* main() {
      const done = asyncio.getRunningLoop().createFuture();
      let started = 0;
      let finallies = 0;
      function* child() {
        started++;
        try {
          yield* asyncio.sleep(10);
        } finally {
          if (++finallies === n) done.setResult(undefined);
        }
      }
      const t0 = mark();
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = child();
      const outer = asyncio.gatherAll(coros);
      while (started < n) yield* asyncio.sleep(0);
      const t1 = mark();
      outer.cancel();
      let cancelled = false;
      try {
        yield* outer;
      } catch (error) {
        if (!(error instanceof asyncio.CancelledError)) throw error;
        cancelled = true;
      }
      if (!done.done()) yield* done;
      return { setupMs: t1.wall - t0.wall, ...since(t1), finallies, cancelled };
    })(),
  );
}

export function W5(n, ctx) {
  return asyncio.run(
    (function* main() {
      let started = 0;
      let finished = 0;
      function* child(i) {
        started++;
        yield* asyncio.sleep(ctx.holdSeconds);
        finished++;
        return i;
      }
      const before = heapAfterGc();
      const coros = new Array(n);
      for (let i = 0; i < n; i++) coros[i] = child(i);
      const outer = asyncio.gatherAll(coros);
      while (started < n) yield* asyncio.sleep(0);
      ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
      return { results: yield* outer };
    })(),
  );
}

export function W6(n, ctx) {
  const conc = new Concurrency();
  function* child(i) {
    conc.enter();
    yield* asyncio.sleep(ctx.sleepMs / 1000);
    conc.leave();
    return i;
  }
  return timedGather(n, child, { limit: ctx.limit }).then((r) => ({ ...r, maxActive: conc.max }));
}
