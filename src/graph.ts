// Call graphs: who awaits whom, as Python 3.14's asyncio.graph, plus the whole loop as a tree.
//
// Design note. CPython 3.14 records on every Future the Tasks awaiting it (`_asyncio_awaited_by`),
// updated on each await. asyncio-ts records nothing on its hot paths: it derives the same edges
// when a graph is asked for, from what the kernel keeps anyway. A pending Task waits on
// `_futWaiter`; a gather's children are awaited by the Task awaiting the gather; the Future a
// shield follows is awaited by the Task awaiting the shield; a TaskGroup's tasks are awaited by
// the Task running the group's block. One pass over the loop's pending Tasks builds the reverse
// index. A suspended generator shows no frames, so only the current Task has a call stack.

import { _getRunningLoop, type EventLoop, type LoopInternals } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { CANCELLED, FAILED, FINISHED, Future, PENDING } from "./futures.ts";
import { GatheringFuture } from "./gather.ts";
import { describe, describeError } from "./internal/format.ts";
import { isLibraryFrame, parseStack, type SourceFrame } from "./internal/source-traceback.ts";
import { _shieldedBy } from "./shield.ts";
import { _taskGroupOf, _taskGroupTasks, type TaskGroup } from "./taskgroups.ts";
import { allTasks, currentTask, Task } from "./tasks.ts";

/** One frame of a call stack in a call graph: where the current Task's code is running. */
export type FrameCallGraphEntry = SourceFrame;

/**
 * A Future (or Task), the frames it is running, and the graphs of the Tasks awaiting it.
 *
 * @see asyncio.FutureCallGraph
 */
export interface FutureCallGraph {
  /** The Future or Task this level describes. */
  readonly future: Future<unknown>;
  /**
   * Where the code of `future` is now, innermost frame first. Only the current Task has one: a
   * suspended generator exposes no frames in JavaScript.
   */
  readonly callStack: readonly FrameCallGraphEntry[];
  /** The Tasks awaiting `future`, each with the Tasks awaiting it, and so on. */
  readonly awaitedBy: readonly FutureCallGraph[];
}

/** Options of `captureCallGraph`, `formatCallGraph` and `printCallGraph`. */
export interface CallGraphOptions {
  /** Frames to leave off the top of the current Task's call stack, besides the library's own (1 by default: none). */
  depth?: number;
  /**
   * Keep at most this many frames of the call stack: the innermost ones when positive, the
   * outermost ones when negative; 0 keeps none. All of them by default.
   */
  limit?: number | null;
}

/** Options of `printCallGraph`. */
export interface PrintCallGraphOptions extends CallGraphOptions {
  /** Where to write the graph; standard output by default. */
  file?: { write(text: string): unknown };
}

/** The Tasks awaiting each Future of `loop`, derived from what its pending Tasks wait on. */
function awaitersOf(loop: EventLoop): Map<Future<unknown>, Task<unknown>[]> {
  const index = new Map<Future<unknown>, Task<unknown>[]>();
  const add = (awaited: Future<unknown>, task: Task<unknown>): void => {
    const list = index.get(awaited);
    if (list === undefined) index.set(awaited, [task]);
    else if (!list.includes(task)) list.push(task);
  };
  const follow = (awaited: Future<unknown>, task: Task<unknown>, seen: Set<Future<unknown>>): void => {
    if (seen.has(awaited)) return;
    seen.add(awaited);
    add(awaited, task);
    if (awaited instanceof GatheringFuture) {
      for (const child of awaited._children) follow(child, task, seen);
    }
    const inner = _shieldedBy(awaited);
    if (inner !== null) follow(inner, task, seen);
  };
  for (const task of allTasks(loop)) {
    const waiter = task._futWaiter;
    if (waiter !== null) follow(waiter, task, new Set());
    const membership = _taskGroupOf(task);
    if (membership?.parent != null && membership.parent !== task) add(task, membership.parent);
  }
  return index;
}

/** The current Task's frames, innermost first, from the caller of the library down to its step. */
function currentStack(depth: number): FrameCallGraphEntry[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const frames = parseStack(stack).filter((frame) => !frame.fileName.startsWith("node:"));
  let i = 0;
  while (i < frames.length && isLibraryFrame(frames[i] as SourceFrame)) i++;
  i += Math.max(0, depth - 1);
  const out: FrameCallGraphEntry[] = [];
  for (; i < frames.length; i++) {
    const frame = frames[i] as SourceFrame;
    // The Task's step is where the coroutine chain of the current Task begins.
    if (isLibraryFrame(frame) && /[\\/]tasks\.[jt]s$/.test(frame.fileName)) break;
    out.push(frame);
  }
  return out;
}

function trim(stack: FrameCallGraphEntry[], limit: number | null | undefined): FrameCallGraphEntry[] {
  if (limit === null || limit === undefined) return stack;
  if (limit === 0) return [];
  return limit > 0 ? stack.slice(0, limit) : stack.slice(limit);
}

function build(
  future: Future<unknown>,
  index: Map<Future<unknown>, Task<unknown>[]>,
  callStack: FrameCallGraphEntry[],
  path: Set<Future<unknown>>,
): FutureCallGraph {
  path.add(future);
  const awaitedBy: FutureCallGraph[] = [];
  for (const parent of index.get(future) ?? []) {
    // A cycle of Tasks awaiting each other (a deadlock) is shown once round.
    if (!path.has(parent)) awaitedBy.push(build(parent, index, [], path));
  }
  path.delete(future);
  return Object.freeze({ future, callStack: Object.freeze(callStack), awaitedBy: Object.freeze(awaitedBy) });
}

function checkFuture(future: unknown): asserts future is Future<unknown> {
  if (!(future instanceof Future)) {
    throw new TypeError(`${describe(future)} is not an asyncio-ts Future or Task: pass a Future, a Task or nothing`);
  }
}

/**
 * Capture the graph of the Tasks awaiting `future` (the current Task when omitted): the Tasks
 * awaiting it, the Tasks awaiting those, and so on up to the Tasks nobody awaits. For the current
 * Task the graph also holds its call stack. Return null when no future is given and no Task is
 * running.
 *
 * The edges are derived when the graph is captured: a Task awaits what it is suspended on, each
 * child of a gather it awaits, the Future a shield it awaits follows, and every task of a
 * TaskGroup whose block it runs.
 *
 * @example
 * function* child() {
 *   const graph = asyncio.captureCallGraph();
 *   console.log(graph?.awaitedBy.map((g) => (g.future as asyncio.Task).getName())); // ["main"]
 * }
 * @throws {RuntimeError} when called with no future outside a running loop.
 * @throws {TypeError} when `future` is not a Future.
 * @see asyncio.capture_call_graph (Python 3.14)
 */
export function captureCallGraph(
  future?: Future<unknown> | null,
  options: CallGraphOptions = {},
): FutureCallGraph | null {
  const loop = _getRunningLoop();
  const depth = options.depth ?? 1;
  if (future !== undefined && future !== null) {
    checkFuture(future);
    if (loop === null || future !== currentTask(loop)) {
      return build(future, awaitersOf(future.getLoop()), [], new Set());
    }
  } else {
    if (loop === null) {
      throw new RuntimeError(
        "captureCallGraph() was called outside a running event loop with no future: pass the Future or Task to describe",
      );
    }
    future = currentTask(loop);
    if (future === null) return null;
  }
  const stack = trim(currentStack(depth), options.limit);
  return build(future, awaitersOf(loop as EventLoop), stack, new Set());
}

/** The state of a Future as a graph shows it; the Task whose step is running is `running`. */
function stateOf(future: Future<unknown>): string {
  switch (future._state) {
    case PENDING:
      if (!(future instanceof Task)) return "pending";
      if (future.cancelling() > 0) return "cancelling";
      return future._loop._currentTask === future ? "running" : "pending";
    case CANCELLED:
      return "cancelled";
    case FINISHED:
      return "finished";
    case FAILED:
      return `failed: ${describeError(future._value)}`;
    default:
      return "unknown";
  }
}

function renderLevel(graph: FutureCallGraph, lines: string[], level: number): void {
  const indent = "    ".repeat(level);
  const future = graph.future;
  if (future instanceof Task) {
    lines.push(`${indent}* Task(name='${future.getName()}', state=${stateOf(future)})`);
  } else {
    lines.push(`${indent}* ${future.constructor.name}(state=${stateOf(future)})`);
  }
  if (graph.callStack.length > 0) {
    lines.push(`${indent}  + Call stack:`);
    for (const frame of graph.callStack) {
      lines.push(`${indent}  |   File '${frame.fileName}', line ${frame.lineNumber}, in ${frame.functionName}()`);
    }
  }
  if (graph.awaitedBy.length > 0) {
    lines.push(`${indent}  + Awaited by:`);
    for (const parent of graph.awaitedBy) renderLevel(parent, lines, level + 1);
  }
}

/**
 * Render the call graph of `future` (the current Task when omitted) as indented text: each level
 * names the Task and its state, its call stack when it is the current Task, and the Tasks
 * awaiting it. Return "" when there is no graph to show.
 *
 * @example
 * console.log(asyncio.formatCallGraph(task));
 * // * Task(name='child', state=pending)
 * //   + Awaited by:
 * //     * Task(name='main', state=pending)
 * @throws {RuntimeError} when called with no future outside a running loop.
 * @see asyncio.format_call_graph (Python 3.14)
 */
export function formatCallGraph(future?: Future<unknown> | null, options: CallGraphOptions = {}): string {
  const graph = captureCallGraph(future, options);
  if (graph === null) return "";
  const lines: string[] = [];
  renderLevel(graph, lines, 0);
  return lines.join("\n");
}

/**
 * Print the call graph of `future` (the current Task when omitted), as `formatCallGraph` renders
 * it, to standard output or `options.file`. Print nothing when there is no graph.
 *
 * @throws {RuntimeError} when called with no future outside a running loop.
 * @see asyncio.print_call_graph (Python 3.14)
 */
export function printCallGraph(future?: Future<unknown> | null, options: PrintCallGraphOptions = {}): void {
  const text = formatCallGraph(future, options);
  if (text === "") return;
  (options.file ?? process.stdout).write(`${text}\n`);
}

// ---- the whole loop, top down -----------------------------------------------------------------

/** What a node of a task tree stands for. */
export type TaskTreeKind = "task" | "gather" | "shield" | "taskgroup" | "future";

/**
 * A node of `captureTaskTree`: a Task, a gather, a shield, a TaskGroup or another Future, and
 * what it awaits.
 */
export interface TaskTreeNode {
  /** What the node stands for. */
  readonly kind: TaskTreeKind;
  /** The Future (Task, gather, shield...) of the node; null for a TaskGroup. */
  readonly future: Future<unknown> | null;
  /** The TaskGroup of a `taskgroup` node; null otherwise. */
  readonly taskGroup: TaskGroup | null;
  /** What this node awaits: for a Task, what it is suspended on and the groups whose block it runs. */
  readonly awaits: readonly TaskTreeNode[];
}

function node(
  kind: TaskTreeKind,
  future: Future<unknown> | null,
  taskGroup: TaskGroup | null,
  awaits: TaskTreeNode[],
): TaskTreeNode {
  return Object.freeze({ kind, future, taskGroup, awaits: Object.freeze(awaits) });
}

/**
 * Capture every pending Task of `loop` (the running loop by default) as a forest, top down: the
 * Tasks nobody awaits are the roots, and each node lists what it awaits, down to the Futures at
 * the leaves. Done children of a gather still show, with their outcome. This is the view of
 * `python -m asyncio pstree`, for a loop of this process.
 *
 * @throws {RuntimeError} when no loop is given and none is running.
 * @see asyncio.tools (Python 3.14), which draws the same tree for another process
 */
export function captureTaskTree(loop?: EventLoop): TaskTreeNode[] {
  const target = (loop ?? _getRunningLoop()) as LoopInternals | null;
  if (target === null) {
    throw new RuntimeError("captureTaskTree() was called outside a running event loop: pass the loop to describe");
  }
  const pending = [...allTasks(target)].reverse();
  const index = awaitersOf(target);
  // The groups whose block each Task runs, in the order their first task appeared.
  const groupsOf = new Map<Task<unknown>, TaskGroup[]>();
  for (const task of pending) {
    const membership = _taskGroupOf(task);
    if (membership === null || membership.parent === null) continue;
    const groups = groupsOf.get(membership.parent) ?? [];
    if (!groups.includes(membership.group)) groups.push(membership.group);
    groupsOf.set(membership.parent, groups);
  }
  const visited = new Set<Future<unknown>>();
  const grow = (future: Future<unknown>, path: Set<Future<unknown>>): TaskTreeNode => {
    visited.add(future);
    path.add(future);
    const below = (f: Future<unknown>): TaskTreeNode[] => (path.has(f) ? [] : [grow(f, path)]);
    let result: TaskTreeNode;
    if (future instanceof Task) {
      const awaits: TaskTreeNode[] = [];
      if (future._state === PENDING && future._futWaiter !== null) awaits.push(...below(future._futWaiter));
      for (const group of groupsOf.get(future) ?? []) {
        const tasks = _taskGroupTasks(group).filter((task) => task !== future._futWaiter);
        awaits.push(node("taskgroup", null, group, tasks.flatMap(below)));
      }
      result = node("task", future, null, awaits);
    } else if (future instanceof GatheringFuture) {
      result = node("gather", future, null, future._children.flatMap(below));
    } else {
      const inner = _shieldedBy(future);
      result = inner !== null ? node("shield", future, null, below(inner)) : node("future", future, null, []);
    }
    path.delete(future);
    return result;
  };
  const roots: TaskTreeNode[] = [];
  for (const task of pending) if (!index.has(task)) roots.push(grow(task, new Set()));
  // Tasks that await each other in a cycle have no root: show each cycle from its oldest Task.
  for (const task of pending) if (!visited.has(task)) roots.push(grow(task, new Set()));
  return roots;
}

/** @internal Whether `future` is what a `sleep()` waits on: a Future that is its own timer in the loop's heap. */
export function isSleepTimer(future: Future<unknown>): boolean {
  return typeof (future as { _when?: unknown })._when === "number";
}

function label(tree: TaskTreeNode): string {
  const future = tree.future;
  switch (tree.kind) {
    case "task":
      return `Task '${(future as Task<unknown>).getName()}' ${stateOf(future as Future<unknown>)}`;
    case "gather":
      return `gather ${stateOf(future as Future<unknown>)} (${(future as GatheringFuture<unknown>)._children.length} children)`;
    case "shield":
      return `shield ${stateOf(future as Future<unknown>)}`;
    case "taskgroup":
      return `TaskGroup (${tree.awaits.length} tasks)`;
    default: {
      const name = isSleepTimer(future as Future<unknown>) ? "sleep" : (future as Future<unknown>).constructor.name;
      return `${name} ${stateOf(future as Future<unknown>)}`;
    }
  }
}

function renderTree(tree: TaskTreeNode, prefix: string, last: boolean, lines: string[]): void {
  lines.push(`${prefix}${last ? "└── " : "├── "}${label(tree)}`);
  const inner = prefix + (last ? "    " : "│   ");
  tree.awaits.forEach((child, i) => {
    renderTree(child, inner, i === tree.awaits.length - 1, lines);
  });
}

/**
 * Render `captureTaskTree(loop)` as a tree drawn with box characters, one line per Task, gather,
 * shield, TaskGroup or Future, with names and states.
 *
 * @example
 * console.log(asyncio.formatTaskTree());
 * // └── Task 'main' pending
 * //     └── gather pending (2 children)
 * //         ├── Task 'fetch-1' finished
 * //         └── Task 'fetch-2' pending
 * //             └── Future pending
 * @throws {RuntimeError} when no loop is given and none is running.
 */
export function formatTaskTree(loop?: EventLoop): string {
  const lines: string[] = [];
  const roots = captureTaskTree(loop);
  roots.forEach((root, i) => {
    renderTree(root, "", i === roots.length - 1, lines);
  });
  return lines.join("\n");
}
