// Native promises: async functions and Promise.all, the baseline every ratio is taken against.
import { setMaxListeners } from "node:events";
import { setTimeout as sleepAbortable } from "node:timers/promises";
import { Concurrency, heapAfterGc, hostTurn, mark, since } from "./common.mjs";

export const label = "Promise.all";

export const forms = {
  W1: "Promise.all of async functions `return i`",
  W2: "Promise.all of async functions `await Promise.resolve()`",
  W3: "Promise.all of async functions `await new Promise((r) => setTimeout(r, 10))`",
  W4:
    "Promise.all of async functions awaiting `timers/promises.setTimeout(10_000, { signal })`, then `controller.abort()` " +
    "(one signal for all: Node's EventTarget scans its listeners on every addEventListener, so starting N tasks is quadratic)",
  W5: "Promise.all of async functions `await new Promise((r) => setTimeout(r, 10_000))`",
  W6: "Promise.all of 100 async workers pulling indexes from a shared counter (no library)",
};

export const unavailable = {};

/** The fastest idiomatic promise sleep (a bare setTimeout beats timers/promises when no signal is needed). */
export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function trivial(i) {
  return i;
}

async function yieldOnce(i) {
  await Promise.resolve();
  return i;
}

async function sleeper(i, ms) {
  await delay(ms);
  return i;
}

export async function W1(n) {
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = trivial(i);
  const results = await Promise.all(promises);
  return { ...since(t0), results };
}

export async function W2(n) {
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = yieldOnce(i);
  const results = await Promise.all(promises);
  return { ...since(t0), results };
}

export async function W3(n, ctx) {
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = sleeper(i, ctx.w3SleepMs);
  const results = await Promise.all(promises);
  return { ...since(t0), results };
}

export async function W4(n) {
  let started = 0;
  let finallies = 0;
  let allFinished;
  const done = new Promise((resolve) => {
    allFinished = resolve;
  });
  const controller = new AbortController();
  const signal = controller.signal;
  // One listener per task is the point of the workload, not a leak.
  setMaxListeners(0, signal);
  async function child() {
    started++;
    try {
      await sleepAbortable(10_000, undefined, { signal });
    } finally {
      if (++finallies === n) allFinished();
    }
  }
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = child();
  let cancelled = false;
  const outer = Promise.all(promises).catch((error) => {
    if (error?.name !== "AbortError") throw error;
    cancelled = true;
  });
  await hostTurn();
  const t1 = mark();
  controller.abort();
  await done;
  await outer;
  return { setupMs: t1.wall - t0.wall, ...since(t1), finallies, cancelled, started };
}

export async function W5(n, ctx) {
  let started = 0;
  let finished = 0;
  async function child(i) {
    started++;
    await delay(ctx.holdSeconds * 1000);
    finished++;
    return i;
  }
  const before = heapAfterGc();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = child(i);
  const outer = Promise.all(promises);
  await hostTurn();
  ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
  return { results: await outer };
}

export async function W6(n, ctx) {
  const conc = new Concurrency();
  const { limit, sleepMs } = ctx;
  const t0 = mark();
  const results = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      conc.enter();
      await delay(sleepMs);
      conc.leave();
      results[i] = i;
    }
  }
  const workers = [];
  for (let k = 0; k < Math.min(limit, n); k++) workers.push(worker());
  await Promise.all(workers);
  return { ...since(t0), results, maxActive: conc.max };
}
