// gather's options beyond asyncio: `limit` (bounded concurrency) and `signal` (an AbortSignal).
//
// Design note. gather.ts keeps asyncio's gather, whose no-options path must stay as fast as it is;
// it hands a call here only when `limit` or `signal` is set. The algorithm is asyncio's gather
// with one addition: a coroutine that may not start yet gets a placeholder Future (QueuedChild)
// as its child, so that cancelling the gather (GatheringFuture.cancel, unchanged) reaches it. A
// placeholder closes its coroutine when cancelled, and is swapped for the coroutine's Task in the
// children list when a slot frees. A slot frees when a Task that held one is done and its done
// callback ran, so at most `limit` of the gather's coroutines are ever running. This module and
// gather.ts import each other; neither touches the other's exports at load time, which keeps the
// cycle safe.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { _getEventLoop, type EventLoop } from "./events.ts";
import { CancelledError, ValueError } from "./exceptions.ts";
import { CANCELLED, FAILED, Future, PENDING, wrap } from "./futures.ts";
import { _collectResults, GatheringFuture, type GatherOptions } from "./gather.ts";
import { describe } from "./internal/format.ts";
import { Task } from "./tasks.ts";

/** The child standing for a coroutine that waits for a free slot. */
class QueuedChild extends Future<unknown> {
  /** @internal The coroutine, until it starts or is closed. */
  _coro: Coroutine<unknown> | null;
  /** @internal Where the coroutine appears among the arguments (more than once when repeated). */
  _positions: number | number[];

  constructor(loop: EventLoop, coro: Coroutine<unknown>, position: number) {
    super(loop);
    this._coro = coro;
    this._positions = position;
  }

  /** Close the coroutine so it never runs, and count its slot as cancelled. */
  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    this._close();
    return super.cancel(msg);
  }

  /** @internal Close the coroutine without starting it: a generator that never ran holds nothing. */
  _close(): void {
    const coro = this._coro;
    this._coro = null;
    if (coro !== null && typeof coro.return === "function") coro.return(undefined);
  }

  /** @internal */
  _addPosition(position: number): void {
    const p = this._positions;
    if (typeof p === "number") this._positions = [p, position];
    else p.push(position);
  }
}

function isThenable(value: unknown): boolean {
  return value !== null && typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function checkArgs(args: ArrayLike<unknown>, caller: string): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Future || isCoroutine(arg) || isThenable(arg)) continue;
    const hint = typeof arg === "function" ? `; call it: ${describe(arg)}() returns the coroutine` : "";
    throw new TypeError(
      `${caller}() argument ${i + 1} is not awaitable: got ${describe(arg)}${hint}. ` +
        "Pass coroutines, Futures/Tasks or promises, and options only as the last argument.",
    );
  }
}

function checkLimit(limit: unknown, caller: string): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (typeof limit !== "number") {
    throw new TypeError(`${caller}() option limit must be a number of children, got ${describe(limit)}`);
  }
  if (!(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY) || limit < 1) {
    throw new ValueError(
      `${caller}() option limit must be a positive integer (or Infinity for no limit), got ${limit}`,
    );
  }
  return limit;
}

function checkSignal(signal: unknown, caller: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `${caller}() option signal must be an AbortSignal (such as new AbortController().signal), got ${describe(signal)}`,
  );
}

/** The cancel message for an abort: the reason's message, or the reason itself when it is not an Error. */
function abortMessage(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.reason;
  if (reason === undefined) return undefined;
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * @internal `gather`/`gatherAll` with `limit` or `signal` set (the caller checked that one is).
 * `caller` names the public function in error messages.
 */
export function _gatherExtended(
  args: ArrayLike<unknown>,
  options: GatherOptions,
  caller: string,
): GatheringFuture<unknown[]> {
  const limit = checkLimit(options.limit, caller);
  const signal = checkSignal(options.signal, caller);
  checkArgs(args, caller);
  if (signal?.aborted) return abortedGather(args, abortMessage(signal));
  const outer = boundedGather(args, Boolean(options.returnExceptions), limit, caller);
  if (signal !== undefined && outer._state === PENDING) {
    const onAbort = (): void => {
      outer.cancel(abortMessage(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    // A long-lived signal must not keep finished gathers alive through its listeners.
    outer._addCallback(() => signal.removeEventListener("abort", onAbort));
  }
  return outer;
}

/** A gather whose signal was aborted before it began: nothing starts, and it raises CancelledError. */
function abortedGather(args: ArrayLike<unknown>, msg: string | undefined): GatheringFuture<unknown[]> {
  let loop: EventLoop | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Future) {
      loop ??= arg._loop;
      arg.cancel(msg);
    } else if (isCoroutine(arg) && typeof arg.return === "function") {
      arg.return(undefined);
    }
  }
  const outer = new GatheringFuture<unknown[]>([], loop ?? _getEventLoop());
  outer._reject(new CancelledError(msg));
  return outer;
}

function boundedGather(
  args: ArrayLike<unknown>,
  returnExceptions: boolean,
  limit: number,
  caller: string,
): GatheringFuture<unknown[]> {
  const n = args.length;
  if (n === 0) {
    const empty = new GatheringFuture<unknown[]>([], _getEventLoop());
    empty._resolve([]);
    return empty;
  }
  const children: Future<unknown>[] = new Array(n);
  const seen = new Map<unknown, Future<unknown>>();
  const early: Future<unknown>[] = [];
  const queue: (QueuedChild | undefined)[] = [];
  let queueHead = 0;
  let running = 0;
  let nfuts = 0;
  let nfinished = 0;
  let loop: EventLoop | null = null;
  let outer: GatheringFuture<unknown[]> | null = null;

  const closeQueued = (): void => {
    for (let i = queueHead; i < queue.length; i++) {
      const child = queue[i] as QueuedChild;
      // The gather has its outcome: nobody will see these slots, so their callbacks are dropped.
      child._cb = null;
      if (child._state === PENDING) {
        child._close();
        child._cancelNow();
      }
    }
    queue.length = 0;
    queueHead = 0;
  };

  const onChildDone = (fut: Future<unknown>): void => {
    nfinished++;
    const out = outer as GatheringFuture<unknown[]>;
    if (out._state !== PENDING) {
      if (fut._state === FAILED) fut._markRetrieved();
      return;
    }
    if (!returnExceptions) {
      if (fut._state === CANCELLED) {
        out._reject(fut._makeCancelledError());
        closeQueued();
        return;
      }
      if (fut._state === FAILED) {
        fut._markRetrieved();
        out._reject(fut._value);
        closeQueued();
        return;
      }
    }
    if (nfinished === nfuts) {
      const results = _collectResults(children, n);
      if (out._cancelRequested) out._reject(fut._makeCancelledError());
      else out._resolve(results);
    }
  };

  const fill = (): void => {
    while (running < limit && queueHead < queue.length) {
      const child = queue[queueHead] as QueuedChild;
      queue[queueHead++] = undefined;
      if (child._state === PENDING) start(child);
    }
    if (queueHead === queue.length) {
      queue.length = 0;
      queueHead = 0;
    }
  };

  const onSlotDone = (task: Future<unknown>): void => {
    running--;
    onChildDone(task);
    if ((outer as GatheringFuture<unknown[]>)._state === PENDING) fill();
  };

  const start = (child: QueuedChild): void => {
    const coro = child._coro as Coroutine<unknown>;
    child._coro = null;
    let task: Future<unknown>;
    try {
      task = (loop as EventLoop).createTask(coro);
    } catch (error) {
      // A task factory that throws fails this child, as a coroutine raising at once would.
      if (typeof coro.return === "function") coro.return(undefined);
      child._reject(error);
      return;
    }
    if (task instanceof Task) task._logDestroyPending = false;
    const positions = child._positions;
    if (typeof positions === "number") children[positions] = task;
    else for (const p of positions) children[p] = task;
    running++;
    task._addCallback(onSlotDone);
  };

  for (let i = 0; i < n; i++) {
    const arg = args[i];
    const repeated = seen.get(arg);
    if (repeated !== undefined) {
      if (repeated instanceof QueuedChild) repeated._addPosition(i);
      children[i] = repeated;
      continue;
    }
    let fut: Future<unknown>;
    let holdsSlot = false;
    if (arg instanceof Future) {
      fut = arg;
    } else if (isCoroutine(arg)) {
      loop ??= _getEventLoop();
      if (running < limit) {
        fut = loop.createTask(arg);
        if (fut instanceof Task) fut._logDestroyPending = false;
        holdsSlot = true;
      } else {
        fut = new QueuedChild(loop, arg, i);
        queue.push(fut as QueuedChild);
      }
    } else {
      fut = wrap(arg as PromiseLike<unknown>, loop ?? undefined);
    }
    if (loop === null) loop = fut._loop;
    else if (fut._loop !== loop) {
      throw new TypeError(`${caller}() argument ${i + 1} is bound to another event loop than the earlier ones`);
    }
    seen.set(arg, fut);
    nfuts++;
    if (fut._state !== PENDING) {
      // Done already (an eager Task that finished at once holds no slot).
      early.push(fut);
    } else if (holdsSlot) {
      running++;
      fut._addCallback(onSlotDone);
    } else {
      fut._addCallback(onChildDone);
    }
    children[i] = fut;
  }
  outer = new GatheringFuture<unknown[]>(children, loop as EventLoop);
  for (let i = 0; i < early.length; i++) onChildDone(early[i] as Future<unknown>);
  if (outer._state === PENDING) fill();
  return outer;
}
