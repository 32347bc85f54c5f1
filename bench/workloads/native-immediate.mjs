// Native promises that yield a full host turn (setImmediate) instead of a microtask: W2 only.
import { mark, since } from "./common.mjs";

export const label = "Promise.all + setImmediate";

export const forms = {
  W2: "Promise.all of async functions `await new Promise((r) => setImmediate(r))`",
};

const why = "a variant of W2 only";
export const unavailable = { W1: why, W3: why, W4: why, W5: why, W6: why };

async function yieldOnce(i) {
  await new Promise((resolve) => setImmediate(resolve));
  return i;
}

export async function W2(n) {
  const t0 = mark();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = yieldOnce(i);
  const results = await Promise.all(promises);
  return { ...since(t0), results };
}
