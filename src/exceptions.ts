// The errors asyncio-ts raises, named as in asyncio/exceptions.py.

/**
 * Raise into a coroutine when its Task is cancelled.
 *
 * Python's `CancelledError` derives from `BaseException` so that `except Exception` does not swallow
 * it. JavaScript has no such split: a bare `catch` catches it too, so rethrow it (or test with
 * `isCancelledError`) unless you mean to suppress the cancellation.
 *
 * @see asyncio.CancelledError
 */
export class CancelledError extends Error {
  override name = "CancelledError";
  constructor(message?: string) {
    super(message ?? "");
  }
}

/**
 * Raise when an operation is not allowed in the Future's current state, such as `setResult` on a
 * Future that is already done, or `result()` on one that is still pending.
 *
 * @see asyncio.InvalidStateError
 */
export class InvalidStateError extends Error {
  override name = "InvalidStateError";
}

/**
 * Raise when a `timeout()` block or `waitFor()` runs out of time.
 *
 * @see asyncio.TimeoutError (an alias of the built-in TimeoutError since Python 3.11)
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * Raise for misuse of the event loop or of a Task that Python reports as `RuntimeError`: running a
 * loop inside a running loop, using a closed loop, awaiting a Future from another loop.
 */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}

/** Tell whether `error` is a `CancelledError`, the check to make before swallowing an error. */
export function isCancelledError(error: unknown): error is CancelledError {
  return error instanceof CancelledError;
}

/**
 * Raise for an argument of the right type but a wrong value (a NaN delay, a negative size).
 * It extends `RangeError`, so both Python-style `instanceof ValueError` and the JavaScript idiom
 * `instanceof RangeError` catch it.
 *
 * @see Python's built-in ValueError
 */
export class ValueError extends RangeError {
  override name = "ValueError";
}
