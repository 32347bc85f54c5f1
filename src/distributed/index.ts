// asyncio-ts/distributed: the Executor on BullMQ and Redis, and the worker that runs its jobs.
//
// A subpath of its own, so that programs that never leave one machine do not load BullMQ; it is
// loaded on first use here too.

export type { JobContext } from "./context.ts";
export { currentJob } from "./context.ts";
export type { BackoffOptions, DistributedExecutorOptions, DistributedProgress } from "./executor.ts";
export { DistributedExecutor } from "./executor.ts";
export { JobLostError, ModuleNotAllowedError } from "./errors.ts";
export type { DistributedWorkerOptions } from "./worker.ts";
export { DistributedWorker } from "./worker.ts";
