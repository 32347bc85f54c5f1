// p-limit: a concurrency limiter wrapped around each call, awaited with Promise.all: W6 only.
import pLimit from "p-limit";
import { Concurrency, mark, since } from "./common.mjs";
import { delay } from "./native.mjs";

export const label = "p-limit";

export const forms = {
  W6: "Promise.all of `limit(fn, i)` with pLimit(100), each `await delay(1)`",
};

const why = "a concurrency limiter: W6 only";
export const unavailable = { W1: why, W2: why, W3: why, W4: why, W5: why };

export async function W6(n, ctx) {
  const conc = new Concurrency();
  const { limit: concurrency, sleepMs } = ctx;
  async function child(i) {
    conc.enter();
    await delay(sleepMs);
    conc.leave();
    return i;
  }
  const t0 = mark();
  const limit = pLimit(concurrency);
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = limit(child, i);
  const results = await Promise.all(promises);
  return { ...since(t0), results, maxActive: conc.max };
}
