// DistributedWorker: take jobs from BullMQ queues and run them, importing only the allowed modules.
//
// Design note. A job runs on the worker's own thread (async, I/O-bound handlers, which get an
// AbortSignal through `currentJob()`), or, with `threads`, on a ThreadPoolExecutor whose thread is
// terminated when the job is cancelled: a CPU-bound handler on the main thread would also block
// BullMQ's lock renewal and get its job taken for stalled. Cancel messages arrive on the queue's
// pub/sub channel; one can beat the job it names to this worker (the producer saw the job locked,
// the processor has not started yet), so ids of unknown jobs are kept for a minute and checked when
// a job starts. Shutting down stops taking jobs, lets running ones finish for `grace` seconds, then
// hands the rest back to the queue (moved to waiting, for another worker to take at once).

import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { getEventLoop } from "../ambient.ts";
import { ValueError } from "../exceptions.ts";
import { encodeError } from "../executors/envelope.ts";
import { task } from "../executors/task-ref.ts";
import { ThreadPoolExecutor } from "../executors/thread-pool.ts";
import { describe, describeError } from "../internal/format.ts";
import { toPromise } from "../promises.ts";
import { ModuleAllowlist } from "./allowlist.ts";
import {
  cancelChannel,
  encodeEnvelope,
  isJobData,
  JOB_RUNNER,
  type JobData,
  type JobOutcome,
  type JobPayload,
  runJobPayload,
} from "./job.ts";
import { DEFAULT_PREFIX, defaultRedisUrl, redactUrl } from "./redis-url.ts";

/** Options of `new DistributedWorker()` (and of the `asyncio-ts worker` command). */
export interface DistributedWorkerOptions {
  /** The queue, or queues, to take jobs from. */
  queue: string | readonly string[];
  /**
   * The modules jobs may call functions of: paths (relative to the current directory) or `file:`
   * URLs. A job naming any other module fails with ModuleNotAllowedError; nothing else is imported.
   */
  modules: readonly (string | URL)[];
  /** The Redis server, as a URL (default: `REDIS_URL`, else `redis://127.0.0.1:6379`). */
  redis?: string;
  /** The prefix of BullMQ's keys (default `"bull"`); producers must use the same. */
  prefix?: string;
  /** How many jobs of each queue run at a time (default: `threads`, or 1 without threads). */
  concurrency?: number;
  /** Run jobs on a pool of this many worker threads, for CPU-bound handlers (default 0: on the worker's own thread). */
  threads?: number;
  /** Seconds that running jobs may take to finish when the worker shuts down, before they are handed back (default 20). */
  grace?: number;
  /** Seconds a job's lock lasts without renewal; a worker silent for longer is presumed dead (default 30, BullMQ's). */
  lockDuration?: number;
  /** Seconds between checks for jobs whose worker died (default 30, BullMQ's). */
  stalledInterval?: number;
  /** How many times a job may lose its worker before it fails instead of running again (default 1, BullMQ's). */
  maxStalledCount?: number;
  /** Print a line per job: done, failed, cancelled, refused, handed back. */
  verbose?: boolean;
  /** Where lines go (default `console.log`). */
  log?: (line: string) => void;
}

const CANCELLED = "cancelled by its producer";
const HANDED_BACK = "the worker is shutting down and hands the job back to the queue";
/** How long the id of a cancel message for a job not running here is kept (ms). */
const CANCEL_MEMORY = 60_000;

interface ActiveJob {
  readonly controller: AbortController;
  handBack: boolean;
  /** Resolves when the job is handed back: the worker stops waiting for an in-process handler. */
  readonly handedBack: Promise<null>;
  readonly release: () => void;
}

function positiveInteger(value: unknown, what: string, allowZero = false): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ValueError(
      `${what} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${describe(value)}`,
    );
  }
  return value;
}

function seconds(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${what} must be a non-negative number of seconds, got ${describe(value)}`);
  }
  return value;
}

function took(began: number): string {
  const ms = performance.now() - began;
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const runner = task<typeof runJobPayload>(JOB_RUNNER, "runJobPayload");

/**
 * Take jobs that DistributedExecutors put in BullMQ queues and run them: the programmatic form of
 * `npx asyncio-ts worker`. Only functions exported by the allowed modules ever run. `start()`
 * connects and begins taking jobs; `close()` stops taking them, lets the running ones finish for
 * `grace` seconds and hands the others back to the queue.
 *
 * @example
 * const worker = new DistributedWorker({ queue: "work", modules: ["./dist/tasks.js"], threads: 4 });
 * await worker.start();
 * process.once("SIGTERM", () => void worker.close());
 * @throws {ValueError} when an option is out of range.
 * @throws {TypeError} when an allowed module is not a file path or a `file:` URL.
 * @see Celery's worker, `celery -A tasks worker`
 */
export class DistributedWorker {
  readonly #queues: readonly string[];
  readonly #allowlist: ModuleAllowlist;
  readonly #url: string;
  readonly #prefix: string;
  readonly #threads: number;
  readonly #concurrency: number;
  readonly #grace: number;
  readonly #lockMs: number | undefined;
  readonly #stalledMs: number | undefined;
  readonly #maxStalledCount: number | undefined;
  readonly #verbose: boolean;
  readonly #log: (line: string) => void;
  readonly #tag = `[worker ${process.pid}]`;
  #bullmq: typeof import("bullmq") | null = null;
  #workers: Worker[] = [];
  #subscriber: Redis | null = null;
  #pool: ThreadPoolExecutor | null = null;
  readonly #active = new Map<string, ActiveJob>();
  readonly #cancelled = new Map<string, number>();
  #started: Promise<void> | null = null;
  #closed: Promise<void> | null = null;

  constructor(options: DistributedWorkerOptions) {
    const queues = typeof options.queue === "string" ? [options.queue] : [...(options.queue ?? [])];
    if (
      queues.length === 0 ||
      queues.some((queue) => typeof queue !== "string" || queue === "" || queue.includes(":"))
    ) {
      throw new ValueError(`queue must be one or more non-empty names without ":", got ${describe(options.queue)}`);
    }
    if (!Array.isArray(options.modules) || options.modules.length === 0) {
      throw new ValueError("a worker needs at least one allowed module (modules, --module): it runs nothing else");
    }
    this.#queues = [...new Set(queues)];
    this.#allowlist = new ModuleAllowlist(options.modules);
    this.#url = options.redis ?? defaultRedisUrl();
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#threads = positiveInteger(options.threads ?? 0, "threads", true);
    this.#concurrency = positiveInteger(options.concurrency ?? Math.max(this.#threads, 1), "concurrency");
    this.#grace = seconds(options.grace ?? 20, "grace");
    this.#lockMs =
      options.lockDuration === undefined ? undefined : seconds(options.lockDuration, "lockDuration") * 1000;
    this.#stalledMs =
      options.stalledInterval === undefined ? undefined : seconds(options.stalledInterval, "stalledInterval") * 1000;
    this.#maxStalledCount =
      options.maxStalledCount === undefined
        ? undefined
        : positiveInteger(options.maxStalledCount, "maxStalledCount", true);
    this.#verbose = options.verbose ?? false;
    this.#log = options.log ?? ((line) => console.log(line));
  }

  /** The allowed modules, as `file:` URLs. */
  get modules(): readonly string[] {
    return this.#allowlist.modules;
  }

  /** How many jobs run now. */
  get running(): number {
    return this.#active.size;
  }

  /**
   * Connect to Redis, import the allowed modules (so that a wrong path fails now, not at the first
   * job) and begin taking jobs. Resolves once the worker listens.
   *
   * @throws {Error} when an allowed module cannot be imported or Redis cannot be reached.
   */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  /**
   * Stop taking jobs and shut down: running jobs get `grace` seconds (the option's by default) to
   * finish, then the others are handed back to the queue for another worker. Resolves when the
   * connections and threads are closed. Calling it again returns the same promise.
   */
  close(options: { grace?: number } = {}): Promise<void> {
    this.#closed ??= this.#close(options.grace === undefined ? this.#grace : seconds(options.grace, "grace"));
    return this.#closed;
  }

  /**
   * Hand every running job back to the queue now: abort its signal (or terminate its thread) and
   * move it back to waiting, so that another worker runs it from the start. `close()` does this
   * when its grace period ends.
   */
  handBack(): void {
    for (const active of this.#active.values()) {
      if (active.handBack) continue;
      active.handBack = true;
      active.controller.abort(HANDED_BACK);
      active.release();
    }
  }

  async #start(): Promise<void> {
    for (const module of this.#allowlist.modules) {
      try {
        await import(module);
      } catch (error) {
        throw new Error(`the worker cannot import its allowed module ${module}: ${describeError(error)}`, {
          cause: error,
        });
      }
    }
    const [bullmq, { Redis }] = await Promise.all([import("bullmq"), import("ioredis")]);
    this.#bullmq = bullmq;
    // No retries while connecting: a Redis that is not there fails the start, saying where it looked.
    const subscriber = new Redis(this.#url, { lazyConnect: true, retryStrategy: () => null });
    this.#subscriber = subscriber;
    let connected = false;
    let failure: unknown = null;
    subscriber.on("error", (error: Error) => {
      if (connected) this.#warn(`the cancel channel's connection failed: ${describeError(error)}`);
      else failure = error;
    });
    try {
      await subscriber.connect();
    } catch (error) {
      throw new Error(
        `could not connect to Redis at ${redactUrl(this.#url)}: ${describeError(failure ?? error)}; is redis-server running there, and reachable from here?`,
      );
    }
    connected = true;
    // Connected, reconnect as ioredis does by default.
    subscriber.options.retryStrategy = (times: number) => Math.min(times * 50, 2000);
    const channels = this.#queues.map((queue) => cancelChannel(this.#prefix, queue));
    subscriber.on("message", (_channel: string, jobId: string) => this.#onCancel(jobId));
    await subscriber.subscribe(...channels);
    if (this.#threads > 0) this.#pool = new ThreadPoolExecutor({ maxWorkers: this.#threads, terminateOnCancel: true });
    for (const queue of this.#queues) {
      const worker = new bullmq.Worker(
        queue,
        (job: Job, token?: string, signal?: AbortSignal) => this.#process(job, token, signal),
        {
          connection: { url: this.#url },
          prefix: this.#prefix,
          concurrency: this.#concurrency,
          ...(this.#lockMs === undefined ? {} : { lockDuration: this.#lockMs }),
          ...(this.#stalledMs === undefined ? {} : { stalledInterval: this.#stalledMs }),
          ...(this.#maxStalledCount === undefined ? {} : { maxStalledCount: this.#maxStalledCount }),
        },
      );
      worker.on("error", (error: Error) => this.#warn(`queue "${queue}": ${describeError(error)}`));
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    const how = this.#threads > 0 ? `on ${this.#threads} thread${this.#threads === 1 ? "" : "s"}` : "in-process";
    const names = this.#queues.map((queue) => `"${queue}"`).join(", ");
    const modules = this.#allowlist.modules.map((module) => fileURLToPath(module)).join(", ");
    this.#log(
      `${this.#tag} ready: queue ${names} at ${redactUrl(this.#url)}, concurrency ${this.#concurrency} ${how}; modules: ${modules}`,
    );
  }

  async #close(grace: number): Promise<void> {
    // A worker that failed to start (or never started) quietly closes what it opened.
    const started =
      this.#started !== null &&
      (await this.#started.then(
        () => true,
        () => false,
      ));
    const log = started ? this.#log : () => {};
    const running = this.#active.size;
    log(
      `${this.#tag} shutting down: ${running === 0 ? "no job running" : `waiting up to ${grace} s for ${running} running job${running === 1 ? "" : "s"}`}`,
    );
    const timer = setTimeout(() => this.handBack(), grace * 1000);
    try {
      await Promise.allSettled(this.#workers.map((worker) => worker.close()));
    } finally {
      clearTimeout(timer);
    }
    await Promise.allSettled([
      this.#subscriber?.quit(),
      this.#pool === null ? undefined : toPromise(this.#pool.shutdown({ wait: true })),
    ]);
    log(`${this.#tag} stopped`);
  }

  #warn(message: string): void {
    console.error(`${this.#tag} ${message}`);
  }

  #onCancel(jobId: string): void {
    const active = this.#active.get(jobId);
    if (active !== undefined) {
      active.controller.abort(CANCELLED);
      return;
    }
    const now = Date.now();
    this.#cancelled.set(jobId, now);
    for (const [id, when] of this.#cancelled) {
      if (now - when <= CANCEL_MEMORY) break;
      this.#cancelled.delete(id);
    }
  }

  async #process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const { UnrecoverableError, WaitingError } = this.#bullmq as typeof import("bullmq");
    const id = job.id as string;
    const began = performance.now();
    const data: unknown = job.data;
    if (!isJobData(data)) {
      this.#verboseLog(`job ${id} from "${job.queueName}": refused, its data is not an asyncio-ts job`);
      throw new UnrecoverableError(
        `job ${id} is not an asyncio-ts job (its data has no module, name and args): only DistributedExecutor's jobs belong on queue "${job.queueName}"`,
      );
    }
    const what = `job ${id} ${data.name} (${basename(data.module)}) from "${job.queueName}"`;
    // BullMQ can still hand a job to a worker that is closing (a fetch that was waiting for jobs
    // when close() began); a worker that is shutting down starts nothing, so it goes back at once.
    if (this.#closed !== null) {
      await job.moveToWait(token);
      this.#verboseLog(`${what}: handed back unstarted (shutting down)`);
      throw new WaitingError();
    }
    let module: string;
    try {
      module = this.#allowlist.resolve(data.module);
    } catch (error) {
      await this.#storeError(job, data, encodeError(error));
      this.#verboseLog(`${what}: refused, ${describeError(error)}`);
      throw new UnrecoverableError(describeError(error));
    }
    let release = (): void => {};
    const handedBack = new Promise<null>((resolve) => {
      release = () => resolve(null);
    });
    const active: ActiveJob = { controller: new AbortController(), handBack: false, handedBack, release };
    const onAbort = (): void => active.controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#active.set(id, active);
    if (this.#cancelled.delete(id)) active.controller.abort(CANCELLED);
    let outcome: JobOutcome | null;
    try {
      const payload: JobPayload = {
        module,
        name: data.name,
        args: data.args,
        job: { id, queue: job.queueName, attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1) },
      };
      outcome = this.#pool === null ? await this.#inProcess(payload, active) : await this.#onThread(payload, active);
    } finally {
      this.#active.delete(id);
      signal?.removeEventListener("abort", onAbort);
    }
    // A job that succeeded just as the grace period ended is completed, not run again.
    if (outcome === null || (active.handBack && !outcome.ok)) {
      await job.moveToWait(token);
      this.#verboseLog(`${what}: handed back after ${took(began)} (shutting down)`);
      throw new WaitingError();
    }
    if (outcome.ok) {
      this.#verboseLog(`${what}: done in ${took(began)}`);
      return outcome.value;
    }
    const text = outcome.error.message === "" ? outcome.error.name : `${outcome.error.name}: ${outcome.error.message}`;
    if (active.controller.signal.aborted) {
      const reason = active.controller.signal.reason;
      this.#verboseLog(`${what}: cancelled after ${took(began)}`);
      throw new UnrecoverableError(`${typeof reason === "string" ? reason : "cancelled"} (${text})`);
    }
    await this.#storeError(job, data, outcome.error);
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const retry = !outcome.final && attempt < attempts;
    this.#verboseLog(
      `${what}: failed after ${took(began)} (attempt ${attempt} of ${attempts}${retry ? ", will retry" : ""}): ${text}`,
    );
    const error = outcome.final ? new UnrecoverableError(text) : new Error(text);
    // BullMQ keeps the stack for dashboards; the handler's own is the useful one.
    if (outcome.error.stack !== undefined) error.stack = outcome.error.stack;
    throw error;
  }

  #inProcess(payload: JobPayload, active: ActiveJob): Promise<JobOutcome | null> {
    // A handler that ignores its signal is not waited for once its job was handed back.
    return Promise.race([runJobPayload(payload, active.controller.signal), active.handedBack]);
  }

  async #onThread(payload: JobPayload, active: ActiveJob): Promise<JobOutcome> {
    const future = getEventLoop().runInExecutor(this.#pool as ThreadPoolExecutor, runner, payload);
    const cancel = (): void => {
      future.cancel();
    };
    const signal = active.controller.signal;
    signal.addEventListener("abort", cancel, { once: true });
    if (signal.aborted) cancel();
    try {
      return await future;
    } catch (error) {
      // Cancelled: the thread was terminated. Otherwise the thread died (out of memory, exit):
      // the job may well succeed on a fresh one, so it is retried when attempts remain.
      return { ok: false, error: encodeError(error), final: signal.aborted };
    } finally {
      signal.removeEventListener("abort", cancel);
    }
  }

  /** Keep the envelope of the job's error in the job, where its producer reads it. */
  async #storeError(job: Job, data: JobData, envelope: Parameters<typeof encodeEnvelope>[0]): Promise<void> {
    try {
      await job.updateData({ ...data, error: encodeEnvelope(envelope) });
    } catch (error) {
      this.#warn(`could not store the error of job ${job.id}: ${describeError(error)}`);
    }
  }

  #verboseLog(line: string): void {
    if (this.#verbose) this.#log(`${this.#tag} ${line}`);
  }
}
