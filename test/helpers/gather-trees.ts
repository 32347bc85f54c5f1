// Random trees of gathers for the property tests of gather's `limit` and `signal` options.
//
// A tree is a gather whose children are leaves (sleep, then return, raise, or end cancelled) or
// nested gathers, each with a random `limit` and `returnExceptions`. `predict()` works out, from
// the durations alone, when every leaf starts and what every gather returns; `runTree()` runs the
// tree on a virtual-time loop and records what really happened. Durations are whole seconds plus
// a distinct power of two per leaf, so no two events that could race ever share a deadline and
// the prediction is exact; every sum stays exact in a double. With at most 24 leaves, two
// deadlines differ by at least 2^-25 s, well above the loop's clock resolution (1e-9 s), below
// which it would run timers together.

import assert from "node:assert/strict";
import fc from "fast-check";
import * as asyncio from "asyncio-ts";
import { CancelledError, type Coroutine, Task } from "asyncio-ts";
import { VirtualTimeLoop } from "asyncio-ts/testing";

export interface Leaf {
  kind: "leaf";
  id: number;
  duration: number;
  outcome: "ok" | "fail" | "cancel";
}

export interface GatherNode {
  kind: "gather";
  id: number;
  limit: number | undefined;
  returnExceptions: boolean;
  children: TreeNode[];
}

export type TreeNode = Leaf | GatherNode;

/** What a child or a gather gives: a leaf's value, an error, a cancellation, or a list of those. */
export type Outcome = string | { error: string } | { cancelled: true } | Outcome[];

const MAX_LEAVES = 24;

type RawNode =
  | { kind: "leaf"; seconds: number; outcome: Leaf["outcome"] }
  | { kind: "gather"; limit: number | undefined; returnExceptions: boolean; children: RawNode[] };

const rawLeaf: fc.Arbitrary<RawNode> = fc.record({
  kind: fc.constant("leaf" as const),
  seconds: fc.integer({ min: 0, max: 3 }),
  outcome: fc.constantFrom<Leaf["outcome"][]>("ok", "ok", "ok", "fail", "cancel"),
});

function rawGather(depth: number): fc.Arbitrary<RawNode> {
  const child =
    depth <= 1 ? rawLeaf : fc.oneof({ weight: 3, arbitrary: rawLeaf }, { weight: 1, arbitrary: rawGather(depth - 1) });
  return fc.record({
    kind: fc.constant("gather" as const),
    limit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    returnExceptions: fc.boolean(),
    children: fc.array(child, { minLength: 1, maxLength: 5 }),
  });
}

function countLeaves(node: RawNode): number {
  return node.kind === "leaf" ? 1 : node.children.reduce((sum, c) => sum + countLeaves(c), 0);
}

function number(node: RawNode, ids: { leaf: number; gather: number }): TreeNode {
  if (node.kind === "leaf") {
    const id = ids.leaf++;
    // 2^-(id+2): distinct per leaf, and all of them together stay below 1/2.
    return { kind: "leaf", id, duration: node.seconds + 2 ** -(id + 2), outcome: node.outcome };
  }
  return {
    kind: "gather",
    id: ids.gather++,
    limit: node.limit,
    returnExceptions: node.returnExceptions,
    children: node.children.map((c) => number(c, ids)),
  };
}

/** Random gather trees up to three levels deep with at most 24 leaves. */
export const gatherTree: fc.Arbitrary<GatherNode> = rawGather(3)
  .filter((t) => countLeaves(t) <= MAX_LEAVES)
  .map((t) => number(t, { leaf: 0, gather: 0 }) as GatherNode);

function isFailure(outcome: Outcome): boolean {
  return typeof outcome === "object" && !Array.isArray(outcome);
}

interface Simulated {
  end: number;
  outcome: Outcome;
}

/** List scheduling: a queued child starts when the earliest running one ends, in argument order. */
function simulate(node: TreeNode, start: number, leafStarts: Map<number, number>): Simulated {
  if (node.kind === "leaf") {
    leafStarts.set(node.id, start);
    const end = start + node.duration;
    if (node.outcome === "ok") return { end, outcome: `leaf-${node.id}` };
    if (node.outcome === "fail") return { end, outcome: { error: `fail-${node.id}` } };
    return { end, outcome: { cancelled: true } };
  }
  const limit = node.limit ?? Number.POSITIVE_INFINITY;
  const running: number[] = [];
  const starts: number[] = [];
  const sims: Simulated[] = [];
  const branchLeaves: Map<number, number>[] = [];
  for (const child of node.children) {
    let s = start;
    if (running.length >= limit) {
      running.sort((a, b) => a - b);
      s = running.shift() as number;
    }
    const leaves = new Map<number, number>();
    const sim = simulate(child, s, leaves);
    running.push(sim.end);
    starts.push(s);
    sims.push(sim);
    branchLeaves.push(leaves);
  }
  let firstFailure = -1;
  if (!node.returnExceptions) {
    for (let i = 0; i < sims.length; i++) {
      const sim = sims[i] as Simulated;
      if (isFailure(sim.outcome) && (firstFailure < 0 || sim.end < (sims[firstFailure] as Simulated).end)) {
        firstFailure = i;
      }
    }
  }
  const failedAt = firstFailure < 0 ? Number.POSITIVE_INFINITY : (sims[firstFailure] as Simulated).end;
  for (let i = 0; i < sims.length; i++) {
    // A child that would have started once the gather had failed is closed and never starts.
    const neverStarts = (starts[i] as number) >= failedAt;
    for (const [leaf, s] of branchLeaves[i] as Map<number, number>) {
      leafStarts.set(leaf, neverStarts ? Number.POSITIVE_INFINITY : s);
    }
  }
  if (firstFailure >= 0) return sims[firstFailure] as Simulated;
  return { end: Math.max(start, ...sims.map((s) => s.end)), outcome: sims.map((s) => s.outcome) };
}

export interface Prediction {
  /** When the top gather is done. */
  end: number;
  outcome: Outcome;
  /** When each leaf would start, Infinity for one whose gather closes it first. */
  leafStarts: Map<number, number>;
}

export function predict(tree: GatherNode): Prediction {
  const leafStarts = new Map<number, number>();
  const { end, outcome } = simulate(tree, 0, leafStarts);
  return { end, outcome, leafStarts };
}

/** How the run is interrupted from outside, if at all. */
export type Interruption = { via: "cancel" | "signal"; at: number } | null;

export interface GatherRecord {
  running: number;
  maxRunning: number;
  startOrder: number[];
}

export interface TreeRun {
  outcome: Outcome;
  started: Set<number>;
  finallyRan: Set<number>;
  gathers: Map<number, GatherRecord>;
  tasks: asyncio.Task<unknown>[];
  /** The coroutines handed to gathers, to check afterwards that none can still run. */
  wrappers: Coroutine<unknown>[];
  reports: asyncio.ExceptionContext[];
}

export function normalize(value: unknown): Outcome {
  if (value instanceof CancelledError) return { cancelled: true };
  if (value instanceof Error) return { error: value.message };
  if (Array.isArray(value)) return value.map(normalize);
  return value as string;
}

/** Run `tree` on a virtual-time loop; `eager` installs the eager task factory. */
export async function runTree(tree: GatherNode, interruption: Interruption, eager: boolean): Promise<TreeRun> {
  const run: TreeRun = {
    outcome: "",
    started: new Set(),
    finallyRan: new Set(),
    gathers: new Map(),
    tasks: [],
    wrappers: [],
    reports: [],
  };
  const loop = new VirtualTimeLoop();
  loop.setExceptionHandler((_loop, context) => run.reports.push(context));
  loop.setTaskFactory((l, coro, options) => {
    const task = eager ? asyncio.eagerTaskFactory(l, coro, options) : new Task(coro, { loop: l, name: options.name });
    run.tasks.push(task as asyncio.Task<unknown>);
    return task;
  });

  function* leaf(node: Leaf): Coroutine<string> {
    run.started.add(node.id);
    try {
      yield* asyncio.sleep(node.duration);
      if (node.outcome === "fail") throw new Error(`fail-${node.id}`);
      if (node.outcome === "cancel") throw new CancelledError(`cancel-${node.id}`);
      return `leaf-${node.id}`;
    } finally {
      run.finallyRan.add(node.id);
    }
  }

  function* tracked(record: GatherRecord, index: number, body: Coroutine<unknown>): Coroutine<unknown> {
    record.startOrder.push(index);
    record.running++;
    record.maxRunning = Math.max(record.maxRunning, record.running);
    try {
      return yield* body;
    } finally {
      record.running--;
    }
  }

  function gatherOf(node: GatherNode, signal?: AbortSignal): asyncio.GatheringFuture<unknown[]> {
    const record: GatherRecord = { running: 0, maxRunning: 0, startOrder: [] };
    run.gathers.set(node.id, record);
    const children = node.children.map((child, i) => {
      const wrapper = tracked(record, i, child.kind === "leaf" ? leaf(child) : nested(child));
      run.wrappers.push(wrapper);
      return wrapper;
    });
    const options: asyncio.GatherOptions = { returnExceptions: node.returnExceptions };
    if (node.limit !== undefined) options.limit = node.limit;
    if (signal !== undefined) options.signal = signal;
    return asyncio.gatherAll(children, options);
  }

  function* nested(node: GatherNode): Coroutine<unknown[]> {
    return yield* gatherOf(node);
  }

  function* main(): Coroutine<unknown[]> {
    const controller = new AbortController();
    const top = gatherOf(tree, interruption?.via === "signal" ? controller.signal : undefined);
    if (interruption !== null) {
      loop.callAt(interruption.at, () => {
        if (interruption.via === "signal") controller.abort("interrupted");
        else top.cancel("interrupted");
      });
    }
    return yield* top;
  }

  try {
    run.outcome = normalize(await asyncio.run(main(), { loopFactory: () => loop }));
  } catch (error) {
    run.outcome = normalize(error);
  }
  return run;
}

/**
 * Run `tree` and check it against the prediction: its outcome (results in argument order), which
 * leaves started, that every started leaf's finally ran, that no gather ran more children than its
 * limit or started them out of order, that no Task is pending after run() and no coroutine can
 * still run, and that nothing was reported to the exception handler.
 */
export async function checkTree(tree: GatherNode, interruption: Interruption, eager: boolean): Promise<void> {
  const prediction = predict(tree);
  const run = await runTree(tree, interruption, eager);
  const interrupted = interruption !== null && interruption.at < prediction.end;
  const horizon = interrupted ? interruption.at : prediction.end;
  assert.deepEqual(run.outcome, interrupted ? { cancelled: true } : prediction.outcome);
  const expectedStarted = [...prediction.leafStarts].filter(([, start]) => start < horizon).map(([id]) => id);
  assert.deepEqual(
    [...run.started].sort((a, b) => a - b),
    expectedStarted.sort((a, b) => a - b),
  );
  assert.deepEqual([...run.finallyRan].sort(), [...run.started].sort());
  const nodes: GatherNode[] = [tree];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const record = run.gathers.get(node.id);
    for (const child of node.children) if (child.kind === "gather") nodes.push(child);
    if (record === undefined) continue;
    if (node.limit !== undefined) assert.ok(record.maxRunning <= node.limit, `gather ${node.id} exceeded its limit`);
    assert.deepEqual(
      record.startOrder,
      [...record.startOrder].sort((a, b) => a - b),
      "children start in argument order",
    );
  }
  assert.ok(
    run.tasks.every((t) => t.done()),
    "no task is pending after run()",
  );
  for (const wrapper of run.wrappers) assert.equal(wrapper.next().done, true, "no coroutine can still run");
  assert.deepEqual(run.reports, []);
}
