// Effection: generator operations under structured concurrency, with all() and task.halt().
import { all, run, sleep } from "effection";
import { heapAfterGc, hostTurn, mark, since, until } from "./common.mjs";

export const label = "Effection";

export const forms = {
  W1: "all(operations), each a generator `return i`",
  W2: "all(operations), each `yield* sleep(0)`",
  W3: "all(operations), each `yield* sleep(10)`",
  W4: "run(all(operations)) of `try { yield* sleep(10_000) } finally {}`, then `task.halt()`",
  W5: "run(all(operations)), each `yield* sleep(10_000)`",
};

export const unavailable = { W6: "Effection has no built-in concurrency limit" };

function* trivial(i) {
  return i;
}

function* yieldOnce(i) {
  yield* sleep(0);
  return i;
}

function* sleeper(i, ms) {
  yield* sleep(ms);
  return i;
}

function timedAll(n, make) {
  return run(function* main() {
    const t0 = mark();
    const operations = new Array(n);
    for (let i = 0; i < n; i++) operations[i] = make(i);
    const results = yield* all(operations);
    return { ...since(t0), results };
  });
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
  function* child() {
    started++;
    try {
      yield* sleep(10_000);
    } finally {
      finallies++;
    }
  }
  const t0 = mark();
  const operations = new Array(n);
  for (let i = 0; i < n; i++) operations[i] = child();
  const task = run(() => all(operations));
  let cancelled = false;
  const outcome = task.then(
    () => {},
    (error) => {
      cancelled = /halted/i.test(String(error?.message));
    },
  );
  await until(() => started === n);
  await hostTurn();
  const t1 = mark();
  // halt() settles once every operation under the task has run its finally blocks.
  await task.halt();
  const elapsed = since(t1);
  await outcome;
  return { setupMs: t1.wall - t0.wall, ...elapsed, finallies, cancelled, started };
}

export async function W5(n, ctx) {
  let started = 0;
  let finished = 0;
  function* child(i) {
    started++;
    yield* sleep(ctx.holdSeconds * 1000);
    finished++;
    return i;
  }
  const before = heapAfterGc();
  const operations = new Array(n);
  for (let i = 0; i < n; i++) operations[i] = child(i);
  const task = run(() => all(operations));
  await until(() => started === n);
  await hostTurn();
  ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
  return { results: await task };
}
