// A binary min-heap ordered by a numeric key with FIFO tie-breaking, for the loop's timers.

/** What the heap stores: a deadline and a sequence number that makes equal deadlines FIFO. */
export interface HeapItem {
  _when: number;
  _seq: number;
}

function less(a: HeapItem, b: HeapItem): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/** A min-heap of timer handles; `peek()` is the earliest deadline. */
export class TimerHeap<T extends HeapItem> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
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

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  /** Keep only the items `keep` accepts, then restore the heap property in O(n). */
  filter(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items = kept;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(kept[i] as T, i);
  }

  clear(): T[] {
    const all = this.#items;
    this.#items = [];
    return all;
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
