// A double-ended queue on a growable ring buffer, for the waiters of locks and the items of queues.

/**
 * A FIFO/LIFO queue with O(1) push and pop at both ends and an O(n) `remove` of an arbitrary item,
 * the operations of Python's `collections.deque` that asyncio's primitives use. `Array#shift` is
 * O(n) once an array is large, which a queue of a million items would pay on every get.
 */
export class Deque<T> {
  #buffer: (T | undefined)[] = [];
  /** Capacity is always a power of two (or 0), so indices wrap with a mask. */
  #mask = -1;
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The item at `index` from the front (0 is the front), or undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#buffer[(this.#head + index) & this.#mask];
  }

  /** Append `item` at the back. */
  push(item: T): void {
    if (this.#length === this.#buffer.length) this.#grow();
    this.#buffer[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Remove and return the front item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const buffer = this.#buffer;
    const item = buffer[this.#head];
    buffer[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Remove and return the back item, or undefined when empty. */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    this.#length--;
    const index = (this.#head + this.#length) & this.#mask;
    const item = this.#buffer[index];
    this.#buffer[index] = undefined;
    return item;
  }

  /**
   * Remove `item` (its first occurrence from whichever end it is nearer); return whether it was
   * there. The cost is the distance to the nearer end, so removing the front item (a woken waiter)
   * or the back item (waiters cancelled newest first, as at shutdown) is O(1).
   */
  remove(item: T): boolean {
    const n = this.#length;
    const buffer = this.#buffer;
    const mask = this.#mask;
    const head = this.#head;
    for (let front = 0, back = n - 1; front <= back; front++, back--) {
      if (buffer[(head + front) & mask] === item) {
        // Close the gap from the front: shift the items before it one slot back.
        for (let j = front; j > 0; j--) buffer[(head + j) & mask] = buffer[(head + j - 1) & mask];
        buffer[head] = undefined;
        this.#head = (head + 1) & mask;
        this.#length--;
        return true;
      }
      if (buffer[(head + back) & mask] === item) {
        // Close the gap from the back: shift the items after it one slot forward.
        for (let j = back; j < n - 1; j++) buffer[(head + j) & mask] = buffer[(head + j + 1) & mask];
        buffer[(head + n - 1) & mask] = undefined;
        this.#length--;
        return true;
      }
    }
    return false;
  }

  /** The items from front to back, as a new array. */
  toArray(): T[] {
    const out = new Array<T>(this.#length);
    for (let i = 0; i < this.#length; i++) out[i] = this.#buffer[(this.#head + i) & this.#mask] as T;
    return out;
  }

  #grow(): void {
    const old = this.#buffer;
    const capacity = old.length === 0 ? 8 : old.length * 2;
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#buffer = next;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
