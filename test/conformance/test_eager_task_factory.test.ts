// Ports of CPython 3.13's Lib/test/test_asyncio/test_eager_task_factory.py: eager tasks.
//
// CPython runs each test against its Python and its C Task (Py*/C* classes); asyncio-ts has one
// Task, so each test appears once. The counting tests' CountingTask is a Task subclass that
// counts the Tasks built without `eagerStart`.
//
// Not ported, and why:
// - EagerTaskFactoryLoopTests.test_context_vars: contextvars are not implemented.
// - CEagerTaskFactoryLoopTests.test_issue105987: a crash of the C `_swap_current_task` on a loop
//   that is not a real loop; asyncio-ts keeps the current Task on the loop object itself.
// - CEagerTaskFactoryLoopTests.test_issue122332: the C Task drops its coroutine (`get_coro()` is
//   None) once an eager step finished it, to break reference cycles; here `getCoro()` keeps
//   returning the coroutine, which a tracing garbage collector does not need dropped.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, Task, type TaskConstructorOptions } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** A VirtualTimeLoop whose Tasks start eagerly, as the CPython tests' setUp makes. */
async function withEagerLoop(body: (loop: VirtualTimeLoop) => Promise<void>): Promise<void> {
  const loop = new VirtualTimeLoop();
  loop.setTaskFactory(asyncio.createEagerTaskFactory(Task));
  try {
    await body(loop);
  } finally {
    loop.close();
  }
}

describe("test_eager_task_factory: EagerTaskFactoryLoopTests", () => {
  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_eager_task_factory_set
  it("installs the factory on the loop and builds Tasks with it", () =>
    withEagerLoop(async (loop) => {
      const factory = loop.getTaskFactory();
      assert.notEqual(factory, null);
      function* noop(): Coroutine<void> {}
      function* run(): Coroutine<void> {
        const t = loop.createTask(noop());
        assert.ok(t instanceof Task);
        yield* t;
      }
      await loop.runUntilComplete(run());
      // The global factory is the same kind of factory for Task itself.
      loop.setTaskFactory(asyncio.eagerTaskFactory);
      assert.equal(loop.getTaskFactory(), asyncio.eagerTaskFactory);
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_await_future_during_eager_step
  it("completes a Future during the eager step, before createTask returns", () =>
    withEagerLoop(async (loop) => {
      function* setResult(fut: asyncio.Future<string>, val: string): Coroutine<void> {
        fut.setResult(val);
      }
      function* run(): Coroutine<string> {
        const fut = loop.createFuture<string>();
        const t = loop.createTask(setResult(fut, "my message"));
        assert.equal(t.done(), true, "the eager step completed the task");
        return yield* fut;
      }
      assert.equal(await loop.runUntilComplete(run()), "my message");
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_eager_completion
  it("returns a Task that is already done when the coroutine does not suspend", () =>
    withEagerLoop(async (loop) => {
      function* coro(): Coroutine<string> {
        return "hello";
      }
      function* run(): Coroutine<string> {
        const t = loop.createTask(coro());
        assert.equal(t.done(), true);
        return yield* t;
      }
      assert.equal(await loop.runUntilComplete(run()), "hello");
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_block_after_eager_step
  it("goes on as a normal Task when the eager step suspends", () =>
    withEagerLoop(async (loop) => {
      function* coro(): Coroutine<string> {
        yield* asyncio.sleep(0.1);
        return "finished after blocking";
      }
      function* run(): Coroutine<string> {
        const t = loop.createTask(coro());
        assert.equal(t.done(), false);
        const result = yield* t;
        assert.equal(t.done(), true);
        return result;
      }
      assert.equal(await loop.runUntilComplete(run()), "finished after blocking");
      assert.equal(loop.time(), 0.1);
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_cancellation_after_eager_completion
  it("cannot cancel a Task that completed eagerly", () =>
    withEagerLoop(async (loop) => {
      function* coro(): Coroutine<string> {
        return "finished without blocking";
      }
      function* run(): Coroutine<string> {
        const t = loop.createTask(coro());
        assert.equal(t.cancel(), false);
        const result = yield* t;
        assert.equal(t.cancelled(), false);
        return result;
      }
      assert.equal(await loop.runUntilComplete(run()), "finished without blocking");
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_cancellation_after_eager_step_blocks
  it("cancels a Task whose eager step suspended, with the cancel message", () =>
    withEagerLoop(async (loop) => {
      function* coro(): Coroutine<string> {
        yield* asyncio.sleep(0.1);
        return "finished after blocking";
      }
      function* run(): Coroutine<void> {
        const t = loop.createTask(coro());
        t.cancel("cancellation message");
        assert.ok(t.cancelling() > 0);
        yield* t;
      }
      await assert.rejects(
        loop.runUntilComplete(run()),
        (e) => e instanceof CancelledError && e.message === "cancellation message",
      );
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_current_task
  it("makes the new Task current during its eager step and puts the creator back after", () =>
    withEagerLoop(async (loop) => {
      let captured: Task<unknown> | null = null;
      function* coro(): Coroutine<void> {
        captured = asyncio.currentTask();
        yield* asyncio.sleep(0.1);
        assert.equal(asyncio.currentTask(), captured);
      }
      function* run(): Coroutine<void> {
        const me = asyncio.currentTask();
        const t = loop.createTask(coro());
        assert.equal(captured, t);
        assert.equal(asyncio.currentTask(), me);
        yield* t;
      }
      await loop.runUntilComplete(run());
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_all_tasks_with_eager_completion
  it("lists a Task in allTasks() during its eager step and not once it completed there", () =>
    withEagerLoop(async (loop) => {
      let capturedAllTasks: Set<Task<unknown>> | null = null;
      function* coro(): Coroutine<void> {
        capturedAllTasks = asyncio.allTasks();
      }
      function* run(): Coroutine<void> {
        const t = loop.createTask(coro());
        assert.ok((capturedAllTasks as Set<Task<unknown>> | null)?.has(t as Task<unknown>));
        assert.ok(!asyncio.allTasks().has(t as Task<unknown>));
      }
      await loop.runUntilComplete(run());
    }));

  // cpython: test_eager_task_factory.EagerTaskFactoryLoopTests.test_all_tasks_with_blocking
  it("keeps a Task in allTasks() after its eager step suspended, until it finishes", () =>
    withEagerLoop(async (loop) => {
      let captured: Set<Task<unknown>> | null = null;
      function* coro(fut1: asyncio.Future<void>, fut2: asyncio.Future<void>): Coroutine<void> {
        captured = asyncio.allTasks();
        yield* fut1;
        fut2.setResult();
      }
      function* run(): Coroutine<void> {
        const fut1 = loop.createFuture<void>();
        const fut2 = loop.createFuture<void>();
        const t = loop.createTask(coro(fut1, fut2)) as Task<unknown>;
        assert.ok((captured as Set<Task<unknown>> | null)?.has(t));
        assert.ok(asyncio.allTasks().has(t));
        fut1.setResult();
        yield* fut2;
        assert.ok(!asyncio.allTasks().has(t));
      }
      await loop.runUntilComplete(run());
    }));
});

/** Install a task factory whose Tasks count themselves when built without eagerStart. */
function countTasks(loop: asyncio.EventLoop, eager: boolean): { taskCount: number } {
  const counter = { taskCount: 0 };
  class CountingTask<T> extends Task<T> {
    constructor(coro: Coroutine<T>, options: TaskConstructorOptions) {
      if (!options.eagerStart) counter.taskCount++;
      super(coro, options);
    }
  }
  loop.setTaskFactory(
    eager
      ? asyncio.createEagerTaskFactory(CountingTask)
      : (l, coro, options) => new CountingTask(coro, { loop: l, name: options.name }),
  );
  return counter;
}

function* awaitableChain(depth: number): Coroutine<number> {
  if (depth === 0) return 0;
  return 1 + (yield* awaitableChain(depth - 1));
}

function* recursiveTaskgroups(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
    for (let i = 0; i < width; i++) tg.createTask(recursiveTaskgroups(width, depth - 1));
  });
}

function* recursiveGather(width: number, depth: number): Coroutine<void> {
  if (depth === 0) return;
  yield* asyncio.gatherAll(Array.from({ length: width }, () => recursiveGather(width, depth - 1)));
}

for (const eager of [false, true]) {
  // 1 + 5 + 5^2 + 5^3 + 5^4 Tasks built by the loop's factory, none of them counted when eager.
  const expectedTaskCount = eager ? 0 : 781;
  const suite = eager ? "EagerTests" : "NonEagerTests";

  describe(`test_eager_task_factory: BaseTaskCountingTests (${suite})`, () => {
    // cpython: test_eager_task_factory.BaseTaskCountingTests.test_awaitables_chain
    it(`awaits a chain of 100 coroutines inside ${eager ? "no counted Task" : "a single Task"}`, async () => {
      const loop = new VirtualTimeLoop();
      const counter = countTasks(loop, eager);
      assert.equal(await loop.runUntilComplete(awaitableChain(100)), 100);
      assert.equal(counter.taskCount, eager ? 0 : 1);
      loop.close();
    });

    // cpython: test_eager_task_factory.BaseTaskCountingTests.test_recursive_taskgroups
    it(`builds every TaskGroup task through the loop's factory (${expectedTaskCount} counted)`, async () => {
      const loop = new VirtualTimeLoop();
      const counter = countTasks(loop, eager);
      await loop.runUntilComplete(recursiveTaskgroups(5, 4));
      assert.equal(counter.taskCount, expectedTaskCount);
      loop.close();
    });

    // cpython: test_eager_task_factory.BaseTaskCountingTests.test_recursive_gather
    it(`builds every gather child through the loop's factory (${expectedTaskCount} counted)`, async () => {
      const loop = new VirtualTimeLoop();
      const counter = countTasks(loop, eager);
      await loop.runUntilComplete(recursiveGather(5, 4));
      assert.equal(counter.taskCount, expectedTaskCount);
      loop.close();
    });
  });
}
