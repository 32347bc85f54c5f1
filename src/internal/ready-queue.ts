// The loop's FIFO ready queue: a growable ring buffer of (function, argument) pairs.
//
// A pair instead of a Handle means internal callbacks (task steps, done callbacks) allocate
// nothing per call. The buffer grows by doubling and never shrinks while its loop lives: fresh
// large arrays are expensive (the kernel must fault in new pages, which on virtual machines that
// hand freed memory back to the host costs more than the work itself). For the same reason a
// closed loop hands its buffer, emptied, to the next loop through a one-buffer pool.

const INITIAL_SLOTS = 1024;
/** The largest buffer kept for reuse after its loop closed (32 MiB of slots). */
const MAX_POOLED_SLOTS = 1 << 22;

/** A callback and the single argument it is called with. */
export type Callback<A> = (arg: A) => void;

let spare: unknown[] | null = null;

function take(atLeast: number): unknown[] {
  if (spare !== null && spare.length >= atLeast) {
    const buffer = spare;
    spare = null;
    return buffer;
  }
  return new Array(atLeast);
}

export class ReadyQueue {
  #slots: unknown[] = take(INITIAL_SLOTS);
  #mask = this.#slots.length - 1;
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

  /** The callback `runOne` will call next (debug mode names a slow callback with it). */
  peekCallback(): unknown {
    return this.#slots[this.#head];
  }

  /** The argument `runOne` will pass next. */
  peekArgument(): unknown {
    return this.#slots[this.#head + 1];
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

  /** Drop every queued callback and give the buffer to the pool for the next loop. */
  release(): void {
    const slots = this.#slots;
    if (this.#head !== this.#tail) slots.fill(undefined);
    if (
      slots.length > INITIAL_SLOTS &&
      slots.length <= MAX_POOLED_SLOTS &&
      (spare === null || spare.length < slots.length)
    ) {
      spare = slots;
    }
    this.#slots = new Array(INITIAL_SLOTS);
    this.#mask = INITIAL_SLOTS - 1;
    this.#head = 0;
    this.#tail = 0;
    this.current = null;
  }

  #grow(): void {
    const old = this.#slots;
    const size = old.length;
    const bigger = take(size * 2);
    let j = 0;
    for (let i = this.#head; i < size; i++) bigger[j++] = old[i];
    for (let i = 0; i < this.#head; i++) bigger[j++] = old[i];
    old.fill(undefined);
    if (spare === null || spare.length < size) spare = old;
    this.#slots = bigger;
    this.#mask = bigger.length - 1;
    this.#head = 0;
    this.#tail = size;
  }
}
