// Ports of CPython 3.13's Lib/test/test_asyncio/test_queues.py: Queue, LifoQueue, PriorityQueue,
// join/taskDone and shutdown.
//
// Each CPython test is an IsolatedAsyncioTestCase coroutine; here each runs as the main coroutine
// of `asyncio.run` on a virtual-time loop. CPython's mixin classes (_QueueJoinTestMixin,
// _QueueShutdownTestMixin) run for Queue, LifoQueue and PriorityQueue; so do the ports, one `it`
// per class. Where CPython reads private state (`q._getters`, `q._putters`, `q._format()`,
// `q._unfinished_tasks`), the ports read the same facts from `toString()`, which is asyncio's
// `str(q)` (`<Queue maxsize=0 _getters[1] tasks=2>`).
//
// Adapted, and why:
// - QueueGetTests.test_get_with_putters appends a bare Future to the private `_putters`; the port
//   blocks a real putter task instead and checks that get() woke it (popped it from the putters).
// - _QueueJoinTestMixin.test_format sets `_unfinished_tasks = 2`; the port puts and gets two items.
//
// Not ported, and why:
// - QueueBasicTests.test_repr: it checks that `repr(q)` carries `hex(id(q))`; JavaScript objects have
//   no address. test_str, which is the same test without the id, is ported.
// - QueueBasicTests.test_generic_alias: `asyncio.Queue[int]` is a typing.GenericAlias; TypeScript
//   generics exist only at compile time (test-d/queues.test-d.ts covers Queue<T>).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, QueueEmpty, QueueFull, QueueShutDown, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

/** Run `main` as the test's coroutine on a fresh virtual-time loop, as IsolatedAsyncioTestCase does. */
function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
}

/** Run `body` and return the error it raised, failing unless it is an instance of `cls`. */
function* raises<E>(
  cls: abstract new (...args: never[]) => E,
  body: () => Coroutine<unknown> | asyncio.Future<unknown>,
): Coroutine<E> {
  let raised: unknown;
  try {
    yield* body();
  } catch (error) {
    raised = error;
  }
  assert.ok(raised instanceof cls, `expected ${cls.name}, got ${String(raised)}`);
  return raised;
}

/** The queue classes CPython's mixin tests run for. */
const QUEUE_CLASSES: readonly { new <T>(maxsize?: number): asyncio.Queue<T>; name: string }[] = [
  asyncio.Queue,
  asyncio.LifoQueue,
  asyncio.PriorityQueue,
];

describe("test_queues.QueueBasicTests", () => {
  // cpython: test_queues.QueueBasicTests.test_str
  it("shows waiting getters, waiting putters and items in its string form", () =>
    run(function* () {
      let q = new asyncio.Queue<number>();
      assert.ok(String(q).startsWith("<Queue"), String(q));

      q = new asyncio.Queue<number>();
      const getter = yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        const getter = tg.createTask(q.get());
        yield* asyncio.sleep(0);
        assert.ok(String(q).includes("_getters[1]"), String(q));
        q.putNowait(0);
        return getter;
      });
      assert.equal(yield* getter, 0);

      q = new asyncio.Queue<number>(1);
      const putter = yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        q.putNowait(1);
        const putter = tg.createTask(q.put(2));
        yield* asyncio.sleep(0);
        assert.ok(String(q).includes("_putters[1]"), String(q));
        q.getNowait();
        return putter;
      });
      assert.ok(putter.done());

      q = new asyncio.Queue<number>();
      q.putNowait(1);
      assert.ok(String(q).includes("_queue=[1]"), String(q));
    }));

  // cpython: test_queues.QueueBasicTests.test_empty
  it("is empty until an item is put, and again once it is taken", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      assert.ok(q.empty());
      yield* q.put(1);
      assert.equal(q.empty(), false);
      assert.equal(yield* q.get(), 1);
      assert.ok(q.empty());
    }));

  // cpython: test_queues.QueueBasicTests.test_full
  it("is never full without a maxsize, and full at its maxsize", () =>
    run(function* () {
      let q = new asyncio.Queue<number>();
      assert.equal(q.full(), false);
      q = new asyncio.Queue<number>({ maxsize: 1 });
      yield* q.put(1);
      assert.ok(q.full());
    }));

  // cpython: test_queues.QueueBasicTests.test_order
  it("returns items first in, first out", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let i = 0; i < 3; i++) items.push(yield* q.get());
      assert.deepEqual(items, [1, 3, 2]);
    }));

  // cpython: test_queues.QueueBasicTests.test_maxsize
  it("blocks the putter at maxsize until an item is taken", () =>
    run(function* () {
      const q = new asyncio.Queue<number>(2);
      assert.equal(q.maxsize, 2);
      const haveBeenPut: number[] = [];
      function* putter(): Coroutine<boolean> {
        for (let i = 0; i < 3; i++) {
          yield* q.put(i);
          haveBeenPut.push(i);
        }
        return true;
      }
      const t = asyncio.createTask(putter());
      for (let i = 0; i < 2; i++) yield* asyncio.sleep(0);
      // The putter is blocked after putting two items.
      assert.deepEqual(haveBeenPut, [0, 1]);
      assert.equal(yield* q.get(), 0);
      // Let the putter resume and put the last item.
      yield* asyncio.sleep(0);
      assert.deepEqual(haveBeenPut, [0, 1, 2]);
      assert.equal(yield* q.get(), 1);
      assert.equal(yield* q.get(), 2);
      assert.ok(t.done());
      assert.equal(t.result(), true);
    }));
});

describe("test_queues.QueueGetTests", () => {
  // cpython: test_queues.QueueGetTests.test_blocking_get
  it("returns a queued item from get() at once", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      q.putNowait(1);
      assert.equal(yield* q.get(), 1);
    }));

  // cpython: test_queues.QueueGetTests.test_get_with_putters
  it("wakes a blocked putter when get() frees a slot", () =>
    run(function* () {
      const q = new asyncio.Queue<number>(1);
      yield* q.put(1);
      const putter = asyncio.createTask(q.put(2));
      yield* asyncio.sleep(0);
      assert.ok(String(q).includes("_putters[1]"));
      assert.equal(yield* q.get(), 1);
      // The putter's Future was set and popped from the putters, before the putter even ran.
      assert.ok(!String(q).includes("_putters"), String(q));
      assert.equal(putter.done(), false);
      yield* putter;
      assert.equal(q.getNowait(), 2);
    }));

  // cpython: test_queues.QueueGetTests.test_blocking_get_wait
  it("blocks get() until an item is put", () =>
    run(function* () {
      const loop = asyncio.getRunningLoop();
      const q = new asyncio.Queue<number>();
      const started = new asyncio.Event();
      let finished = false;
      function* queueGet(): Coroutine<number> {
        started.set();
        const res = yield* q.get();
        finished = true;
        return res;
      }
      const queueGetTask = asyncio.createTask(queueGet());
      yield* started.wait();
      assert.equal(finished, false);
      loop.callLater(0.01, () => q.putNowait(1));
      const res = yield* queueGetTask;
      assert.equal(finished, true);
      assert.equal(res, 1);
      assert.equal(loop.time(), 0.01);
    }));

  // cpython: test_queues.QueueGetTests.test_nonblocking_get
  it("returns a queued item from getNowait()", () => {
    const q = new asyncio.Queue<number>();
    q.putNowait(1);
    assert.equal(q.getNowait(), 1);
  });

  // cpython: test_queues.QueueGetTests.test_nonblocking_get_exception
  it("raises QueueEmpty from getNowait() on an empty queue", () => {
    const q = new asyncio.Queue<number>();
    assert.throws(() => q.getNowait(), QueueEmpty);
  });

  // cpython: test_queues.QueueGetTests.test_get_cancelled_race
  it("gives the item to the remaining getter when the first was cancelled", () =>
    run(function* () {
      const q = new asyncio.Queue<string>();
      const t1 = asyncio.createTask(q.get());
      const t2 = asyncio.createTask(q.get());
      yield* asyncio.sleep(0);
      t1.cancel();
      yield* asyncio.sleep(0);
      assert.ok(t1.done());
      yield* q.put("a");
      yield* asyncio.sleep(0);
      assert.equal(yield* t2, "a");
    }));

  // cpython: test_queues.QueueGetTests.test_get_with_waiting_putters
  it("takes items from putters that had to wait, in order", () =>
    run(function* () {
      const q = new asyncio.Queue<string>(1);
      asyncio.createTask(q.put("a"));
      asyncio.createTask(q.put("b"));
      assert.equal(yield* q.get(), "a");
      assert.equal(yield* q.get(), "b");
    }));

  // cpython: test_queues.QueueGetTests.test_why_are_getters_waiting
  it("lets a producer and a consumer through a queue of one without deadlock", () =>
    run(function* () {
      const received: number[] = [];
      function* consumer(queue: asyncio.Queue<number>, numExpected: number): Coroutine<void> {
        for (let i = 0; i < numExpected; i++) received.push(yield* queue.get());
      }
      function* producer(queue: asyncio.Queue<number>, numItems: number): Coroutine<void> {
        for (let i = 0; i < numItems; i++) yield* queue.put(i);
      }
      const q = new asyncio.Queue<number>(1);
      yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        tg.createTask(producer(q, 5));
        tg.createTask(consumer(q, 5));
      });
      assert.deepEqual(received, [0, 1, 2, 3, 4]);
    }));

  // cpython: test_queues.QueueGetTests.test_cancelled_getters_not_being_held_in_self_getters
  it("drops a getter cancelled by waitFor() from the getters", () =>
    run(function* () {
      const queue = new asyncio.Queue<number>(5);
      yield* raises(asyncio.TimeoutError, () => asyncio.waitFor(queue.get(), 0.1));
      assert.ok(!String(queue).includes("_getters"), String(queue));
    }));
});

describe("test_queues.QueuePutTests", () => {
  // cpython: test_queues.QueuePutTests.test_blocking_put
  it("does not block put() without a maxsize", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      yield* q.put(1);
      assert.equal(yield* q.get(), 1);
    }));

  // cpython: test_queues.QueuePutTests.test_blocking_put_wait
  it("blocks put() on a full queue until an item is taken", () =>
    run(function* () {
      const q = new asyncio.Queue<number>(1);
      const started = new asyncio.Event();
      let finished = false;
      function* queuePut(): Coroutine<void> {
        started.set();
        yield* q.put(1);
        yield* q.put(2);
        finished = true;
      }
      const loop = asyncio.getRunningLoop();
      loop.callLater(0.01, () => q.getNowait());
      const queuePutTask = asyncio.createTask(queuePut());
      yield* started.wait();
      assert.equal(finished, false);
      yield* queuePutTask;
      assert.equal(finished, true);
      assert.equal(loop.time(), 0.01);
    }));

  // cpython: test_queues.QueuePutTests.test_nonblocking_put
  it("puts an item with putNowait()", () => {
    const q = new asyncio.Queue<number>();
    q.putNowait(1);
    assert.equal(q.getNowait(), 1);
  });

  // cpython: test_queues.QueuePutTests.test_get_cancel_drop_one_pending_reader
  it("does not drop the item a cancelled getter was woken for", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      let reader = asyncio.createTask(q.get());
      yield* asyncio.sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      reader.cancel();
      try {
        yield* reader;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        reader = asyncio.createTask(q.get());
        yield* reader;
      }
      // Getting 2 would mean that 1 was dropped.
      assert.equal(reader.result(), 1);
    }));

  // cpython: test_queues.QueuePutTests.test_get_cancel_drop_many_pending_readers
  it("delivers both items to the getters left after one is cancelled", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      const [reader2, reader3] = yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        const reader1 = tg.createTask(q.get());
        const reader2 = tg.createTask(q.get());
        const reader3 = tg.createTask(q.get());
        yield* asyncio.sleep(0);
        q.putNowait(1);
        q.putNowait(2);
        reader1.cancel();
        yield* raises(CancelledError, () => reader1);
        yield* reader3;
        return [reader2, reader3];
      });
      // Concurrent readers may receive the items in either order.
      assert.deepEqual(new Set([reader2.result(), reader3.result()]), new Set([1, 2]));
    }));

  // cpython: test_queues.QueuePutTests.test_put_cancel_drop
  it("does not put the item of a putter cancelled after a slot freed", () =>
    run(function* () {
      const q = new asyncio.Queue<number>(1);
      q.putNowait(1);
      // Putting a second item has to block (maxsize 1).
      let writer = asyncio.createTask(q.put(2));
      yield* asyncio.sleep(0);
      assert.equal(q.getNowait(), 1);
      writer.cancel();
      try {
        yield* writer;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        writer = asyncio.createTask(q.put(2));
        yield* writer;
      }
      assert.equal(q.getNowait(), 2);
      assert.equal(q.qsize(), 0);
    }));

  // cpython: test_queues.QueuePutTests.test_nonblocking_put_exception
  it("raises QueueFull from putNowait() on a full queue", () => {
    const q = new asyncio.Queue<number>(1);
    q.putNowait(1);
    assert.throws(() => q.putNowait(2), QueueFull);
  });

  // cpython: test_queues.QueuePutTests.test_float_maxsize
  it("accepts a fractional maxsize, full once the size reaches it", () =>
    run(function* () {
      let q = new asyncio.Queue<number>(1.3);
      q.putNowait(1);
      q.putNowait(2);
      assert.ok(q.full());
      assert.throws(() => q.putNowait(3), QueueFull);
      q = new asyncio.Queue<number>(1.3);
      yield* q.put(1);
      yield* q.put(2);
      assert.ok(q.full());
    }));

  // cpython: test_queues.QueuePutTests.test_put_cancelled
  it("completes a put() task whose item was taken", () =>
    run(function* () {
      const q = new asyncio.Queue<number>();
      function* queuePut(): Coroutine<boolean> {
        yield* q.put(1);
        return true;
      }
      const t = asyncio.createTask(queuePut());
      assert.equal(yield* q.get(), 1);
      assert.ok(t.done());
      assert.equal(t.result(), true);
    }));

  // cpython: test_queues.QueuePutTests.test_put_cancelled_race
  it("gives the free slot to the remaining putter when another was cancelled", () =>
    run(function* () {
      const q = new asyncio.Queue<string>(1);
      const putA = asyncio.createTask(q.put("a"));
      const putB = asyncio.createTask(q.put("b"));
      const putC = asyncio.createTask(q.put("X"));
      yield* asyncio.sleep(0);
      assert.ok(putA.done());
      assert.equal(putB.done(), false);
      putC.cancel();
      yield* asyncio.sleep(0);
      assert.ok(putC.done());
      assert.equal(q.getNowait(), "a");
      yield* asyncio.sleep(0);
      assert.equal(q.getNowait(), "b");
      yield* putB;
    }));

  // cpython: test_queues.QueuePutTests.test_put_with_waiting_getters
  it("hands a put item to a waiting getter", () =>
    run(function* () {
      const q = new asyncio.Queue<string>();
      const t = asyncio.createTask(q.get());
      yield* asyncio.sleep(0);
      yield* q.put("a");
      assert.equal(yield* t, "a");
    }));

  // cpython: test_queues.QueuePutTests.test_why_are_putters_waiting
  it("lets four putters through a queue of two drained by a getter", () =>
    run(function* () {
      const queue = new asyncio.Queue<number>(2);
      const got: number[] = [];
      function* putter(item: number): Coroutine<void> {
        yield* queue.put(item);
      }
      function* getter(): Coroutine<void> {
        yield* asyncio.sleep(0);
        const num = queue.qsize();
        for (let i = 0; i < num; i++) got.push(queue.getNowait());
      }
      yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
        tg.createTask(getter());
        tg.createTask(putter(0));
        tg.createTask(putter(1));
        tg.createTask(putter(2));
        tg.createTask(putter(3));
      });
      assert.deepEqual(got, [0, 1]);
      assert.deepEqual([queue.getNowait(), queue.getNowait()], [2, 3]);
    }));

  // cpython: test_queues.QueuePutTests.test_cancelled_puts_not_being_held_in_self_putters
  it("drops a cancelled putter from the putters", () =>
    run(function* () {
      const queue = new asyncio.Queue<number>(1);
      queue.putNowait(1);
      const putTask = asyncio.createTask(queue.put(1));
      yield* asyncio.sleep(0);
      assert.ok(String(queue).includes("_putters[1]"));
      putTask.cancel();
      yield* raises(CancelledError, () => putTask);
      assert.ok(!String(queue).includes("_putters"), String(queue));
    }));

  // cpython: test_queues.QueuePutTests.test_cancelled_put_silence_value_error_exception
  it("raises CancelledError, not a removal error, for a putter already popped by getNowait()", () =>
    run(function* () {
      const queue = new asyncio.Queue<number>(1);
      queue.putNowait(1);
      const putTask = asyncio.createTask(queue.put(1));
      yield* asyncio.sleep(0);
      // getNowait() pops the putter's Future from the putters...
      queue.getNowait();
      // ...so the cancelled put() finds nothing to remove.
      putTask.cancel();
      yield* raises(CancelledError, () => putTask);
    }));
});

describe("test_queues.LifoQueueTests", () => {
  // cpython: test_queues.LifoQueueTests.test_order
  it("returns items last in, first out", () =>
    run(function* () {
      const q = new asyncio.LifoQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let i = 0; i < 3; i++) items.push(yield* q.get());
      assert.deepEqual(items, [2, 3, 1]);
    }));
});

describe("test_queues.PriorityQueueTests", () => {
  // cpython: test_queues.PriorityQueueTests.test_order
  it("returns the lowest item first", () =>
    run(function* () {
      const q = new asyncio.PriorityQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items: number[] = [];
      for (let i = 0; i < 3; i++) items.push(yield* q.get());
      assert.deepEqual(items, [1, 2, 3]);
    }));
});

describe("test_queues._QueueJoinTestMixin", () => {
  for (const QueueClass of QUEUE_CLASSES) {
    // cpython: test_queues._QueueJoinTestMixin.test_task_done_underflow
    it(`raises ValueError from taskDone() with nothing to mark done (${QueueClass.name})`, () => {
      const q = new QueueClass();
      assert.throws(() => q.taskDone(), ValueError);
    });

    // cpython: test_queues._QueueJoinTestMixin.test_task_done
    it(`returns from join() once two workers marked every item done (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass<number>();
        for (let i = 0; i < 100; i++) q.putNowait(i);
        let accumulator = 0;
        let running = true;
        function* worker(): Coroutine<void> {
          while (running) {
            const item = yield* q.get();
            accumulator += item;
            q.taskDone();
          }
        }
        yield* asyncio.using(new asyncio.TaskGroup(), function* (tg) {
          const tasks = [tg.createTask(worker()), tg.createTask(worker())];
          yield* q.join();
          assert.equal(accumulator, (99 * 100) / 2);
          // Let the workers finish.
          running = false;
          for (let i = 0; i < tasks.length; i++) q.putNowait(0);
        });
      }));

    // cpython: test_queues._QueueJoinTestMixin.test_join_empty_queue
    it(`returns from join() at once on an empty queue (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass();
        const loop = asyncio.getRunningLoop();
        const when = loop.time();
        yield* q.join();
        yield* q.join();
        assert.equal(loop.time(), when);
      }));

    // cpython: test_queues._QueueJoinTestMixin.test_format
    it(`shows its maxsize and unfinished tasks in its string form (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass();
        assert.equal(String(q), `<${QueueClass.name} maxsize=0>`);
        q.putNowait(1);
        q.putNowait(2);
        q.getNowait();
        q.getNowait();
        assert.equal(String(q), `<${QueueClass.name} maxsize=0 tasks=2>`);
      }));
  }
});

describe("test_queues._QueueShutdownTestMixin", () => {
  for (const QueueClass of QUEUE_CLASSES) {
    // cpython: test_queues._QueueShutdownTestMixin.test_format
    it(`shows shutdown in its string form (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass();
        q.shutdown();
        assert.equal(String(q), `<${QueueClass.name} maxsize=0 shutdown>`);
      }));

    // cpython: test_queues._QueueShutdownTestMixin.test_shutdown_empty
    it(`wakes a blocked getter with QueueShutDown when an empty queue shuts down (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass<string>();
        const loop = asyncio.getRunningLoop();
        const getTask = loop.createTask(q.get());
        yield* asyncio.sleep(0);
        q.shutdown(false);
        assert.equal(q.qsize(), 0);
        yield* q.join();
        yield* asyncio.sleep(0);
        assert.ok(getTask.done());
        yield* raises(QueueShutDown, () => getTask);
        yield* raises(QueueShutDown, () => q.put("data"));
        assert.throws(() => q.putNowait("data"), QueueShutDown);
        yield* raises(QueueShutDown, () => q.get());
        assert.throws(() => q.getNowait(), QueueShutDown);
      }));

    // cpython: test_queues._QueueShutdownTestMixin.test_shutdown_nonempty
    it(`lets the items of a shut-down queue be taken and joined (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass<string>(1);
        const loop = asyncio.getRunningLoop();
        q.putNowait("data");
        const joinTask = loop.createTask(q.join());
        const putTask = loop.createTask(q.put("data2"));
        yield* asyncio.sleep(0);
        assert.equal(putTask.done(), false);

        q.shutdown(false);
        assert.equal(q.qsize(), 1);
        yield* asyncio.sleep(0);
        assert.ok(putTask.done());
        yield* raises(QueueShutDown, () => putTask);

        assert.equal(yield* q.get(), "data");
        yield* asyncio.sleep(0);
        assert.equal(joinTask.done(), false);

        yield* raises(QueueShutDown, () => q.put("data"));
        assert.throws(() => q.putNowait("data"), QueueShutDown);
        yield* raises(QueueShutDown, () => q.get());
        assert.throws(() => q.getNowait(), QueueShutDown);

        q.taskDone();
        yield* asyncio.sleep(0);
        assert.ok(joinTask.done());
        yield* joinTask;
        assert.throws(() => q.taskDone(), ValueError);
      }));

    // cpython: test_queues._QueueShutdownTestMixin.test_shutdown_immediate
    it(`drops the items and finishes join() on an immediate shutdown (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass<string>();
        const loop = asyncio.getRunningLoop();
        q.putNowait("data");
        const joinTask = loop.createTask(q.join());
        q.shutdown(true);
        assert.equal(q.qsize(), 0);
        yield* asyncio.sleep(0);
        assert.ok(joinTask.done());
        yield* joinTask;

        yield* raises(QueueShutDown, () => q.put("data"));
        assert.throws(() => q.putNowait("data"), QueueShutDown);
        yield* raises(QueueShutDown, () => q.get());
        assert.throws(() => q.getNowait(), QueueShutDown);
        assert.throws(() => q.taskDone(), ValueError);
      }));

    // cpython: test_queues._QueueShutdownTestMixin.test_shutdown_immediate_with_unfinished
    it(`keeps join() waiting for items taken before an immediate shutdown (${QueueClass.name})`, () =>
      run(function* () {
        const q = new QueueClass<string>();
        const loop = asyncio.getRunningLoop();
        q.putNowait("data");
        q.putNowait("data");
        const joinTask = loop.createTask(q.join());
        assert.equal(yield* q.get(), "data");

        q.shutdown(true);
        assert.equal(q.qsize(), 0);
        yield* asyncio.sleep(0);
        assert.equal(joinTask.done(), false);

        yield* raises(QueueShutDown, () => q.put("data"));
        assert.throws(() => q.putNowait("data"), QueueShutDown);
        yield* raises(QueueShutDown, () => q.get());
        assert.throws(() => q.getNowait(), QueueShutDown);

        q.taskDone();
        assert.throws(() => q.taskDone(), ValueError);
        yield* asyncio.sleep(0);
        assert.ok(joinTask.done());
        yield* joinTask;
      }));
  }
});
