// DistributedExecutor: run functions on other machines through a BullMQ queue in Redis.
//
// Design note. Each call is one BullMQ job whose id is made here before it is added, so that its
// record is in `#records` before Redis can say anything about it. One QueueEvents listener per
// executor reads the queue's event stream from the last event that was there before the first job
// was added, so it sees every event of every job of ours; a job's Future is settled from the
// 'completed' or 'failed' event. Events can still be missed (the stream is capped, a producer may
// stall while it is trimmed), so a poller looks up, in one pipeline, the jobs nothing was heard of
// for `pollInterval` seconds. Both paths go through `#settle`, which acts once per job: no result
// is lost and none is delivered twice. `job.waitUntilFinished()` is never used; it adds a listener
// per job and never settles for a job removed early.
//
// Cancelling a Future withdraws its job: removed from Redis while it waits (BullMQ refuses to remove
// a job that a worker holds the lock of, which makes "waiting or running?" an atomic question), else
// a cancel message on the queue's pub/sub channel asks the worker that runs it to abort it. The job
// stays in `#records` until Redis says it ended, so shutdown waits for it, as for any running job.

import { randomBytes } from "node:crypto";
import type { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { Coroutine } from "../coroutines.ts";
import { CancelledError, RuntimeError, ValueError } from "../exceptions.ts";
import { BrokenWorkerError, SerializationError } from "../executors/errors.ts";
import { BaseExecutor, type ExecutorCall, type ShutdownOptions } from "../executors/executor.ts";
import { describeRef } from "../executors/task-ref.ts";
import type { Reply } from "../executors/worker.ts";
import { describe, describeError } from "../internal/format.ts";
import { JobLostError } from "./errors.ts";
import { cancelChannel, decodeEnvelope, decodeValue, encodeValue, isJobData, type JobData } from "./job.ts";
import { DEFAULT_PREFIX, defaultRedisUrl, redactUrl } from "./redis-url.ts";

/** Wait between attempts of a failed job. */
export interface BackoffOptions {
  /** `"fixed"`: `delay` every time; `"exponential"`: `delay`, then twice that, then four times... */
  type: "fixed" | "exponential";
  /** Seconds. */
  delay: number;
}

/** How many jobs of a DistributedExecutor are in each state; see `progress()`. */
export interface DistributedProgress {
  /** Submitted and not running: waiting in Redis for a worker, or for a retry. */
  queued: number;
  /** Running on a worker. */
  running: number;
  /** Finished with a result. */
  done: number;
  /** Finished with an error (after their last attempt). */
  failed: number;
  /** Cancelled by their callers. */
  cancelled: number;
  /** Submitted since the executor was made. */
  total: number;
}

/** Options of `new DistributedExecutor()`. */
export interface DistributedExecutorOptions {
  /** The BullMQ queue the workers listen on (`--queue` of `asyncio-ts worker`). */
  queue: string;
  /** The Redis server, as a URL (default: the `REDIS_URL` environment variable, else `redis://127.0.0.1:6379`). */
  redis?: string;
  /** The prefix of BullMQ's keys (default `"bull"`, BullMQ's own); workers must use the same. */
  prefix?: string;
  /** How many times a job runs before its failure is final (default 1: no retry). */
  attempts?: number;
  /** The wait before a retry: seconds, or a fixed or exponential backoff (default: none). */
  backoff?: number | BackoffOptions;
  /**
   * Whether cancelling the Future of a job that is running sends its worker a cancel message,
   * which aborts the handler's signal (`currentJob().signal`) or terminates its thread (default
   * true). A job that has not started is removed from the queue either way.
   */
  terminateOnCancel?: boolean;
  /** Seconds after which a job nothing was heard of is looked up in Redis (default 5). */
  pollInterval?: number;
  /** Seconds that finished jobs stay in Redis, results and errors included (default 3600). */
  keepFinished?: number;
  /** Seconds to wait for Redis when connecting (default 15). */
  connectTimeout?: number;
  /** Called with the new counts whenever one changes: drive a progress bar with it. */
  onProgress?: (progress: DistributedProgress) => void;
}

type Category = "queued" | "running" | "done" | "failed" | "cancelled";

const QUEUED = 0;
const RUNNING = 1;
const SETTLED = 2;

/** The executor's record of one job, from `_run` until Redis says the job ended. */
interface JobRecord {
  readonly id: string;
  readonly call: ExecutorCall;
  readonly data: JobData;
  state: number;
  category: Category;
  /** The job is in Redis (its addBulk succeeded). */
  added: boolean;
  /** Its Future was cancelled: the job is being withdrawn and its outcome will be dropped. */
  cancelled: boolean;
  /** A removal or cancel message is on its way. */
  withdrawing: boolean;
  /** Whether a running job is interrupted when cancelled (terminateOnCancel). */
  readonly interrupt: boolean;
  /** When an event or a poll last told something about the job (ms, Date.now()). */
  checkedAt: number;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: unknown) => void;
}

interface Connection {
  queue: Queue;
  events: QueueEvents;
  redis: Redis;
}

/** Jobs per addBulk call: one MULTI each, bounded so that one call never holds Redis for long. */
const ADD_BATCH = 500;
/** Jobs looked up per poll. */
const POLL_BATCH = 1000;

function checkSeconds(value: unknown, what: string, allowZero: boolean): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ValueError(
      `${what} must be a ${allowZero ? "non-negative" : "positive"} number of seconds, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Run functions on worker processes anywhere, through a BullMQ queue in Redis: the executor for
 * work that outgrows one machine, with the same interface as the thread and process pools.
 * Start workers with `npx asyncio-ts worker --redis URL --queue NAME --module ./dist/tasks.js`
 * (on any number of machines), then submit task references; `gather` of submits keeps its
 * argument order, cancellation withdraws jobs, and errors come back as their own classes.
 *
 * Delivery is at least once: a job whose worker dies is run again by another worker, so
 * handlers must be idempotent (see docs/distributed.md). Connects to Redis on the first submit.
 *
 * @example
 * const work = asyncio.taskModule<typeof import("./tasks.js")>(new URL("./tasks.js", import.meta.url));
 * yield* asyncio.using(new DistributedExecutor({ queue: "work", redis: "redis://10.0.0.5:6379" }), function* (remote) {
 *   const sizes = yield* asyncio.gather(...urls.map((url) => remote.submit(work.download, url)));
 * });
 * @throws {ValueError} when an option is out of range.
 * @see concurrent.futures.Executor; Celery's `group()` is `gather` of submits
 */
export class DistributedExecutor extends BaseExecutor {
  readonly #queueName: string;
  readonly #url: string;
  readonly #prefix: string;
  readonly #attempts: number;
  readonly #backoff: { type: "fixed" | "exponential"; delay: number } | undefined;
  readonly #pollMs: number;
  readonly #keepSeconds: number;
  readonly #connectMs: number;
  readonly #onProgress: ((progress: DistributedProgress) => void) | undefined;
  readonly #idPrefix = randomBytes(9).toString("base64url");
  #sequence = 0;
  readonly #records = new Map<string, JobRecord>();
  #toAdd: JobRecord[] = [];
  #flushScheduled = false;
  #connecting: Promise<Connection> | null = null;
  #connection: Connection | null = null;
  #poller: ReturnType<typeof setInterval> | null = null;
  #polling = false;
  #closing = false;
  readonly #counts: DistributedProgress = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, total: 0 };
  readonly #warned = new Set<string>();

  constructor(options: DistributedExecutorOptions) {
    // Every submitted job goes to Redis at once: how many run at a time is the workers' business.
    super({
      maxWorkers: Number.POSITIVE_INFINITY,
      target: "process",
      terminateOnCancel: options?.terminateOnCancel ?? true,
    });
    const { queue } = options;
    if (typeof queue !== "string" || queue === "" || queue.includes(":")) {
      throw new ValueError(`queue must be a non-empty name without ":", got ${describe(queue)}`);
    }
    this.#queueName = queue;
    this.#url = options.redis ?? defaultRedisUrl();
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    const attempts = options.attempts ?? 1;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new ValueError(`attempts must be a positive integer, got ${describe(attempts)}`);
    }
    this.#attempts = attempts;
    const backoff = options.backoff;
    if (backoff !== undefined) {
      const spec = typeof backoff === "number" ? { type: "fixed" as const, delay: backoff } : backoff;
      if (spec.type !== "fixed" && spec.type !== "exponential") {
        throw new ValueError(`backoff type must be "fixed" or "exponential", got ${describe(spec.type)}`);
      }
      this.#backoff = { type: spec.type, delay: checkSeconds(spec.delay, "backoff delay", true) * 1000 };
    }
    this.#pollMs = checkSeconds(options.pollInterval ?? 5, "pollInterval", false) * 1000;
    this.#keepSeconds = Math.ceil(checkSeconds(options.keepFinished ?? 3600, "keepFinished", false));
    this.#connectMs = checkSeconds(options.connectTimeout ?? 15, "connectTimeout", false) * 1000;
    this.#onProgress = options.onProgress;
  }

  /** The queue the jobs go to. */
  get queue(): string {
    return this.#queueName;
  }

  /**
   * Return how many of the jobs submitted so far are queued, running, done, failed and
   * cancelled. The counts follow the queue's events, so they lag Redis by a moment.
   */
  progress(): DistributedProgress {
    return { ...this.#counts };
  }

  /**
   * Stop accepting jobs; close the connections once every submitted job has ended. With
   * `cancelFutures`, the jobs still waiting in Redis (for a worker, or for a retry) are cancelled
   * and removed; running jobs always finish.
   *
   * @see concurrent.futures.Executor.shutdown
   */
  override shutdown(options: ShutdownOptions = {}): Coroutine<void> {
    if (options.cancelFutures) {
      for (const record of [...this.#records.values()]) {
        if (record.state === QUEUED && !record.cancelled) record.call.future.cancel();
      }
    }
    return super.shutdown(options);
  }

  protected _run(call: ExecutorCall): PromiseLike<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      let args: string;
      try {
        args = encodeValue(call.message.args);
      } catch (error) {
        reject(
          new SerializationError(
            `the arguments of ${describeRef(call.ref)} could not be serialized: ${describeError(error)}`,
          ),
        );
        return;
      }
      const record: JobRecord = {
        id: `${this.#idPrefix}-${++this.#sequence}`,
        call,
        data: { module: call.message.module, name: call.message.name, args },
        state: QUEUED,
        category: "queued",
        added: false,
        cancelled: false,
        withdrawing: false,
        interrupt: call.signal !== undefined,
        checkedAt: 0,
        resolve,
        reject,
      };
      this.#records.set(record.id, record);
      this.#counts.queued++;
      this.#counts.total++;
      this.#notify();
      call.future.addDoneCallback((future) => {
        if (future.cancelled()) this.#withdraw(record);
      });
      this.#toAdd.push(record);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  protected async _close(): Promise<void> {
    this.#closing = true;
    if (this.#poller !== null) clearInterval(this.#poller);
    this.#poller = null;
    const connecting = this.#connecting;
    if (connecting === null) return;
    let connection: Connection;
    try {
      connection = await connecting;
    } catch {
      return;
    }
    await Promise.allSettled([connection.events.close(), connection.queue.close(), connection.redis.quit()]);
  }

  // ---- adding jobs -----------------------------------------------------------------------------

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#toAdd;
    this.#toAdd = [];
    let connection: Connection;
    try {
      connection = await this.#connect();
    } catch (error) {
      for (const record of batch) this.#settle(record, null, error);
      return;
    }
    const jobs: JobRecord[] = [];
    for (const record of batch) {
      // Cancelled before it reached Redis: it never will.
      if (record.cancelled) this.#settle(record, null, new CancelledError());
      else jobs.push(record);
    }
    const options = {
      attempts: this.#attempts,
      ...(this.#backoff === undefined ? {} : { backoff: this.#backoff }),
      removeOnComplete: { age: this.#keepSeconds },
      removeOnFail: { age: this.#keepSeconds },
    };
    for (let i = 0; i < jobs.length; i += ADD_BATCH) {
      const chunk = jobs.slice(i, i + ADD_BATCH);
      try {
        await connection.queue.addBulk(
          chunk.map((record) => ({
            name: record.data.name,
            data: record.data,
            opts: { ...options, jobId: record.id },
          })),
        );
      } catch (error) {
        const failure = new RuntimeError(
          `could not add jobs to queue "${this.#queueName}" at ${redactUrl(this.#url)}: ${describeError(error)}`,
          { cause: error },
        );
        for (const record of chunk) this.#settle(record, null, failure);
        continue;
      }
      const now = Date.now();
      for (const record of chunk) {
        record.added = true;
        record.checkedAt = now;
        if (record.cancelled) this.#withdraw(record);
      }
    }
    if (this.#poller === null && this.#records.size > 0 && !this.#closing) {
      this.#poller = setInterval(() => void this.#poll(), this.#pollMs);
      this.#poller.unref();
    }
  }

  #connect(): Promise<Connection> {
    if (this.#connecting === null) {
      const connecting = this.#open();
      this.#connecting = connecting;
      // A failed attempt is forgotten, so that the next submit tries again.
      connecting.catch(() => {
        if (this.#connecting === connecting) this.#connecting = null;
      });
    }
    return this.#connecting;
  }

  async #open(): Promise<Connection> {
    const [{ Queue, QueueEvents }, { Redis }] = await Promise.all([import("bullmq"), import("ioredis")]);
    const connection = { url: this.#url };
    const queue = new Queue(this.#queueName, { connection, prefix: this.#prefix });
    queue.on("error", this.#onError);
    const redis = new Redis(this.#url, { lazyConnect: true });
    redis.on("error", this.#onError);
    let events: QueueEvents | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#connectMs / 1000} s`)), this.#connectMs);
    });
    try {
      await Promise.race([redis.connect(), timeout]);
      // The listener starts after the last event already in the stream, so it sees every event
      // of the jobs added from now on: the stream ids are Redis's own order of events.
      const last = await Promise.race([redis.xrevrange(queue.keys.events as string, "+", "-", "COUNT", 1), timeout]);
      const lastEventId = last.length > 0 ? (last[0] as [string, string[]])[0] : "0-0";
      const listener = new QueueEvents(this.#queueName, { connection, prefix: this.#prefix, lastEventId });
      events = listener;
      listener.on("error", this.#onError);
      listener.on("active", ({ jobId }) => this.#onActive(jobId));
      listener.on("waiting", ({ jobId }) => this.#onRequeued(jobId));
      listener.on("delayed", ({ jobId }) => this.#onRequeued(jobId));
      listener.on("completed", ({ jobId, returnvalue }) => this.#onCompleted(jobId, returnvalue));
      listener.on("failed", ({ jobId, failedReason }) => this.#onFailed(jobId, failedReason));
      listener.on("removed", ({ jobId }) => this.#onRemoved(jobId));
      await Promise.race([Promise.all([queue.waitUntilReady(), listener.waitUntilReady()]), timeout]);
    } catch (error) {
      await Promise.allSettled([events?.close(), queue.close(), redis.disconnect()]);
      throw new RuntimeError(
        `could not connect to Redis at ${redactUrl(this.#url)}: ${describeError(error)}; is redis-server running there, and reachable from here?`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    this.#connection = { queue, events, redis };
    return this.#connection;
  }

  #onError = (error: Error): void => {
    // While connecting, a failure reaches the jobs' Futures; afterwards, only a warning can tell.
    if (this.#connection !== null) this.#warn(describeError(error));
  };

  #warn(message: string): void {
    if (this.#closing || this.#warned.has(message)) return;
    this.#warned.add(message);
    process.emitWarning(
      `DistributedExecutor (queue "${this.#queueName}" at ${redactUrl(this.#url)}): ${message}`,
      "DistributedExecutorWarning",
    );
  }

  // ---- what Redis says about the jobs ------------------------------------------------------------

  #onActive(jobId: string): void {
    const record = this.#records.get(jobId);
    if (record === undefined) return;
    record.checkedAt = Date.now();
    if (record.state === QUEUED) {
      record.state = RUNNING;
      this.#recount(record, "running");
    }
    // A worker took a job that is being withdrawn (a race, or a re-run after a stall): tell it.
    if (record.cancelled) this.#withdraw(record);
  }

  #onRequeued(jobId: string): void {
    const record = this.#records.get(jobId);
    if (record === undefined) return;
    record.checkedAt = Date.now();
    if (record.state === RUNNING) {
      record.state = QUEUED;
      this.#recount(record, "queued");
    }
  }

  #onCompleted(jobId: string, returnvalue: unknown): void {
    const record = this.#records.get(jobId);
    if (record !== undefined) this.#complete(record, returnvalue);
  }

  #onFailed(jobId: string, failedReason: string): void {
    const record = this.#records.get(jobId);
    if (record !== undefined) void this.#fail(record, failedReason);
  }

  #onRemoved(jobId: string): void {
    const record = this.#records.get(jobId);
    if (record !== undefined) this.#lost(record);
  }

  #complete(record: JobRecord, returnvalue: unknown): void {
    if (record.state === SETTLED) return;
    if (record.cancelled) {
      this.#settle(record, null, new CancelledError());
      return;
    }
    if (typeof returnvalue !== "string") {
      this.#settle(
        record,
        null,
        new BrokenWorkerError(
          `job ${record.id} (${describeRef(record.call.ref)}) finished with ${describe(returnvalue)} instead of an encoded result: is a worker other than asyncio-ts's taking jobs from queue "${this.#queueName}"?`,
        ),
      );
      return;
    }
    let value: unknown;
    try {
      value = decodeValue(returnvalue);
    } catch (error) {
      this.#settle(
        record,
        null,
        new SerializationError(
          `the result of ${describeRef(record.call.ref)} could not be decoded: ${describeError(error)}`,
        ),
      );
      return;
    }
    this.#settle(record, { ok: true, value }, undefined);
  }

  async #fail(record: JobRecord, failedReason: string): Promise<void> {
    if (record.state === SETTLED) return;
    if (record.cancelled) {
      this.#settle(record, null, new CancelledError());
      return;
    }
    // The worker stored the error's envelope in the job before failing it.
    let raw: string | null = null;
    try {
      raw = await (this.#connection as Connection).redis.hget(this.#jobKey(record.id), "data");
    } catch {
      // Redis went away: fall back on BullMQ's reason below.
    }
    let data: unknown = null;
    try {
      data = raw === null ? null : JSON.parse(raw);
    } catch {
      // Not JSON: not one of ours; the reason below says so.
    }
    const envelope = isJobData(data) && data.error !== undefined ? decodeEnvelope(data.error) : null;
    if (envelope !== null) {
      this.#settle(record, { ok: false, error: envelope }, undefined);
      return;
    }
    const job = `job ${record.id} (${describeRef(record.call.ref)})`;
    const why = /stalled/i.test(failedReason)
      ? `: the workers that ran it stopped renewing its lock too often (they died, or a CPU-bound handler blocked their event loop: run those with --threads)`
      : failedReason === ""
        ? " without a reason: is a worker other than asyncio-ts's taking jobs from this queue?"
        : "";
    this.#settle(
      record,
      null,
      new BrokenWorkerError(`${job} failed in queue "${this.#queueName}": ${failedReason || "no reason given"}${why}`),
    );
  }

  #lost(record: JobRecord): void {
    if (record.cancelled) {
      this.#settle(record, null, new CancelledError());
      return;
    }
    this.#settle(
      record,
      null,
      new JobLostError(
        `job ${record.id} (${describeRef(record.call.ref)}) disappeared from queue "${this.#queueName}" before it finished: something removed it (queue.obliterate(), queue.drain(), a dashboard?) or Redis lost it; it may or may not have run`,
        record.id,
      ),
    );
  }

  /** End a job's record once: count it, and settle what `_run` returned. */
  #settle(record: JobRecord, reply: Reply | null, error: unknown): void {
    if (record.state === SETTLED) return;
    record.state = SETTLED;
    this.#records.delete(record.id);
    this.#recount(record, record.cancelled ? "cancelled" : reply?.ok === true ? "done" : "failed");
    if (reply !== null) record.resolve(reply);
    else record.reject(error);
    if (this.#records.size === 0 && this.#poller !== null) {
      clearInterval(this.#poller);
      this.#poller = null;
    }
  }

  #recount(record: JobRecord, category: Category): void {
    if (record.category === category) return;
    this.#counts[record.category]--;
    this.#counts[category]++;
    record.category = category;
    this.#notify();
  }

  #notify(): void {
    const onProgress = this.#onProgress;
    if (onProgress === undefined) return;
    try {
      onProgress(this.progress());
    } catch (error) {
      this.#warn(`onProgress threw: ${describeError(error)}`);
    }
  }

  // ---- cancellation ------------------------------------------------------------------------------

  #withdraw(record: JobRecord): void {
    if (record.state === SETTLED) return;
    if (!record.cancelled) {
      record.cancelled = true;
      this.#recount(record, "cancelled");
    }
    // Not in Redis yet: #flush withdraws it once its add returns.
    if (!record.added || record.withdrawing || this.#connection === null) return;
    record.withdrawing = true;
    void this.#remove(record, this.#connection).finally(() => {
      record.withdrawing = false;
    });
  }

  async #remove(record: JobRecord, connection: Connection): Promise<void> {
    try {
      // BullMQ removes a job only when no worker holds its lock: waiting, delayed, or stalled.
      if ((await connection.queue.remove(record.id)) === 1) {
        this.#settle(record, null, new CancelledError());
        return;
      }
      if (record.interrupt) await connection.redis.publish(cancelChannel(this.#prefix, this.#queueName), record.id);
    } catch (error) {
      // The poller tries again.
      this.#onError(error instanceof Error ? error : new RuntimeError(describeError(error)));
    }
  }

  // ---- the polling fallback ----------------------------------------------------------------------

  #jobKey(id: string): string {
    return (this.#connection as Connection).queue.toKey(id);
  }

  async #poll(): Promise<void> {
    const connection = this.#connection;
    if (this.#polling || connection === null || this.#closing) return;
    this.#polling = true;
    try {
      const now = Date.now();
      const due: JobRecord[] = [];
      for (const record of this.#records.values()) {
        if (record.added && now - record.checkedAt >= this.#pollMs) {
          due.push(record);
          if (due.length === POLL_BATCH) break;
        }
      }
      if (due.length === 0) return;
      const pipeline = connection.redis.pipeline();
      for (const record of due) {
        pipeline.hmget(this.#jobKey(record.id), "timestamp", "finishedOn", "returnvalue", "failedReason");
      }
      const replies = (await pipeline.exec()) ?? [];
      const checked = Date.now();
      for (let i = 0; i < due.length; i++) {
        const record = due[i] as JobRecord;
        record.checkedAt = checked;
        const [error, fields] = replies[i] ?? [null, null];
        if (record.state === SETTLED || error !== null || !Array.isArray(fields)) continue;
        const [timestamp, finishedOn, returnvalue, failedReason] = fields as (string | null)[];
        if (timestamp === null) this.#lost(record);
        else if (finishedOn === null) {
          if (record.cancelled) this.#withdraw(record);
        } else if (returnvalue !== null && returnvalue !== undefined) {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(returnvalue);
          } catch {
            // Left null: #complete reports a result that is not ours.
          }
          this.#complete(record, parsed);
        } else void this.#fail(record, failedReason ?? "");
      }
    } catch (error) {
      this.#onError(error instanceof Error ? error : new RuntimeError(describeError(error)));
    } finally {
      this.#polling = false;
    }
  }
}
