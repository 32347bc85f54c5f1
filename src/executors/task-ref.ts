// task(): a typed reference to a function exported by a module, the form in which work reaches a worker.
//
// A closure cannot cross to another thread or process; a module URL and an export name can. The
// reference carries the function's type as a phantom parameter, so `submit(ref, ...args)` checks
// the arguments and types the result from the exported function's own signature.

import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { describe } from "../internal/format.ts";
import type { Transfer } from "./transfer.ts";

/** Any function a worker can run: it takes copyable arguments and returns a value or a promise. */
export type WorkerFunction = (...args: never[]) => unknown;

/** The parameters of a worker function. */
export type WorkerArgs<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * What awaiting a job of worker function `F` gives: its return value, with promises unwrapped and
 * a `transfer()` mark removed.
 */
export type WorkerResult<F> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends Transfer<infer V>
    ? V
    : Awaited<R>
  : never;

/** The arguments `submit` accepts for parameters `A`: each one as is, or marked with `transfer()`. */
export type SendArgs<A extends readonly unknown[]> = { [K in keyof A]: A[K] | Transfer<A[K]> };

declare const workerFunction: unique symbol;

/** Options of `task()`, which travel with the reference to every executor. */
export interface TaskRefOptions {
  /**
   * When the Future of a job already running is cancelled, terminate the worker running it
   * (default: the executor's setting, itself false by default, so the job runs on to its end and
   * its result is dropped, as in Python). A terminated job's `finally` blocks do not run.
   */
  terminateOnCancel?: boolean;
}

/**
 * A reference to the function `name` exported by the module at `module`: what executors run.
 * Make one with `task()`; it is plain data and may be shared freely.
 */
export interface TaskRef<F extends WorkerFunction = (...args: unknown[]) => unknown> {
  /** The module's `file:` URL. */
  readonly module: string;
  /** The export's name. */
  readonly name: string;
  /** Whether cancelling a running job terminates its worker; `undefined` defers to the executor. */
  readonly terminateOnCancel: boolean | undefined;
  /** The function's type, for the type checker only; never set. */
  readonly [workerFunction]?: F;
}

function toModuleURL(module: URL | string): string {
  if (module instanceof URL) {
    if (module.protocol !== "file:") {
      throw new TypeError(`task() needs a file: URL for the module, got ${module.href}`);
    }
    return module.href;
  }
  if (typeof module === "string") {
    if (module.startsWith("file:")) return new URL(module).href;
    if (isAbsolute(module)) return pathToFileURL(module).href;
  }
  throw new TypeError(
    `task() needs the module as a URL or an absolute path, got ${describe(module)}: ` +
      `write new URL("./work.js", import.meta.url) so that it resolves next to the calling module`,
  );
}

/**
 * Refer to the function `name` exported by the module at `module`, so that an executor can run it
 * in a worker: `module` is a `file:` URL (usually `new URL("./work.js", import.meta.url)`) or an
 * absolute path. Give the function's type as the type argument to check arguments and type results.
 * The module is imported in the worker, never here. Point at JavaScript that Node can load: in a
 * TypeScript project, the compiled `.js` file (see docs/executors.md).
 *
 * @example
 * const fib = asyncio.task<typeof import("./work.js")["fib"]>(new URL("./work.js", import.meta.url), "fib");
 * const n = yield* asyncio.toThread(fib, 30); // n: number
 * @throws {TypeError} when `module` is a relative path or not a file URL, or `name` is empty.
 * @see Python pickles functions by module and qualified name, which is what this spells out
 */
export function task<F extends WorkerFunction = (...args: unknown[]) => unknown>(
  module: URL | string,
  name: string,
  options: TaskRefOptions = {},
): TaskRef<F> {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`task() needs the name of an exported function, got ${describe(name)}`);
  }
  return Object.freeze({ module: toModuleURL(module), name, terminateOnCancel: options.terminateOnCancel });
}

/** The task references of every exported function of module type `M`. */
export type TaskModule<M> = {
  readonly [K in keyof M as M[K] extends WorkerFunction ? K : never]: M[K] extends WorkerFunction
    ? TaskRef<M[K]>
    : never;
};

/**
 * Refer to every function exported by the module at `module` at once, typed from the module's
 * own type: `taskModule<typeof import("./work.js")>(url).fib` is `task(url, "fib")` with the type of
 * `fib`. References are made when first read.
 *
 * @example
 * const work = asyncio.taskModule<typeof import("./work.js")>(new URL("./work.js", import.meta.url));
 * const [a, b] = yield* asyncio.gather(pool.submit(work.fib, 30), pool.submit(work.fib, 31));
 * @throws {TypeError} when `module` is a relative path or not a file URL.
 */
export function taskModule<M>(module: URL | string, options: TaskRefOptions = {}): TaskModule<M> {
  const url = toModuleURL(module);
  const made = new Map<string, TaskRef>();
  return new Proxy(Object.create(null) as TaskModule<M>, {
    get(_target, key) {
      if (typeof key !== "string") return undefined;
      let ref = made.get(key);
      if (ref === undefined) made.set(key, (ref = task(url, key, options)));
      return ref;
    },
  });
}

/**
 * Tell whether `value` has the shape of a reference made by `task()`: a `file:` module URL and a
 * name. The check is structural, so references made by another copy of asyncio-ts pass.
 */
export function isTaskRef(value: unknown): value is TaskRef<WorkerFunction> {
  if (typeof value !== "object" || value === null) return false;
  const { module, name } = value as { module?: unknown; name?: unknown };
  return typeof module === "string" && module.startsWith("file:") && typeof name === "string" && name !== "";
}

/** Describe a reference for messages: `fib from work.js`. */
export function describeRef(ref: TaskRef<WorkerFunction>): string {
  return `${ref.name} from ${ref.module.slice(ref.module.lastIndexOf("/") + 1)}`;
}
