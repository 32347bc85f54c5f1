// Synchronization primitives for coroutines: Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier.
//
// Design note. Every waiter is a Future of the loop the primitive is bound to, queued in FIFO
// order; waking one means setting its result, and the woken Task runs on a later iteration. Two
// invariants carry the whole module, as in asyncio's locks.py:
// - a waiter stays in its queue until its own Task resumes and removes it, so a waiter that was
//   woken (its Future done) but not yet resumed still counts, and a second release does not wake
//   another task in its place;
// - a Task cancelled at the moment it is woken must pass the wakeup on (Lock, Semaphore, Condition
//   each do so in their `catch`), or the wakeup is lost and every later waiter deadlocks.

import type { Coroutine } from "./coroutines.ts";
import { BrokenBarrierError, CancelledError, RuntimeError, ValueError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { Deque } from "./internal/deque.ts";
import { describe } from "./internal/format.ts";
import { LoopBoundMixin } from "./mixins.ts";
import type { AsyncContextManager } from "./using.ts";

function rejectArguments(name: string, count: number): void {
  // Python's primitives lost their `loop` argument in 3.10; a port passing one gets told why.
  if (count > 0) {
    throw new TypeError(`${name}() takes no arguments: it binds to the running loop the first time it waits`);
  }
}

function waitersInfo(waiters: Deque<unknown> | null): string {
  return waiters !== null && waiters.length > 0 ? `, waiters:${waiters.length}` : "";
}

/**
 * A mutual-exclusion lock for coroutines. It is not owned by a Task: any coroutine may release it.
 * Waiters acquire it in the order they asked (FIFO), and a waiter cancelled at the very moment it
 * is woken hands the lock on to the next one.
 *
 * Use it as `async with lock:` is used in Python, through `asyncio.using`:
 *
 * @example
 * const lock = new asyncio.Lock();
 * yield* asyncio.using(lock, function* () {
 *   // only one task at a time runs here
 *   yield* asyncio.sleep(0.1);
 * });
 * @see asyncio.Lock
 */
export class Lock extends LoopBoundMixin implements AsyncContextManager<undefined, void> {
  #waiters: Deque<Future<boolean>> | null = null;
  #locked = false;

  /** @throws {TypeError} when given any argument (such as a loop, which Python dropped in 3.10). */
  constructor() {
    super();
    // biome-ignore lint/complexity/noArguments: a rest parameter would put a bogus argument in the signature.
    rejectArguments("Lock", arguments.length);
  }

  /** Whether the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Wait until the lock is free, take it, and return `true`. A free lock with no live waiters is
   * taken at once, without suspending.
   *
   * @throws {CancelledError} when the waiting Task is cancelled; the lock is then not held.
   * @throws {RuntimeError} when the lock is bound to another loop.
   */
  *acquire(): Coroutine<true> {
    // Fairness: a free lock still goes to the queue's head first, unless every waiter was cancelled.
    if (!this.#locked && (this.#waiters === null || allCancelled(this.#waiters))) {
      this.#locked = true;
      return true;
    }
    const fut = this._getLoop().createFuture<boolean>();
    try {
      yield* waitInQueue((this.#waiters ??= new Deque()), fut);
    } catch (error) {
      // Woken and cancelled at once, or cancelled while the lock is free: the lock invariant
      // (a free lock with waiters has its head waiter woken) must hold before we leave.
      if (error instanceof CancelledError && !this.#locked) this.#wakeUpFirst();
      throw error;
    }
    this.#locked = true;
    return true;
  }

  /**
   * Release the lock and wake the first waiter, if any.
   *
   * @throws {RuntimeError} when the lock is not held.
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired: release() only a lock you acquired");
    this.#locked = false;
    this.#wakeUpFirst();
  }

  /** Acquire the lock; `using(lock, body)` calls it. */
  *aenter(): Coroutine<undefined> {
    yield* this.acquire();
    return undefined;
  }

  /** Release the lock; `using(lock, body)` calls it, and never suppresses the body's error. */
  *aexit(): Coroutine<void> {
    this.release();
  }

  /** Describe the lock as asyncio's repr does: `<Lock [locked, waiters:2]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${this.#locked ? "locked" : "unlocked"}${waitersInfo(this.#waiters)}]>`;
  }

  #wakeUpFirst(): void {
    const first = this.#waiters?.at(0);
    // A done head waiter is already set to wake up.
    if (first !== undefined && !first.done()) first.setResult(true);
  }
}

/** Queue `fut` among `waiters`, wait until it is done, and leave the queue however the wait ends. */
function* waitInQueue(waiters: Deque<Future<boolean>>, fut: Future<boolean>): Coroutine<void> {
  waiters.push(fut);
  try {
    yield* fut;
  } finally {
    waiters.remove(fut);
  }
}

function allCancelled(waiters: Deque<Future<unknown>>): boolean {
  for (let i = 0; i < waiters.length; i++) if (!(waiters.at(i) as Future<unknown>).cancelled()) return false;
  return true;
}

/**
 * A flag that tasks wait on: `wait()` suspends until another task calls `set()`. Every waiter
 * wakes when it is set, and `wait()` returns at once while it stays set.
 *
 * @example
 * const ready = new asyncio.Event();
 * asyncio.createTask((function* () { yield* asyncio.sleep(1); ready.set(); })());
 * yield* ready.wait(); // one second later
 * @see asyncio.Event
 */
export class Event extends LoopBoundMixin {
  #waiters = new Deque<Future<boolean>>();
  #value = false;

  /** @throws {TypeError} when given any argument (such as a loop, which Python dropped in 3.10). */
  constructor() {
    super();
    // biome-ignore lint/complexity/noArguments: a rest parameter would put a bogus argument in the signature.
    rejectArguments("Event", arguments.length);
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#value;
  }

  /** Set the flag and wake every waiting task; later `wait()` calls return at once. */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    const waiters = this.#waiters;
    for (let i = 0; i < waiters.length; i++) {
      const fut = waiters.at(i) as Future<boolean>;
      if (!fut.done()) fut.setResult(true);
    }
  }

  /** Clear the flag, so that `wait()` suspends again until the next `set()`. */
  clear(): void {
    this.#value = false;
  }

  /**
   * Wait until the flag is set and return `true`; return at once when it is set already.
   *
   * @throws {CancelledError} when the waiting Task is cancelled.
   * @throws {RuntimeError} when the event is bound to another loop.
   */
  *wait(): Coroutine<true> {
    if (this.#value) return true;
    yield* waitInQueue(this.#waiters, this._getLoop().createFuture<boolean>());
    return true;
  }

  /** Describe the event as asyncio's repr does: `<Event [unset, waiters:1]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${this.#value ? "set" : "unset"}${waitersInfo(this.#waiters)}]>`;
  }
}

/**
 * A condition variable: tasks holding its lock `wait()` until another task holding it calls
 * `notify()`. A woken task re-acquires the lock before `wait()` returns — even when it is
 * cancelled meanwhile, so the code after `wait()` (or the `finally` around it) always runs with
 * the lock held. Give it a `Lock` to share one lock among several conditions.
 *
 * @example
 * const cond = new asyncio.Condition();
 * yield* asyncio.using(cond, function* () {
 *   yield* cond.waitFor(() => items.length > 0);
 *   return items.shift();
 * });
 * @see asyncio.Condition
 */
export class Condition extends LoopBoundMixin implements AsyncContextManager<undefined, void> {
  #lock: Lock;
  #waiters = new Deque<Future<boolean>>();

  /**
   * @param lock the lock to use; a new `Lock` when omitted.
   * @throws {TypeError} when `lock` is not a `Lock`.
   */
  constructor(lock?: Lock) {
    super();
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`Condition() expects a Lock or nothing, got ${describe(lock)}`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Acquire the underlying lock (see `Lock.acquire`). */
  acquire(): Coroutine<true> {
    return this.#lock.acquire();
  }

  /**
   * Release the underlying lock.
   *
   * @throws {RuntimeError} when it is not held.
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Release the lock, wait until notified, re-acquire the lock and return `true`. It may return
   * without a matching notify (a spurious wakeup), so re-check the state afterwards, or use
   * `waitFor`.
   *
   * @throws {RuntimeError} when the lock is not held, or the condition is bound to another loop.
   * @throws {CancelledError} when the Task is cancelled; the lock is held again even then.
   */
  *wait(): Coroutine<true> {
    if (!this.locked()) throw new RuntimeError("cannot wait on un-acquired lock: acquire the condition first");
    const fut = this._getLoop().createFuture<boolean>();
    this.release();
    try {
      try {
        yield* waitInQueue(this.#waiters, fut);
        return true;
      } finally {
        yield* this.#reacquire();
      }
    } catch (error) {
      // Whatever ends the wait may come after this Task was notified: pass the notification on.
      // This can wake another task spuriously, which the condition-variable contract allows.
      this.#notify(1);
      throw error;
    }
  }

  /**
   * Wait until `predicate()` is truthy and return its value, calling `wait()` as often as needed.
   * Returns at once, without needing the lock, when the predicate holds already.
   *
   * @throws {RuntimeError} when it has to wait and the lock is not held.
   */
  *waitFor<T>(predicate: () => T): Coroutine<T> {
    let result = predicate();
    while (!result) {
      yield* this.wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wake up to `n` waiting tasks (1 by default). They return from `wait()` only once they get
   * the lock back, so release it after notifying.
   *
   * @throws {RuntimeError} when the lock is not held.
   */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock: acquire the condition first");
    this.#notify(n);
  }

  /**
   * Wake every waiting task.
   *
   * @throws {RuntimeError} when the lock is not held.
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  /** Acquire the underlying lock; `using(cond, body)` calls it. */
  *aenter(): Coroutine<undefined> {
    yield* this.acquire();
    return undefined;
  }

  /** Release the underlying lock; `using(cond, body)` calls it, never suppressing the body's error. */
  *aexit(): Coroutine<void> {
    this.release();
  }

  /** Describe the condition as asyncio's repr does: `<Condition [locked, waiters:1]>`. */
  override toString(): string {
    return `<${this.constructor.name} [${this.locked() ? "locked" : "unlocked"}${waitersInfo(this.#waiters)}]>`;
  }

  /**
   * Re-acquire the lock even when cancelled, retrying through further cancellations and then
   * raising the last one; only CancelledError is retried, so that a real failure cannot spin.
   * A CancelledError raised here replaces the one the wait ended with, as in asyncio.
   */
  *#reacquire(): Coroutine<void> {
    let cancelled: CancelledError | null = null;
    for (;;) {
      try {
        yield* this.acquire();
        break;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        cancelled = error;
      }
    }
    if (cancelled !== null) throw cancelled;
  }

  #notify(n: number): void {
    const waiters = this.#waiters;
    let woken = 0;
    for (let i = 0; i < waiters.length && woken < n; i++) {
      const fut = waiters.at(i) as Future<boolean>;
      if (!fut.done()) {
        woken++;
        fut.setResult(false);
      }
    }
  }
}

let semaphoreValue: (semaphore: Semaphore) => number;

/**
 * A counter of free slots: `acquire()` takes one, waiting while none is free, and `release()`
 * gives one back. Waiters get slots in FIFO order: while anyone waits, a newcomer waits too, even
 * if a slot is free at that instant.
 *
 * @example
 * const slots = new asyncio.Semaphore(3);
 * yield* asyncio.using(slots, function* () {
 *   yield* download(url); // at most three at a time
 * });
 * @see asyncio.Semaphore
 */
export class Semaphore extends LoopBoundMixin implements AsyncContextManager<undefined, void> {
  #waiters: Deque<Future<boolean>> | null = null;
  #value: number;

  static {
    semaphoreValue = (semaphore) => semaphore.#value;
  }

  /**
   * @param value the number of free slots to start with (1 by default).
   * @throws {TypeError} when `value` is not a number.
   * @throws {ValueError} when it is negative or not an integer.
   */
  constructor(value = 1) {
    super();
    if (typeof value !== "number") {
      throw new TypeError(`${new.target.name}() expects a number of slots, got ${describe(value)}`);
    }
    if (!Number.isInteger(value) || value < 0) {
      throw new ValueError(`${new.target.name} initial value must be an integer >= 0, got ${value}`);
    }
    this.#value = value;
  }

  /** Whether `acquire()` would wait: no slot is free, or other tasks are queued ahead. */
  locked(): boolean {
    return this.#value === 0 || (this.#waiters !== null && !allCancelled(this.#waiters));
  }

  /**
   * Take a slot, waiting for one if none is free or others are queued first; return `true`.
   *
   * @throws {CancelledError} when the waiting Task is cancelled; no slot is then held.
   * @throws {RuntimeError} when the semaphore is bound to another loop.
   */
  *acquire(): Coroutine<true> {
    if (!this.locked()) {
      this.#value--;
      return true;
    }
    const fut = this._getLoop().createFuture<boolean>();
    try {
      yield* waitInQueue((this.#waiters ??= new Deque()), fut);
    } catch (error) {
      // Woken (a slot was set aside for us) and cancelled at once: give the slot back.
      if (error instanceof CancelledError && fut.done() && !fut.cancelled()) this.#value++;
      throw error;
    } finally {
      // Newcomers may have queued behind us under the FIFO rule: wake as many as there are slots.
      while (this.#value > 0) {
        if (!this.#wakeUpNext()) break;
      }
    }
    return true;
  }

  /** Give a slot back and wake the first waiter, if any. */
  release(): void {
    this.#value++;
    this.#wakeUpNext();
  }

  /** Acquire a slot; `using(semaphore, body)` calls it. */
  *aenter(): Coroutine<undefined> {
    yield* this.acquire();
    return undefined;
  }

  /** Release the slot; `using(semaphore, body)` calls it, never suppressing the body's error. */
  *aexit(): Coroutine<void> {
    this.release();
  }

  /**
   * Describe the semaphore: `<Semaphore [locked, value:0, waiters:2]>`. Unlike asyncio's repr,
   * the value is shown when locked too (it can be above 0 while FIFO makes newcomers wait).
   */
  override toString(): string {
    const state = this.locked() ? "locked" : "unlocked";
    return `<${this.constructor.name} [${state}, value:${this.#value}${waitersInfo(this.#waiters)}]>`;
  }

  /** Wake the first waiter that is not done, setting its slot aside; return whether there was one. */
  #wakeUpNext(): boolean {
    const waiters = this.#waiters;
    if (waiters === null) return false;
    for (let i = 0; i < waiters.length; i++) {
      const fut = waiters.at(i) as Future<boolean>;
      if (!fut.done()) {
        this.#value--;
        fut.setResult(true);
        return true;
      }
    }
    return false;
  }
}

/**
 * A Semaphore that refuses to be released more often than it was acquired: a release that would
 * raise the count above its initial value is a bug, reported as a `ValueError`.
 *
 * @example
 * const pool = new asyncio.BoundedSemaphore(2);
 * pool.release(); // ValueError: nothing was acquired
 * @see asyncio.BoundedSemaphore
 */
export class BoundedSemaphore extends Semaphore {
  #bound: number;

  /**
   * @param value the number of slots, which is also the most the count may reach (1 by default).
   * @throws {TypeError} when `value` is not a number.
   * @throws {ValueError} when it is negative or not an integer.
   */
  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /**
   * Give a slot back.
   *
   * @throws {ValueError} when every slot is free already (released more often than acquired).
   */
  override release(): void {
    if (semaphoreValue(this) >= this.#bound) {
      throw new ValueError("BoundedSemaphore released too many times: release() once per acquire()");
    }
    super.release();
  }
}

type BarrierState = "filling" | "draining" | "resetting" | "broken";

/**
 * A meeting point for a fixed number of tasks: each calls `wait()`, and all are released together
 * once `parties` of them are waiting. `wait()` returns each task a distinct index from 0 to
 * `parties - 1`. `abort()` breaks the barrier (every waiter, present and future, gets a
 * `BrokenBarrierError`); `reset()` sends the current waiters a `BrokenBarrierError` and makes the
 * barrier usable again.
 *
 * @example
 * const barrier = new asyncio.Barrier(3);
 * // in each of three tasks:
 * const index = yield* barrier.wait();
 * @see asyncio.Barrier
 */
export class Barrier implements AsyncContextManager<number, void> {
  #cond = new Condition();
  #parties: number;
  #state: BarrierState = "filling";
  /** Tasks inside `wait()`: filling it, or not yet gone after it tripped. */
  #count = 0;

  /**
   * @param parties how many tasks must wait before all are released.
   * @throws {TypeError} when `parties` is not a number.
   * @throws {ValueError} when it is not a positive integer.
   */
  constructor(parties: number) {
    if (typeof parties !== "number")
      throw new TypeError(`Barrier() expects a number of parties, got ${describe(parties)}`);
    if (!Number.isInteger(parties) || parties < 1) {
      throw new ValueError(`Barrier parties must be an integer > 0, got ${parties}`);
    }
    this.#parties = parties;
  }

  /** How many tasks must wait to trip the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks are waiting at the barrier while it fills (0 while it drains or resets). */
  get nWaiting(): number {
    return this.#state === "filling" ? this.#count : 0;
  }

  /** Whether `abort()` broke the barrier. */
  get broken(): boolean {
    return this.#state === "broken";
  }

  /**
   * Wait until `parties` tasks are waiting, then return this task's index (0 to `parties - 1`).
   * A task arriving while the previous group is still leaving waits for it to be gone.
   *
   * @throws {BrokenBarrierError} when the barrier is aborted, or reset while this task waits.
   * @throws {CancelledError} when the Task is cancelled; it leaves the barrier, which stays usable.
   */
  *wait(): Coroutine<number> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      yield* this.#block();
      try {
        const index = this.#count++;
        if (index + 1 === this.#parties) this.#release();
        else yield* this.#wait();
        return index;
      } finally {
        this.#count--;
        this.#exit();
      }
    } finally {
      cond.release();
    }
  }

  /** Send every waiting task a `BrokenBarrierError` and make the barrier fill again from zero. */
  *reset(): Coroutine<void> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      // With tasks still inside, they must leave first; the last one out sets it filling again.
      if (this.#count > 0) this.#state = "resetting";
      else this.#state = "filling";
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }

  /** Break the barrier: every waiting task, and every later `wait()`, gets a `BrokenBarrierError`. */
  *abort(): Coroutine<void> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      this.#state = "broken";
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }

  /** Wait at the barrier; `using(barrier, function* (index) { ... })` calls it. */
  *aenter(): Coroutine<number> {
    return yield* this.wait();
  }

  /** Do nothing: leaving a `using` block does not touch the barrier. */
  *aexit(): Coroutine<void> {}

  /** Describe the barrier as asyncio's repr does: `<Barrier [filling, waiters:2/5]>`. */
  toString(): string {
    const extra = this.broken ? "" : `, waiters:${this.nWaiting}/${this.#parties}`;
    return `<${this.constructor.name} [${this.#state}${extra}]>`;
  }

  /** Wait while the previous group drains or a reset completes; fail when broken. */
  *#block(): Coroutine<void> {
    yield* this.#cond.waitFor(() => this.#state !== "draining" && this.#state !== "resetting");
    if (this.#state === "broken") throw new BrokenBarrierError("Barrier aborted");
  }

  /** Trip the barrier: the waiters may leave, and newcomers wait until they are gone. */
  #release(): void {
    this.#state = "draining";
    this.#cond.notifyAll();
  }

  /** Wait until the barrier trips; fail when it is reset or broken meanwhile. */
  *#wait(): Coroutine<void> {
    yield* this.#cond.waitFor(() => this.#state !== "filling");
    if (this.#state === "broken" || this.#state === "resetting") {
      throw new BrokenBarrierError("Abort or reset of barrier");
    }
  }

  /** The last task out ends a drain or a reset, and lets blocked newcomers in. */
  #exit(): void {
    if (this.#count === 0) {
      if (this.#state === "resetting" || this.#state === "draining") this.#state = "filling";
      this.#cond.notifyAll();
    }
  }
}
