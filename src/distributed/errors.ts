// The errors of the distributed executor: a module a worker refuses to load, and a job that vanished.

import { registerErrorClass } from "../executors/envelope.ts";
import { RuntimeError } from "../exceptions.ts";

/**
 * Raise when a job names a module that is not on the worker's allowlist (its `--module` flags).
 * A message in Redis must never make a worker import code it was not told to trust, so the job
 * fails at once, without retries, and its Future fails with this error.
 *
 * @see docs/distributed.md, "Which code a worker runs"
 */
export class ModuleNotAllowedError extends RuntimeError {
  override name = "ModuleNotAllowedError";
  /** The module the job named. */
  module: string;
  /** The modules the worker allows (`file:` URLs). */
  allowed: string[];

  constructor(message: string, module: string, allowed: readonly string[]) {
    super(message);
    this.module = module;
    this.allowed = [...allowed];
  }
}

/**
 * Raise when a job disappeared from Redis before it finished: something else removed it
 * (`queue.obliterate()`, `queue.drain()`, a dashboard), or Redis lost its data. Whether the job ran
 * is unknown.
 */
export class JobLostError extends RuntimeError {
  override name = "JobLostError";
  /** The BullMQ id of the job. */
  jobId: string;

  constructor(message: string, jobId: string) {
    super(message);
    this.jobId = jobId;
  }
}

// Both cross from workers to producers inside error envelopes; rebuild them as their classes.
registerErrorClass(ModuleNotAllowedError);
registerErrorClass(JobLostError);
