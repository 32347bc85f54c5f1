// Ports of CPython 3.13's debug-mode tests (Lib/test/test_asyncio/): creation sites, slow
// callbacks, and the pending Task destroyed by the garbage collector.
//
// Ported:
// - test_tasks.BaseTaskTests.test_log_destroyed_pending_task (in a child process run with
//   --expose-gc: test/fixtures/debug-gc.ts)
// - test_tasks.BaseTaskTests.test_task_source_traceback
// - test_futures.BaseFutureTests.test_future_source_traceback
// - test_base_events.BaseEventLoopWithSelectorTests.test_log_slow_callbacks, adapted: asyncio
//   logs through `logging`; asyncio-ts warns through its own `logger`, captured here with
//   `logger.setHandler`. A Task's repr names the Task, not its coroutine function (a generator
//   object does not know which function made it), so the Task is named after the coroutine.
// - test_events.HandleTests.test_handle_source_traceback
// - test_events.HandleTests.test_handle_repr_debug and test_events.TimerTests.test_timer_repr_debug,
//   for their "created at" part: a Handle's repr names its callback as `function noop`, without
//   its arguments and source location, which JavaScript functions do not carry.
//
// Not ported, and why:
// - test_events.HandleTests.test_coroutine_like_object_debug_formatting: it formats reprs of
//   coroutine objects; asyncio-ts has no coroutine reprs (see differences-from-python.md).
// - test_pep492.CoroutineTests.test_debug_mode_manages_coroutine_origin_tracking:
//   `sys.set_coroutine_origin_tracking_depth` has no JavaScript counterpart.
// - test_tasks.CTask_Future_Tests.test_del__log_destroy_pending_segfault: a crash of the C accelerator.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";
import { runGcFixture } from "../helpers/gc-fixture.ts";

const THIS_FILE = fileURLToPath(import.meta.url);

/** The line this function is called from. */
function lineHere(): number {
  const line = new Error().stack?.split("\n")[2] ?? "";
  return Number(/:(\d+):\d+\)?$/.exec(line)?.[1]);
}

function noop(): void {}

function* coroutineFunction(): asyncio.Coroutine<void> {}

/** As CPython's `self.new_task`: one frame between the test and the loop. */
function newTask<T>(loop: asyncio.EventLoop, coro: asyncio.Coroutine<T>): asyncio.Task<T> {
  return loop.createTask(coro);
}

/** As CPython's `self._new_future`. */
function newFuture<T>(loop: asyncio.EventLoop): asyncio.Future<T> {
  return loop.createFuture<T>();
}

describe("debug mode: creation sites", () => {
  // cpython: test_tasks.BaseTaskTests.test_task_source_traceback
  it("records where a Task was created, the creating call last", async () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const task = newTask(loop, coroutineFunction());
    const lineno = lineHere() - 1;
    const site = task._sourceTraceback;
    assert.ok(Array.isArray(site));
    const frame = site[site.length - 2];
    assert.equal(frame?.fileName, THIS_FILE);
    assert.equal(frame?.lineNumber, lineno);
    assert.equal(site[site.length - 1]?.functionName, "newTask");
    await loop.runUntilComplete(task);
    loop.close();
  });

  // cpython: test_futures.BaseFutureTests.test_future_source_traceback
  it("records where a Future was created, the creating call last", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const future = newFuture(loop);
    const lineno = lineHere() - 1;
    const site = future._sourceTraceback;
    assert.ok(Array.isArray(site));
    assert.equal(site[site.length - 2]?.fileName, THIS_FILE);
    assert.equal(site[site.length - 2]?.lineNumber, lineno);
    loop.close();
  });

  // cpython: test_events.HandleTests.test_handle_source_traceback
  it("records where callSoon, callSoonThreadsafe, callLater and callAt scheduled a Handle", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const check = (handle: asyncio.Handle, lineno: number): void => {
      const site = handle._sourceTraceback;
      assert.ok(Array.isArray(site));
      assert.equal(site[site.length - 1]?.fileName, THIS_FILE);
      assert.equal(site[site.length - 1]?.lineNumber, lineno);
    };
    let h = loop.callSoon(noop);
    check(h, lineHere() - 1);
    h = loop.callSoonThreadsafe(noop);
    check(h, lineHere() - 1);
    h = loop.callLater(0, noop);
    check(h, lineHere() - 1);
    h = loop.callAt(loop.time(), noop);
    check(h, lineHere() - 1);
    loop.close();
  });

  // cpython: test_events.HandleTests.test_handle_repr_debug
  it("ends a Handle's repr with 'created at file:line', cancelled or not", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const h = loop.callSoon(noop);
    const where = `${THIS_FILE}:${lineHere() - 1}`;
    assert.equal(String(h), `<Handle function noop created at ${where}>`);
    h.cancel();
    assert.match(
      String(h),
      new RegExp(`^<Handle cancelled .*created at ${where.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}>$`),
    );
    loop.close();
  });

  // cpython: test_events.TimerTests.test_timer_repr_debug
  it("ends a TimerHandle's repr with 'created at file:line'", () => {
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    const h = loop.callLater(123, noop);
    const where = `${THIS_FILE}:${lineHere() - 1}`;
    assert.ok(String(h).endsWith(` created at ${where}>`), String(h));
    loop.close();
  });
});

describe("debug mode: slow callbacks", () => {
  let records: asyncio.LogRecord[];
  let previous: asyncio.LogHandler | null;
  before(() => {
    previous = asyncio.logger.setHandler((record) => records.push(record));
  });
  after(() => {
    asyncio.logger.setHandler(previous);
  });

  // cpython: test_base_events.BaseEventLoopWithSelectorTests.test_log_slow_callbacks
  it("warns 'Executing <Handle ...> took N seconds' and 'Executing <Task ...> took N seconds'", async () => {
    records = [];
    function stop_loop_cb(loop: asyncio.EventLoop): void {
      loop.stop();
    }
    function* stop_loop_coro(loop: asyncio.EventLoop): asyncio.Coroutine<void> {
      loop.stop();
    }
    const loop = new VirtualTimeLoop();
    loop.setDebug(true);
    loop.slowCallbackDuration = 0.0;

    // slow callback
    loop.callSoon(stop_loop_cb, loop);
    await loop.runForever();
    let last = records[records.length - 1];
    assert.equal(last?.level, "warning");
    assert.match(last?.message ?? "", /^Executing <Handle.*stop_loop_cb.*> took .* seconds$/);

    // slow task
    loop.createTask(stop_loop_coro(loop), { name: "stop_loop_coro" });
    await loop.runForever();
    last = records[records.length - 1];
    assert.match(last?.message ?? "", /^Executing <Task.*stop_loop_coro.*> took .* seconds$/);
    assert.ok(last?.message.includes(`created at ${THIS_FILE}:`), last?.message);
    loop.close();
  });
});

describe("debug mode: a pending Task destroyed by the garbage collector", () => {
  type Report = { message: string; taskRepr: string | null; sourceTraceback: asyncio.SourceFrame[] | null };
  type Outcome = { collected: boolean; reports: Report[]; observed: Record<string, unknown> };
  let outcomes: Record<string, Outcome>;
  before(async () => {
    outcomes = await runGcFixture("debug-gc", ["pending-task-destroyed", "pending-task-kept-outside-debug"], 60_000);
  });

  // cpython: test_tasks.BaseTaskTests.test_log_destroyed_pending_task
  it("reports 'Task was destroyed but it is pending!' with the Task's creation site", () => {
    const outcome = outcomes["pending-task-destroyed"] as Outcome;
    assert.equal(outcome.collected, true, "the Task was garbage-collected");
    assert.deepEqual(outcome.observed.allTasksBefore, [outcome.observed.name]);
    assert.equal(outcome.observed.allTasksAfter, 0);
    assert.deepEqual(outcome.reports, [
      {
        message: "Task was destroyed but it is pending!",
        taskRepr: `<Task pending name='${outcome.observed.name}' created at ${
          (outcome.observed.sourceTraceback as asyncio.SourceFrame[]).at(-1)?.fileName
        }:${(outcome.observed.sourceTraceback as asyncio.SourceFrame[]).at(-1)?.lineNumber}>`,
        sourceTraceback: outcome.observed.sourceTraceback as asyncio.SourceFrame[],
      },
    ]);
  });

  it("keeps a pending Task alive, unreported, outside debug mode (the loop holds it)", () => {
    const outcome = outcomes["pending-task-kept-outside-debug"] as Outcome;
    assert.equal(outcome.collected, false);
    assert.equal(outcome.observed.allTasksAfter, 1);
    assert.deepEqual(outcome.reports, []);
  });
});
