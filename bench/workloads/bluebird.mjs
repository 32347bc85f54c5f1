// Bluebird: generator coroutines (Promise.coroutine), the strongest peer on raw task cost.
import Bluebird from "bluebird";
import { Concurrency, heapAfterGc, hostTurn, mark, since } from "./common.mjs";

export const label = "Bluebird";

export const forms = {
  W1: "Promise.all of Promise.coroutine generators `return i`",
  W2: "Promise.all of coroutines `yield Promise.resolve()`",
  W3: "Promise.all of coroutines `yield Promise.delay(10)`",
  W4: "Promise.all of coroutines `try { yield Promise.delay(10_000) } finally {}`, then `.cancel()` (cancellation on)",
  W5: "Promise.all of coroutines `yield Promise.delay(10_000)`",
  W6: "Promise.map(items, coroutine, { concurrency: 100 }), each `yield Promise.delay(1)`",
};

export const unavailable = {};

/** Cancellation must be switched on before the first promise exists, and it slows Bluebird: only for W4. */
export function setup(workloads) {
  if (workloads.includes("W4")) Bluebird.config({ cancellation: true });
}

const trivial = Bluebird.coroutine(function* (i) {
  return i;
});

const yieldOnce = Bluebird.coroutine(function* (i) {
  yield Bluebird.resolve();
  return i;
});

const sleeper = Bluebird.coroutine(function* (i, ms) {
  yield Bluebird.delay(ms);
  return i;
});

function timedAll(n, make) {
  return Bluebird.coroutine(function* main() {
    const t0 = mark();
    const promises = new Array(n);
    for (let i = 0; i < n; i++) promises[i] = make(i);
    const results = yield Bluebird.all(promises);
    return { ...since(t0), results };
  })();
}

export function W1(n) {
  return timedAll(n, trivial);
}

export function W2(n) {
  return timedAll(n, yieldOnce);
}

export function W3(n, ctx) {
  return timedAll(n, (i) => sleeper(i, ctx.w3SleepMs));
}

export async function W4(n) {
  let started = 0;
  let finallies = 0;
  let allFinished;
  const done = new Promise((resolve) => {
    allFinished = resolve;
  });
  const child = Bluebird.coroutine(function* () {
    started++;
    try {
      yield Bluebird.delay(10_000);
    } finally {
      if (++finallies === n) allFinished();
    }
  });
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = child();
  const outer = Bluebird.all(promises);
  await hostTurn();
  const t1 = mark();
  outer.cancel();
  await done;
  return { setupMs: t1.wall - t0.wall, ...since(t1), finallies, cancelled: outer.isCancelled(), started };
}

export async function W5(n, ctx) {
  let started = 0;
  let finished = 0;
  const child = Bluebird.coroutine(function* (i) {
    started++;
    yield Bluebird.delay(ctx.holdSeconds * 1000);
    finished++;
    return i;
  });
  const before = heapAfterGc();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = child(i);
  const outer = Bluebird.all(promises);
  await hostTurn();
  ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
  return { results: await outer };
}

export async function W6(n, ctx) {
  const conc = new Concurrency();
  const { limit, sleepMs } = ctx;
  const child = Bluebird.coroutine(function* (i) {
    conc.enter();
    yield Bluebird.delay(sleepMs);
    conc.leave();
    return i;
  });
  const t0 = mark();
  const items = new Array(n);
  for (let i = 0; i < n; i++) items[i] = i;
  const results = await Bluebird.map(items, child, { concurrency: limit });
  return { ...since(t0), results, maxActive: conc.max };
}
