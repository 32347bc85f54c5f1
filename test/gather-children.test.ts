// gather()'s coroutine children run without a Task of their own until something could see one
// (src/gather-children.ts). Each test here pins that nothing can tell: the expected values are what
// CPython 3.13 prints for the same program (the Python is in each test's comment).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function runVirtual<T>(main: Coroutine<T>): Promise<T> {
  return asyncio.run(main, { loopFactory: () => new VirtualTimeLoop() });
}

/** The number in a `Task-N` name. */
function numberOf(task: asyncio.Task<unknown>): number {
  return Number(task.getName().slice("Task-".length));
}

describe("gather's children before they have a Task", () => {
  // async def child(i):
  //     if i == 1: t = current_task(); print(t.get_name(), t is current_task())
  //     if i == 2: print(sorted(t.get_name() for t in all_tasks()))
  //     return i
  // g = gather(child(0), child(1), child(2)); print(create_task(sleep(0)).get_name()); print(await g)
  // -> Task-5 / Task-3 True / ['Task-1', 'Task-4', 'Task-5'] / [0, 1, 2]
  it("are numbered in argument order when gather runs, and currentTask() and allTasks() see them", async () => {
    const seen = await runVirtual(
      (function* () {
        const main = asyncio.currentTask() as asyncio.Task<unknown>;
        const base = numberOf(main);
        const log: unknown[] = [];
        function* child(i: number): Coroutine<number> {
          if (i === 1) {
            const task = asyncio.currentTask() as asyncio.Task<unknown>;
            log.push(numberOf(task) - base, task === asyncio.currentTask(), task.done());
          }
          if (i === 2)
            log.push(
              [...asyncio.allTasks()]
                .map(numberOf)
                .sort((a, b) => a - b)
                .map((n) => n - base),
            );
          return i;
        }
        const g = asyncio.gather(child(0), child(1), child(2));
        log.push(numberOf(asyncio.createTask(asyncio.sleep(0))) - base);
        log.push(yield* g);
        return log;
      })(),
    );
    assert.deepEqual(seen, [4, 2, true, false, [0, 3, 4], [0, 1, 2]]);
  });

  it("lists every child that has not run yet in allTasks(), and they finish as Tasks", async () => {
    const [listed, results, pendingAfter] = await runVirtual(
      (function* () {
        function* child(i: number): Coroutine<number> {
          return i * 10;
        }
        const g = asyncio.gather(child(1), child(2), child(3));
        const tasks = [...asyncio.allTasks()].filter((t) => t !== asyncio.currentTask());
        const names = tasks.map((t) => t.getName());
        const results = yield* g;
        return [names.length, results, tasks.filter((t) => !t.done()).length] as const;
      })(),
    );
    assert.equal(listed, 3);
    assert.deepEqual(results, [10, 20, 30]);
    assert.equal(pendingAfter, 0, "the Tasks made for allTasks() ran the children and are done");
  });

  it("gives a child that asks for its Task during its first step the same Task to the end", async () => {
    const { during, after } = await runVirtual(
      (function* () {
        let during: asyncio.Task<unknown> | null = null;
        function* child(): Coroutine<string> {
          during = asyncio.currentTask();
          yield* asyncio.sleep(1);
          assert.equal(asyncio.currentTask(), during, "the same Task after the child suspended");
          return "ok";
        }
        const [value] = yield* asyncio.gather(child());
        return { during: during as asyncio.Task<unknown> | null, after: value };
      })(),
    );
    assert.equal(after, "ok");
    assert.ok(during !== null, "currentTask() inside a gather's child is a Task");
    assert.equal(during.done(), true);
    assert.equal(during.result(), "ok");
  });

  // holder['g'] = gather(canceller(), other(), return_exceptions=True), where canceller() calls
  // holder['g'].cancel("stop") and returns: awaiting it raises CancelledError('stop').
  it("lets a child cancel its own gather during its first step", async () => {
    const outcome = await runVirtual(
      (function* () {
        let g: asyncio.Future<unknown[]> | null = null;
        function* canceller(): Coroutine<string> {
          assert.equal(g?.cancel("stop"), true);
          return "done anyway";
        }
        function* other(): Coroutine<string> {
          return "other";
        }
        g = asyncio.gather(canceller(), other(), { returnExceptions: true });
        try {
          return yield* g;
        } catch (error) {
          return error;
        }
      })(),
    );
    assert.ok(outcome instanceof CancelledError, `the gather is cancelled, got ${String(outcome)}`);
    assert.equal(outcome.message, "stop");
  });

  // err = CancelledError("mine"); async def raiser(): raise err
  // gather(raiser(), other()) raises err itself; with return_exceptions, [CancelledError(''), 'other'].
  it("passes on the very CancelledError a child raises, and a fresh one in returned results", async () => {
    const { same, settled } = await runVirtual(
      (function* () {
        const mine = new CancelledError("mine");
        function* raiser(): Coroutine<never> {
          throw mine;
        }
        function* other(): Coroutine<string> {
          return "other";
        }
        let same = false;
        try {
          yield* asyncio.gather(raiser(), other());
        } catch (error) {
          same = error === mine;
        }
        const settled = yield* asyncio.gather(raiser(), other(), { returnExceptions: true });
        return { same, settled };
      })(),
    );
    assert.equal(same, true);
    assert.ok(settled[0] instanceof CancelledError && settled[0] !== undefined);
    assert.equal((settled[0] as CancelledError).message, "");
    assert.equal(settled[1], "other");
  });

  // g = gather(body(0), body(1), return_exceptions=True); g.cancel("early")
  // -> awaiting g raises CancelledError('early'); neither body ran.
  it("cancels children that have not started without running them", async () => {
    const { error, ran } = await runVirtual(
      (function* () {
        const ran: number[] = [];
        function* body(i: number): Coroutine<number> {
          ran.push(i);
          return i;
        }
        const g = asyncio.gather(body(0), body(1), { returnExceptions: true });
        assert.equal(g.cancel("early"), true);
        try {
          yield* g;
          return { error: null, ran };
        } catch (error) {
          return { error, ran };
        }
      })(),
    );
    assert.ok(error instanceof CancelledError);
    assert.equal(error.message, "early");
    assert.deepEqual(ran, []);
  });

  it("reports no child as never retrieved when the gather already failed", async () => {
    const reported: unknown[] = [];
    const error = await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setExceptionHandler((_loop, context) => reported.push(context.message));
        function* boom(label: string): Coroutine<never> {
          throw new Error(label);
        }
        try {
          yield* asyncio.gather(boom("first"), boom("second"), boom("third"));
        } catch (error) {
          // Let the other children's done notifications run.
          yield* asyncio.sleep(0);
          return error;
        }
        return null;
      })(),
    );
    assert.equal((error as Error).message, "first");
    assert.deepEqual(reported, []);
  });

  it("shows the children of a gather in the task tree and call graph taken during a child's first step", async () => {
    const graph = await runVirtual(
      (function* () {
        let graph = "";
        let own = "";
        function* quick(): Coroutine<number> {
          return 1;
        }
        function* looking(): Coroutine<number> {
          graph = asyncio.formatTaskTree();
          own = asyncio.formatCallGraph();
          return 2;
        }
        const parent: asyncio.Task<number[]> = asyncio.createTask(
          (function* parent() {
            return yield* asyncio.gather(quick(), looking(), quick());
          })(),
          { name: "parent" },
        );
        assert.deepEqual(yield* parent, [1, 2, 1]);
        return { graph, own };
      })(),
    );
    // The first child is done, the second runs this, the third has not started: all three shown.
    assert.match(
      graph.graph,
      /Task 'parent' pending\n.*gather pending \(3 children\)\n.*finished\n.*running\n.*pending$/,
    );
    assert.match(graph.own, /state=running/);
    assert.match(graph.own, /Awaited by:\n {4}\* Task\(name='parent'/);
  });

  it("finds a coroutine passed twice even when it was frozen or gathered before", async () => {
    const results = await runVirtual(
      (function* () {
        function* value(v: string): Coroutine<string> {
          return v;
        }
        const frozen = Object.freeze(value("frozen"));
        const fresh = value("fresh");
        return yield* asyncio.gather(frozen, fresh, frozen, fresh);
      })(),
    );
    assert.deepEqual(results, ["frozen", "fresh", "frozen", "fresh"]);
  });

  it("marks the coroutines it takes as non-extensible (how it tells a coroutine passed twice)", async () => {
    const extensible = await runVirtual(
      (function* () {
        function* value(): Coroutine<number> {
          return 1;
        }
        const coro = value();
        yield* asyncio.gather(coro);
        return Object.isExtensible(coro);
      })(),
    );
    assert.equal(extensible, false);
  });

  it("still starts the coroutines before a refused argument, as Tasks (bpo-46672)", async () => {
    const ran = await runVirtual(
      (function* () {
        const ran: string[] = [];
        function* child(label: string): Coroutine<void> {
          ran.push(label);
        }
        const gatherAny = asyncio.gather as (...args: unknown[]) => unknown;
        assert.throws(() => gatherAny(child("a"), child("b"), 42), TypeError);
        yield* asyncio.sleep(0);
        return ran;
      })(),
    );
    assert.deepEqual(ran, ["a", "b"]);
  });

  it("makes ordinary Tasks, through the factory, when the loop has a task factory", async () => {
    const made = await runVirtual(
      (function* () {
        const loop = asyncio.getRunningLoop();
        let made = 0;
        loop.setTaskFactory((l, coro, options) => {
          made++;
          return new asyncio.Task(coro, { loop: l, ...options });
        });
        function* child(): Coroutine<number> {
          return 1;
        }
        yield* asyncio.gather(child(), child());
        loop.setTaskFactory(null);
        return made;
      })(),
    );
    assert.equal(made, 2);
  });

  it("lets children give up iterations with sleep(0) and still be seen and cancelled as Tasks", async () => {
    const seen = await runVirtual(
      (function* () {
        const log: unknown[] = [];
        function* child(i: number): Coroutine<number> {
          try {
            yield* asyncio.sleep(0);
            yield* asyncio.sleep(0);
            // The Task made for allTasks() is the one currentTask() returns.
            if (i === 0) log.push(`current ${listed.includes(asyncio.currentTask() as asyncio.Task<unknown>)}`);
            yield* asyncio.sleep(0);
            return i;
          } catch (error) {
            log.push(`child ${i} ${(error as Error).name}`);
            throw error;
          }
        }
        const g = asyncio.gather(child(0), child(1), { returnExceptions: true });
        yield* asyncio.sleep(0);
        const listed = [...asyncio.allTasks()].filter((t) => t !== asyncio.currentTask());
        log.push(listed.length);
        yield* asyncio.sleep(0);
        yield* asyncio.sleep(0);
        g.cancel();
        try {
          yield* g;
        } catch (error) {
          log.push((error as Error).name);
        }
        return log;
      })(),
    );
    assert.deepEqual(seen, [2, "current true", "child 0 CancelledError", "child 1 CancelledError", "CancelledError"]);
  });

  // The same program with and without Task-less children: a task factory (any) turns them off.
  it("runs every kind of child on the same loop iterations as Tasks would", async () => {
    function* scenario(): Coroutine<string[]> {
      const loop = asyncio.getRunningLoop();
      const log: string[] = [];
      let tick = 0;
      const ticker = asyncio.createTask(
        (function* () {
          // Ticks for a while, then lets virtual time reach the sleeper.
          while (tick < 20) {
            tick++;
            yield* asyncio.sleep(0);
          }
        })(),
      );
      function* child(label: string, yields: number, end: "return" | "raise" | "cancel"): Coroutine<string> {
        log.push(`${label} starts at ${tick}`);
        for (let i = 0; i < yields; i++) {
          loop.callSoon(() => log.push(`${label} callSoon ${i} at ${tick}`));
          yield* asyncio.sleep(0);
        }
        if (end === "raise") throw new Error(label);
        if (end === "cancel") throw new CancelledError(label);
        return label;
      }
      function* sleeper(): Coroutine<string> {
        yield* asyncio.sleep(0.5);
        return "slept";
      }
      const g = asyncio.gather(
        child("a", 0, "return"),
        child("b", 2, "return"),
        child("c", 1, "raise"),
        sleeper(),
        child("d", 0, "cancel"),
        child("e", 3, "return"),
        { returnExceptions: true },
      );
      g.addDoneCallback(() => log.push(`gather done at ${tick}`));
      const quick = asyncio.gather(child("f", 0, "return"), child("g", 1, "return"), child("h", 0, "return"));
      quick.addDoneCallback(() => log.push(`quick gather done at ${tick}`));
      const failing = asyncio.gather(child("i", 1, "return"), child("j", 0, "raise"));
      failing.addDoneCallback(() => log.push(`failing gather done at ${tick}: ${failing.exception()}`));
      const results = yield* g;
      log.push(results.map((r) => (r instanceof Error ? `${r.name}:${r.message}` : String(r))).join(","));
      ticker.cancel();
      return log;
    }
    const plain = await runVirtual(scenario());
    const viaTasks = await runVirtual(
      (function* () {
        asyncio.getRunningLoop().setTaskFactory((loop, coro, options) => new asyncio.Task(coro, { loop, ...options }));
        return yield* scenario();
      })(),
    );
    assert.deepEqual(plain, viaTasks);
    assert.ok(plain.includes("a,b,Error:c,slept,CancelledError:,e"), plain.join("\n"));
  });
});
