// The ambient loop: where Futures and Tasks made by plain async code run when no loop is running.
//
// Design note (docs/decisions/004-ambient-loop.md). Code outside any loop (top-level `await`, a
// promise reaction, a Node callback) that makes a Future or Task binds it to the *current loop*:
// the loop of an active `run()`/Runner when there is one that is running (as Python's Runner makes
// its loop the thread's event loop), else the ambient loop, created and started on first use. The
// ambient loop runs forever on Node's loop but holds a host handle only while it has work (ready
// callbacks or live timers), exactly the rule Node applies to setImmediate/setTimeout: idle, it keeps
// nothing alive, and the process exits as it would with pending promises. It never stops by itself;
// `closeAmbientLoop()` cancels its Tasks, closes it, and lets the next use start a fresh one.

import { _getEventLoop, _getRunningLoop, _setAmbientLoopProvider, type EventLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { gatherAll } from "./gather.ts";
import { describe } from "./internal/format.ts";
import { newEventLoop } from "./loop.ts";
import { allTasks } from "./tasks.ts";

let ambient: EventLoop | null = null;
let ambientStopped: Promise<void> | null = null;
let ambientFactory: (() => EventLoop) | null = null;
/** Loops of live Runners, innermost last; the first running one from the end is current. */
const runnerLoops: EventLoop[] = [];

function ambientLoop(): EventLoop {
  if (ambient !== null) return ambient;
  const loop = (ambientFactory ?? newEventLoop)();
  ambientStopped = loop.runForever();
  ambient = loop;
  return loop;
}

function currentLoop(): EventLoop {
  for (let i = runnerLoops.length - 1; i >= 0; i--) {
    const loop = runnerLoops[i] as EventLoop;
    if (loop.isRunning()) return loop;
  }
  return ambientLoop();
}

_setAmbientLoopProvider(currentLoop);

/** @internal A Runner made its loop: code outside any loop uses it while it runs. */
export function _enterRunner(loop: EventLoop): void {
  runnerLoops.push(loop);
}

/** @internal A Runner closed its loop. */
export function _leaveRunner(loop: EventLoop): void {
  const i = runnerLoops.lastIndexOf(loop);
  if (i >= 0) runnerLoops.splice(i, 1);
}

/**
 * Return the loop that new Futures and Tasks bind to here: the running loop inside a coroutine or
 * callback; from plain async code, the loop of an active `run()`, else the ambient loop, which this
 * call creates and starts if it does not exist yet.
 *
 * @example
 * asyncio.getEventLoop().setExceptionHandler((loop, context) => logger.error(context.message));
 * @see asyncio.get_event_loop, which in Python 3.14 raises where this starts the ambient loop
 */
export function getEventLoop(): EventLoop {
  return _getEventLoop();
}

/**
 * Set the function that makes the ambient loop (a `VirtualTimeLoop` in tests, a loop with its own
 * exception handler), or `null` for `newEventLoop`. It applies to the next ambient loop.
 *
 * @example
 * asyncio.setAmbientLoopFactory(() => new VirtualTimeLoop());
 * @throws {RuntimeError} when an ambient loop exists: close it first with `closeAmbientLoop()`.
 * @throws {TypeError} when `factory` is neither a function nor null.
 */
export function setAmbientLoopFactory(factory: (() => EventLoop) | null): void {
  if (factory !== null && typeof factory !== "function") {
    throw new TypeError(`setAmbientLoopFactory() expects a function or null, got ${describe(factory)}`);
  }
  if (ambient !== null) {
    throw new RuntimeError("an ambient loop is already running: await closeAmbientLoop() before changing its factory");
  }
  ambientFactory = factory;
}

/**
 * Shut the ambient loop down as `run()` does at its end: cancel every Task still pending on it,
 * wait for them to finish (their `finally` blocks run), report their errors, then stop and close
 * the loop. The next use from plain async code starts a fresh ambient loop. Does nothing when
 * there is no ambient loop.
 *
 * A program never has to call it (an idle ambient loop does not keep the process alive); call it
 * for a graceful shutdown of background Tasks, or between tests.
 *
 * @example
 * process.once("SIGTERM", () => void asyncio.closeAmbientLoop());
 * @throws {RuntimeError} when called from code a loop is running.
 */
export function closeAmbientLoop(): Promise<void> {
  // Misuse throws here, at the call site, as run() does.
  if (_getRunningLoop() !== null) {
    throw new RuntimeError("closeAmbientLoop() cannot be called from a running event loop: call it from async code");
  }
  const loop = ambient;
  const stopped = ambientStopped;
  ambient = null;
  ambientStopped = null;
  return loop === null ? Promise.resolve() : shutDown(loop, stopped as Promise<void>);
}

async function shutDown(loop: EventLoop, stopped: Promise<void>): Promise<void> {
  try {
    const tasks = [...allTasks(loop)];
    for (const task of tasks) task.cancel();
    if (tasks.length > 0) await gatherAll(tasks, { returnExceptions: true });
    for (const task of tasks) {
      if (task.cancelled()) continue;
      const exception = task.exception();
      if (exception !== null) {
        loop.callExceptionHandler({ message: "unhandled exception during closeAmbientLoop()", exception, task });
      }
    }
  } finally {
    loop.stop();
    await stopped;
    loop.close();
  }
}
