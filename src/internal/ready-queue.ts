// The loop's FIFO ready queue: a growable ring buffer of (function, argument) pairs.
//
// A pair instead of a Handle means internal callbacks (task steps, done callbacks) allocate
// nothing per call. The buffer only grows, by doubling, and is replaced by a small one when it
// drains after a large burst, so a loop that once ran a million callbacks does not keep the memory.

const INITIAL_SLOTS = 1024;
const SHRINK_ABOVE_SLOTS = 1 << 16;

/** A callback and the single argument it is called with. */
export type Callback<A> = (arg: A) => void;

export class ReadyQueue {
  #slots: unknown[] = new Array(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #head = 0;
  #tail = 0;
  /** The callback `runOne` called last, to name it when it throws. */
  current: Callback<never> | null = null;

  /** How many callbacks are queued. */
  get length(): number {
    return ((this.#tail - this.#head) & this.#mask) >> 1;
  }

  push<A>(fn: Callback<A>, arg: A): void {
    const slots = this.#slots;
    const tail = this.#tail;
    slots[tail] = fn;
    slots[tail + 1] = arg;
    this.#tail = (tail + 2) & this.#mask;
    if (this.#tail === this.#head) this.#grow();
  }

  /**
   * Remove the oldest callback and call it. The queue may grow while it runs; it reads its state
   * afresh each time for that reason.
   */
  runOne(): void {
    const slots = this.#slots;
    const head = this.#head;
    const fn = slots[head] as Callback<unknown>;
    const arg = slots[head + 1];
    slots[head] = undefined;
    slots[head + 1] = undefined;
    this.#head = (head + 2) & this.#mask;
    this.current = fn;
    fn(arg);
  }

  /** Drop a drained large buffer, so a burst does not pin its memory. */
  compact(): void {
    if (this.#head === this.#tail && this.#slots.length > SHRINK_ABOVE_SLOTS) this.clear();
  }

  clear(): void {
    this.#slots = new Array(INITIAL_SLOTS);
    this.#mask = INITIAL_SLOTS - 1;
    this.#head = 0;
    this.#tail = 0;
  }

  #grow(): void {
    const old = this.#slots;
    const size = old.length;
    const bigger = new Array(size * 2);
    let j = 0;
    for (let i = this.#head; i < size; i++) bigger[j++] = old[i];
    for (let i = 0; i < this.#head; i++) bigger[j++] = old[i];
    this.#slots = bigger;
    this.#mask = size * 2 - 1;
    this.#head = 0;
    this.#tail = size;
  }
}
