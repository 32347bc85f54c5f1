// What may cross to a worker: a check run before a value is sent, so that nothing arrives mangled.
//
// Design note. Worker threads copy values with the structured clone algorithm and child processes
// with V8's serializer. Both throw for functions and symbols, but both also *silently* turn an
// instance of a class (a URL, a DOMException, your own Point) into a plain object that has lost its
// prototype, often `{}`. Python pickles such objects by class reference, so nothing like that
// happens there. We refuse what would arrive changed, naming where in the value the problem is;
// the walk is iterative (a long linked list must not overflow the stack) and visits each object once.

import {
  isArrayBuffer,
  isArrayBufferView,
  isBoxedPrimitive,
  isCryptoKey,
  isDate,
  isKeyObject,
  isMap,
  isNativeError,
  isPromise,
  isRegExp,
  isSet,
  isSharedArrayBuffer,
  isWeakMap,
  isWeakSet,
} from "node:util/types";
import { MessagePort } from "node:worker_threads";

/** Where a value goes: another thread (structured clone) or another process (V8 serialization). */
export type SendTarget = "thread" | "process";

const OK = 0;
const WALK = 1;

interface Node {
  value: object;
  parent: Node | null;
  key: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const NOTHING_MOVED: ReadonlySet<unknown> = new Set();

function pathOf(node: Node | null, last: string): string {
  let path = last;
  for (let n = node; n !== null; n = n.parent) path = n.key + path;
  return path;
}

function keyPath(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function className(value: object): string {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? name : "an anonymous class";
  } catch {
    return "an unknown class";
  }
}

/** OK, WALK (a container whose members need checking), or the reason the value cannot be sent. */
function classify(value: unknown, target: SendTarget, moved: ReadonlySet<unknown>): number | string {
  switch (typeof value) {
    case "function":
      return "is a function: functions cannot cross to a worker (import them in the worker module instead)";
    case "symbol":
      return "is a symbol, which cannot be copied";
    case "object":
      break;
    default:
      return OK;
  }
  if (value === null) return OK;
  if (Array.isArray(value)) return WALK;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return WALK;
  if (isArrayBufferView(value) || isArrayBuffer(value) || isDate(value) || isRegExp(value)) return OK;
  if (isBoxedPrimitive(value) || isNativeError(value)) return OK;
  if ((isMap(value) && proto === Map.prototype) || (isSet(value) && proto === Set.prototype)) return WALK;
  if (isSharedArrayBuffer(value)) {
    return target === "thread" ? OK : "is a SharedArrayBuffer, which another process cannot share";
  }
  if (value instanceof MessagePort) {
    if (target === "process") return "is a MessagePort, which cannot cross to another process";
    return moved.has(value) ? OK : "is a MessagePort that is not moved: pass it with transfer()";
  }
  if (value instanceof Blob || isKeyObject(value) || isCryptoKey(value)) {
    return target === "thread" ? OK : `is a ${className(value)}, which cannot cross to another process`;
  }
  if (isPromise(value)) return "is a Promise: await it before sending its value";
  if (isWeakMap(value) || isWeakSet(value) || value instanceof WeakRef) {
    return `is a ${className(value)}, which cannot be copied`;
  }
  return (
    `is an instance of ${className(value)}, which would arrive as a plain object without its class: ` +
    "send plain data (objects, arrays, Map, Set, Date, typed arrays) and rebuild it in the worker"
  );
}

/** What cannot be sent, and where: `path` is `""` for the value itself, else like `.items[3]`. */
export interface Unsendable {
  path: string;
  /** A phrase that completes "the value ...": `is a function: ...`. */
  reason: string;
}

/**
 * Return what in `value` cannot be sent to `target` intact, or `null` when all of it can.
 * `moved` holds the objects that travel in the transfer list.
 *
 * Errors nested in the value are accepted: they arrive as the built-in error class nearest to
 * theirs, with name, message, stack and cause (what the structured clone algorithm keeps).
 */
export function findUnsendable(
  value: unknown,
  target: SendTarget,
  moved: ReadonlySet<unknown> = NOTHING_MOVED,
): Unsendable | null {
  const first = classify(value, target, moved);
  if (first === OK) return null;
  if (typeof first === "string") return { path: "", reason: first };
  const seen = new Set<object>([value as object]);
  const stack: Node[] = [{ value: value as object, parent: null, key: "" }];
  let node: Node | undefined;
  // Checks one member; returns the problem, or null after queueing a container to walk.
  const visit = (member: unknown, key: string, parent: Node): Unsendable | null => {
    const t = typeof member;
    if (t !== "object" && t !== "function" && t !== "symbol") return null;
    const verdict = classify(member, target, moved);
    if (verdict === OK) return null;
    if (typeof verdict === "string") return { path: pathOf(parent, key), reason: verdict };
    if (!seen.has(member as object)) {
      seen.add(member as object);
      stack.push({ value: member as object, parent, key });
    }
    return null;
  };
  while ((node = stack.pop()) !== undefined) {
    const container = node.value;
    let problem: Unsendable | null = null;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length && problem === null; i++) problem = visit(container[i], `[${i}]`, node);
    } else if (isMap(container)) {
      let i = 0;
      for (const [key, member] of container as Map<unknown, unknown>) {
        problem = visit(key, `<key ${i}>`, node) ?? visit(member, `<value ${i}>`, node);
        if (problem !== null) break;
        i++;
      }
    } else if (isSet(container)) {
      let i = 0;
      for (const member of container as Set<unknown>) {
        if ((problem = visit(member, `<member ${i++}>`, node)) !== null) break;
      }
    } else {
      const record = container as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if ((problem = visit(record[key], keyPath(key), node)) !== null) break;
      }
    }
    if (problem !== null) return problem;
  }
  return null;
}
