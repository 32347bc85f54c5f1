// sleep(): suspend the current Task for a while, with two small objects and no closure.
//
// Design note. sleep() is asyncio's hottest coroutine, so it is not a generator: a generator, a
// Future, the Future's iterator, a TimerHandle and its argument array cost five objects per
// sleeping task. Here the coroutine is a small hand-written iterator, and the Future it waits on is
// its own timer in the loop's heap. Both keep the semantics of `async def sleep`: nothing happens
// until a Task runs the first step, a cancelled sleep removes its timer, and `sleep(0)` is one bare
// `yield`, giving up exactly one loop iteration.

import type { Coroutine, Suspension } from "./coroutines.ts";
import { getRunningLoop, type LoopInternals, type Timer } from "./events.ts";
import { RuntimeError, ValueError } from "./exceptions.ts";
import { FLAG_BLOCKING, Future, PENDING } from "./futures.ts";
import { describe } from "./internal/format.ts";

/** The Future a sleep waits on, which is also the timer that finishes it. */
class SleepTimer<T> extends Future<T> implements Timer {
  /** @internal */ _when: number;
  /** @internal */ _seq = 0;
  /** @internal */ _scheduled = false;
  /** @internal */ _cancelled = false;

  constructor(loop: LoopInternals, when: number, value: T) {
    super(loop);
    this._when = when;
    // A pending Future's result slot is unused: it holds the value to finish with.
    this._value = value;
  }

  /** @internal The deadline passed. */
  _run(): void {
    if (this._state === PENDING) this._resolve(this._value as T);
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    this._cancelled = true;
    this._loop._timerHandleCancelled(this);
    return true;
  }
}

const STARTING = 0;
const SLEEPING = 1;
const FINISHED = 2;

/** The coroutine `sleep()` returns: its first step arms the timer, its second returns the value. */
class SleepCoroutine<T> implements Coroutine<T> {
  #delay: number;
  #value: T;
  #timer: SleepTimer<T> | null = null;
  #state = STARTING;

  constructor(delay: number, value: T) {
    this.#delay = delay;
    this.#value = value;
  }

  next(): IteratorResult<Suspension, T> {
    if (this.#state === STARTING) {
      this.#state = SLEEPING;
      // sleep(0) (and a negative delay) is a bare yield: one loop iteration.
      if (this.#delay <= 0) return { done: false, value: undefined };
      const loop = getRunningLoop() as LoopInternals;
      const timer = new SleepTimer(loop, loop.time() + this.#delay, this.#value);
      loop._addTimer(timer);
      this.#timer = timer;
      timer._flags |= FLAG_BLOCKING;
      return { done: false, value: timer };
    }
    if (this.#state === SLEEPING) {
      this.#state = FINISHED;
      const timer = this.#timer;
      if (timer === null) return { done: true, value: this.#value };
      this.#timer = null;
      if (timer._state === PENDING) {
        timer.cancel();
        throw new RuntimeError("sleep() was resumed before its time: await it with yield*, inside a Task");
      }
      return { done: true, value: timer.result() };
    }
    return { done: true, value: undefined as T };
  }

  throw(error: unknown): IteratorResult<Suspension, T> {
    SleepCoroutine.#finish(this);
    throw error;
  }

  return(value: T): IteratorResult<Suspension, T> {
    SleepCoroutine.#finish(this);
    return { done: true, value };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Generator";
  }

  /**
   * The coroutine ends early (cancelled or closed): its timer must not stay in the heap. Static, as
   * an instance private method would give every sleep a hidden brand field.
   */
  static #finish(coro: SleepCoroutine<unknown>): void {
    coro.#state = FINISHED;
    const timer = coro.#timer;
    coro.#timer = null;
    if (timer !== null && timer._state === PENDING) timer.cancel();
  }
}

/**
 * Suspend the current Task for `delay` seconds, then return `result`. `sleep(0)` gives up exactly
 * one loop iteration, letting every other ready Task run. Any number of sleeping Tasks share one
 * host timer.
 *
 * @example
 * yield* asyncio.sleep(0.5);
 * const x = yield* asyncio.sleep(1, "late"); // "late"
 * @throws {TypeError} when `delay` is not a number.
 * @throws {ValueError} when `delay` is NaN.
 * @see asyncio.sleep
 */
export function sleep(delay: number): Coroutine<void>;
export function sleep<T>(delay: number, result: T): Coroutine<T>;
export function sleep<T>(delay: number, result?: T): Coroutine<T | undefined> {
  if (typeof delay !== "number")
    throw new TypeError(`sleep() delay must be a number of seconds, got ${describe(delay)}`);
  if (Number.isNaN(delay)) throw new ValueError("Invalid delay: NaN");
  return new SleepCoroutine(delay, result);
}
