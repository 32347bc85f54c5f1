// asyncio-ts/executors: the executors, and the pieces for building executors of your own.
//
// Everything a program needs is also exported by "asyncio-ts" itself; this entry adds what an
// executor implementation needs: BaseExecutor, the worker side (callForReply, runJob), the error
// envelope, and the check of what can be sent.

export type { ErrorEnvelope } from "./envelope.ts";
export { decodeError, encodeError, isErrorEnvelope, registerErrorClass } from "./envelope.ts";
export type { BrokenWorkerErrorOptions, SerializationErrorOptions } from "./errors.ts";
export { BrokenWorkerError, SerializationError } from "./errors.ts";
export type {
  BaseExecutorOptions,
  Executor,
  ExecutorCall,
  MapItem,
  MapOptions,
  ShutdownOptions,
  UnaryWorkerFunction,
} from "./executor.ts";
export { BaseExecutor } from "./executor.ts";
export type { ProcessPoolOptions } from "./process-pool.ts";
export { ProcessPoolExecutor } from "./process-pool.ts";
export type { SendTarget, Unsendable } from "./sendable.ts";
export { findUnsendable } from "./sendable.ts";
export type {
  SendArgs,
  TaskModule,
  TaskRef,
  TaskRefOptions,
  WorkerArgs,
  WorkerFunction,
  WorkerResult,
} from "./task-ref.ts";
export { isTaskRef, task, taskModule } from "./task-ref.ts";
export type { ThreadPoolOptions } from "./thread-pool.ts";
export { ThreadPoolExecutor } from "./thread-pool.ts";
export { toThread } from "./to-thread.ts";
export type { Transfer } from "./transfer.ts";
export { isTransfer, transfer } from "./transfer.ts";
export type { JobMessage, Reply } from "./worker.ts";
export { callForReply, runJob } from "./worker.ts";
export { WORKER_ENTRY, WORKER_EXPORT } from "./worker-entry.ts";
