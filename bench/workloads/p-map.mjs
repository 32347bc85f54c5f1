// p-map: a promise mapper with a concurrency option (Infinity by default).
import pMap from "p-map";
import { Concurrency, heapAfterGc, hostTurn, mark, since, until } from "./common.mjs";
import { delay } from "./native.mjs";

export const label = "p-map";

export const forms = {
  W1: "pMap(items, async (i) => i)",
  W2: "pMap(items, async (i) => { await Promise.resolve(); return i })",
  W3: "pMap(items, async (i) => { await delay(10); return i })",
  W5: "pMap(items, async (i) => { await delay(10_000); return i })",
  W6: "pMap(items, mapper, { concurrency: 100 }), each `await delay(1)`",
};

export const unavailable = { W4: "p-map cannot cancel mappers already running (its signal only stops new ones)" };

function items(n) {
  const list = new Array(n);
  for (let i = 0; i < n; i++) list[i] = i;
  return list;
}

async function timedMap(n, mapper, options) {
  const t0 = mark();
  const results = await pMap(items(n), mapper, options);
  return { ...since(t0), results };
}

export function W1(n) {
  return timedMap(n, async (i) => i);
}

export function W2(n) {
  return timedMap(n, async (i) => {
    await Promise.resolve();
    return i;
  });
}

export function W3(n, ctx) {
  return timedMap(n, async (i) => {
    await delay(ctx.w3SleepMs);
    return i;
  });
}

export async function W5(n, ctx) {
  let started = 0;
  let finished = 0;
  const before = heapAfterGc();
  const outer = pMap(items(n), async (i) => {
    started++;
    await delay(ctx.holdSeconds * 1000);
    finished++;
    return i;
  });
  await until(() => started === n);
  await hostTurn();
  ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
  return { results: await outer };
}

export async function W6(n, ctx) {
  const conc = new Concurrency();
  const { limit, sleepMs } = ctx;
  const r = await timedMap(
    n,
    async (i) => {
      conc.enter();
      await delay(sleepMs);
      conc.leave();
      return i;
    },
    { concurrency: limit },
  );
  return { ...r, maxActive: conc.max };
}
