// transfer(): mark a value to be moved to or from a worker thread instead of copied.
//
// The mark is recognised by a registered symbol, not by `instanceof`, because the worker side may
// load its own copy of this module (a worker function importing "asyncio-ts" from another path).

import { isArrayBufferView } from "node:util/types";
import { MessagePort, type TransferListItem } from "node:worker_threads";
import { describe } from "../internal/format.ts";

const TRANSFER: unique symbol = Symbol.for("asyncio-ts.executors.transfer");

/**
 * A value marked by `transfer()`: it is sent to a worker thread (or back) by moving the memory of
 * the objects in `transferList`, not by copying it. The sender's `ArrayBuffer` is detached
 * afterwards (its `byteLength` becomes 0), which is the proof that nothing was copied.
 */
export interface Transfer<T> {
  readonly [TRANSFER]: true;
  /** The value the worker function receives (or the caller gets back). */
  readonly value: T;
  /** What is moved rather than copied: `ArrayBuffer`s and `MessagePort`s inside `value`. */
  readonly transferList: readonly TransferListItem[];
}

/**
 * Mark `value` to be moved, not copied, when it crosses to a worker thread: pass the result as an
 * argument of `submit`/`toThread`, or return it from a worker function to move a result back.
 * An `ArrayBuffer`, a typed array (its buffer moves) or a `MessagePort` needs no list; for an
 * object holding them, list what to move. A process pool cannot move memory between processes,
 * so there the value is copied (and a `MessagePort` cannot cross at all).
 *
 * @example
 * const pixels = new Uint8Array(1 << 24);
 * const histogram = yield* pool.submit(histogramRef, asyncio.transfer(pixels));
 * pixels.byteLength; // 0: the buffer moved to the worker
 * @throws {TypeError} when `value` is not itself transferable and no list is given.
 * @see worker_threads' transferList, which this fills in
 */
export function transfer<T>(value: T, transferList?: readonly TransferListItem[]): Transfer<T> {
  let list: readonly TransferListItem[];
  if (transferList !== undefined) {
    if (!Array.isArray(transferList)) {
      throw new TypeError(`transfer() expects an array of transferable objects, got ${describe(transferList)}`);
    }
    list = transferList;
  } else if (value instanceof ArrayBuffer || value instanceof MessagePort) {
    list = [value];
  } else if (isArrayBufferView(value)) {
    list = [value.buffer as ArrayBuffer];
  } else {
    throw new TypeError(
      `transfer() cannot tell what to move in ${describe(value)}: pass the list, as in transfer(obj, [obj.buffer])`,
    );
  }
  return { [TRANSFER]: true, value, transferList: list };
}

/** Tell whether `value` was made by `transfer()` (by this copy of asyncio-ts or another). */
export function isTransfer(value: unknown): value is Transfer<unknown> {
  return typeof value === "object" && value !== null && (value as { [TRANSFER]?: unknown })[TRANSFER] === true;
}
