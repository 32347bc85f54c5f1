// Executor: run functions in workers and get Futures of their results, as concurrent.futures does.
//
// Design note. BaseExecutor owns everything an executor promises whatever runs the jobs: its own
// FIFO queue (a job waits here, not inside the pool library, so that cancelling a waiting job just
// drops it and a job handed to the pool is known to be running), at most `maxWorkers` jobs handed
// out at a time, the Futures and their cancellation, shutdown, and decoding replies and error
// envelopes. A subclass only says how to run one call (`_run`) and how to release its resources
// (`_close`). Every job a Future still waits for counts as a pending host operation of its loop,
// so a virtual-time loop does not jump its clock while a worker computes.

import type { TransferListItem } from "node:worker_threads";
import type { Coroutine } from "../coroutines.ts";
import { _getEventLoop, getRunningLoop, type EventLoop, type LoopInternals } from "../events.ts";
import { QueueFull, RuntimeError, ValueError } from "../exceptions.ts";
import { FAILED, Future, PENDING, wrap } from "../futures.ts";
import { describe } from "../internal/format.ts";
import type { AsyncContextManager } from "../using.ts";
import { decodeError } from "./envelope.ts";
import { SerializationError } from "./errors.ts";
import { findUnsendable, type SendTarget } from "./sendable.ts";
import {
  describeRef,
  isTaskRef,
  type SendArgs,
  type TaskRef,
  type WorkerArgs,
  type WorkerFunction,
  type WorkerResult,
} from "./task-ref.ts";
import { isTransfer, type Transfer } from "./transfer.ts";
import type { JobMessage, Reply } from "./worker.ts";

/** A worker function that `map` can call with one item. */
export type UnaryWorkerFunction = (item: never) => unknown;

/** The item type `map` accepts for worker function `F`: its first parameter. */
export type MapItem<F> = F extends (item: infer A, ...rest: never[]) => unknown ? A : never;

/** Options of `executor.map()`. */
export interface MapOptions {
  /** At most this many jobs of the map are submitted at a time; the next starts as one ends. */
  limit?: number;
}

/** Options of `executor.shutdown()`. */
export interface ShutdownOptions {
  /** Wait until every submitted job has finished and the workers are gone (default true). */
  wait?: boolean;
  /** Cancel the Futures of the jobs still waiting for a worker (default false). */
  cancelFutures?: boolean;
}

/**
 * Runs functions in workers and gives Futures of their results, in the shape of Python's
 * `concurrent.futures.Executor`. `ThreadPoolExecutor` and `ProcessPoolExecutor` implement it; so
 * can executors that run jobs elsewhere. It is an async context manager: `using(executor, body)`
 * shuts it down (waiting for its jobs) when the body ends.
 *
 * @see concurrent.futures.Executor
 */
export interface Executor extends AsyncContextManager<Executor, false> {
  /**
   * Schedule `fn(...args)` in a worker and return a Future of its result, bound to the running
   * loop. Cancelling the Future drops a job that is still waiting; a running job runs on (or its
   * worker is terminated, with `terminateOnCancel`).
   */
  submit<F extends WorkerFunction>(fn: TaskRef<F>, ...args: SendArgs<WorkerArgs<F>>): Future<WorkerResult<F>>;
  /** Call `fn(item)` for every item in workers and return the results in the items' order. */
  map<F extends UnaryWorkerFunction>(
    fn: TaskRef<F>,
    items: Iterable<MapItem<F> | Transfer<MapItem<F>>>,
    options?: MapOptions,
  ): Coroutine<WorkerResult<F>[]>;
  /**
   * Stop accepting jobs and release the workers once the submitted jobs are done. It takes effect
   * at once; `yield*` the returned coroutine to wait (when `wait` is true).
   */
  shutdown(options?: ShutdownOptions): Coroutine<void>;
}

/** One call on its way to a worker, as BaseExecutor hands it to `_run`. */
export interface ExecutorCall {
  /** The reference the job was submitted with. */
  readonly ref: TaskRef<WorkerFunction>;
  /** What the worker receives: module, export name and the arguments (transfer marks removed). */
  readonly message: JobMessage;
  /** The objects to move rather than copy (threads only). */
  readonly transferList: readonly TransferListItem[];
  /** Aborted when the job must be stopped: its Future was cancelled with `terminateOnCancel`. */
  readonly signal: AbortSignal | undefined;
  /**
   * The job's Future. An executor whose jobs wait somewhere else before they run (a distributed
   * executor's jobs wait in Redis) watches it to withdraw a job that is cancelled while it waits,
   * and cancels it when `shutdown({ cancelFutures: true })` finds the job still waiting there.
   */
  readonly future: Future<unknown>;
}

/** Options of BaseExecutor's constructor. */
export interface BaseExecutorOptions {
  /** How many jobs run at a time. */
  maxWorkers: number;
  /** How many jobs may wait for a worker; more makes `submit` raise QueueFull (default Infinity). */
  maxQueue?: number;
  /** Where arguments and results go, which decides what can be sent. */
  target: SendTarget;
  /** Terminate the worker of a running job whose Future is cancelled (default false). */
  terminateOnCancel?: boolean;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;
const DROPPED = 3;

const NOTHING_TO_MOVE: readonly TransferListItem[] = Object.freeze([]);

/** The Future `submit` returns; it is also the job's record in its executor. */
class ExecutorFuture<T> extends Future<T> {
  /** @internal */ _executor: BaseExecutor;
  /** @internal */ _call: ExecutorCall | null = null;
  /** @internal */ _job = QUEUED;
  /** @internal Whether the loop counts this job as a pending host operation. */
  _waitedOn = false;
  /** @internal */ _terminateOnCancel = false;
  /** @internal */ _controller: AbortController | null = null;

  constructor(loop: EventLoop, executor: BaseExecutor) {
    super(loop);
    this._executor = executor;
  }

  /**
   * Cancel the Future at once. A job still waiting for a worker is dropped; a running job runs on,
   * and its result is discarded, unless it was submitted with `terminateOnCancel`, which
   * terminates its worker (its `finally` blocks do not run).
   */
  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    this._executor._jobCancelled(this as ExecutorFuture<unknown>);
    return true;
  }
}

function checkCount(value: unknown, what: string, allowZero: boolean): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number, got ${describe(value)}`);
  if (value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ValueError(`${what} must be ${allowZero ? "a non-negative" : "a positive"} integer, got ${value}`);
  }
  return value;
}

function checkRef(fn: unknown, method: string): asserts fn is TaskRef<WorkerFunction> {
  if (isTaskRef(fn)) return;
  const hint =
    typeof fn === "function"
      ? `: functions cannot cross to a worker, refer to an exported one with asyncio.task(new URL("./module.js", import.meta.url), ${JSON.stringify(fn.name || "name")})`
      : ': make one with asyncio.task(new URL("./module.js", import.meta.url), "name")';
  throw new TypeError(`${method}() expects a task reference, got ${describe(fn)}${hint}`);
}

/**
 * The machinery every executor shares: a FIFO queue of jobs, at most `maxWorkers` of them handed
 * out at a time, Futures with asyncio cancellation, shutdown, and replies decoded into results
 * or rebuilt errors. Subclasses implement `_run` (start one call, resolve with its Reply) and
 * `_close` (release the workers); a distributed executor can build on it too.
 *
 * @see concurrent.futures.Executor
 */
export abstract class BaseExecutor implements Executor {
  #maxWorkers: number;
  #maxQueue: number;
  #target: SendTarget;
  #terminateOnCancel: boolean;
  #queue: (ExecutorFuture<unknown> | undefined)[] = [];
  #head = 0;
  #waiting = 0;
  #running = 0;
  #shutdown = false;
  #closing = false;
  #closed: Promise<void> | null = null;
  #settleClosed: ((error?: unknown) => void) | null = null;

  protected constructor(options: BaseExecutorOptions) {
    this.#maxWorkers = checkCount(options.maxWorkers, "maxWorkers", false);
    this.#maxQueue = checkCount(options.maxQueue ?? Number.POSITIVE_INFINITY, "maxQueue", true);
    this.#target = options.target;
    this.#terminateOnCancel = options.terminateOnCancel ?? false;
  }

  /** How many jobs run at a time. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** How many jobs wait for a worker now. */
  get waiting(): number {
    return this.#waiting;
  }

  /** How many jobs are running now (cancelled jobs that run on included). */
  get running(): number {
    return this.#running;
  }

  /**
   * Schedule `fn(...args)` in a worker and return a Future of its result on the running loop.
   * Arguments are copied (or moved, when marked with `transfer()`); one that cannot cross intact
   * fails the Future with a SerializationError.
   *
   * @example
   * const fib = asyncio.task<typeof import("./work.js")["fib"]>(new URL("./work.js", import.meta.url), "fib");
   * const [a, b] = yield* asyncio.gather(pool.submit(fib, 30), pool.submit(fib, 31));
   * @throws {TypeError} when `fn` is not a task reference (a plain function cannot cross to a worker).
   * @throws {RuntimeError} when the executor was shut down.
   * @throws {QueueFull} when `maxQueue` jobs are already waiting for a worker.
   * @see concurrent.futures.Executor.submit, wrapped as asyncio.wrap_future does
   */
  submit<F extends WorkerFunction>(fn: TaskRef<F>, ...args: SendArgs<WorkerArgs<F>>): Future<WorkerResult<F>> {
    return this._submit(_getEventLoop(), fn, args);
  }

  /** @internal Submit on `loop`, which need not be running (`loop.runInExecutor` uses this). */
  _submit<F extends WorkerFunction>(
    loop: EventLoop,
    fn: TaskRef<F>,
    args: readonly unknown[],
  ): Future<WorkerResult<F>> {
    checkRef(fn, "submit");
    if (this.#shutdown) {
      throw new RuntimeError(
        `cannot submit ${describeRef(fn)} to a ${this.constructor.name} that was shut down: submit before shutdown(), or make a new executor`,
      );
    }
    if (this.#running >= this.#maxWorkers && this.#waiting >= this.#maxQueue) {
      throw new QueueFull(
        `the ${this.constructor.name} already has ${this.#waiting} jobs waiting (maxQueue): wait for some to finish, or use map() with a limit`,
      );
    }
    const future = new ExecutorFuture<WorkerResult<F>>(loop, this);
    const sent = this.#prepare(fn, args);
    if (sent instanceof SerializationError) {
      future._job = DONE;
      future._reject(sent);
      return future;
    }
    const terminate = fn.terminateOnCancel ?? this.#terminateOnCancel;
    future._call = {
      ref: fn,
      message: { module: fn.module, name: fn.name, args: sent.args },
      transferList: sent.list,
      signal: undefined,
      future: future as Future<unknown>,
    };
    future._terminateOnCancel = terminate;
    future._waitedOn = true;
    (loop as LoopInternals)._externalPending++;
    this.#queue.push(future as ExecutorFuture<unknown>);
    this.#waiting++;
    this.#pump();
    return future;
  }

  /**
   * Call `fn(item)` in workers for every item and return the results in the items' order. All
   * items are submitted at once unless `limit` caps how many are in flight. The first failure is
   * raised as soon as it happens and the jobs not done yet are cancelled, as are all of them when
   * the awaiting Task is cancelled.
   *
   * @example
   * const sizes = yield* pool.map(compress, files, { limit: 4 });
   * @throws {TypeError} when `fn` is not a task reference or `items` is not iterable.
   * @throws {ValueError} when `limit` is not a positive integer.
   * @see concurrent.futures.Executor.map (its `buffersize` is close to `limit`)
   */
  map<F extends UnaryWorkerFunction>(
    fn: TaskRef<F>,
    items: Iterable<MapItem<F> | Transfer<MapItem<F>>>,
    options: MapOptions = {},
  ): Coroutine<WorkerResult<F>[]> {
    checkRef(fn, "map");
    if (items === null || typeof (items as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
      throw new TypeError(`map() expects an iterable of items, got ${describe(items)}`);
    }
    const limit = checkCount(options.limit ?? Number.POSITIVE_INFINITY, "map() limit", false);
    return mapJobs(this, fn, items, limit);
  }

  /**
   * Stop accepting jobs; release the workers once every submitted job is done. It takes effect
   * at once; with `wait` (the default) `yield*` the result to wait until the workers are gone.
   * With `cancelFutures`, jobs still waiting for a worker are cancelled. Jobs already running
   * always finish (a Python thread cannot be stopped either). Calling it again is harmless.
   *
   * @example
   * yield* pool.shutdown({ cancelFutures: true });
   * @see concurrent.futures.Executor.shutdown
   */
  shutdown(options: ShutdownOptions = {}): Coroutine<void> {
    const { wait = true, cancelFutures = false } = options;
    if (!this.#shutdown) {
      this.#shutdown = true;
      this.#closed = new Promise<void>((resolve, reject) => {
        this.#settleClosed = (error) => (error === undefined ? resolve() : reject(error));
      });
      // Nobody may wait for it (wait: false); a failure to close is then only lost, not fatal.
      this.#closed.catch(() => {});
    }
    if (cancelFutures) {
      for (let i = this.#head; i < this.#queue.length; i++) {
        const job = this.#queue[i];
        if (job !== undefined && job._job === QUEUED) job.cancel();
      }
    }
    this.#maybeClose();
    return waitClosed(wait ? this.#closed : null);
  }

  /** Enter the context: return the executor itself. */
  *aenter(): Coroutine<this> {
    return this;
  }

  /** Leave the context: shut down and wait for the jobs, as `with executor:` does; never suppresses. */
  *aexit(_error?: unknown): Coroutine<false> {
    yield* this.shutdown({ wait: true });
    return false;
  }

  /** Start `call` in a worker; resolve with the worker's Reply, reject when the worker failed. */
  protected abstract _run(call: ExecutorCall): PromiseLike<Reply>;

  /** Release the workers; called once, after shutdown, when no job is left. */
  protected abstract _close(): Promise<void>;

  /**
   * Turn a failure of the pool itself (not of the job, whose errors arrive as Replies) into the
   * error its Future fails with. The default returns it unchanged.
   */
  protected _failure(error: unknown, _call: ExecutorCall): unknown {
    return error;
  }

  /** @internal Called by the Future of a job when it is cancelled. */
  _jobCancelled(future: ExecutorFuture<unknown>): void {
    if (future._job === QUEUED) {
      future._job = DROPPED;
      this.#waiting--;
      this.#release(future);
      this.#maybeClose();
    } else if (future._job === RUNNING) {
      this.#release(future);
      future._controller?.abort();
    }
  }

  #prepare(
    fn: TaskRef<WorkerFunction>,
    args: readonly unknown[],
  ): { args: unknown[]; list: readonly TransferListItem[] } | SerializationError {
    let list = NOTHING_TO_MOVE;
    let values = args as unknown[];
    for (let i = 0; i < args.length; i++) {
      if (isTransfer(args[i])) {
        if (values === args) values = [...args];
        const marked = args[i] as Transfer<unknown>;
        values[i] = marked.value;
        if (this.#target === "thread")
          list = list === NOTHING_TO_MOVE ? [...marked.transferList] : [...list, ...marked.transferList];
      }
    }
    const moved = list.length > 0 ? new Set<unknown>(list) : undefined;
    for (let i = 0; i < values.length; i++) {
      const problem = findUnsendable(values[i], this.#target, moved);
      if (problem !== null) {
        const where = problem.path === "" ? `argument ${i}` : `argument ${i}'s ${problem.path}`;
        return new SerializationError(`${where} of ${describeRef(fn)} ${problem.reason}`, { path: problem.path });
      }
    }
    // `args` is the rest array of the call that submitted the job: nobody else holds it.
    return { args: values, list };
  }

  #pump(): void {
    const queue = this.#queue;
    while (this.#running < this.#maxWorkers && this.#waiting > 0) {
      const job = queue[this.#head] as ExecutorFuture<unknown>;
      queue[this.#head++] = undefined;
      if (job._job !== QUEUED) continue;
      this.#waiting--;
      this.#running++;
      job._job = RUNNING;
      this.#start(job);
    }
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.copyWithin(0, this.#head);
      queue.length -= this.#head;
      this.#head = 0;
    }
  }

  #start(job: ExecutorFuture<unknown>): void {
    let call = job._call as ExecutorCall;
    if (job._terminateOnCancel) {
      job._controller = new AbortController();
      call = job._call = { ...call, signal: job._controller.signal };
    }
    let outcome: PromiseLike<Reply>;
    try {
      outcome = this._run(call);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (reply) => this.#finish(job, reply, undefined),
      (error: unknown) => this.#finish(job, undefined, error),
    );
  }

  #finish(job: ExecutorFuture<unknown>, reply: Reply | undefined, error: unknown): void {
    this.#running--;
    job._job = DONE;
    this.#release(job);
    if (job._state === PENDING && !job._loop.isClosed()) {
      if (reply === undefined) job._reject(this._failure(error, job._call as ExecutorCall));
      else if (reply.ok) job._resolve(reply.value);
      else job._reject(decodeError(reply.error));
    }
    job._call = null;
    job._controller = null;
    this.#pump();
    this.#maybeClose();
  }

  #release(job: ExecutorFuture<unknown>): void {
    if (!job._waitedOn) return;
    job._waitedOn = false;
    const loop = job._loop;
    loop._externalPending--;
    loop._wake();
  }

  #maybeClose(): void {
    if (!this.#shutdown || this.#closing || this.#running > 0 || this.#waiting > 0) return;
    this.#closing = true;
    const settle = this.#settleClosed as (error?: unknown) => void;
    let closing: Promise<void>;
    try {
      closing = this._close();
    } catch (error) {
      closing = Promise.reject(error);
    }
    closing.then(
      () => settle(),
      (error: unknown) => settle(error ?? new RuntimeError("the executor failed to close")),
    );
  }
}

function* waitClosed(closed: Promise<void> | null): Coroutine<void> {
  if (closed !== null) yield* wrap(closed);
}

function* mapJobs<R>(
  executor: Executor,
  fn: TaskRef<UnaryWorkerFunction>,
  items: Iterable<unknown>,
  limit: number,
): Coroutine<R[]> {
  const loop = getRunningLoop();
  const iterator = items[Symbol.iterator]();
  const futures: Future<R>[] = [];
  let exhausted = false;
  let inFlight = 0;
  let failed: Future<R> | null = null;
  let waiter: Future<void> | null = null;
  const onDone = (future: Future<R>): void => {
    inFlight--;
    if (future._state === FAILED) {
      // Retrieve every failure, so that none is reported as never retrieved; the first is raised.
      future.exception();
      failed ??= future;
    }
    if (waiter !== null && !waiter.done()) waiter.setResult(undefined);
  };
  try {
    for (;;) {
      if (failed !== null) throw (failed as Future<R>).exception();
      while (inFlight < limit && !exhausted) {
        const step = iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const future = (executor.submit as (f: unknown, ...a: unknown[]) => Future<R>).call(executor, fn, step.value);
        futures.push(future);
        inFlight++;
        future.addDoneCallback(onDone);
      }
      if (inFlight === 0) break;
      waiter = loop.createFuture<void>();
      yield* waiter;
      waiter = null;
    }
    return futures.map((future) => future.result());
  } finally {
    for (const future of futures) if (!future.done()) future.cancel();
  }
}
