// once(): wait in a coroutine for a Node EventEmitter or an EventTarget to emit an event.

import { _getEventLoop } from "./events.ts";
import { Future, PENDING } from "./futures.ts";
import { describe } from "./internal/format.ts";

/** The part of Node's `EventEmitter` that `once` uses. */
export interface EventEmitterLike {
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

/** The part of the DOM's `EventTarget` (an `AbortSignal`, a `MessagePort`, a `WebSocket`) that `once` uses. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: unknown) => void, options?: { once?: boolean }): unknown;
  removeEventListener(type: string, listener: (event: unknown) => void): unknown;
}

function isEmitter(value: unknown): value is EventEmitterLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { on?: unknown }).on === "function" &&
    typeof (value as { removeListener?: unknown }).removeListener === "function"
  );
}

function isEventTarget(value: unknown): value is EventTargetLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { addEventListener?: unknown }).addEventListener === "function" &&
    typeof (value as { removeEventListener?: unknown }).removeEventListener === "function"
  );
}

/**
 * Return a Future that becomes done when `emitter` next emits `event`, with the event's arguments
 * as an array (an EventTarget gives `[event]`). An `'error'` event emitted first fails the Future
 * with that error (unless `'error'` is the event waited for). Cancelling the Future — or the Task
 * awaiting it — removes the listeners.
 *
 * @example
 * const server = http.createServer(handler).listen(0, "127.0.0.1");
 * yield* asyncio.once(server, "listening");
 * const [code] = yield* asyncio.once<[number]>(child, "exit");
 * @throws {TypeError} when `emitter` is neither an EventEmitter nor an EventTarget.
 * @see events.once in Node, which this mirrors with asyncio cancellation
 */
export function once<A extends unknown[] = unknown[]>(
  emitter: EventEmitterLike | EventTargetLike,
  event: string | symbol,
): Future<A> {
  if (isEmitter(emitter)) return onceEmitter<A>(emitter, event);
  if (isEventTarget(emitter)) {
    if (typeof event !== "string") {
      throw new TypeError(`once() on an EventTarget needs a string event type, got ${describe(event)}`);
    }
    return onceTarget<A>(emitter, event);
  }
  throw new TypeError(`once() expects an EventEmitter or an EventTarget, got ${describe(emitter)}`);
}

function onceEmitter<A extends unknown[]>(emitter: EventEmitterLike, event: string | symbol): Future<A> {
  const future = new Future<A>(_getEventLoop());
  const watchErrors = event !== "error";
  // Listeners go as soon as the event fires; a done callback removes them after a cancellation.
  const cleanup = (): void => {
    emitter.removeListener(event, onEvent);
    if (watchErrors) emitter.removeListener("error", onError);
  };
  const onEvent = (...args: unknown[]): void => {
    cleanup();
    if (future._state === PENDING) future._resolve(args as A);
  };
  const onError = (error: unknown): void => {
    cleanup();
    if (future._state === PENDING) future._reject(error);
    else {
      // Cancelled, but the done callback has not removed us yet: our listener kept the emitter from
      // throwing this error, and nobody waits for it any more, so report it rather than lose it.
      future._loop.callExceptionHandler({
        message: `'error' event after once(${String(event)}) was cancelled`,
        exception: error,
      });
    }
  };
  emitter.on(event, onEvent);
  if (watchErrors) emitter.on("error", onError);
  future._addCallback(cleanup);
  return future;
}

function onceTarget<A extends unknown[]>(target: EventTargetLike, type: string): Future<A> {
  const future = new Future<A>(_getEventLoop());
  const onEvent = (event: unknown): void => {
    if (future._state === PENDING) future._resolve([event] as A);
  };
  target.addEventListener(type, onEvent, { once: true });
  future._addCallback(() => target.removeEventListener(type, onEvent));
  return future;
}
