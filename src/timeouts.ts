// timeout() and timeoutAt(): cancel a block that runs past its deadline (asyncio.timeouts).
//
// Design note. On expiry the Timeout cancels the task running the block, like any other
// cancellation, and remembers that it did. On exit it withdraws its request with `uncancel()`
// and turns the CancelledError into a TimeoutError only if no other request is left beyond those
// that were already pending when the block was entered. So a cancellation from outside is never
// swallowed, and of nested timeouts that expire together only the outermost raises TimeoutError.

import type { Coroutine } from "./coroutines.ts";
import { getRunningLoop, type EventLoop, type Handle } from "./events.ts";
import { CancelledError, RuntimeError, TimeoutError, ValueError } from "./exceptions.ts";
import { describe } from "./internal/format.ts";
import { currentTask, type Task } from "./tasks.ts";
import type { AsyncContextManager } from "./using.ts";

type State = "created" | "active" | "expiring" | "expired" | "finished";

function checkDeadline(value: unknown, what: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number of seconds or null (no deadline), got ${describe(value)}`);
  }
  if (Number.isNaN(value)) throw new ValueError(`${what} must be a number of seconds or null, got NaN`);
  return value;
}

/**
 * A deadline for a block of code, entered with `using`. Make one with `timeout(delay)` or
 * `timeoutAt(when)`. When the deadline passes, the task running the block is cancelled; the
 * CancelledError unwinds the block (its `finally` clauses run) and leaves `using` as a
 * `TimeoutError`, whose `cause` is that CancelledError. The deadline can be moved while the block
 * runs with `reschedule()`.
 *
 * @example
 * yield* asyncio.using(asyncio.timeout(10), function* (cm) {
 *   yield* longOperation();
 *   cm.reschedule(null); // from here on, no deadline
 * });
 * @see asyncio.Timeout
 */
export class Timeout implements AsyncContextManager<Timeout, false> {
  #state: State = "created";
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  #when: number | null;
  #cancelling = 0;

  /**
   * Make a Timeout that expires at loop time `when`, or never when `when` is null. A deadline in
   * the past expires on the loop's next iteration after the block is entered.
   *
   * @throws {TypeError} when `when` is neither a number nor null.
   * @throws {ValueError} when `when` is NaN.
   */
  constructor(when: number | null) {
    this.#when = checkDeadline(when, "Timeout() deadline");
  }

  /** The deadline in loop time (seconds), or null when there is none. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Move the deadline to loop time `when`, or remove it with `null`. A deadline already passed
   * expires on the next loop iteration.
   *
   * @throws {RuntimeError} when the Timeout has not been entered, or is expiring, expired or finished.
   * @throws {TypeError} when `when` is neither a number nor null.
   */
  reschedule(when: number | null): void {
    if (this.#state !== "active") {
      if (this.#state === "created") {
        throw new RuntimeError("Timeout has not been entered: reschedule it inside its using() block");
      }
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    this.#when = checkDeadline(when, "reschedule() deadline");
    if (this.#handle !== null) this.#handle.cancel();
    if (this.#when === null) {
      this.#handle = null;
    } else {
      const loop = (this.#task as Task<unknown>).getLoop();
      this.#handle =
        this.#when <= loop.time() ? loop.callSoon(this.#onTimeout) : loop.callAt(this.#when, this.#onTimeout);
    }
  }

  /** Whether the deadline passed while the block ran (the block was, or is being, cancelled). */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /** Describe the Timeout as asyncio's repr does: `<Timeout [active] when=12.5>`. */
  toString(): string {
    if (this.#state !== "active") return `<Timeout [${this.#state}]>`;
    const when = this.#when === null ? "null" : String(Math.round(this.#when * 1000) / 1000);
    return `<Timeout [active] when=${when}>`;
  }

  /**
   * Start the clock for the task running the block.
   *
   * @throws {RuntimeError} when the Timeout was entered before, or no task is running.
   */
  *aenter(): Coroutine<this> {
    if (this.#state !== "created") throw new RuntimeError("Timeout has already been entered: make a new one");
    const task = currentTask(getRunningLoop());
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this.#state = "active";
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
    return this;
  }

  /**
   * Stop the clock; if it ran out and the cancellation it caused is the only one, raise
   * TimeoutError in place of the CancelledError.
   *
   * @throws {TimeoutError} when the deadline passed and the block ended with its CancelledError.
   */
  *aexit(error?: unknown): Coroutine<false> {
    if (this.#state !== "active" && this.#state !== "expiring") {
      throw new RuntimeError(`aexit() on a ${this.#state} Timeout: enter it with using()`);
    }
    if (this.#handle !== null) {
      this.#handle.cancel();
      this.#handle = null;
    }
    if (this.#state === "expiring") {
      this.#state = "expired";
      // Only a cancellation we caused, with none from outside added since entry, becomes a timeout.
      if ((this.#task as Task<unknown>).uncancel() <= this.#cancelling && error instanceof CancelledError) {
        throw new TimeoutError("", { cause: error });
      }
    } else {
      this.#state = "finished";
    }
    return false;
  }

  #onTimeout = (): void => {
    (this.#task as Task<unknown>).cancel();
    this.#state = "expiring";
    this.#handle = null;
  };
}

/**
 * Bound the block run with `using` to `delay` seconds from now (`null` for no bound). On expiry
 * the block is cancelled and `using` raises `TimeoutError`; nested timeouts and cancellations
 * from outside behave exactly as in asyncio.
 *
 * @example
 * try {
 *   yield* asyncio.using(asyncio.timeout(2), function* () {
 *     yield* slowOperation();
 *   });
 * } catch (error) {
 *   if (!(error instanceof asyncio.TimeoutError)) throw error;
 *   console.log("gave up after 2 s");
 * }
 * @throws {RuntimeError} when no loop is running.
 * @throws {TypeError} when `delay` is neither a number nor null.
 * @see asyncio.timeout
 */
export function timeout(delay: number | null): Timeout {
  const loop: EventLoop = getRunningLoop();
  const seconds = checkDeadline(delay, "timeout() delay");
  return new Timeout(seconds === null ? null : loop.time() + seconds);
}

/**
 * Bound the block run with `using` to the loop time `when` (`null` for no bound): like
 * `timeout()`, with an absolute deadline on the clock of `loop.time()`.
 *
 * @example
 * const deadline = asyncio.getRunningLoop().time() + 10;
 * yield* asyncio.using(asyncio.timeoutAt(deadline), function* () { ... });
 * @throws {TypeError} when `when` is neither a number nor null.
 * @see asyncio.timeout_at
 */
export function timeoutAt(when: number | null): Timeout {
  return new Timeout(when);
}
