// VirtualTimeLoop: an event loop whose clock jumps to the next timer instead of waiting for it.

import { BaseEventLoop } from "../loop.ts";
// The loop builds Tasks through the factory tasks.ts registers; a program that imports only
// asyncio-ts/testing must still be able to run coroutines.
import "../tasks.ts";

/**
 * An event loop on virtual time: whenever nothing is ready and no wrapped host promise is
 * outstanding, the clock jumps straight to the earliest timer. A program that sleeps 2 s and 1 s
 * concurrently finishes at exactly `loop.time() === 2`, in microseconds of real time. While a host
 * promise is outstanding (`wrap(promise)`), the clock stands still and the loop waits for it.
 *
 * @example
 * await asyncio.run(main(), { loopFactory: () => new VirtualTimeLoop() });
 * @see asyncio's test_utils.TestLoop, which advances time the same way
 */
export class VirtualTimeLoop extends BaseEventLoop {
  #now: number;

  /** @param start the clock's initial reading in seconds (0 by default). */
  constructor(start = 0) {
    super();
    this.#now = start;
  }

  override time(): number {
    return this.#now;
  }

  /**
   * Move the clock forward by `seconds` without running anything; timers that become due run on
   * the loop's next iteration.
   */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`advance() needs a non-negative number of seconds, got ${seconds}`);
    this.#now += seconds;
  }

  /** @internal */
  protected override _waitUntil(next: number): boolean {
    if (next === Number.POSITIVE_INFINITY || this._externalPending > 0) return false;
    if (next > this.#now) this.#now = next;
    return true;
  }
}
