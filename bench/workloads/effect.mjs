// Effect: fibers, with Effect.all for the fan-out and Fiber.interrupt for cancellation.
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";
import { Concurrency, heapAfterGc, hostTurn, mark, since, until } from "./common.mjs";

export const label = "Effect";

export const forms = {
  W1:
    'Effect.all(effects, { concurrency: "unbounded" }), each `Effect.sync(() => i)` ' +
    "(not `Effect.succeed(i)`: that is already an Exit, which Effect.all copies without running anything)",
  W2: "Effect.all unbounded, each `Effect.as(Effect.yieldNow, i)`",
  W3: "Effect.all unbounded, each `Effect.as(Effect.sleep(10), i)`",
  W4: "Effect.runFork(Effect.all unbounded) of `Effect.sleep(10_000)` with `Effect.ensuring`, then `Fiber.interrupt`",
  W5: "Effect.runFork(Effect.all unbounded), each `Effect.sleep(10_000)`",
  W6: "Effect.all(effects, { concurrency: 100 }), each `Effect.sleep(1)`",
};

export const unavailable = {};

/** Time `Effect.all` of `n` effects made by `make(i)`, from making them to holding the results. */
function timedAll(n, make, concurrency) {
  return Effect.runPromise(
    Effect.gen(function* main() {
      const t0 = mark();
      const effects = new Array(n);
      for (let i = 0; i < n; i++) effects[i] = make(i);
      const results = yield* Effect.all(effects, { concurrency });
      return { ...since(t0), results };
    }),
  );
}

export function W1(n) {
  return timedAll(n, (i) => Effect.sync(() => i), "unbounded");
}

export function W2(n) {
  return timedAll(n, (i) => Effect.as(Effect.yieldNow, i), "unbounded");
}

export function W3(n, ctx) {
  return timedAll(n, (i) => Effect.as(Effect.sleep(ctx.w3SleepMs), i), "unbounded");
}

export async function W4(n) {
  let started = 0;
  let finallies = 0;
  const onStart = Effect.sync(() => {
    started++;
  });
  const onExit = Effect.sync(() => {
    finallies++;
  });
  const t0 = mark();
  const effects = new Array(n);
  for (let i = 0; i < n; i++) {
    effects[i] = onStart.pipe(Effect.andThen(Effect.sleep(10_000)), Effect.ensuring(onExit));
  }
  const fiber = Effect.runFork(Effect.all(effects, { concurrency: "unbounded" }));
  await until(() => started === n);
  await hostTurn();
  const t1 = mark();
  // Fiber.interrupt completes once the fiber and all its children have run their finalizers.
  const exit = await Effect.runPromise(Effect.exit(Fiber.interrupt(fiber)));
  const elapsed = since(t1);
  const outcome = await Effect.runPromise(Effect.exit(Fiber.join(fiber)));
  const cancelled = exit._tag === "Success" && outcome._tag === "Failure";
  return { setupMs: t1.wall - t0.wall, ...elapsed, finallies, cancelled, started };
}

export async function W5(n, ctx) {
  let started = 0;
  let finished = 0;
  const onStart = Effect.sync(() => {
    started++;
  });
  const before = heapAfterGc();
  const effects = new Array(n);
  for (let i = 0; i < n; i++) {
    effects[i] = onStart.pipe(
      Effect.andThen(Effect.sleep(ctx.holdSeconds * 1000)),
      Effect.map(() => {
        finished++;
        return i;
      }),
    );
  }
  const fiber = Effect.runFork(Effect.all(effects, { concurrency: "unbounded" }));
  await until(() => started === n);
  await hostTurn();
  ctx.measured({ before, after: heapAfterGc(), pending: started - finished });
  return { results: await Effect.runPromise(Fiber.join(fiber)) };
}

export function W6(n, ctx) {
  const conc = new Concurrency();
  const enter = Effect.sync(() => conc.enter());
  const sleep = Effect.sleep(ctx.sleepMs);
  return timedAll(
    n,
    (i) =>
      enter.pipe(
        Effect.andThen(sleep),
        Effect.map(() => {
          conc.leave();
          return i;
        }),
      ),
    ctx.limit,
  ).then((r) => ({ ...r, maxActive: conc.max }));
}
