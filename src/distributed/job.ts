// A distributed job as it sits in Redis, and the function that runs one in a worker.
//
// Design note. A job's data is JSON (BullMQ stores it so) holding the module URL and export name
// the producer referred to, and the arguments as base64 of `v8.serialize`, which carries the values
// a child process accepts (Maps, Dates, typed arrays, bigints, cycles) where JSON would mangle them.
// The result travels back the same way, as the job's return value. A failure is stored in the job
// (field `error`, an error envelope, also v8 and base64) before the job is failed, so the producer
// rebuilds the error as its own class with its fields and stack; BullMQ keeps only a message.
// `runJobPayload` is used on a worker's main thread and on its thread pool alike: it never throws,
// and everything it returns is plain data that a thread can hand back.

import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import { encodeError, type ErrorEnvelope, isErrorEnvelope } from "../executors/envelope.ts";
import { SerializationError } from "../executors/errors.ts";
import { findUnsendable } from "../executors/sendable.ts";
import { callForReply, load } from "../executors/worker.ts";
import { describeError } from "../internal/format.ts";
import { _runInJob } from "./context.ts";

/** The data of a BullMQ job made by a DistributedExecutor. */
export interface JobData {
  /** The `file:` URL of the module, as the producer's task reference names it. */
  readonly module: string;
  /** The name of the exported function. */
  readonly name: string;
  /** The arguments: base64 of `v8.serialize(args)`. */
  readonly args: string;
  /** Set by the worker when an attempt failed: base64 of the v8-serialized error envelope. */
  readonly error?: string;
}

/** What a worker needs to run one job: the allowed module it resolved, the name, the arguments, and who the job is. */
export interface JobPayload {
  readonly module: string;
  readonly name: string;
  readonly args: string;
  /** The job's id, queue and attempt, for `currentJob()`. */
  readonly job: { readonly id: string; readonly queue: string; readonly attempt: number };
}

/**
 * What running a job gave: the encoded result, or the envelope of the error and whether trying
 * again could help (`final` is true for errors that a retry repeats: bad arguments, a missing
 * export, an unsendable result, a handler's own `UnrecoverableError`).
 */
export type JobOutcome = { ok: true; value: string } | { ok: false; error: ErrorEnvelope; final: boolean };

/** Tell whether a job's data has the shape DistributedExecutor gives it. */
export function isJobData(data: unknown): data is JobData {
  if (typeof data !== "object" || data === null) return false;
  const { module, name, args } = data as Record<string, unknown>;
  return typeof module === "string" && typeof name === "string" && name !== "" && typeof args === "string";
}

/** Encode a value for Redis: base64 of `v8.serialize(value)`. */
export function encodeValue(value: unknown): string {
  return serialize(value).toString("base64");
}

/** Decode what `encodeValue` made. */
export function decodeValue(text: string): unknown {
  return deserialize(Buffer.from(text, "base64"));
}

/**
 * Encode an error envelope for Redis. An envelope made on a thread may hold a field that V8's
 * serializer refuses (a SharedArrayBuffer); it then goes without its fields rather than not at all.
 */
export function encodeEnvelope(envelope: ErrorEnvelope): string {
  try {
    return encodeValue(envelope);
  } catch {
    const { cause: _cause, errors: _errors, value: _value, ...rest } = envelope;
    return encodeValue({ ...rest, fields: {}, code: typeof envelope.code === "string" ? envelope.code : undefined });
  }
}

/** Decode what `encodeEnvelope` made; `null` when it is not an envelope. */
export function decodeEnvelope(text: string): ErrorEnvelope | null {
  try {
    const envelope = decodeValue(text);
    return isErrorEnvelope(envelope) ? envelope : null;
  } catch {
    return null;
  }
}

/** The channel on which producers ask workers to cancel running jobs of `queue`. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:asyncio-ts:cancel`;
}

function failed(error: unknown, final: boolean): JobOutcome {
  return { ok: false, error: encodeError(error), final };
}

/** The signal of handlers on a thread: never aborted, since a cancelled job's thread is terminated instead. */
const NEVER_ABORTED = new AbortController().signal;

/**
 * Run one job as the current job (`currentJob()`, with `signal`): decode the arguments, call the
 * export, encode the result. Never throws; every outcome, errors included, is plain data.
 */
export function runJobPayload(payload: JobPayload, signal: AbortSignal = NEVER_ABORTED): Promise<JobOutcome> {
  return _runInJob({ ...payload.job, signal }, () => runJob(payload));
}

async function runJob(payload: JobPayload): Promise<JobOutcome> {
  let args: unknown;
  try {
    args = decodeValue(payload.args);
  } catch (error) {
    return failed(new SerializationError(`the job's arguments could not be decoded: ${describeError(error)}`), true);
  }
  if (!Array.isArray(args)) {
    return failed(new TypeError("the job's arguments are not an array: was it added by a DistributedExecutor?"), true);
  }
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = await load(payload.module, payload.name);
  } catch (error) {
    return failed(error, true);
  }
  const { reply } = await callForReply(fn, args);
  if (!reply.ok) {
    const { name, className } = reply.error;
    const final = name === "UnrecoverableError" || className === "UnrecoverableError";
    return { ok: false, error: reply.error, final };
  }
  // On a thread, callForReply checked the result against what threads accept; Redis takes less.
  const problem = findUnsendable(reply.value, "process");
  if (problem !== null) {
    const where = problem.path === "" ? "the result" : `the result's ${problem.path}`;
    return failed(new SerializationError(`${where} ${problem.reason}`, { path: problem.path }), true);
  }
  try {
    return { ok: true, value: encodeValue(reply.value) };
  } catch (error) {
    return failed(new SerializationError(`the result could not be serialized: ${describeError(error)}`), true);
  }
}

/** Where `runJobPayload` lives, for a worker's thread pool: this module's JavaScript or, under a loader, its source. */
export const JOB_RUNNER: URL = new URL(import.meta.url.endsWith(".ts") ? "./job.ts" : "./job.js", import.meta.url);
