// The loop's timers, earliest deadline first, FIFO among equal deadlines.
//
// Design note. A binary heap pops in O(log n), and with a million sleeping Tasks those 20 levels of
// cache misses were a tenth of a gather's time. But timers mostly arrive in deadline order (every
// `sleep(d)` of one delay is later than the one before), so the structure is a heap plus a "run":
// a FIFO of timers pushed in non-decreasing order, which costs O(1) to push and to pop. A timer
// earlier than the run's last goes into the heap instead, and the earliest is whichever of the
// run's head and the heap's top comes first. The (deadline, sequence) order is exactly the heap's.

import { Deque } from "./deque.ts";

/** What the heap stores: a deadline and a sequence number that makes equal deadlines FIFO. */
export interface HeapItem {
  _when: number;
  _seq: number;
}

function less(a: HeapItem, b: HeapItem): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/** The loop's timers; `peek()` is the earliest deadline. */
export class TimerHeap<T extends HeapItem> {
  #items: T[] = [];
  /** Timers pushed in order, earliest first. */
  #run = new Deque<T>();

  get size(): number {
    return this.#items.length + this.#run.length;
  }

  peek(): T | undefined {
    const top = this.#items[0];
    const head = this.#run.at(0);
    if (head === undefined) return top;
    return top === undefined || less(head, top) ? head : top;
  }

  push(item: T): void {
    const run = this.#run;
    const last = run.at(run.length - 1);
    if (last === undefined || !less(item, last)) run.push(item);
    else this.#heapPush(item);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    const head = this.#run.at(0);
    if (head !== undefined && (top === undefined || less(head, top))) return this.#run.shift();
    return this.#heapPop();
  }

  /** Keep only the items `keep` accepts. */
  filter(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items = kept;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(kept[i] as T, i);
    const run = new Deque<T>();
    for (const item of this.#run.toArray()) if (keep(item)) run.push(item);
    this.#run = run;
  }

  clear(): T[] {
    const all = this.#items.concat(this.#run.toArray());
    this.#items = [];
    this.#run = new Deque<T>();
    return all;
  }

  #heapPush(item: T): void {
    const a = this.#items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as T;
      if (!less(item, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  #heapPop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  #siftDown(item: T, start: number): void {
    const a = this.#items;
    const n = a.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && less(a[right] as T, a[child] as T)) child = right;
      const c = a[child] as T;
      if (!less(c, item)) break;
      a[i] = c;
      i = child;
    }
    a[i] = item;
  }
}
