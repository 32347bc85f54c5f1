// AbortSignal both ways: a Task's signal aborted when it is cancelled, and signals that cancel.
//
// Design note. `task.signal` must cost nothing for the many Tasks that never read it, so Tasks hold
// no controller field: controllers live in a WeakMap created on the first read of any signal, and
// `Task.cancel()` looks there only once that map exists. A signal is aborted when cancellation is
// *requested* (not when the Task ends), because that is when the operations it governs should stop.
// When every request is withdrawn (`uncancel()` back to zero, as `timeout()` and TaskGroup do when
// they turn a cancellation into their own error), the Task gets a fresh signal on its next read:
// an aborted signal cannot be reset, and the Task goes on running.

import { _getEventLoop, type EventLoop } from "./events.ts";
import { CancelledError } from "./exceptions.ts";
import { CANCELLED, Future, PENDING } from "./futures.ts";
import { describe } from "./internal/format.ts";
import type { Task } from "./tasks.ts";

let controllers: WeakMap<Future<unknown>, AbortController> | null = null;

/** @internal The signal behind `task.signal`, made on first read; aborted already if the Task is being cancelled. */
export function _taskSignal(task: Task<unknown>): AbortSignal {
  controllers ??= new WeakMap();
  let controller = controllers.get(task);
  if (controller === undefined) {
    controller = new AbortController();
    if (task._numCancelsRequested > 0 || task._state === CANCELLED) {
      controller.abort(new CancelledError(task._cancelMessage));
    }
    controllers.set(task, controller);
  }
  return controller.signal;
}

/** @internal Abort the Task's signal, if anyone has read it, because its cancellation was requested. */
export function _abortTaskSignal(task: Task<unknown>, msg: string | undefined): void {
  if (controllers === null) return;
  const controller = controllers.get(task);
  if (controller !== undefined && !controller.signal.aborted) controller.abort(new CancelledError(msg));
}

/** @internal Every cancellation request was withdrawn: the next read of `task.signal` gets a fresh one. */
export function _renewTaskSignal(task: Task<unknown>): void {
  if (controllers === null) return;
  if (controllers.get(task)?.signal.aborted === true) controllers.delete(task);
}

function checkSignal(signal: unknown, caller: string): asserts signal is AbortSignal {
  if (
    typeof signal !== "object" ||
    signal === null ||
    typeof (signal as { aborted?: unknown }).aborted !== "boolean" ||
    typeof (signal as { addEventListener?: unknown }).addEventListener !== "function"
  ) {
    throw new TypeError(`${caller} expects an AbortSignal, got ${describe(signal)}`);
  }
}

/** The cancel message for an abort, as gather's `signal` option words it: the reason's message, or the reason itself. */
function abortMessage(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * @internal Cancel `future` when `signal` aborts (at once if it has), and stop listening once the
 * Future is done so that a long-lived signal does not keep finished Tasks reachable.
 */
export function _cancelOnAbort(future: Future<unknown>, signal: unknown): void {
  checkSignal(signal, "the signal option");
  if (signal.aborted) {
    future.cancel(abortMessage(signal.reason));
    return;
  }
  const onAbort = (): void => {
    future.cancel(abortMessage(signal.reason));
  };
  signal.addEventListener("abort", onAbort, { once: true });
  future._addCallback(() => signal.removeEventListener("abort", onAbort));
}

/**
 * Return a Future that becomes done, with the signal's reason as its result, when `signal` is
 * aborted (at once if it already is). Cancelling the Future stops listening to the signal.
 *
 * Await it to wait for an abort, or race it against other work with `wait(..., FIRST_COMPLETED)`.
 * To cancel a Task when a signal aborts, pass the signal to `createTask` instead.
 *
 * @example
 * const reason = yield* asyncio.fromSignal(AbortSignal.timeout(1000));
 * @throws {TypeError} when `signal` is not an AbortSignal.
 * @see events.once(signal, "abort") in Node, which resolves the same way
 */
export function fromSignal(signal: AbortSignal, loop?: EventLoop): Future<unknown> {
  checkSignal(signal, "fromSignal()");
  const future = new Future<unknown>(loop ?? _getEventLoop());
  if (signal.aborted) {
    future._resolve(signal.reason);
    return future;
  }
  const onAbort = (): void => {
    if (future._state === PENDING) future._resolve(signal.reason);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  future._addCallback(() => signal.removeEventListener("abort", onAbort));
  return future;
}
