// The worker side of the executors: import the function a job names, call it, and reply.
//
// Both pools load this module in each of their workers (a thread for piscina, a child process for
// tinypool) and call `runJob` for every job. It never lets an error or a bad result escape to the
// pool, whose own handling would flatten it: every outcome becomes a Reply, errors as envelopes.
// Keep its imports small; they are paid for in every worker that starts.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread, type TransferListItem } from "node:worker_threads";
import { describe } from "../internal/format.ts";
import { encodeError, type ErrorEnvelope } from "./envelope.ts";
import { SerializationError } from "./errors.ts";
import { findUnsendable, type SendTarget } from "./sendable.ts";
import { isTransfer } from "./transfer.ts";

/** What an executor sends to a worker for one call. */
export interface JobMessage {
  /** The `file:` URL of the module exporting the function. */
  module: string;
  /** The export's name. */
  name: string;
  args: unknown[];
}

/** What a worker sends back for one call: the result, or the envelope of what was thrown. */
export type Reply = { ok: true; value: unknown } | { ok: false; error: ErrorEnvelope };

type Callable = (...args: unknown[]) => unknown;

const target: SendTarget = isMainThread ? "process" : "thread";
const loaded = new Map<string, Callable>();

/** Error codes with which `import()` fails in a worker thread for a module only a loader can read. */
const LOADER_CODES = new Set(["ERR_UNKNOWN_FILE_EXTENSION", "ERR_MODULE_NOT_FOUND"]);

/**
 * Import a worker module. Under tsx on Node 20, worker threads inherit tsx's `require` hook but
 * not its `import` hooks, so a TypeScript module fails to import there, and so does `./work.js`
 * standing for the `work.ts` beside it (which tsx's import hook resolves in the main thread and in
 * child processes). `require` then loads it, the `.ts` sibling of a missing `.js` file included,
 * as piscina itself loads modules. Anywhere else, and when `require` fails too, the import's own
 * error stands.
 */
async function importModule(module: string): Promise<Record<string, unknown>> {
  try {
    return (await import(module)) as Record<string, unknown>;
  } catch (error) {
    if (isMainThread || !LOADER_CODES.has((error as { code?: unknown } | null)?.code as string)) throw error;
    let path = fileURLToPath(module);
    if (!existsSync(path) && /\.[cm]?js$/.test(path)) path = path.replace(/js$/, "ts");
    try {
      return createRequire(module)(path) as Record<string, unknown>;
    } catch {
      throw error;
    }
  }
}

/**
 * Import the function `name` exported by `module` (cached per module and name), failing with an
 * error that names the fix when the module cannot be imported or has no such exported function.
 * The distributed worker uses it too, for the modules on its allowlist.
 */
export async function load(module: string, name: string): Promise<Callable> {
  const key = `${module}#${name}`;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(module);
  } catch (error) {
    throw new Error(
      `the worker could not import ${module}: ${error instanceof Error ? error.message : describe(error)}` +
        " (a TypeScript project points task() at the compiled .js file; see docs/executors.md)",
      { cause: error },
    );
  }
  const fn = namespace[name];
  if (typeof fn !== "function") {
    const exported = Object.keys(namespace).filter((key) => typeof namespace[key] === "function");
    throw new TypeError(
      `${module} has no exported function named ${JSON.stringify(name)}` +
        (exported.length > 0 ? `; its exported functions are ${exported.join(", ")}` : ""),
    );
  }
  loaded.set(key, fn as Callable);
  return fn as Callable;
}

function failure(error: unknown): Reply {
  return { ok: false, error: encodeError(error, target) };
}

function unsendableResult(value: unknown, moved: ReadonlySet<unknown>): Reply | null {
  const problem = findUnsendable(value, target, moved);
  if (problem === null) return null;
  const where = problem.path === "" ? "the result" : `the result's ${problem.path}`;
  return failure(new SerializationError(`${where} ${problem.reason}`, { path: problem.path }));
}

/**
 * Call `fn(...args)` and settle the outcome as a Reply: the result when it can be sent to
 * `target`, else a SerializationError envelope; what it throws as an envelope. Never throws.
 * A result marked with `transfer()` comes back with its transfer list.
 */
export async function callForReply(
  fn: Callable,
  args: unknown[],
): Promise<{ reply: Reply; transferList: readonly TransferListItem[] }> {
  let value: unknown;
  try {
    value = await fn(...args);
  } catch (error) {
    return { reply: failure(error), transferList: [] };
  }
  let transferList: readonly TransferListItem[] = [];
  if (isTransfer(value)) {
    // A child process copies whatever it sends; moving only makes sense between threads.
    if (target === "thread") transferList = value.transferList;
    value = value.value;
  }
  const bad = unsendableResult(value, new Set(transferList));
  if (bad !== null) return { reply: bad, transferList: [] };
  return { reply: { ok: true, value }, transferList };
}

let movable: ((reply: Reply, list: readonly TransferListItem[]) => unknown) | null = null;

/** Wrap a reply so that piscina's worker moves `list` instead of copying it. */
async function moving(reply: Reply, list: readonly TransferListItem[]): Promise<unknown> {
  if (movable === null) {
    const { move, transferableSymbol, valueSymbol } = await import("piscina");
    movable = (value, transferList) =>
      move({ [transferableSymbol]: [...transferList], [valueSymbol]: value } as unknown as ArrayBuffer);
  }
  return movable(reply, list);
}

/**
 * Run one job: the entry point both pools call in their workers. Resolves with a Reply (wrapped
 * for moving when the result was marked with `transfer()`); never rejects.
 */
export async function runJob(job: JobMessage): Promise<unknown> {
  let fn: Callable;
  try {
    fn = await load(job.module, job.name);
  } catch (error) {
    return failure(error);
  }
  const { reply, transferList } = await callForReply(fn, job.args);
  return transferList.length > 0 ? moving(reply, transferList) : reply;
}
