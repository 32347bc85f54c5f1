// Eager tasks beyond CPython's own tests: scheduling order, what is never scheduled, and misuse.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { type Coroutine, Task } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** Run `main` on an eager virtual-time loop, collecting what reaches the exception handler. */
async function runEager<T>(main: (loop: asyncio.EventLoop) => Coroutine<T>) {
  const loop = new VirtualTimeLoop();
  const reports: asyncio.ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => reports.push(context));
  loop.setTaskFactory(asyncio.eagerTaskFactory);
  const result = await asyncio.run(main(loop), { loopFactory: () => loop });
  return { result, reports };
}

describe("eager tasks", () => {
  it("interleaves eager steps with the creator exactly as CPython 3.13 does", async () => {
    // The expected log is what CPython 3.13 prints for the same program with eager_task_factory.
    const log: string[] = [];
    function* child(name: string, n = 1): Coroutine<string> {
      log.push(`${name} start`);
      for (let i = 0; i < n; i++) yield* asyncio.sleep(0);
      log.push(`${name} resumed`);
      return name;
    }
    function* quick(name: string): Coroutine<string> {
      log.push(`${name} quick`);
      return name;
    }
    await runEager(function* () {
      const t1 = asyncio.createTask(child("a"));
      log.push("after a");
      const t2 = asyncio.createTask(quick("b"));
      log.push(`after b done=${t2.done()}`);
      const r = yield* asyncio.gather(child("c", 2), quick("d"), t1);
      log.push(`gathered ${r.join(",")}`);
      const g = asyncio.gather(quick("e"), quick("f"));
      log.push(`gather of quick done=${g.done()}`);
      log.push((yield* g).join(","));
    });
    assert.deepEqual(log, [
      "a start",
      "after a",
      "b quick",
      "after b done=true",
      "c start",
      "d quick",
      "a resumed",
      "c resumed",
      "gathered c,d,a",
      "e quick",
      "f quick",
      "gather of quick done=true",
      "e,f",
    ]);
  });

  it("never schedules a step for a Task that completed eagerly", async () => {
    // A stray scheduled step would find the Task done and report InvalidStateError to the handler.
    function* value(i: number): Coroutine<number> {
      return i;
    }
    function* fails(): Coroutine<number> {
      throw new RangeError("eager failure");
    }
    const { result, reports } = await runEager(function* () {
      const tasks = Array.from({ length: 100 }, (_, i) => asyncio.createTask(value(i)));
      assert.ok(tasks.every((t) => t.done()));
      const failed = asyncio.createTask(fails());
      assert.ok(failed.exception() instanceof RangeError);
      yield* asyncio.sleep(1);
      return tasks.reduce((sum, t) => sum + t.result(), 0);
    });
    assert.equal(result, 4950);
    assert.deepEqual(reports, []);
  });

  it("starts a Task eagerly only when its loop runs the creating code", async () => {
    const loop = new VirtualTimeLoop();
    loop.setTaskFactory(asyncio.eagerTaskFactory);
    let ran = false;
    function* mark(): Coroutine<void> {
      ran = true;
    }
    // Outside the loop (it is not running yet) the Task waits for the loop, as in CPython.
    const task = loop.createTask(mark());
    assert.equal(ran, false);
    await loop.runUntilComplete(task);
    assert.equal(ran, true);
    loop.close();
  });

  it("keeps each Task current during its own eager step when eager tasks nest", async () => {
    const seen: [string, string | undefined][] = [];
    function* inner(): Coroutine<void> {
      seen.push(["inner", asyncio.currentTask()?.getName()]);
      yield* asyncio.sleep(0);
    }
    function* outer(): Coroutine<void> {
      seen.push(["outer", asyncio.currentTask()?.getName()]);
      asyncio.createTask(inner(), { name: "inner" });
      seen.push(["outer again", asyncio.currentTask()?.getName()]);
      yield* asyncio.sleep(0);
    }
    await runEager(function* () {
      asyncio.currentTask()?.setName("main");
      const t = asyncio.createTask(outer(), { name: "outer" });
      seen.push(["main", asyncio.currentTask()?.getName()]);
      yield* t;
      yield* asyncio.sleep(0);
    });
    assert.deepEqual(seen, [
      ["outer", "outer"],
      ["inner", "inner"],
      ["outer again", "outer"],
      ["main", "main"],
    ]);
  });

  it("builds Tasks of a subclass with createEagerTaskFactory", async () => {
    class NamedTask<T> extends Task<T> {
      readonly kind = "named";
    }
    const loop = new VirtualTimeLoop();
    loop.setTaskFactory(asyncio.createEagerTaskFactory(NamedTask));
    function* work(): Coroutine<number> {
      return 7;
    }
    function* main(): Coroutine<[boolean, number]> {
      const t = asyncio.createTask(work());
      return [t instanceof NamedTask && t.done(), yield* t];
    }
    assert.deepEqual(await loop.runUntilComplete(main()), [true, 7]);
    loop.close();
  });

  it("passes createTask's options on to the eager Task: its name and its signal", async () => {
    const controller = new AbortController();
    const { result } = await runEager(function* () {
      const t = asyncio.createTask(asyncio.sleep(10), { name: "sleeper", signal: controller.signal });
      controller.abort("no longer needed");
      try {
        yield* t;
      } catch (error) {
        return [t.getName(), error instanceof asyncio.CancelledError ? error.message : error];
      }
      return null;
    });
    assert.deepEqual(result, ["sleeper", "no longer needed"]);
  });

  it("refuses a createEagerTaskFactory argument that is not a constructor, naming the fix", () => {
    assert.throws(
      () => asyncio.createEagerTaskFactory("Task" as unknown as asyncio.TaskConstructor),
      (e) => e instanceof TypeError && /expects a Task class/.test(e.message),
    );
  });
});
