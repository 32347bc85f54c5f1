// Property: a program of gathers behaves the same whether gather's coroutine children run without
// Tasks (the default, src/gather-children.ts) or as Tasks (any task factory turns that off).
// Random programs mix every way a child can end or be seen, and the two event logs must be equal.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** One thing a child does; the last op of a script ends it (returning when it is not an ending). */
type Op =
  | { op: "yield" }
  | { op: "sleep"; quarters: number }
  | { op: "callSoon" }
  | { op: "current" }
  | { op: "all" }
  | { op: "raise" }
  | { op: "cancelItself" }
  | { op: "cancelGather" };

interface Program {
  gathers: { children: Op[][]; returnExceptions: boolean; cancelAfterTicks: number | null }[];
}

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ op: "yield" as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("sleep" as const), quarters: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: "callSoon" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "current" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "all" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "raise" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "cancelItself" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "cancelGather" as const }) },
);

const program: fc.Arbitrary<Program> = fc.record({
  gathers: fc.array(
    fc.record({
      children: fc.array(fc.array(op, { maxLength: 5 }), { minLength: 1, maxLength: 6 }),
      returnExceptions: fc.boolean(),
      cancelAfterTicks: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

function describeOutcome(value: unknown): string {
  if (value instanceof Error) return `${value.name}(${value.message})`;
  return Array.isArray(value) ? `[${value.map(describeOutcome).join(",")}]` : String(value);
}

/** Run `p` and return its log; `viaTasks` installs a task factory, so every child is a Task. */
function run(p: Program, viaTasks: boolean): Promise<string[]> {
  return asyncio.run(
    (function* main(): Coroutine<string[]> {
      const loop = asyncio.getRunningLoop();
      if (viaTasks) loop.setTaskFactory((l, coro, options) => new asyncio.Task(coro, { loop: l, ...options }));
      const base = Number((asyncio.currentTask() as asyncio.Task<unknown>).getName().slice(5));
      const nameOf = (task: asyncio.Task<unknown> | null): string =>
        task === null ? "none" : `T${Number(task.getName().slice(5)) - base}`;
      const log: string[] = [];
      let tick = 0;
      const ticker = asyncio.createTask(
        (function* () {
          while (tick < 30) {
            tick++;
            yield* asyncio.sleep(0);
          }
        })(),
      );
      const gathers: asyncio.Future<unknown[]>[] = [];
      function* child(g: number, c: number, script: Op[]): Coroutine<string> {
        const label = `g${g}c${c}`;
        log.push(`${label} start @${tick} t=${loop.time()}`);
        for (const [i, step] of script.entries()) {
          switch (step.op) {
            case "yield":
              yield* asyncio.sleep(0);
              break;
            case "sleep":
              yield* asyncio.sleep(step.quarters / 4);
              break;
            case "callSoon":
              loop.callSoon(() => log.push(`${label} callSoon ${i} @${tick}`));
              break;
            case "current":
              log.push(`${label} current ${nameOf(asyncio.currentTask())} @${tick}`);
              break;
            case "all":
              log.push(`${label} all ${[...asyncio.allTasks()].map(nameOf).sort().join(" ")} @${tick}`);
              break;
            case "raise":
              throw new Error(label);
            case "cancelItself":
              throw new CancelledError(label);
            case "cancelGather":
              log.push(`${label} cancels its gather: ${gathers[g]?.cancel(label)} @${tick}`);
              break;
          }
          log.push(`${label} did ${step.op} @${tick}`);
        }
        return label;
      }
      for (const [g, spec] of p.gathers.entries()) {
        const coros = spec.children.map((script, c) => child(g, c, script));
        const gathered = asyncio.gatherAll(coros, { returnExceptions: spec.returnExceptions });
        gathered.addDoneCallback((f) =>
          log.push(
            `gather ${g} done @${tick}: ${f.cancelled() ? "cancelled" : describeOutcome(f.exception() ?? f.result())}`,
          ),
        );
        gathers.push(gathered);
      }
      for (const [g, spec] of p.gathers.entries()) {
        if (spec.cancelAfterTicks === null) continue;
        const after = spec.cancelAfterTicks;
        asyncio.createTask(
          (function* () {
            for (let i = 0; i < after; i++) yield* asyncio.sleep(0);
            log.push(`cancel gather ${g}: ${gathers[g]?.cancel(`by main ${g}`)} @${tick}`);
          })(),
        );
      }
      for (const gathered of gathers) {
        try {
          yield* gathered;
        } catch {
          // Logged by the done callback.
        }
      }
      yield* ticker;
      return log;
    })(),
    { loopFactory: () => new VirtualTimeLoop() },
  );
}

describe("gather's Task-less children (property)", () => {
  it("log the same program as children that are Tasks", async () => {
    await fc.assert(
      fc.asyncProperty(program, async (p) => {
        const plain = await run(p, false);
        const viaTasks = await run(p, true);
        assert.deepEqual(plain, viaTasks);
      }),
      { numRuns: 500 },
    );
  });
});
