// Debug mode: creation sites, slow callbacks, pending Tasks that were garbage-collected, and
// coroutines that were never awaited.
//
// Design note. Debug mode is an Instrument (internal/instrument.ts) the loop installs in
// `setDebug(true)`. It captures a creation site for every Future, Task and Handle, and keeps the
// loop's pending Tasks *weakly* instead of in the loop's strong list: a Task parked on a Future
// that nothing else references can then be collected, and a FinalizationRegistry reports it
// ("Task was destroyed but it is pending!"), as CPython's `Task.__del__` does. A Task is
// registered at its first suspension, when `_logDestroyPending` has its final value (gather and
// `runUntilComplete` clear it right after creating their Tasks). Leaving debug mode hands the
// Tasks back to the loop's strong list. Outside debug mode none of this exists: the kernel's hook
// sites see a null `_instrument`.

import { isCoroutine, type Coroutine } from "./coroutines.ts";
import { _getRunningLoop, Handle, type LoopInternals } from "./events.ts";
import { FINISHED, Future, PENDING } from "./futures.ts";
import { describe } from "./internal/format.ts";
import { taskStepCallbacks, type Instrument } from "./internal/instrument.ts";
import { captureSourceTraceback, sourceTracebackOf, type SourceFrame } from "./internal/source-traceback.ts";
import { logger } from "./log.ts";
import type { Task } from "./tasks.ts";

/** What the report of a Task collected while pending needs, held apart from the Task. */
interface PendingRecord {
  ref: WeakRef<Task<unknown>>;
  name: string;
  sourceTraceback: readonly SourceFrame[] | null;
}

/** @internal The instrument behind `loop.setDebug(true)`. */
export class DebugInstrument implements Instrument {
  readonly #loop: LoopInternals;
  /** The loop's pending Tasks made in debug mode, held weakly. */
  readonly #refs = new Set<WeakRef<Task<unknown>>>();
  readonly #refOf = new WeakMap<Task<unknown>, WeakRef<Task<unknown>>>();
  /** Tasks registered for the destroyed-while-pending report. */
  readonly #registered = new WeakSet<Task<unknown>>();
  readonly #registry: FinalizationRegistry<PendingRecord>;

  constructor(loop: LoopInternals) {
    this.#loop = loop;
    this.#registry = new FinalizationRegistry((record) => {
      this.#refs.delete(record.ref);
      const site = record.sourceTraceback;
      const last = site?.[site.length - 1];
      const where = last === undefined ? "" : ` created at ${last.fileName}:${last.lineNumber}`;
      this.#loop.callExceptionHandler({
        message: "Task was destroyed but it is pending!",
        taskRepr: `<Task pending name='${record.name}'${where}>`,
        ...(site !== null ? { sourceTraceback: site } : {}),
      });
    });
  }

  futureCreated(future: Future<unknown>): void {
    captureSourceTraceback(future);
  }

  taskCreated(task: Task<unknown>): boolean {
    const ref = new WeakRef(task);
    this.#refs.add(ref);
    this.#refOf.set(task, ref);
    return true;
  }

  stepStarted(_task: Task<unknown>): void {}

  stepEnded(task: Task<unknown>): void {
    if (task._state === PENDING) {
      if (task._logDestroyPending && !this.#registered.has(task)) this.#register(task);
      return;
    }
    if (task._state === FINISHED && isCoroutine(task._value)) {
      logger.warning(
        `${task} returned a coroutine without running it: write 'return yield* coro()' to run and await it`,
        { task, ...siteOf(task) },
      );
    }
  }

  taskDone(task: Task<unknown>): void {
    const ref = this.#refOf.get(task);
    if (ref === undefined) return;
    this.#refOf.delete(task);
    this.#refs.delete(ref);
    if (this.#registered.has(task)) this.#registry.unregister(ref);
  }

  cancelRequested(_task: Task<unknown>, _msg: string | undefined): void {}

  *ownTasks(): Iterable<Task<unknown>> {
    for (const ref of this.#refs) {
      const task = ref.deref();
      if (task !== undefined && task._state === PENDING) yield task;
    }
  }

  /** Hand the pending Tasks back to the loop's strong list: nothing is reported after this. */
  detached(): void {
    const loop = this.#loop;
    for (const ref of this.#refs) {
      const task = ref.deref();
      this.#registry.unregister(ref);
      if (task === undefined || task._state !== PENDING) continue;
      this.#refOf.delete(task);
      const head = loop._tasks;
      task._prevTask = null;
      task._nextTask = head;
      if (head !== null) head._prevTask = task;
      loop._tasks = task;
    }
    this.#refs.clear();
  }

  #register(task: Task<unknown>): void {
    const ref = this.#refOf.get(task);
    if (ref === undefined) return;
    this.#registered.add(task);
    this.#registry.register(task, { ref, name: task.getName(), sourceTraceback: sourceTracebackOf(task) }, ref);
  }
}

/** `{ sourceTraceback }` for a details object, or nothing when `owner` has no creation site. */
function siteOf(owner: object): { sourceTraceback?: readonly SourceFrame[] } {
  const site = sourceTracebackOf(owner);
  return site === null ? {} : { sourceTraceback: site };
}

/** Describe a ready-queue callback as asyncio's `_format_handle`: the Task it steps, or the Handle. */
function describeReady(fn: unknown, arg: unknown): { text: string; subject: object | null; isTask: boolean } {
  if (arg instanceof Handle) return { text: String(arg), subject: arg, isTask: false };
  if (typeof fn === "function" && taskStepCallbacks.has(fn)) {
    const task = Array.isArray(arg) ? arg[0] : arg;
    return { text: String(task), subject: task as object, isTask: true };
  }
  const name = typeof fn === "function" && fn.name ? fn.name : "(anonymous)";
  return { text: `<Handle ${name}(${describe(arg)})>`, subject: arg instanceof Future ? arg : null, isTask: false };
}

/**
 * @internal Warn through the logger that a ready callback ran for `duration` seconds, more than
 * the loop's `slowCallbackDuration` (asyncio's "Executing ... took ... seconds").
 */
export function reportSlowCallback(fn: unknown, arg: unknown, duration: number): void {
  const { text, subject, isTask } = describeReady(fn, arg);
  const details = subject === null ? {} : { [isTask ? "task" : "handle"]: subject, ...siteOf(subject) };
  logger.warning(`Executing ${text} took ${duration.toFixed(3)} seconds`, { duration, ...details });
}

// ---- coroutines never awaited ---------------------------------------------------------------

interface UnawaitedRecord {
  name: string;
  sourceTraceback: readonly SourceFrame[] | null;
}

const unawaitedRegistry = new FinalizationRegistry<UnawaitedRecord>((record) => {
  logger.warning(
    `coroutine '${record.name}' was never awaited`,
    record.sourceTraceback === null ? {} : { sourceTraceback: record.sourceTraceback },
  );
});

/** A coroutine standing in for another until first resumed; reports itself if dropped unstarted. */
class TrackedCoroutine<T> implements Coroutine<T> {
  #inner: Coroutine<T>;
  #tracked = true;

  constructor(inner: Coroutine<T>, name: string) {
    this.#inner = inner;
    captureSourceTraceback(this);
    unawaitedRegistry.register(this, { name, sourceTraceback: sourceTracebackOf(this) }, this);
  }

  next(...args: [] | [unknown]): IteratorResult<Future<unknown> | undefined, T> {
    this.#started();
    return this.#inner.next(...args);
  }

  return(value: T): IteratorResult<Future<unknown> | undefined, T> {
    this.#started();
    return this.#inner.return(value);
  }

  throw(error: unknown): IteratorResult<Future<unknown> | undefined, T> {
    this.#started();
    return this.#inner.throw(error);
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "Generator";
  }

  #started(): void {
    if (this.#tracked) {
      this.#tracked = false;
      unawaitedRegistry.unregister(this);
    }
  }
}

function debugOn(): boolean {
  const loop = _getRunningLoop();
  if (loop !== null) return loop.getDebug();
  const env = typeof process !== "undefined" ? process.env.ASYNCIO_TS_DEBUG : undefined;
  return env !== undefined && env !== "" && env !== "0";
}

/**
 * Wrap a coroutine function so that, in debug mode, a coroutine it made and then dropped without
 * ever running (a forgotten `yield*`) is reported through `logger` as "coroutine 'name' was never
 * awaited", with the place it was made. Outside debug mode the function is called as is.
 *
 * JavaScript cannot see a generator object being dropped, so only functions wrapped this way are
 * checked; the report comes when the garbage collector reclaims the coroutine, which may be late.
 * Debug mode is that of the running loop, or `ASYNCIO_TS_DEBUG=1` when no loop runs.
 *
 * @example
 * const fetchUser = asyncio.trackAwaited(function* fetchUser(id: number) {
 *   yield* asyncio.sleep(0.1);
 *   return { id };
 * });
 * fetchUser(1); // forgot yield*: reported in debug mode once collected
 * @throws {TypeError} when `fn` is not a function.
 * @see Python's "RuntimeWarning: coroutine '...' was never awaited"
 */
export function trackAwaited<A extends unknown[], T>(fn: (...args: A) => Coroutine<T>): (...args: A) => Coroutine<T> {
  if (typeof fn !== "function") throw new TypeError(`trackAwaited() expects a coroutine function, got ${describe(fn)}`);
  const name = fn.name || "(anonymous)";
  const tracked = function (this: unknown, ...args: A): Coroutine<T> {
    const coro = fn.apply(this, args);
    return debugOn() ? (new TrackedCoroutine(coro, name) as unknown as Coroutine<T>) : coro;
  };
  Object.defineProperty(tracked, "name", { value: name });
  return tracked;
}
