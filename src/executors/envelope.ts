// The error envelope: the fixed form in which an error crosses from a worker to the caller.
//
// Design note. Worker threads and child processes copy errors badly: the structured clone keeps
// name, message and stack of built-in errors only, so a custom class becomes a plain `Error`, and
// `code`, own fields and `AggregateError.errors` are dropped. The worker side therefore never
// sends an error itself; it sends an envelope of plain data (encodeError), and the caller rebuilds
// the error (decodeError) as an instance of the class of the same name when that class is known
// (built-in errors, asyncio-ts's own, and classes registered with registerErrorClass), else as an
// Error carrying the same name and fields. The same envelope serves every executor, local or remote.

import {
  BaseExceptionGroup,
  BrokenBarrierError,
  type ErrorClass,
  ExceptionGroup,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "../exceptions.ts";
import { describe } from "../internal/format.ts";
import { BrokenWorkerError, SerializationError } from "./errors.ts";
import { findUnsendable, type SendTarget } from "./sendable.ts";

/**
 * An error (or any thrown value) as plain data that every transport can copy. Build one with
 * `encodeError` where the error was thrown and turn it back into an error with `decodeError`.
 */
export interface ErrorEnvelope {
  /** Marks the object as an envelope, and its format version. */
  readonly asyncioTsError: 1;
  /** `"error"` for an Error object; `"value"` for anything else that was thrown. */
  readonly kind: "error" | "value";
  /** The thrown value itself, for kind `"value"` (a copyable value). */
  readonly value?: unknown;
  /** The name of the error's class (`constructor.name`), looked up first when rebuilding. */
  readonly className: string;
  /** The error's `name` property. */
  readonly name: string;
  readonly message: string;
  /** The stack as the worker formatted it. */
  readonly stack: string | undefined;
  /** The error's `code` (Node's `ERR_...` codes, `ENOENT`...), when it has one. */
  readonly code?: unknown;
  /** The error's other own properties, those that can be copied (others become a description). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The envelope of `error.cause`, when it has one. */
  readonly cause?: ErrorEnvelope;
  /** The envelopes of an `AggregateError`'s `errors`. */
  readonly errors?: readonly ErrorEnvelope[];
}

/** How deep a cause chain (or nested AggregateError) is followed before it is cut. */
const MAX_DEPTH = 32;
const OWN_KEYS = new Set(["name", "message", "stack", "cause", "code", "errors"]);

const builtinClasses: ErrorClass<Error>[] = [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  RuntimeError,
  ValueError,
  TimeoutError,
  InvalidStateError,
  BrokenBarrierError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BaseExceptionGroup,
  ExceptionGroup,
  SerializationError,
  BrokenWorkerError,
];

// CancelledError is left out on purpose: a worker's own CancelledError is not a cancellation of
// the caller's Task, so it comes back as a plain Error named "CancelledError".
const registry = new Map<string, ErrorClass<Error>>(builtinClasses.map((cls) => [cls.name, cls]));

/**
 * Make errors of class `cls` come back from workers as instances of `cls` (matched by class name),
 * with their fields restored. Built-in errors and asyncio-ts's own are known already. The rebuilt
 * error is made without running `cls`'s constructor, so a constructor with required arguments or
 * side effects is fine.
 *
 * @example
 * class ValidationError extends Error { field = ""; }
 * asyncio.registerErrorClass(ValidationError);
 * // a worker's `throw Object.assign(new ValidationError("bad"), { field: "age" })` now arrives
 * // as a ValidationError whose field is "age"
 * @param name the name to match, `cls.name` by default.
 * @throws {TypeError} when `cls` is not an Error subclass.
 */
export function registerErrorClass(cls: ErrorClass<Error>, name: string = cls.name): void {
  if (typeof cls !== "function" || !(cls === Error || cls.prototype instanceof Error)) {
    throw new TypeError(`registerErrorClass() expects a subclass of Error, got ${describe(cls)}`);
  }
  registry.set(name, cls);
}

function copyable(value: unknown, target: SendTarget): unknown {
  const problem = findUnsendable(value, target);
  return problem === null ? value : `[not copied: ${problem.path === "" ? "it" : problem.path} ${problem.reason}]`;
}

/** Read a property whose getter may throw: a throwing getter must not stop the error from being reported. */
function read(error: Error, key: string, fallback?: string): unknown {
  try {
    return (error as unknown as Record<string, unknown>)[key];
  } catch {
    return fallback;
  }
}

function encode(thrown: unknown, target: SendTarget, depth: number, seen: Set<unknown>): ErrorEnvelope {
  if (!(thrown instanceof Error)) {
    const problem = findUnsendable(thrown, target);
    if (problem === null) {
      return {
        asyncioTsError: 1,
        kind: "value",
        value: thrown,
        className: "",
        name: "",
        message: "",
        stack: undefined,
        fields: {},
      };
    }
    const where = problem.path === "" ? "" : ` (at ${problem.path})`;
    thrown = new SerializationError(
      `the worker threw ${describe(thrown)}, which cannot be sent back${where}: it ${problem.reason}`,
      { path: problem.path },
    );
  }
  const error = thrown as Error;
  seen.add(error);
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (!OWN_KEYS.has(key)) fields[key] = copyable(read(error, key, "[not copied: reading it threw]"), target);
  }
  const name = read(error, "name");
  const message = read(error, "message");
  const stack = read(error, "stack");
  const envelope: {
    -readonly [K in keyof ErrorEnvelope]: ErrorEnvelope[K];
  } = {
    asyncioTsError: 1,
    kind: "error",
    className: (error.constructor as { name?: string } | undefined)?.name ?? "Error",
    name: typeof name === "string" ? name : "Error",
    message: typeof message === "string" ? message : message === undefined ? "" : String(message),
    stack: typeof stack === "string" ? stack : undefined,
    fields,
  };
  const code = read(error, "code");
  if (code !== undefined) envelope.code = copyable(code, target);
  if (depth < MAX_DEPTH) {
    const cause = read(error, "cause");
    if (cause !== undefined && !seen.has(cause)) envelope.cause = encode(cause, target, depth + 1, seen);
    const members = read(error, "errors");
    if (Array.isArray(members)) {
      envelope.errors = members.map((member) =>
        seen.has(member)
          ? encode(new Error("(circular reference)"), target, MAX_DEPTH, seen)
          : encode(member, target, depth + 1, seen),
      );
    }
  }
  return envelope;
}

/**
 * Turn what a worker threw into an envelope of copyable data. Never throws: a field that cannot
 * be copied becomes a description of itself, and a thrown value that cannot be copied becomes a
 * `SerializationError` saying so.
 *
 * @param target where the envelope is going: `"thread"` (structured clone) or `"process"` (V8
 *   serialization; the stricter of the two, and the default).
 */
export function encodeError(thrown: unknown, target: SendTarget = "process"): ErrorEnvelope {
  return encode(thrown, target, 0, new Set());
}

/** Tell whether `value` is an error envelope made by `encodeError`. */
export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  return typeof value === "object" && value !== null && (value as { asyncioTsError?: unknown }).asyncioTsError === 1;
}

function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/**
 * Rebuild the error an envelope describes: an instance of the registered class whose name matches
 * (its constructor is not run), else a plain `Error` (an `AggregateError` when it had members)
 * whose `name` is the original's. Message, stack, `code`, own fields, `cause` and `errors` are
 * restored. A thrown value that was not an Error comes back as that value.
 *
 * @throws {TypeError} when `envelope` is not an envelope.
 */
export function decodeError(envelope: ErrorEnvelope): unknown {
  if (!isErrorEnvelope(envelope))
    throw new TypeError(`decodeError() expects an error envelope, got ${describe(envelope)}`);
  if (envelope.kind === "value") return envelope.value;
  const cls = registry.get(envelope.className) ?? registry.get(envelope.name);
  const members = envelope.errors?.map(decodeError);
  const aggregate =
    members !== undefined || (cls !== undefined && (cls === AggregateError || cls.prototype instanceof AggregateError));
  const base = aggregate ? AggregateError : Error;
  const args = aggregate ? [members ?? [], envelope.message] : [envelope.message];
  // Reflect.construct makes a real Error object (stack, util.inspect and all) whose prototype is
  // the class's, without running the class's own constructor.
  const error = Reflect.construct(base, args, cls ?? base) as Error;
  if (error.name !== envelope.name) define(error, "name", envelope.name, false);
  define(error, "stack", envelope.stack ?? `${envelope.name}: ${envelope.message}`, false);
  if ("code" in envelope) define(error, "code", envelope.code, true);
  for (const key of Object.keys(envelope.fields)) define(error, key, envelope.fields[key], true);
  if (envelope.cause !== undefined) define(error, "cause", decodeError(envelope.cause), false);
  return error;
}
