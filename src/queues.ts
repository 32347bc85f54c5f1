// Queues for coroutines: Queue (FIFO), PriorityQueue (lowest first), LifoQueue (last in, first out).
//
// Design note. Blocked getters and putters wait on Futures queued in FIFO order. Waking one pops
// it from its queue at once (unlike the locks, where a waiter removes itself), so a getter woken
// by `putNowait` that is cancelled before it runs must hand the wakeup on to the next getter if
// an item is still there; `get()` and `put()` do so in their `catch`, as asyncio's do.

import { inspect } from "node:util";
import type { Coroutine } from "./coroutines.ts";
import { QueueEmpty, QueueFull, QueueShutDown, ValueError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { Deque } from "./internal/deque.ts";
import { describe } from "./internal/format.ts";
import { Event } from "./locks.ts";
import { LoopBoundMixin } from "./mixins.ts";

/** Options for `new Queue(...)` and `new LifoQueue(...)`. */
export interface QueueOptions {
  /** The most items the queue holds; `put()` waits while it is full. 0 or less means no limit. */
  maxsize?: number;
}

/** Options for `new PriorityQueue(...)`. */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /**
   * Order items as `Array.prototype.sort` does: negative when `a` comes out first. By default
   * numbers, bigints and strings compare with `<`, and arrays compare element by element like
   * Python tuples, so `[priority, item]` entries work as they do with asyncio.
   */
  comparator?: (a: T, b: T) => number;
}

/** How many items `toString()` lists before eliding the rest. */
const REPR_ITEMS = 10;

function readMaxsize(arg: number | QueueOptions | undefined, name: string): number {
  const maxsize = typeof arg === "object" && arg !== null ? (arg.maxsize ?? 0) : (arg ?? 0);
  if (typeof maxsize !== "number") throw new TypeError(`${name} maxsize must be a number, got ${describe(maxsize)}`);
  if (Number.isNaN(maxsize)) throw new ValueError(`${name} maxsize must be a number, got NaN`);
  return maxsize;
}

function wakeupNext(waiters: Deque<Future<void>>): void {
  for (let waiter = waiters.shift(); waiter !== undefined; waiter = waiters.shift()) {
    if (!waiter.done()) {
      waiter.setResult(undefined);
      return;
    }
  }
}

/**
 * A first-in, first-out queue for coordinating producer and consumer coroutines. With a
 * `maxsize`, `put()` waits while the queue is full; `get()` waits while it is empty. Count work
 * with `taskDone()` and wait for all of it with `join()`; stop everything with `shutdown()`.
 *
 * Subclasses choose the order by overriding the storage hooks `_put`, `_get`, `_qsize` and
 * `_items` together, as `PriorityQueue` and `LifoQueue` do.
 *
 * @example
 * const queue = new asyncio.Queue<string>(10);
 * function* producer() { for (const url of urls) yield* queue.put(url); }
 * function* consumer() {
 *   for (;;) {
 *     const url = yield* queue.get();
 *     yield* fetch(url);
 *     queue.taskDone();
 *   }
 * }
 * @see asyncio.Queue
 */
export class Queue<T = unknown> extends LoopBoundMixin {
  #maxsize: number;
  #getters = new Deque<Future<void>>();
  #putters = new Deque<Future<void>>();
  #unfinished = 0;
  #finished = new Event();
  #shutdown = false;
  #fifo = new Deque<T>();

  /**
   * @param maxsize the most items the queue holds, or `{ maxsize }`; 0 (the default) or less means
   *   no limit.
   * @throws {TypeError} when `maxsize` is not a number.
   * @throws {ValueError} when it is NaN.
   */
  constructor(maxsize?: number | QueueOptions) {
    super();
    this.#maxsize = readMaxsize(maxsize, new.target.name);
    this.#finished.set();
  }

  /** The most items the queue holds (0 or less: no limit). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** The number of items in the queue. */
  qsize(): number {
    return this._qsize();
  }

  /** Whether the queue holds no item. */
  empty(): boolean {
    return this._qsize() === 0;
  }

  /** Whether the queue holds `maxsize` items; never true without a limit. */
  full(): boolean {
    return this.#maxsize > 0 && this._qsize() >= this.#maxsize;
  }

  /**
   * Put `item` into the queue, waiting for a free slot while it is full.
   *
   * @throws {QueueShutDown} when the queue is shut down (also while waiting).
   * @throws {CancelledError} when the waiting Task is cancelled; the item is then not put.
   */
  *put(item: T): Coroutine<void> {
    while (this.full()) {
      if (this.#shutdown) throw new QueueShutDown("put() on a queue that was shut down");
      const putter = this._getLoop().createFuture<void>();
      this.#putters.push(putter);
      try {
        yield* putter;
      } catch (error) {
        putter.cancel();
        // A getter may have popped it already; otherwise it must not stay queued.
        this.#putters.remove(putter);
        // Woken for a free slot we will not use: wake the next putter instead.
        if (!this.full() && !putter.cancelled()) wakeupNext(this.#putters);
        throw error;
      }
    }
    this.putNowait(item);
  }

  /**
   * Put `item` into the queue at once.
   *
   * @throws {QueueFull} when the queue is full: `yield* put(item)` waits for a slot instead.
   * @throws {QueueShutDown} when the queue is shut down.
   */
  putNowait(item: T): void {
    if (this.#shutdown) throw new QueueShutDown("putNowait() on a queue that was shut down");
    if (this.full()) {
      throw new QueueFull(`putNowait() on a full queue (maxsize=${this.#maxsize}): yield* put(item) waits for a slot`);
    }
    this._put(item);
    this.#unfinished++;
    this.#finished.clear();
    wakeupNext(this.#getters);
  }

  /**
   * Remove and return the next item, waiting while the queue is empty.
   *
   * @throws {QueueShutDown} when the queue is shut down and empty, or was shut down with `immediate`.
   * @throws {CancelledError} when the waiting Task is cancelled; no item is then taken.
   */
  *get(): Coroutine<T> {
    while (this.empty()) {
      if (this.#shutdown) throw new QueueShutDown("get() on a queue that was shut down and is empty");
      const getter = this._getLoop().createFuture<void>();
      this.#getters.push(getter);
      try {
        yield* getter;
      } catch (error) {
        getter.cancel();
        // A putter may have popped it already; otherwise it must not stay queued.
        this.#getters.remove(getter);
        // Woken for an item we will not take: wake the next getter instead, or the item is stranded.
        if (!this.empty() && !getter.cancelled()) wakeupNext(this.#getters);
        throw error;
      }
    }
    return this.getNowait();
  }

  /**
   * Remove and return the next item at once.
   *
   * @throws {QueueEmpty} when the queue is empty: `yield* get()` waits for an item instead.
   * @throws {QueueShutDown} when the queue is shut down and empty.
   */
  getNowait(): T {
    if (this.empty()) {
      if (this.#shutdown) throw new QueueShutDown("getNowait() on a queue that was shut down and is empty");
      throw new QueueEmpty("getNowait() on an empty queue: yield* get() waits for an item");
    }
    const item = this._get();
    wakeupNext(this.#putters);
    return item;
  }

  /**
   * Record that one item taken with `get()` has been fully processed. When every item put has been
   * marked done, `join()` returns.
   *
   * @throws {ValueError} when called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new ValueError("taskDone() called too many times: call it once per item taken with get()");
    }
    this.#unfinished--;
    if (this.#unfinished === 0) this.#finished.set();
  }

  /** Wait until every item put into the queue has been taken and marked with `taskDone()`. */
  *join(): Coroutine<void> {
    if (this.#unfinished > 0) yield* this.#finished.wait();
  }

  /**
   * Shut the queue down: from now on `put()` raises `QueueShutDown`, and so does `get()` once the
   * queue is empty. Blocked putters and getters wake up and raise it. With `immediate`, the items
   * still queued are dropped and counted as done (which may let `join()` return), so `get()`
   * raises at once.
   */
  shutdown(immediate = false): void {
    this.#shutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this._get();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#finished.set();
    }
    // Every blocked caller re-checks the state and raises QueueShutDown (or takes a last item).
    for (let getter = this.#getters.shift(); getter !== undefined; getter = this.#getters.shift()) {
      if (!getter.done()) getter.setResult(undefined);
    }
    for (let putter = this.#putters.shift(); putter !== undefined; putter = this.#putters.shift()) {
      if (!putter.done()) putter.setResult(undefined);
    }
  }

  /**
   * Describe the queue as asyncio's `str()` does: `<Queue maxsize=2 _queue=[1, 2] _putters[1] tasks=2>`.
   * Only the first items are listed.
   */
  override toString(): string {
    let result = `maxsize=${this.#maxsize}`;
    const size = this._qsize();
    if (size > 0) {
      const shown = this._items(REPR_ITEMS).map((item) =>
        inspect(item, { depth: 2, breakLength: Number.POSITIVE_INFINITY }),
      );
      if (size > shown.length) shown.push(`... ${size - shown.length} more`);
      result += ` _queue=[${shown.join(", ")}]`;
    }
    if (this.#getters.length > 0) result += ` _getters[${this.#getters.length}]`;
    if (this.#putters.length > 0) result += ` _putters[${this.#putters.length}]`;
    if (this.#unfinished > 0) result += ` tasks=${this.#unfinished}`;
    if (this.#shutdown) result += " shutdown";
    return `<${this.constructor.name} ${result}>`;
  }

  // ---- storage hooks: override these four together to change the order ------------------------

  /** Store `item` (the queue has room). */
  protected _put(item: T): void {
    this.#fifo.push(item);
  }

  /** Remove and return the next item (the queue is not empty). */
  protected _get(): T {
    return this.#fifo.shift() as T;
  }

  /** The number of stored items. */
  protected _qsize(): number {
    return this.#fifo.length;
  }

  /** Up to `limit` stored items, in storage order, for `toString()`. */
  protected _items(limit: number): T[] {
    const out: T[] = [];
    for (let i = 0; i < limit && i < this.#fifo.length; i++) out.push(this.#fifo.at(i) as T);
    return out;
  }
}

/**
 * A queue that returns the most recently added item first.
 *
 * @example
 * const stack = new asyncio.LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * stack.getNowait(); // 2
 * @see asyncio.LifoQueue
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  #stack: T[] = [];

  protected override _put(item: T): void {
    this.#stack.push(item);
  }

  protected override _get(): T {
    return this.#stack.pop() as T;
  }

  protected override _qsize(): number {
    return this.#stack.length;
  }

  protected override _items(limit: number): T[] {
    return this.#stack.slice(0, limit);
  }
}

/** Order two numbers, bigints or strings (not mixing strings with numbers); undefined otherwise. */
function compareScalars(a: unknown, b: unknown): number | undefined {
  const ta = typeof a;
  const tb = typeof b;
  const comparable =
    ta === "string" ? tb === "string" : (ta === "number" || ta === "bigint") && (tb === "number" || tb === "bigint");
  if (!comparable) return undefined;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** The default order: numbers, bigints and strings by `<`; arrays element by element, like tuples. */
function defaultCompare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  const scalar = compareScalars(a, b);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}: put numbers, strings or ` +
      "[priority, item] arrays, or pass { comparator } to the constructor",
  );
}

/**
 * A queue that returns the lowest item first. Items that compare equal come out in the order they
 * were put. Order numbers and strings as they are, `[priority, data]` arrays like Python tuples,
 * or anything else with a `comparator`.
 *
 * @example
 * const jobs = new asyncio.PriorityQueue<[number, string]>();
 * jobs.putNowait([2, "later"]);
 * jobs.putNowait([1, "first"]);
 * jobs.getNowait(); // [1, "first"]
 *
 * const byDeadline = new asyncio.PriorityQueue<Job>({ comparator: (a, b) => a.deadline - b.deadline });
 * @see asyncio.PriorityQueue
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  #compare: (a: T, b: T) => number;
  /** A binary min-heap; `#seqs[i]` is the put order of `#heap[i]`, which breaks ties. */
  #heap: T[] = [];
  #seqs: number[] = [];
  #nextSeq = 0;
  /** Scratch space for `_get`: the heap positions the sinking item passes through. */
  #path: number[] = [];

  /**
   * @param options the maxsize (a number, or `{ maxsize, comparator }`).
   * @throws {TypeError} when `maxsize` is not a number or `comparator` not a function.
   * @throws {ValueError} when `maxsize` is NaN.
   */
  constructor(options?: number | PriorityQueueOptions<T>) {
    super(options);
    const comparator = typeof options === "object" && options !== null ? options.comparator : undefined;
    if (comparator !== undefined && typeof comparator !== "function") {
      throw new TypeError(`PriorityQueue comparator must be a function, got ${describe(comparator)}`);
    }
    this.#compare = comparator ?? defaultCompare;
  }

  /**
   * Insert `item` in the heap.
   *
   * @throws {TypeError} when the default order cannot compare it; the queue is then unchanged.
   */
  protected override _put(item: T): void {
    const heap = this.#heap;
    const seqs = this.#seqs;
    const seq = this.#nextSeq++;
    // Find the slot before moving anything, so that a comparator that throws leaves the heap intact.
    let slot = heap.length;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.#less(item, seq, heap[parent] as T, seqs[parent] as number)) break;
      slot = parent;
    }
    let i = heap.length;
    heap.push(item);
    seqs.push(seq);
    while (i !== slot) {
      const parent = (i - 1) >> 1;
      heap[i] = heap[parent] as T;
      seqs[i] = seqs[parent] as number;
      i = parent;
    }
    heap[slot] = item;
    seqs[slot] = seq;
  }

  /**
   * Remove the lowest item from the heap.
   *
   * @throws whatever the comparator throws; the queue is then unchanged.
   */
  protected override _get(): T {
    const heap = this.#heap;
    const seqs = this.#seqs;
    const top = heap[0] as T;
    const n = heap.length - 1;
    if (n > 0) {
      // The last item moves to the root and sinks. Find its path first and move items after, so
      // that a comparator that throws leaves the heap intact.
      const last = heap[n] as T;
      const lastSeq = seqs[n] as number;
      const path = this.#path;
      path.length = 0;
      for (let i = 0; ; ) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && this.#less(heap[right] as T, seqs[right] as number, heap[child] as T, seqs[child] as number)) {
          child = right;
        }
        if (!this.#less(heap[child] as T, seqs[child] as number, last, lastSeq)) break;
        path.push(child);
        i = child;
      }
      let hole = 0;
      for (let k = 0; k < path.length; k++) {
        const child = path[k] as number;
        heap[hole] = heap[child] as T;
        seqs[hole] = seqs[child] as number;
        hole = child;
      }
      heap[hole] = last;
      seqs[hole] = lastSeq;
    }
    heap.length = n;
    seqs.length = n;
    return top;
  }

  protected override _qsize(): number {
    return this.#heap.length;
  }

  protected override _items(limit: number): T[] {
    return this.#heap.slice(0, limit);
  }

  #less(a: T, seqA: number, b: T, seqB: number): boolean {
    const c = this.#compare(a, b);
    return c < 0 || (!(c > 0) && seqA < seqB);
  }
}
