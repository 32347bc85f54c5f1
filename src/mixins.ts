// LoopBoundMixin: a primitive binds to the loop it is first used on and refuses any other.

import { getRunningLoop, type EventLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";

/**
 * The base of the synchronization primitives and queues. They take no loop argument: each binds
 * to the running loop the first time it has to wait (the first contended `acquire()`, the first
 * `wait()` or blocking `get()`), and from then on refuses to wait on any other loop, because its
 * waiters are Futures of the first loop that another loop could never wake.
 *
 * @see asyncio.mixins._LoopBoundMixin
 */
export class LoopBoundMixin {
  #loop: EventLoop | null = null;

  /**
   * Return the running loop, binding this object to it on first use.
   *
   * @throws {RuntimeError} when no loop is running, or when this object is bound to another loop
   *   (make one per loop, for instance inside the coroutine that `asyncio.run()` starts).
   */
  protected _getLoop(): EventLoop {
    const loop = getRunningLoop();
    if (this.#loop === null) this.#loop = loop;
    if (loop !== this.#loop) {
      throw new RuntimeError(
        `${this} is bound to a different event loop: create it inside the loop that uses it, one per loop`,
      );
    }
    return loop;
  }
}
