// The public surface of asyncio-ts, as asyncio/__init__.py re-exports its modules.

export type { Coroutine, CoroutineFunction, Suspension } from "./coroutines.ts";
export { isCoroutine, isCoroutineFunction } from "./coroutines.ts";
export {
  CancelledError,
  InvalidStateError,
  isCancelledError,
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
export { allTasks, createTask, currentTask, ensureFuture, sleep, Task } from "./tasks.ts";
export type { AwaitedOf, GatherOptions, GatherResults, GatherSettled } from "./gather.ts";
export { gather, gatherAll, GatheringFuture } from "./gather.ts";
export type { RunOptions } from "./runners.ts";
export { Runner, run } from "./runners.ts";
export type { AsyncContextManager, UsingResult } from "./using.ts";
export { using } from "./using.ts";
