// The public surface of asyncio-ts, as asyncio/__init__.py re-exports its modules.

export type { Coroutine, CoroutineFunction, Suspension } from "./coroutines.ts";
export { isCoroutine, isCoroutineFunction } from "./coroutines.ts";
export type { ErrorClass, ErrorOf, Matched, SplitCondition } from "./exceptions.ts";
export {
  BaseExceptionGroup,
  BrokenBarrierError,
  CancelledError,
  ExceptionGroup,
  InvalidStateError,
  isCancelledError,
  KeyboardInterrupt,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./exceptions.ts";
export type { EventLoop, ExceptionContext, ExceptionHandler, TaskFactory, TaskOptions } from "./events.ts";
export { getRunningLoop, Handle, TimerHandle } from "./events.ts";
export { BaseEventLoop, newEventLoop } from "./loop.ts";
export type { DoneCallback } from "./futures.ts";
export { Future, isFuture, wrap } from "./futures.ts";
export type { Awaitable, TaskConstructorOptions } from "./tasks.ts";
export { sleep } from "./sleep.ts";
export { allTasks, createTask, currentTask, ensureFuture, Task } from "./tasks.ts";
export type { AwaitedOf, GatherOptions, GatherResults, GatherSettled } from "./gather.ts";
export { gather, gatherAll, GatheringFuture } from "./gather.ts";
export { shield } from "./shield.ts";
export type { ReturnWhen, WaitOptions } from "./wait.ts";
export { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from "./wait.ts";
export type { AsCompletedOptions, CompletedOf } from "./as-completed.ts";
export { asCompleted, AsCompletedIterator } from "./as-completed.ts";
export type { TaskConstructor } from "./eager-task-factory.ts";
export { createEagerTaskFactory, eagerTaskFactory } from "./eager-task-factory.ts";
export type { RunOptions, RunTraceOptions } from "./runners.ts";
export { Runner, run } from "./runners.ts";
export type { LogDetails, LogHandler, LogLevel, LogRecord } from "./log.ts";
export { Logger, logger } from "./log.ts";
export type { SourceFrame } from "./internal/source-traceback.ts";
export { trackAwaited } from "./debug.ts";
export type {
  CallGraphOptions,
  FrameCallGraphEntry,
  FutureCallGraph,
  PrintCallGraphOptions,
  TaskTreeKind,
  TaskTreeNode,
} from "./graph.ts";
export {
  captureCallGraph,
  captureTaskTree,
  formatCallGraph,
  formatTaskTree,
  printCallGraph,
} from "./graph.ts";
export type { TracingOptions } from "./tracing/recorder.ts";
export { isTracing, startTracing, stopTracing } from "./tracing/recorder.ts";
export type { TraceEvent, TraceFile, TracePhase } from "./tracing/trace.ts";
export { Trace, writeTraceJson } from "./tracing/trace.ts";
export type { TimelineOptions } from "./tracing/timeline.ts";
export { formatTimeline } from "./tracing/timeline.ts";
export { renderTraceHtml, writeTraceHtml } from "./tracing/html.ts";
export type { AsyncContextManager, UsingResult } from "./using.ts";
export { using } from "./using.ts";
export { closeAmbientLoop, getEventLoop, setAmbientLoopFactory } from "./ambient.ts";
export { toPromise } from "./promises.ts";
export { fromSignal } from "./signals.ts";
export type { AsyncSource, Gettable, ToAsyncIterableOptions } from "./async-iterables.ts";
export { AsyncIteration, forEach, iterate, toAsyncIterable } from "./async-iterables.ts";
export type { EventEmitterLike, EventTargetLike } from "./node-events.ts";
export { once } from "./node-events.ts";
export { TaskGroup } from "./taskgroups.ts";
export { Timeout, timeout, timeoutAt } from "./timeouts.ts";
export { waitFor } from "./wait-for.ts";
export { Barrier, BoundedSemaphore, Condition, Event, Lock, Semaphore } from "./locks.ts";
export type { PriorityQueueOptions, QueueOptions } from "./queues.ts";
export { LifoQueue, PriorityQueue, Queue } from "./queues.ts";
export type { ErrorEnvelope } from "./executors/envelope.ts";
export { registerErrorClass } from "./executors/envelope.ts";
export { BrokenWorkerError, SerializationError } from "./executors/errors.ts";
export type { Executor, MapOptions, ShutdownOptions } from "./executors/executor.ts";
export type { ProcessPoolOptions } from "./executors/process-pool.ts";
export { ProcessPoolExecutor } from "./executors/process-pool.ts";
export type {
  SendArgs,
  TaskModule,
  TaskRef,
  TaskRefOptions,
  WorkerArgs,
  WorkerFunction,
  WorkerResult,
} from "./executors/task-ref.ts";
export { task, taskModule } from "./executors/task-ref.ts";
export type { ThreadPoolOptions } from "./executors/thread-pool.ts";
export { ThreadPoolExecutor } from "./executors/thread-pool.ts";
export { toThread } from "./executors/to-thread.ts";
export type { Transfer } from "./executors/transfer.ts";
export { transfer } from "./executors/transfer.ts";
