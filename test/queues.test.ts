// Queue, PriorityQueue and LifoQueue beyond CPython's test suite: the comparator, stable ties,
// argument checks, error messages, the storage hooks, and the cancelled-putter race.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as asyncio from "asyncio-ts";
import { type Coroutine, QueueEmpty, QueueFull, RuntimeError, ValueError } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

function run<T>(main: () => Coroutine<T>): Promise<T> {
  return asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
}

function drain<T>(q: asyncio.Queue<T>): T[] {
  const out: T[] = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
}

describe("PriorityQueue", () => {
  it("orders numbers, bigints and strings by <", () => {
    const numbers = new asyncio.PriorityQueue<number | bigint>();
    for (const n of [3, -1n, 2.5, 10n, 0]) numbers.putNowait(n);
    assert.deepEqual(drain(numbers), [-1n, 0, 2.5, 3, 10n]);
    const strings = new asyncio.PriorityQueue<string>();
    for (const s of ["pear", "apple", "fig"]) strings.putNowait(s);
    assert.deepEqual(drain(strings), ["apple", "fig", "pear"]);
  });

  it("orders arrays element by element like Python tuples, a prefix first", () => {
    const q = new asyncio.PriorityQueue<(number | string)[]>();
    for (const item of [[2, "b"], [1, "z"], [2, "a"], [1], [1, "a", 0]]) q.putNowait(item);
    assert.deepEqual(drain(q), [[1], [1, "a", 0], [1, "z"], [2, "a"], [2, "b"]]);
  });

  it("raises TypeError for items the default order cannot compare, leaving the queue unchanged", () => {
    const q = new asyncio.PriorityQueue<unknown>();
    q.putNowait(1);
    q.putNowait(2);
    assert.throws(() => q.putNowait("three"), { name: "TypeError", message: /cannot order .*comparator/ });
    assert.throws(() => q.putNowait({ priority: 0 }), TypeError);
    assert.equal(q.qsize(), 2);
    assert.equal(String(q), "<PriorityQueue maxsize=0 _queue=[1, 2] tasks=2>");
    assert.deepEqual(drain(q), [1, 2]);
  });

  it("orders by the comparator it is given, equal items in the order they were put", () => {
    interface Job {
      name: string;
      urgency: number;
    }
    const q = new asyncio.PriorityQueue<Job>({ comparator: (a, b) => b.urgency - a.urgency });
    const jobs = ["a", "b", "c", "d", "e", "f"].map((name, i) => ({ name, urgency: i % 2 }));
    for (const job of jobs) q.putNowait(job);
    assert.deepEqual(
      drain(q).map((job) => job.name),
      ["b", "d", "f", "a", "c", "e"],
    );
  });

  it("leaves the queue unchanged when the comparator throws while an item is taken", () => {
    let failing = false;
    const q = new asyncio.PriorityQueue<number>({
      comparator: (a, b) => {
        if (failing) throw new Error("comparator failed");
        return a - b;
      },
    });
    for (const n of [5, 1, 4, 2, 3]) q.putNowait(n);
    failing = true;
    assert.throws(() => q.getNowait(), /comparator failed/);
    assert.equal(q.qsize(), 5);
    failing = false;
    assert.deepEqual(drain(q), [1, 2, 3, 4, 5]);
  });

  it("rejects a comparator that is not a function", () => {
    assert.throws(
      () => new asyncio.PriorityQueue<number>({ comparator: "desc" as unknown as () => number }),
      /comparator must be a function/,
    );
  });

  it("takes a thousand random items out in sorted order", () => {
    const q = new asyncio.PriorityQueue<number>();
    let seed = 42;
    const items = Array.from({ length: 1000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 100);
    for (const n of items) q.putNowait(n);
    assert.deepEqual(
      drain(q),
      [...items].sort((a, b) => a - b),
    );
  });
});

describe("Queue", () => {
  it("accepts its maxsize as a number or as { maxsize }", () => {
    assert.equal(new asyncio.Queue(3).maxsize, 3);
    assert.equal(new asyncio.Queue({ maxsize: 3 }).maxsize, 3);
    assert.equal(new asyncio.LifoQueue({}).maxsize, 0);
    assert.equal(new asyncio.PriorityQueue({ maxsize: 2 }).maxsize, 2);
  });

  it("rejects a maxsize that is not a number, or NaN", () => {
    assert.throws(() => new asyncio.Queue("10" as unknown as number), TypeError);
    assert.throws(() => new asyncio.Queue(Number.NaN), ValueError);
  });

  it("names the waiting alternative in QueueEmpty and QueueFull", () => {
    const q = new asyncio.Queue<number>(1);
    assert.throws(() => q.getNowait(), { name: "QueueEmpty", message: /yield\* get\(\)/ });
    q.putNowait(1);
    assert.throws(() => q.putNowait(2), { name: "QueueFull", message: /yield\* put\(item\)/ });
    assert.ok(new QueueEmpty() instanceof Error && new QueueFull() instanceof Error);
  });

  it("lists only the first ten items in its string form", () => {
    const q = new asyncio.Queue<number>();
    for (let i = 0; i < 25; i++) q.putNowait(i);
    assert.equal(String(q), "<Queue maxsize=0 _queue=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 15 more] tasks=25>");
  });

  it("keeps FIFO order across the growth and wrap-around of its storage", () => {
    const q = new asyncio.Queue<number>();
    const taken: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) q.putNowait(next++);
      for (let i = 0; i < 5; i++) taken.push(q.getNowait());
    }
    taken.push(...drain(q));
    assert.deepEqual(
      taken,
      Array.from({ length: next }, (_, i) => i),
    );
  });

  it("hands a free slot on when the putter woken for it is cancelled before it runs", () =>
    run(function* () {
      const q = new asyncio.Queue<string>(1);
      q.putNowait("a");
      const p1 = asyncio.createTask(q.put("b"));
      const p2 = asyncio.createTask(q.put("c"));
      yield* asyncio.sleep(0);
      assert.equal(String(q), "<Queue maxsize=1 _queue=['a'] _putters[2] tasks=1>");
      assert.equal(q.getNowait(), "a"); // wakes p1...
      p1.cancel(); // ...which is cancelled before it runs, so p2 must get the slot
      yield* asyncio.sleep(0);
      yield* asyncio.sleep(0);
      assert.ok(p1.cancelled());
      assert.ok(p2.done());
      assert.equal(q.getNowait(), "c");
    }));

  it("refuses to wait on a loop other than the one it is bound to", async () => {
    const q = new asyncio.Queue<number>();
    await run(function* () {
      const getter = asyncio.createTask(q.get());
      yield* asyncio.sleep(0);
      q.putNowait(1);
      assert.equal(yield* getter, 1);
    });
    await run(function* () {
      let raised: unknown;
      try {
        yield* q.get();
      } catch (error) {
        raised = error;
      }
      assert.ok(raised instanceof RuntimeError);
      assert.match(
        raised.message,
        /^<Queue maxsize=0 tasks=1> is bound to a different event loop: create it inside the loop/,
      );
      // Non-blocking calls need no loop and still work.
      q.putNowait(2);
      assert.equal(q.getNowait(), 2);
    });
  });

  it("lets a subclass choose the order through the storage hooks", () => {
    /** Takes the longest string first; the hooks are the documented extension point. */
    class LongestFirst extends asyncio.Queue<string> {
      #items: string[] = [];
      protected override _put(item: string): void {
        this.#items.push(item);
        this.#items.sort((a, b) => b.length - a.length);
      }
      protected override _get(): string {
        return this.#items.shift() as string;
      }
      protected override _qsize(): number {
        return this.#items.length;
      }
      protected override _items(limit: number): string[] {
        return this.#items.slice(0, limit);
      }
    }
    const q = new LongestFirst();
    for (const s of ["ab", "abcd", "a", "abc"]) q.putNowait(s);
    assert.equal(String(q), "<LongestFirst maxsize=0 _queue=['abcd', 'abc', 'ab', 'a'] tasks=4>");
    assert.deepEqual(drain(q), ["abcd", "abc", "ab", "a"]);
  });
});
